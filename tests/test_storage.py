"""The core's storage on SQLite and PostgreSQL: entries, versions, history, restore, uniqueness."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from replybook import db, entries, history
from replybook.errors import ConflictError, StaleVersionError
from replybook.models import Entry, Revision
from replybook.timeutil import SHOP_TZ

pytestmark = pytest.mark.storage


def _data(**kw) -> entries.EntryData:
    base = dict(
        category="shipping", question="什么时候发货", answers=["48小时内发货"], similar=["几天能发货"]
    )
    base.update(kw)
    return entries.EntryData(**base)


def test_create_edit_history_restore(any_engine) -> None:
    start = datetime(2026, 12, 10, tzinfo=SHOP_TZ)
    with db.session_scope(any_engine) as s:
        e = entries.create_entry(s, data=_data(active_start=start), user="店长")
        entry_id = e.id
    with db.session_scope(any_engine) as s:
        e = entries.update_entry(
            s, entry_id=entry_id, data=_data(answers=["24小时内发货"]), expected_version=1, user="店长"
        )
        assert e.version == 2
    with db.session_scope(any_engine) as s:
        got = s.get(Entry, entry_id)
        assert got.answers == ["24小时内发货"] and got.active_start is None
        revs = history.revisions(s, "entry", entry_id)
        assert [r.version for r in revs] == [2, 1]
        history.restore(s, revs[1].id, user="店长")
    with db.session_scope(any_engine) as s:
        got = s.get(Entry, entry_id)
        assert got.answers == ["48小时内发货"]
        assert got.active_start == start  # timezone-aware, same instant
        assert got.version == 3


def test_stale_version_is_refused(any_engine) -> None:
    with db.session_scope(any_engine) as s:
        entry_id = entries.create_entry(s, data=_data()).id
    with db.session_scope(any_engine) as s:
        entries.update_entry(s, entry_id=entry_id, data=_data(answers=["A"]), expected_version=1)
    with pytest.raises(StaleVersionError), db.session_scope(any_engine) as s:
        entries.update_entry(s, entry_id=entry_id, data=_data(answers=["B"]), expected_version=1)
    with db.session_scope(any_engine) as s:
        assert s.get(Entry, entry_id).answers == ["A"]


def test_same_wording_in_two_entries_is_a_conflict(any_engine) -> None:
    with db.session_scope(any_engine) as s:
        entries.create_entry(s, data=_data())
    with pytest.raises(ConflictError, match="几天能发货"), db.session_scope(any_engine) as s:
        entries.create_entry(s, data=_data(question="发货时间", similar=["几天能发货！"]))


def test_delete_then_restore(any_engine) -> None:
    with db.session_scope(any_engine) as s:
        entry_id = entries.create_entry(s, data=_data()).id
    with db.session_scope(any_engine) as s:
        entries.delete_entry(s, entry_id=entry_id, user="店长")
    with db.session_scope(any_engine) as s:
        assert s.get(Entry, entry_id) is None
        rev = s.exec(select(Revision).where(Revision.action == "delete")).one()
        history.restore(s, rev.id, user="店长")
    with db.session_scope(any_engine) as s:
        assert s.get(Entry, entry_id).question == "什么时候发货"


def test_search_finds_chinese_in_lists(any_engine) -> None:
    with db.session_scope(any_engine) as s:
        entries.create_entry(s, data=_data())
        entries.create_entry(
            s, data=_data(category="after_sales", question="怎么退货", similar=[], answers=["七天无理由"])
        )
    with db.session_scope(any_engine) as s:
        assert [e.question for e in entries.list_entries(s, search="几天")[0]] == ["什么时候发货"]
        assert [e.question for e in entries.list_entries(s, search="无理由")[0]] == ["怎么退货"]
        assert entries.list_entries(s, category="after_sales")[1] == 1


def test_init_upgrades_an_existing_database(any_engine) -> None:
    before, after = db.upgrade(any_engine)
    assert before == after == db.head_revision()


def test_a_deleted_items_id_is_never_reused(any_engine) -> None:
    with db.session_scope(any_engine) as s:
        old_id = entries.create_entry(s, data=_data()).id
    with db.session_scope(any_engine) as s:
        entries.delete_entry(s, entry_id=old_id)
    with db.session_scope(any_engine) as s:
        new_id = entries.create_entry(s, data=_data(question="发货时间", similar=["多久能到"])).id
        rev = s.exec(select(Revision).where(Revision.action == "delete")).one()
        history.restore(s, rev.id, user="店长")
    assert new_id != old_id
    with db.session_scope(any_engine) as s:
        assert {e.question for e in s.exec(select(Entry))} == {"什么时候发货", "发货时间"}
