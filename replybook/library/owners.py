"""Which entry holds a normalised wording: the check every entry save makes (a wording belongs to one
entry), without reading and normalising the whole library on each save. (An import applied as it
was planned skips it: its plan checked the whole file, ``library/import_apply.py``.)

The normalised wordings of each entry are remembered per database with the entry's version, with
an index from each wording to the entries holding it and from each block to its entries. A save asks
the database for one signature per block of ``BLOCK`` consecutive ids (count, Σid, Σversion,
Σid·version: one aggregate query, a few ms at 10,000 entries, no rows sent) and re-reads only the
blocks whose signature moved, and of those only the entries whose version moved. Every write bumps
its entry's version and ids are never reused, so any edit, insert, delete or restore moves its
block's signature.

A session that has written library rows in its open transaction (an import, several saves in one
transaction) sees its own uncommitted rows. Those are never put into the shared memory, so a rollback
never leaves it ahead of the database; the transaction keeps its own memory of the blocks it sees
differently (``session.info[OWN]``, same structure), so each save of an import re-reads only the
blocks whose signature moved since its previous save — the one it just wrote to — instead of every
entry the import wrote so far. The own memory ends with the transaction, and with any rollback (a
savepoint's too, after which a block could show an earlier signature with other content). An entry
the transaction updates is read again at the next check even when its version stayed (the import
takes changed entries' wordings off in a plain write before they swap wordings), and its block is
answered from the own memory until the transaction ends.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func
from sqlalchemy import select as sql_select  # five columns: more than sqlmodel's select types
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from replybook.store import history
from replybook.store.errors import ConflictError
from replybook.store.models import Entry
from replybook.store.models_library import LIBRARY_WRITTEN, lock_library
from replybook.store.normalize import normalise

BLOCK = 256  # ids per signature
READ_BATCH = 500
OWN = "replybook.owners.own"  # session.info: the open transaction's own memory (a _Known)
TOUCHED = "replybook.owners.touched"  # session.info: ids of entries updated since the last check
PINNED = "replybook.owners.pinned"  # session.info: block → ids of the entries the transaction updated

Signature = tuple[int, int, int, int]
Held = tuple[int, str, tuple[str, ...]]  # version, question, normalised wordings


@dataclass
class _Known:
    entries: dict[int, Held] = field(default_factory=dict)
    blocks: dict[int, Signature] = field(default_factory=dict)
    holders: dict[str, set[int]] = field(default_factory=dict)  # wording → ids of the entries holding it
    by_block: dict[int, set[int]] = field(default_factory=dict)  # block → ids remembered in it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def drop(self, entry_id: int) -> None:
        for key in self.entries.pop(entry_id, (0, "", ()))[2]:
            ids = self.holders.get(key)
            if ids is not None:
                ids.discard(entry_id)
                if not ids:
                    del self.holders[key]
        ids = self.by_block.get(entry_id // BLOCK)
        if ids is not None:
            ids.discard(entry_id)
            if not ids:
                del self.by_block[entry_id // BLOCK]

    def put(self, entry_id: int, held: Held) -> None:
        self.drop(entry_id)
        self.entries[entry_id] = held
        self.by_block.setdefault(entry_id // BLOCK, set()).add(entry_id)
        for key in held[2]:
            self.holders.setdefault(key, set()).add(entry_id)

    def block(self, b: int) -> dict[int, Held]:
        """The remembered entries of block ``b``."""
        return {i: self.entries[i] for i in self.by_block.get(b, ())}

    def set_block(self, b: int, signature: Signature | None, found: dict[int, Held]) -> None:
        """Block ``b`` is now exactly ``found`` at ``signature`` (None: it has no entries)."""
        for entry_id in [i for i in self.by_block.get(b, ()) if i not in found]:
            self.drop(entry_id)
        for entry_id, held in found.items():
            if self.entries.get(entry_id) != held:
                self.put(entry_id, held)
        if signature is None:
            self.blocks.pop(b, None)
        else:
            self.blocks[b] = signature


_by_engine: weakref.WeakKeyDictionary[Any, _Known] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


@event.listens_for(OrmSession, "before_flush")
def _note_updates(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Entries the flush updates: their content may change without a new version (the import takes a
    changed entry's wordings off before the entries swap them), so the next check reads them again."""
    ids = {o.id for o in session.dirty if isinstance(o, Entry) and o.id and session.is_modified(o)}
    if ids:
        session.info.setdefault(TOUCHED, set()).update(ids)


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_own(session: OrmSession, _previous: Any) -> None:
    session.info.pop(OWN, None)  # a savepoint's too: a block may show an earlier signature again


@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:
        for key in (OWN, TOUCHED, PINNED):
            session.info.pop(key, None)


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


def _read_blocks(
    session: Session, blocks: list[int], cached: dict[int, dict[int, Held]]
) -> dict[int, dict[int, Held]]:
    """Every entry of ``blocks`` as the session sees it: their ids and versions, then question and
    wordings of only the entries whose version is not in ``cached`` (what the memories hold)."""
    found: dict[int, dict[int, Held]] = {b: {} for b in blocks}
    stale: list[int] = []
    ident = col(Entry.id)
    for b in blocks:
        versions = session.exec(
            select(Entry.id, Entry.version).where(ident >= b * BLOCK, ident < (b + 1) * BLOCK)
        )
        for entry_id, version in versions:
            held = cached[b].get(entry_id or 0)
            if held is not None and held[0] == version:
                found[b][entry_id or 0] = held
            else:
                stale.append(entry_id or 0)
    for start in range(0, len(stale), READ_BATCH):
        rows = session.exec(
            select(Entry.id, Entry.version, Entry.question, Entry.similar).where(
                ident.in_(stale[start : start + READ_BATCH])
            )
        )
        for entry_id, version, question, similar in rows:
            found[(entry_id or 0) // BLOCK][entry_id or 0] = (
                version,
                question,
                _keys(question, list(similar)),
            )
    return found


def find_owner(
    session: Session, keys: list[str], *, exclude_id: int | None = None
) -> tuple[str, int, str] | None:
    """The first of ``keys`` (normalised wordings) that another entry holds: (key, its id, its
    question), the entry with the lowest id when several do; None when no other entry holds any."""
    shared = _known(session)
    signatures = _signatures(session)  # its autoflush marks the session as written when it is
    written = bool(session.info.get(LIBRARY_WRITTEN))
    # What the session sees differently from the shared memory: the transaction's own memory when it
    # has written library rows, else this save's reading (remembered in the shared memory below).
    own: _Known = session.info.setdefault(OWN, _Known()) if written else _Known()
    touched: set[int] = set(session.info.get(TOUCHED, ()))
    pinned: dict[int, set[int]] = session.info.setdefault(PINNED, {}) if written else {}
    for entry_id in touched:  # the shared memory may hold another content at their version
        pinned.setdefault(entry_id // BLOCK, set()).add(entry_id)
    again = {i // BLOCK for i in touched}
    with shared.lock:
        moved = {
            b for b in signatures.keys() | shared.blocks.keys() if signatures.get(b) != shared.blocks.get(b)
        }
        mine = moved | (pinned.keys() & signatures.keys())  # the blocks the own memory answers for
        to_read = sorted(
            b for b in mine if b in signatures and (own.blocks.get(b) != signatures[b] or b in again)
        )
        cached = {b: shared.block(b) for b in to_read}
    for b in to_read:
        for entry_id in pinned.get(b, set()) & cached[b].keys():
            del cached[b][entry_id]
        cached[b].update(own.block(b))  # what the transaction saw at its present version: not read again
        for entry_id in touched & cached[b].keys():
            del cached[b][entry_id]
    found = _read_blocks(session, to_read, cached)
    for b in [b for b in own.blocks if b not in mine or b not in signatures]:
        own.set_block(b, None, {})
    for b, entries in found.items():
        own.set_block(b, signatures[b], entries)
    if touched:
        session.info[TOUCHED] -= touched
    with shared.lock:
        if not written:
            for b in moved:
                shared.set_block(b, signatures.get(b), own.block(b))
        for key in keys:
            ids = {i for i in shared.holders.get(key, ()) if i // BLOCK not in mine}
            ids |= own.holders.get(key, set())
            ids.discard(exclude_id or 0)
            if ids:
                first = min(ids)
                held = own.entries.get(first) or shared.entries[first]
                return key, first, held[1]
    return None


def _check_restore(session: Session, entry_id: int, data: dict[str, Any]) -> None:
    """A restore (or an undo) brings back an entry's wordings only if no other entry took them since."""
    mine = [str(data.get("question") or ""), *(str(w) for w in data.get("similar") or [])]
    lock_library(session)  # as a save: a concurrent one waits, then sees what this restore wrote
    held = find_owner(session, [normalise(w) for w in mine if w], exclude_id=entry_id)
    if held is not None:
        key, other_id, other_question = held
        w = next(w for w in mine if normalise(w) == key)
        raise ConflictError(f"无法恢复：问法 {w!r} 现在已在问答 #{other_id}（{other_question}）中")


history.RESTORE_CHECKS["entry"] = _check_restore
