"""A restore or an undo never gives back a wording another entry took in the meantime: one wording,
one entry, whatever way the library got there. The restore is refused with the holder named, and
nothing is written. On SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook.library import entries
from replybook.store import db, history
from replybook.store.errors import ConflictError
from replybook.store.models import Entry, Revision
from replybook.store.normalize import normalise

pytestmark = pytest.mark.storage


def _data(question: str, similar: list[str]) -> entries.EntryData:
    return entries.EntryData(category="shipping", question=question, answers=["包邮"], similar=similar)


def _holders(engine: Engine, wording: str) -> list[str]:
    key = normalise(wording)
    with Session(engine) as s:
        return [
            e.question for e in s.exec(select(Entry)) if key in {normalise(w) for w in entries.wordings(e)}
        ]


def _latest(engine: Engine, entry_id: int) -> Revision:
    with Session(engine) as s:
        return history.revisions(s, "entry", entry_id)[0]


def _count_revisions(engine: Engine) -> int:
    with Session(engine) as s:
        return len(list(s.exec(select(Revision))))


def test_undoing_a_deletion_refuses_a_wording_another_entry_took_since(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        first = entries.create_entry(s, data=_data("运费怎么算", ["包邮吗"]), user="店长").id or 0
        second = entries.create_entry(s, data=_data("偏远地区发吗", []), user="店长").id or 0
    with db.session_scope(any_engine) as s:
        entries.delete_entry(s, entry_id=first, user="店长")
    with db.session_scope(any_engine) as s:
        entries.update_entry(
            s, entry_id=second, data=_data("偏远地区发吗", ["包邮吗"]), expected_version=1, user="店长"
        )
    deletion, written = _latest(any_engine, first), _count_revisions(any_engine)

    refused = r"无法恢复：问法 '包邮吗' 现在已在问答 #\d+（偏远地区发吗）中"
    with pytest.raises(ConflictError, match=refused), db.session_scope(any_engine) as s:
        history.undo(s, deletion.id or 0, user="店长")

    assert _holders(any_engine, "包邮吗") == ["偏远地区发吗"]
    with Session(any_engine) as s:
        assert s.get(Entry, first) is None  # not brought back
    assert _count_revisions(any_engine) == written  # and no history line for a refused restore


def test_restoring_an_old_version_refuses_its_wording_now_held_elsewhere(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        first = entries.create_entry(s, data=_data("运费怎么算", ["包邮吗"]), user="店长").id or 0
        second = entries.create_entry(s, data=_data("偏远地区发吗", []), user="店长").id or 0
    with db.session_scope(any_engine) as s:
        entries.update_entry(s, entry_id=first, data=_data("运费怎么算", []), expected_version=1, user="店长")
    with db.session_scope(any_engine) as s:
        entries.update_entry(
            s, entry_id=second, data=_data("偏远地区发吗", ["包邮吗"]), expected_version=1, user="店长"
        )
    with Session(any_engine) as s:
        version_one = next(r for r in history.revisions(s, "entry", first) if r.version == 1)

    with pytest.raises(ConflictError, match="偏远地区发吗"), db.session_scope(any_engine) as s:
        history.restore(s, version_one.id or 0, user="店长")
    assert _holders(any_engine, "包邮吗") == ["偏远地区发吗"]

    # Once the other entry lets it go, the same restore goes through.
    with db.session_scope(any_engine) as s:
        entries.update_entry(
            s, entry_id=second, data=_data("偏远地区发吗", []), expected_version=2, user="店长"
        )
    with db.session_scope(any_engine) as s:
        history.restore(s, version_one.id or 0, user="店长")
    assert _holders(any_engine, "包邮吗") == ["运费怎么算"]
