"""The library's version counters: one row each, bumped in the same transaction as every write to
what the try box answers with (a ``before_flush`` hook, so no write path can forget it). Row 1 counts
writes to entries and categories (the matcher), row 2 to the ignore list, row 3 to the shop's
settings, the bot's settings and the auto-replies, row 4 to the synonyms (同义词). The try box reads them all in one query to know
whether what it keeps in memory is still the shop's; no migration adds rows 2 to 4, the first write
of their kind does."""

from __future__ import annotations

from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

LIBRARY, IGNORED, SETTINGS, SYNONYMS = 1, 2, 3, 4  # the counters' rows
COUNTED = {
    "entry": LIBRARY,
    "category": LIBRARY,
    "ignored_question": IGNORED,
    "setting": SETTINGS,
    "bot_settings": SETTINGS,
    "autoreply": SETTINGS,
    "synonym": SYNONYMS,
}
LIBRARY_TABLES = frozenset(t for t, c in COUNTED.items() if c == LIBRARY)  # the matcher's tables
LIBRARY_WRITTEN = "replybook.library_written"  # session.info: library rows written, not yet ended
LIBRARY_LOCKED = "replybook.library_locked"  # session.info: the transaction holds row 1's lock


class LibraryVersion(SQLModel, table=True):
    __tablename__ = "library_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


def library_version(session: Any, counter: int = LIBRARY) -> int:
    """A counter as committed (0 before the first write to its tables)."""
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.version).where(table.c.id == counter)).scalar()
    return int(value or 0)


def hold_library(session: Any) -> int:
    """Bump the library counter now and return it as this transaction sees it. Every entry or
    category write bumps it in its own transaction, so from here until this transaction ends nobody
    else can write the library (they wait for the counter's row: its row lock on PostgreSQL, the
    file's write lock on SQLite): a value one above what a plan read means nobody wrote in between."""
    _bump(session, LIBRARY)
    return library_version(session)


class Counters(NamedTuple):
    library: int
    ignored: int
    settings: int
    synonyms: int


def counters(session: Any) -> Counters:
    """The counters as committed, in one query (0 for a row not yet written)."""
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    found = dict(session.execute(select(table.c.id, table.c.version)).all())
    return Counters(*(int(found.get(row, 0)) for row in (LIBRARY, IGNORED, SETTINGS, SYNONYMS)))


@event.listens_for(OrmSession, "before_flush")
def _bump_on_library_writes(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed = chain(session.new, (o for o in session.dirty if session.is_modified(o)), session.deleted)
    rows = {COUNTED.get(getattr(o, "__tablename__", None) or "") for o in changed} - {None}
    if LIBRARY in rows:
        session.info[LIBRARY_WRITTEN] = True
    for row in sorted(r for r in rows if r is not None):
        _bump(session, row)


def _bump(session: OrmSession, row: int) -> None:
    """``version + 1``, or the row at 1 on its first write: one upsert, so two first writes at once
    both count (an UPDATE that found nothing, then an INSERT, would fail one of them)."""
    if _upsert(session, row, step=1):
        return
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    bumped = session.execute(update(table).where(table.c.id == row).values(version=table.c.version + 1))
    if not bumped.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(table).values(id=row, version=1))


def _upsert(session: Any, row: int, *, step: int) -> bool:
    """Counter ``row`` moved by ``step`` (created at ``step``) in one statement that locks it, on the
    databases that have an upsert; False on another (the caller falls back)."""
    table = LibraryVersion.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return False
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    session.execute(
        upsert.values(id=row, version=step).on_conflict_do_update(
            index_elements=[table.c.id], set_={"version": table.c.version + step}
        )
    )
    return True


def lock_library(session: Any) -> None:
    """Make this transaction the library's one writer until it ends, before it reads what a write
    depends on (which entry holds a wording): the check and the write then see the same library.

    Every entry or category write bumps row 1 in its transaction, so taking that row's lock first
    serialises them: on PostgreSQL the upsert below locks the row (a concurrent writer waits for our
    commit, and its next statement, READ COMMITTED, sees what we wrote); on SQLite it is the write
    that takes the database's write lock (pysqlite asks for it only at a write, after the reads).
    The row's value is left as it is (0 when the upsert creates it: "no write yet"); taken once per
    transaction, again after a rollback (a savepoint's too, which releases it on PostgreSQL)."""
    if session.info.get(LIBRARY_LOCKED):
        return
    if not _upsert(session, LIBRARY, step=0):  # pragma: no cover - the two supported databases upsert
        table = LibraryVersion.__table__  # type: ignore[attr-defined]
        session.execute(select(table.c.version).where(table.c.id == LIBRARY).with_for_update())
    session.info[LIBRARY_LOCKED] = True


@event.listens_for(OrmSession, "after_soft_rollback")
def _lock_released(session: OrmSession, _previous: Any) -> None:
    session.info.pop(LIBRARY_LOCKED, None)


@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:  # the outer transaction: a savepoint's end leaves the writes before it
        session.info.pop(LIBRARY_WRITTEN, None)
        session.info.pop(LIBRARY_LOCKED, None)
