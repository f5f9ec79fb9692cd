"""The library's version counter: one row, bumped in the same transaction as every write to an
entry or a category (a ``before_flush`` hook, so no write path can forget it). The try box reads it
(one primary-key lookup) to know whether the matcher it built is still the library's."""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

LIBRARY_TABLES = frozenset({"entry", "category"})  # the tables the matcher is built from
LIBRARY_WRITTEN = "replybook.library_written"  # session.info: library rows written, not yet ended


class LibraryVersion(SQLModel, table=True):
    __tablename__ = "library_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


def library_version(session: Any) -> int:
    """The counter as committed (0 before the first library write)."""
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.version).where(table.c.id == 1)).scalar()
    return int(value or 0)


@event.listens_for(OrmSession, "before_flush")
def _bump_on_library_writes(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed = chain(session.new, (o for o in session.dirty if session.is_modified(o)), session.deleted)
    if not any(getattr(o, "__tablename__", None) in LIBRARY_TABLES for o in changed):
        return
    session.info[LIBRARY_WRITTEN] = True
    bumped = session.execute(
        update(LibraryVersion)
        .where(col(LibraryVersion.id) == 1)
        .values(version=col(LibraryVersion.version) + 1)
    )
    if not bumped.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(LibraryVersion).values(id=1, version=1))


@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:  # the outer transaction: a savepoint's end leaves the writes before it
        session.info.pop(LIBRARY_WRITTEN, None)
