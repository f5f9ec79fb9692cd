"""The library's version counters: one row each, bumped in the same transaction as every write to
their tables (a ``before_flush`` hook, so no write path can forget it) — row 1 for entries and
categories, row 2 for the synonyms (同义词). The try box reads them (primary-key lookups) to know
whether the matcher it built is still the library's."""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

LIBRARY, SYNONYMS = 1, 2  # the counters' rows
_COUNTER_OF = {"entry": LIBRARY, "category": LIBRARY, "synonym": SYNONYMS}
LIBRARY_WRITTEN = "replybook.library_written"  # session.info: library rows written, not yet ended


class LibraryVersion(SQLModel, table=True):
    __tablename__ = "library_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


def library_version(session: Any, counter: int = LIBRARY) -> int:
    """The counter as committed (0 before the first write to its tables)."""
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.version).where(table.c.id == counter)).scalar()
    return int(value or 0)


@event.listens_for(OrmSession, "before_flush")
def _bump_on_library_writes(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed = chain(session.new, (o for o in session.dirty if session.is_modified(o)), session.deleted)
    counters = {_COUNTER_OF.get(getattr(o, "__tablename__", None) or "") for o in changed} - {None}
    if LIBRARY in counters:
        session.info[LIBRARY_WRITTEN] = True
    for counter in sorted(c for c in counters if c is not None):
        bumped = session.execute(
            update(LibraryVersion)
            .where(col(LibraryVersion.id) == counter)
            .values(version=col(LibraryVersion.version) + 1)
        )
        if not bumped.rowcount:  # type: ignore[attr-defined]
            session.execute(insert(LibraryVersion).values(id=counter, version=1))


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _transaction_ended(session: OrmSession) -> None:
    session.info.pop(LIBRARY_WRITTEN, None)
