"""The core's storage on SQLite and PostgreSQL: entries, versions, history, restore, uniqueness."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import SQLModel, select

from replybook.library import entries
from replybook.store import db, history
from replybook.store.errors import ConflictError, StaleVersionError
from replybook.store.models import Entry, Revision
from replybook.store.timeutil import SHOP_TZ

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


def _one_of_each_kind(s) -> dict[str, SQLModel]:
    """A fresh item of every versioned kind, each made through its own service."""
    from replybook import autoreplies, campaigns, phrases
    from replybook.gold import reviews

    start = datetime(2026, 12, 10, 20, tzinfo=SHOP_TZ)
    return {
        "entry": entries.create_entry(s, data=_data(active_start=start), user="店长"),
        "autoreply": autoreplies.create_rule(
            s,
            data=autoreplies.AutoReplyData(
                name="大促首次接待", trigger="first_contact", text="您好", active_start=start
            ),
            user="店长",
        ),
        "phrase": phrases.create_phrase(
            s,
            data=phrases.PhraseData(scope="team", owner="", group="", code="fh", text="已发货"),
            user="店长",
        ),
        "category": entries.add_category(s, key="gift", name="赠品", user="店长"),
        "campaign": campaigns.create_campaign(
            s,
            data=campaigns.CampaignData(name="双十二", start=start, end=start + timedelta(days=2)),
            user="店长",
        ),
        "review": reviews.set_day(
            s, day="2026-12-01", source="manual", agent="小美", counts={"satisfied": 3}
        ),
    }


# issue 10 item 16
@pytest.mark.parametrize("kind", ["entry", "autoreply", "phrase", "category", "campaign", "review"])
def test_two_history_rows_of_one_item_never_carry_the_same_version(any_engine, kind: str) -> None:
    with db.session_scope(any_engine) as s:
        item = _one_of_each_kind(s)[kind]
        item_id = item.id
        field = {"category": "name", "review": "satisfied", "phrase": "text", "campaign": "end"}.get(
            kind, "active_end"
        )
        value = {"name": "赠品说明", "satisfied": 4, "text": "已发出"}.get(
            field, datetime(2026, 12, 20, tzinfo=SHOP_TZ)
        )
        history.update(s, item, {field: value}, expected_version=1, user="店长")
    with db.session_scope(any_engine) as s:
        history.delete(s, s.get(history.ITEM_TYPES[kind], item_id), user="店长")
    with db.session_scope(any_engine) as s:
        deleted = history.revisions(s, kind, item_id)[0]
        assert deleted.action == "delete"
        history.restore(s, deleted.id, user="店长")
    with db.session_scope(any_engine) as s:
        first = history.revisions(s, kind, item_id)[-1]
        history.restore(s, first.id, user="店长")
    with db.session_scope(any_engine) as s:
        versions = [r.version for r in history.revisions(s, kind, item_id)]
        assert sorted(versions) == list(range(1, len(versions) + 1)), versions
        assert s.get(history.ITEM_TYPES[kind], item_id).version == max(versions)


# issue 10 item 16
def test_a_toggle_and_an_editor_save_store_times_in_one_form(any_engine) -> None:
    start = datetime(2026, 12, 10, 8, tzinfo=SHOP_TZ)
    with db.session_scope(any_engine) as s:
        entry_id = entries.create_entry(s, data=_data(active_start=start), user="店长").id
    with db.session_scope(any_engine) as s:
        entries.set_enabled(s, entry_id=entry_id, enabled=False, user="店长")
    with db.session_scope(any_engine) as s:
        entries.update_entry(
            s, entry_id=entry_id, data=_data(active_start=start, enabled=False), expected_version=2
        )
    with db.session_scope(any_engine) as s:
        edited, toggled, created = history.revisions(s, "entry", entry_id)
        assert history.diff(toggled.data, edited.data) == []
        assert [k for k, _, _ in history.diff(created.data, toggled.data)] == ["enabled"]
        # The form the models use: UTC.
        assert created.data["active_start"] == toggled.data["active_start"] == "2026-12-10T00:00:00+00:00"
    # Snapshots kept before this (shop time beside UTC) compare as the same instant.
    assert (
        history.diff(
            {"active_start": "2026-12-10T08:00:00+08:00"}, {"active_start": created.data["active_start"]}
        )
        == []
    )


# issue 10 item 16
def test_a_phrase_removed_by_a_replace_import_gets_its_own_version(any_engine) -> None:
    import io

    from replybook import phrases

    team = phrases.PhraseData(scope="team", owner="", group="", code="fh", text="已发货")
    with db.session_scope(any_engine) as s:
        phrase_id = phrases.create_phrase(s, data=team).id
    with db.session_scope(any_engine) as s:
        phrases.update_phrase(
            s,
            phrase_id=phrase_id,
            data=phrases.PhraseData(**{**team.__dict__, "text": "已发出"}),
            expected_version=1,
        )
    with db.session_scope(any_engine) as s:
        csv = "快捷短语编码,快捷短语,快捷短语分组\r\nhi,您好,\r\n".encode()
        phrases.import_phrases(s, io.BytesIO(csv), mode="replace", user="店长")
    with db.session_scope(any_engine) as s:
        removed = history.revisions(s, "phrase", phrase_id)[0]
        assert (removed.action, removed.version) == ("delete", 3)
        history.restore(s, removed.id, user="店长")
    with db.session_scope(any_engine) as s:
        assert [r.version for r in history.revisions(s, "phrase", phrase_id)] == [4, 3, 2, 1]
