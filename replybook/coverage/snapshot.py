"""The fitted matcher kept on disk beside a SQLite database, so `replybook ask` neither reads nor fits
the library again while it is unchanged (issue 14 goal 5: the start-up of `ask`).

The file (``<database>-snapshot``) is one line of JSON, its key, then the pickled ``Matcher`` and the
categories' names. It is used only when every part of the key is what it is now:

- the code: Python's version and the path, size and mtime of each of replybook's source files and of
  the matcher's libraries (numpy, rapidfuzz, rjieba, pypinyin, opencc), so a pickle is only ever read
  by the code that wrote it;
- the database: its schema revision, the library's version counters (``store/models_library.py``)
  and a hash of every row of the tables ``Matcher.build`` reads, so a database restored or made again
  at the same path, whose counters happen to be equal, is not taken for the one the matcher was built
  from;
- the moment asked about: between the nearest start and end of the entries' active windows the
  active set is the same.

The key is read with the stdlib ``sqlite3`` (no SQLAlchemy, no alembic): the key also holds this
code's head revision, so a database whose revision is that head needs no other schema check. A
snapshot is written only when the key read after the build equals the one read before it (no write
landed in between), atomically (a temporary file, then ``os.replace``), readable by its owner only,
and read only if the current user owns it. A file that cannot be written or read means a slower ask,
never an error.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pickle
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from replybook.store.timeutil import window_around

if TYPE_CHECKING:  # the matcher's stack is imported when a snapshot is built or unpickled
    from sqlmodel import Session

    from replybook.coverage.matching import Matcher

FORMAT = 1
SUFFIX = "-snapshot"
TABLES = ("category", "entry", "setting", "synonym")  # what Matcher.build reads
COUNTERS = (1, 2, 3, 4)  # store/models_library.py: LIBRARY, IGNORED, SETTINGS, SYNONYMS
LIBRARIES = ("numpy", "rapidfuzz", "rjieba", "pypinyin", "opencc")


@dataclass(frozen=True)
class DatabaseState:
    """What the snapshot's key says of the database: read in one read transaction."""

    revision: str | None
    counters: tuple[int, ...]
    rows: str  # a hash of the rows of TABLES

    def as_dict(self) -> dict[str, Any]:
        return {"revision": self.revision, "counters": list(self.counters), "rows": self.rows}


@dataclass(frozen=True)
class Library:
    """What `ask` reads of the library: the matcher for the moment, and the categories' names."""

    matcher: Matcher
    category_names: dict[str, str]


@dataclass(frozen=True)
class Lookup:
    """The database as the snapshot sees it: ``schema_current`` when its revision is this code's head,
    ``library`` when the snapshot holds the library for the moment asked about."""

    path: Path
    state: DatabaseState | None
    head: str | None  # this code's head revision, when a snapshot of this code said it
    library: Library | None

    @property
    def schema_current(self) -> bool:
        return self.state is not None and self.head is not None and self.state.revision == self.head


def sqlite_file(url: str) -> Path | None:
    """The SQLite file a database option names (a plain path or ``sqlite:///path``), without
    SQLAlchemy; None for any other database, an in-memory one, or a URL with options."""
    value = url.strip()
    if "://" in value:
        scheme, _, rest = value.partition("://")
        if scheme not in ("sqlite", "sqlite+pysqlite") or not rest.startswith("/") or "?" in rest:
            return None
        value = rest[1:]
        if not value or value == ":memory:":
            return None
    return Path(value).expanduser().resolve()


def snapshot_file(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """Python, replybook's source files and the matcher's libraries, as paths, sizes and mtimes."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT} {sys.version} {pickle.HIGHEST_PROTOCOL}".encode())
    package = Path(__file__).resolve().parent.parent
    files = sorted(p for p in package.rglob("*.py"))
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_state(database: Path) -> DatabaseState | None:
    """The key's database part, or None when it cannot be read (no such file, no such table: a
    database the full schema check has to judge)."""
    if not database.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{database.as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=5)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one read snapshot for all of it
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        found = dict(conn.execute("SELECT id, version FROM library_version").fetchall())
        digest = hashlib.blake2b(digest_size=16)
        for table in TABLES:
            digest.update(f"\0{table}\0".encode())
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode())
        conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return DatabaseState(
        revision=revision[0] if revision else None,
        counters=tuple(int(found.get(c, 0)) for c in COUNTERS),
        rows=digest.hexdigest(),
    )


def lookup(database: Path, *, at: datetime) -> Lookup:
    """The database's state, and the snapshot's library when its key is the state's and ``at`` is
    inside its active window."""
    state = read_state(database)
    head: str | None = None
    library: Library | None = None
    path = snapshot_file(database)
    if state is not None:
        try:
            with path.open("rb") as f:
                if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                    raise OSError("a snapshot someone else wrote")
                key = json.loads(f.readline())
                if key.get("code") == code_stamp():
                    head = key.get("head")
                    if key.get("database") == state.as_dict() and _inside(key.get("window"), at):
                        library = _load(f)
        except Exception:  # no file, or one unreadable, torn or foreign: build as if there were none
            library = None
    return Lookup(database, state, head, library)


def _inside(window: Any, at: datetime) -> bool:
    lo, hi = window
    return (lo is None or datetime.fromisoformat(lo) <= at) and (
        hi is None or at < datetime.fromisoformat(hi)
    )


def _load(f: BinaryIO) -> Library:
    matcher, names = pickle.load(f)  # our own file: its owner only (checked by ``lookup``)
    return Library(matcher, names)


def build(session: Session, *, at: datetime, found: Lookup | None = None) -> Library:
    """The library for ``at`` read from the database (``Matcher.build``), kept in a snapshot beside
    ``found.path`` when no write landed while it was read."""
    from replybook.coverage.matching import Matcher
    from replybook.library.entries import list_categories

    matcher = Matcher.build(session, at=at)
    library = Library(matcher, {c.key: c.name for c in list_categories(session)})
    if found is not None and found.state is not None:
        window = active_window(session, at)
        session.rollback()  # end the read transaction, so reading the key again sees the database now
        if read_state(found.path) == found.state:
            _save(snapshot_file(found.path), found, library, window)
    return library


def active_window(session: Session, at: datetime) -> tuple[datetime | None, datetime | None]:
    """The nearest start/end boundaries of the enabled entries around ``at``: between them the active
    set is the one at ``at`` (start included, end excluded, as ``Entry.is_active``)."""
    from sqlmodel import select

    from replybook.store.models import Entry

    rows = session.exec(select(Entry.active_start, Entry.active_end).where(Entry.enabled == True))  # noqa: E712
    return window_around(rows, at)


def _save(
    path: Path, found: Lookup, library: Library, window: tuple[datetime | None, datetime | None]
) -> None:
    head = found.head
    if head is None:
        from replybook.store.db import head_revision

        head = head_revision()
    assert found.state is not None
    key = {
        "code": code_stamp(),
        "head": head,
        "database": found.state.as_dict(),
        "window": [None if w is None else w.isoformat() for w in window],
    }
    body = pickle.dumps((library.matcher, library.category_names), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        fd, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    except OSError:
        return  # a folder we may not write in: no snapshot, the next ask builds again
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(key).encode() + b"\n")
            f.write(body)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
