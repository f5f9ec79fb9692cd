"""Which entry holds a normalised wording: the check every entry save makes (a wording belongs to one
entry), without reading and normalising the whole library on each save.

The normalised wordings of each entry are remembered per database with the entry's version, with
an index from each wording to the entries holding it. A save asks the database for one signature
per block of ``BLOCK`` consecutive ids (count, Σid, Σversion, Σid·version: one aggregate query, a
few ms at 10,000 entries, no rows sent) and re-reads only the blocks whose signature moved, and of
those only the entries whose version moved. Every write bumps its entry's version and ids are never
reused, so any edit, insert, delete or restore moves its block's signature.

A session that has written library rows in its open transaction (an import, several saves in one
transaction) sees its own uncommitted rows: its answer is computed the same way but not remembered,
so a rollback never leaves the memory ahead of the database.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select  # five columns: more than sqlmodel's select types
from sqlmodel import Session, col, select

from replybook.store.models import Entry
from replybook.store.models_library import LIBRARY_WRITTEN
from replybook.store.normalize import normalise

BLOCK = 256  # ids per signature
READ_BATCH = 500

Signature = tuple[int, int, int, int]
Held = tuple[int, str, tuple[str, ...]]  # version, question, normalised wordings


@dataclass
class _Known:
    entries: dict[int, Held] = field(default_factory=dict)
    blocks: dict[int, Signature] = field(default_factory=dict)
    holders: dict[str, set[int]] = field(default_factory=dict)  # wording → ids of the entries holding it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def drop(self, entry_id: int) -> None:
        for key in self.entries.pop(entry_id, (0, "", ()))[2]:
            ids = self.holders.get(key)
            if ids is not None:
                ids.discard(entry_id)
                if not ids:
                    del self.holders[key]

    def put(self, entry_id: int, held: Held) -> None:
        self.drop(entry_id)
        self.entries[entry_id] = held
        for key in held[2]:
            self.holders.setdefault(key, set()).add(entry_id)


@dataclass
class _Changes:
    """What the session sees differently from the memory: the blocks that moved and their entries."""

    blocks: dict[int, Signature | None]  # None: the block has no entries any more
    entries: dict[int, Held]  # every entry of the moved blocks, as the session sees it

    def holders(self, key: str) -> set[int]:
        return {i for i, held in self.entries.items() if key in held[2]}


_by_engine: weakref.WeakKeyDictionary[Any, _Known] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def _keys(question: str, similar: list[str]) -> tuple[str, ...]:
    return tuple(normalise(w) for w in [question, *similar])


def _known(session: Session) -> _Known:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with _registry_lock:
        return _by_engine.setdefault(engine, _Known())


def _signatures(session: Session) -> dict[int, Signature]:
    ident, version = col(Entry.id), col(Entry.version)
    block = ident // BLOCK
    rows = session.execute(
        sql_select(
            block, func.count(ident), func.sum(ident), func.sum(version), func.sum(ident * version)
        ).group_by(block)
    )
    return {int(b): (int(n), int(s), int(v), int(sv)) for b, n, s, v, sv in rows}


def _changes(session: Session, known: _Known) -> _Changes:
    """The blocks whose signature differs from the memory's, read from the database: their ids and
    versions, then question and wordings of only the entries new or changed since remembered."""
    signatures = _signatures(session)
    with known.lock:
        moved = {
            b for b in signatures.keys() | known.blocks.keys() if signatures.get(b) != known.blocks.get(b)
        }
        remembered = {i: held for i, held in known.entries.items() if i // BLOCK in moved} if moved else {}
    found: dict[int, Held] = {}
    stale: list[int] = []
    ident = col(Entry.id)
    for b in sorted(b for b in moved if b in signatures):
        versions = session.exec(
            select(Entry.id, Entry.version).where(ident >= b * BLOCK, ident < (b + 1) * BLOCK)
        )
        for entry_id, version in versions:
            held = remembered.get(entry_id or 0)
            if held is not None and held[0] == version:
                found[entry_id or 0] = held
            else:
                stale.append(entry_id or 0)
    for start in range(0, len(stale), READ_BATCH):
        rows = session.exec(
            select(Entry.id, Entry.version, Entry.question, Entry.similar).where(
                ident.in_(stale[start : start + READ_BATCH])
            )
        )
        for entry_id, version, question, similar in rows:
            found[entry_id or 0] = (version, question, _keys(question, list(similar)))
    return _Changes({b: signatures.get(b) for b in moved}, found)


def _remember(known: _Known, changes: _Changes) -> None:
    with known.lock:
        gone = [i for i in known.entries if i // BLOCK in changes.blocks and i not in changes.entries]
        for entry_id in gone:
            known.drop(entry_id)
        for b, signature in changes.blocks.items():
            if signature is None:
                known.blocks.pop(b, None)
            else:
                known.blocks[b] = signature
        for entry_id, held in changes.entries.items():
            if known.entries.get(entry_id) != held:
                known.put(entry_id, held)


def find_owner(
    session: Session, keys: list[str], *, exclude_id: int | None = None
) -> tuple[str, int, str] | None:
    """The first of ``keys`` (normalised wordings) that another entry holds: (key, its id, its
    question), the entry with the lowest id when several do; None when no other entry holds any."""
    known = _known(session)
    changes = _changes(session, known)
    if changes.blocks and not session.info.get(LIBRARY_WRITTEN):
        _remember(known, changes)
        changes = _Changes({}, {})
    with known.lock:
        for key in keys:
            ids = {i for i in known.holders.get(key, ()) if i // BLOCK not in changes.blocks}
            ids |= changes.holders(key)
            ids.discard(exclude_id or 0)
            if ids:
                first = min(ids)
                held = changes.entries.get(first) or known.entries[first]
                return key, first, held[1]
    return None
