"""Saving an entry checks its wordings against the library without reading the whole library
(issue 14, goal 4)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from replybook.library import entries, owners
from replybook.library.entries import EntryData
from replybook.store import db
from replybook.store.errors import ConflictError


def _data(question: str, similar: list[str] | None = None) -> EntryData:
    return EntryData(category="shipping", question=question, answers=["答"], similar=similar or [])


@pytest.fixture
def library(engine: Engine) -> Engine:
    with db.session_scope(engine) as s:
        for i in range(200):
            entries.create_entry(s, data=_data(f"第{i}个问题", [f"第{i}个问法", f"问法{i}号"]))
    return engine


def test_an_edit_normalises_only_the_changed_entry(library: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 14: an entry edit does no whole-library work (no read and normalise of every wording)
    with db.session_scope(library) as s:
        entries.create_entry(s, data=_data("热身"))  # the first save learns the library
    calls: list[str] = []
    real = owners.normalise
    monkeypatch.setattr(owners, "normalise", lambda w: calls.append(w) or real(w))
    with db.session_scope(library) as s:
        data = entries.entry_data(entries.get_entry(s, 7), "shipping")
        data.similar = ["新的问法"]
        entries.update_entry(s, entry_id=7, data=data, expected_version=None)
    with db.session_scope(library) as s:
        entries.create_entry(s, data=_data("又一个问题"))
    assert len(calls) <= 4, calls  # the edited entry's and the new entry's wordings, no others


def test_conflicts_are_still_found_across_saves(library: Engine) -> None:
    # issue 14: the remembered wordings follow every committed change, and only committed ones
    with db.session_scope(library) as s:
        entries.create_entry(s, data=_data("热身"))
    with pytest.raises(ConflictError, match="问法 '问法5号' 已在问答 #6"), db.session_scope(library) as s:
        entries.create_entry(s, data=_data("新问题", ["问法5号"]))
    with db.session_scope(library) as s:  # free the wording, then it can be used
        data = entries.entry_data(entries.get_entry(s, 6), "shipping")
        data.similar = []
        entries.update_entry(s, entry_id=6, data=data, expected_version=None)
    with db.session_scope(library) as s:
        entries.create_entry(s, data=_data("新问题", ["问法5号"]))
    with pytest.raises(RuntimeError), db.session_scope(library) as s:
        entries.create_entry(s, data=_data("回滚的问题", ["回滚的问法"]))
        with pytest.raises(ConflictError):  # its own uncommitted entry counts inside the transaction
            entries.create_entry(s, data=_data("另一个", ["回滚的问法"]))
        raise RuntimeError
    with db.session_scope(library) as s:  # rolled back: the wording is free again
        entries.create_entry(s, data=_data("另一个", ["回滚的问法"]))
    with db.session_scope(library) as s:
        entries.delete_entry(s, entry_id=1)
    with db.session_scope(library) as s:  # a deleted entry's wordings are free
        entries.create_entry(s, data=_data("第0个问题"))
