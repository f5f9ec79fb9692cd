"""The try box's matcher: one scoring pass, the library's version counter, incremental updates
(issue 14, goal 2)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.coverage.live import MatcherCache, answer
from replybook.coverage.matching import LibraryEntry, Match, Matcher
from replybook.coverage.question_files import read_questions
from replybook.library import entries
from replybook.library.entries import EntryData
from replybook.store import db, history
from replybook.store.models_library import library_version
from replybook.store.timeutil import SHOP_TZ, parse_datetime
from tests.conftest import SAMPLE

NOON = datetime(2026, 12, 10, 12, 0, tzinfo=SHOP_TZ)
CAMPAIGN_START = parse_datetime("2026-12-10T10:00:00+08:00")


def _entry(session: Session, question: str, **kw) -> int:
    entry = entries.create_entry(
        session, data=EntryData(category="shipping", question=question, answers=["答"], **kw)
    )
    session.flush()
    return entry.id or 0


def _sorted_top(matcher: Matcher, question: str, n: int) -> list[Match]:
    """The selection as it was: every entry sorted by (-score, position)."""
    form, literal = matcher.forms_of(question)
    scores = matcher._dense([form])
    entry_scores, via = matcher._entry_scores(scores, [literal])
    row = entry_scores[0]
    order = sorted(range(len(matcher.entries)), key=lambda i: (-row[i], i))
    return [
        matcher._match(i, matcher._matched_wording(scores[0], i, int(via[0, i])), float(row[i]))
        for i in order[:n]
        if row[i] > 0
    ]


def test_one_pass_gives_the_same_answer_and_top_three(sample_engine: Engine) -> None:
    # issue 14: one scoring pass per question serves the answer, the top three and the status
    with db.session_scope(sample_engine) as s:
        matcher = Matcher.build(s, at=CAMPAIGN_START)
    for q in read_questions(SAMPLE / "questions.txt")[:200]:
        result, top = answer(matcher, q.text, n=3)
        assert result == matcher.classify(q.text), q.text
        assert top == matcher.top(q.text, 3) == _sorted_top(matcher, q.text, 3), q.text


@pytest.mark.parametrize("n", [1, 3, 10])
def test_top_keeps_ties_in_library_order(n: int) -> None:
    # issue 14: Matcher.top by partition picks the same entries as a full sort, ties included
    same = [
        LibraryEntry(i, f"发货{i}", "shipping", ("什么时候发货",), answers=(f"a{i}",)) for i in range(1, 8)
    ]
    other = LibraryEntry(99, "有门店吗", "custom", ("有实体店吗",), answers=("b",))
    m = Matcher([other, *same])
    assert m.top("什么时候发货", n) == _sorted_top(m, "什么时候发货", n)
    assert [x.entry_id for x in m.top("什么时候发货", 3)] == [1, 2, 3]
    assert m.top("完全无关的句子xyz", n) == _sorted_top(m, "完全无关的句子xyz", n)


def test_every_library_write_bumps_the_version_in_its_transaction(engine: Engine) -> None:
    # issue 14: a version counter bumped in the same transaction as every library write
    with db.session_scope(engine) as s:
        start = library_version(s)
        first = _entry(s, "什么时候发货")
    seen = [start]

    def bumped() -> bool:
        with Session(engine) as s:
            v = library_version(s)
        fresh = v > seen[-1]
        seen.append(v)
        return fresh

    assert bumped()
    with db.session_scope(engine) as s:
        data = entries.entry_data(entries.get_entry(s, first), "shipping")
        data.answers = ["新答案"]
        entries.update_entry(s, entry_id=first, data=data, expected_version=None)
    assert bumped()
    with db.session_scope(engine) as s:
        entries.set_enabled(s, entry_id=first, enabled=False)
    assert bumped()
    with db.session_scope(engine) as s:
        entries.delete_entry(s, entry_id=first)
    assert bumped()
    with db.session_scope(engine) as s:
        history.restore(s, history.revisions(s, "entry", first)[0].id or 0, user=None)
    assert bumped()
    with db.session_scope(engine) as s:
        entries.add_category(s, key="shop_figures", name="店铺数据")
    assert bumped()
    with pytest.raises(RuntimeError), db.session_scope(engine) as s:
        _entry(s, "会回滚的问答")
        raise RuntimeError
    assert not bumped()  # rolled back with the write
    with db.session_scope(engine) as s:
        entries.list_entries(s)  # reading is not a write
    assert not bumped()


def test_an_edit_reads_and_renormalises_only_that_entry(engine: Engine) -> None:
    # issue 14: an edit updates the matcher incrementally; "unchanged" needs no rebuild
    with db.session_scope(engine) as s:
        ids = [_entry(s, f"问题{i}号能发顺丰吗") for i in range(30)]
        target = _entry(s, "什么时候发货", similar=["几天能发"])
    cache = MatcherCache()
    with Session(engine) as s:
        cache.get(s, NOON)
        assert (cache.rebuilds, cache.entries_read) == (1, 31)
        assert cache.get(s, NOON) is cache.get(s, NOON)  # unchanged: the same matcher
        assert cache.rebuilds == 1
    with db.session_scope(engine) as s:
        data = entries.entry_data(entries.get_entry(s, target), "shipping")
        data.similar = ["发货要多久"]
        entries.update_entry(s, entry_id=target, data=data, expected_version=None)
        entries.delete_entry(s, entry_id=ids[0])
    with Session(engine) as s:
        live = cache.get(s, NOON)
        fresh = Matcher.build(s, at=NOON)
    assert cache.entries_read == 32  # the edited entry only (the deleted one is dropped)
    assert [e.id for e in live.entries] == [e.id for e in fresh.entries]
    for q in ["发货要多久", "几天能发", "问题0号能发顺丰吗", "问题7号能发顺丰吗"]:
        assert answer(live, q) == answer(fresh, q), q
    assert live.classify("发货要多久").entry_id == target


def test_an_active_window_boundary_changes_the_matcher_without_a_read(engine: Engine) -> None:
    # issue 14: the moment asked about is compared with the window boundaries, not the database
    start, end = datetime(2026, 12, 10, 0, 0, tzinfo=SHOP_TZ), datetime(2026, 12, 13, 0, 0, tzinfo=SHOP_TZ)
    with db.session_scope(engine) as s:
        _entry(s, "聚划算几点开始", active_start=start, active_end=end)
        _entry(s, "什么时候发货")
    cache = MatcherCache()
    with Session(engine) as s:
        during = cache.get(s, NOON)
        assert cache.get(s, datetime(2026, 12, 12, 23, 0, tzinfo=SHOP_TZ)) is during
        after = cache.get(s, end)
        before = cache.get(s, datetime(2026, 12, 9, 23, 0, tzinfo=SHOP_TZ))
    assert len(during.entries) == 2 and len(after.entries) == len(before.entries) == 1
    assert cache.entries_read == 2 and cache.rebuilds == 3
