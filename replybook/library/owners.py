"""Which entry holds a normalised wording: the check every entry save makes (a wording belongs to one
entry), without reading and normalising the whole library on each save.

The normalised wordings of each entry are remembered per database with the entry's version; a save
reads ``(id, version)`` of every entry (one narrow query) and only the entries whose version moved.
A session that has written library rows in its open transaction (an import, several saves in one
transaction) sees its own uncommitted rows: its answer is computed the same way but not remembered,
so a rollback never leaves the memory ahead of the database.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from replybook.store.models import Entry
from replybook.store.models_library import LIBRARY_WRITTEN
from replybook.store.normalize import normalise

READ_BATCH = 500


@dataclass
class _Known:
    entries: dict[int, tuple[int, str, tuple[str, ...]]] = field(
        default_factory=dict
    )  # id → version, question, keys
    lock: threading.Lock = field(default_factory=threading.Lock)


_by_engine: weakref.WeakKeyDictionary[Any, _Known] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def _keys(question: str, similar: list[str]) -> tuple[str, ...]:
    return tuple(normalise(w) for w in [question, *similar])


def _current(session: Session) -> dict[int, tuple[int, str, tuple[str, ...]]]:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with _registry_lock:
        known = _by_engine.setdefault(engine, _Known())
    with known.lock:
        entries = dict(known.entries)
    versions = dict(session.exec(select(Entry.id, Entry.version)).all())
    for gone in entries.keys() - versions.keys():
        del entries[gone]
    changed = [i for i, v in versions.items() if i not in entries or entries[i][0] != v]
    for start in range(0, len(changed), READ_BATCH):
        rows = session.exec(
            select(Entry.id, Entry.version, Entry.question, Entry.similar).where(
                col(Entry.id).in_(changed[start : start + READ_BATCH])
            )
        )
        for entry_id, version, question, similar in rows:
            entries[entry_id or 0] = (version, question, _keys(question, list(similar)))
    if changed and not session.info.get(LIBRARY_WRITTEN):
        with known.lock:
            known.entries = entries
    return entries


def find_owner(
    session: Session, keys: list[str], *, exclude_id: int | None = None
) -> tuple[str, int, str] | None:
    """The first of ``keys`` (normalised wordings) that another entry holds: (key, its id, its
    question), the entry with the lowest id when several do; None when no other entry holds any."""
    wanted = set(keys)
    holders: dict[str, tuple[int, str]] = {}
    for entry_id, (_, question, held) in sorted(_current(session).items()):
        if entry_id == exclude_id:
            continue
        for key in wanted.intersection(held):
            holders.setdefault(key, (entry_id, question))
    for key in keys:
        if key in holders:
            return key, *holders[key]
    return None
