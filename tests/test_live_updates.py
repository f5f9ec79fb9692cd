"""The try box after edits (issue 14, goal 2): the matcher brought up to date entry by entry scores
exactly as one built from nothing, a try on an unchanged shop reads one row set (the counters), and
every change of what a try reads — through another session, as another process would — is seen by
the next try."""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.coverage.ignored import add_ignored
from replybook.coverage.live import MatcherCache, answer
from replybook.coverage.matching import Matcher
from replybook.coverage.question_files import read_questions
from replybook.coverage.refit import CharPostings
from replybook.library import entries
from replybook.library import synonyms as synonym_lists
from replybook.library.entries import EntryData
from replybook.library.settings import set_setting
from replybook.store import db
from replybook.store.models import Category
from replybook.store.settings import Settings
from replybook.store.timeutil import SHOP_TZ
from replybook.web.app import create_app
from replybook.web.tryit import try_data
from tests.conftest import SAMPLE, Cli

NOON = datetime(2026, 12, 10, 12, 0, tzinfo=SHOP_TZ)
WORDS = "发货快递退货换货尺码颜色面料优惠券发票赠品价保包邮几天多久怎么什么可以吗呢有没有能不能实体店客服"


def _phrase(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))


def _random_library(engine: Engine, rng: random.Random, n: int) -> None:
    with db.session_scope(engine) as s:
        for i in range(n):
            entries.create_entry(s, data=_random_data(rng, i))


def _random_data(rng: random.Random, i: int) -> EntryData:
    return EntryData(
        category=rng.choice(["shipping", "after_sales", "shopping_guide", "custom"]),
        question=f"{_phrase(rng)}{i}",
        answers=[f"答{rng.randint(0, 6)}"],  # shared answers: answer groups of several entries
        similar=sorted({_phrase(rng) + str(i) for _ in range(rng.randint(0, 4))}),
        keywords=[_phrase(rng)] if rng.random() < 0.1 else [],
    )


def _random_edit(engine: Engine, rng: random.Random, step: int) -> None:
    with db.session_scope(engine) as s:
        ids = [e.id or 0 for e in entries.list_entries(s)[0]]
        kind = rng.choice(["wordings", "wordings", "answers", "add", "delete", "disable"])
        if kind == "add" or not ids:
            entries.create_entry(s, data=_random_data(rng, 1000 + step))  # a new answer group or not
            return
        target = rng.choice(ids)
        if kind == "delete":
            entries.delete_entry(s, entry_id=target)
            return
        if kind == "disable":
            entry = entries.get_entry(s, target)
            entries.set_enabled(s, entry_id=target, enabled=not entry.enabled)
            return
        entry = entries.get_entry(s, target)
        data = entries.entry_data(entry, s.get(Category, entry.category_id).key)
        if kind == "answers":  # moves the entry to another answer group: the wording order changes
            data.answers = [f"答{rng.randint(0, 9)}"]
        else:
            data.similar = sorted({f"{_phrase(rng)}改{step}" for _ in range(rng.randint(0, 5))})
        entries.update_entry(s, entry_id=target, data=data, expected_version=None)


def _same(live: Matcher, fresh: Matcher, questions: list[str]) -> None:
    assert [e.id for e in live.entries] == [e.id for e in fresh.entries]
    assert live.texts == fresh.texts and live.forms == fresh.forms
    forms = [fresh.prepare(q) for q in questions]
    assert np.array_equal(live._dense(forms), fresh._dense(forms))  # every score, to the last bit
    for q in questions:
        assert answer(live, q, n=5) == answer(fresh, q, n=5), q
    _same_information(live, fresh, forms)


def _same_information(live: Matcher, fresh: Matcher, forms: list[str]) -> None:
    """The information guard spliced after an edit (``refit.py``) is ``Information.fit`` of the
    library as it now is: every character's weight and postings, and what a question reads of them."""
    assert live._fitted is not None and fresh._fitted is not None
    spliced, fitted = live._fitted.information, fresh._fitted.information
    assert spliced is not None and fitted is not None
    assert isinstance(spliced.postings, CharPostings)  # not fitted afresh
    assert (spliced.n, spliced.unseen) == (fitted.n, fitted.unseen)
    assert dict(spliced.weight.items()) == fitted.weight
    assert set(spliced.postings) == set(fitted.postings)
    for ch, (ids, counts) in fitted.postings.items():
        got_ids, got_counts = spliced.postings[ch]
        assert np.array_equal(got_ids, ids) and np.array_equal(got_counts, counts), ch
        assert got_counts.dtype == counts.dtype
    for form in forms:
        assert np.array_equal(spliced.common(form), fitted.common(form)), form
        assert np.array_equal(spliced.common_by_sound(form), fitted.common_by_sound(form)), form


@pytest.mark.parametrize("library", ["sample", "random"])
def test_random_edits_keep_the_live_matcher_equal_to_a_fresh_build(
    library: str, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(14)
    if library == "sample":
        engine: Engine = request.getfixturevalue("sample_engine")
        questions = [q.text for q in read_questions(SAMPLE / "questions.txt")[:60]]
    else:
        engine = request.getfixturevalue("engine")
        _random_library(engine, rng, 80)
        questions = [_phrase(rng) for _ in range(40)]
    cache = MatcherCache()
    with Session(engine) as s:
        cache.get(s, NOON)
    for step in range(12):
        _random_edit(engine, rng, step)
        with Session(engine) as s:
            live = cache.get(s, NOON)
            fresh = Matcher.build(s, at=NOON)
        _same(live, fresh, questions + [_phrase(rng) for _ in range(5)])
    assert cache.rebuilds == 13


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_a_try_on_an_unchanged_shop_reads_only_the_counters(sample_engine: Engine) -> None:
    cache = MatcherCache()
    with Session(sample_engine) as s:
        first = try_data(s, q="几天能发货", at=NOON, matchers=cache)
    seen = _statements(sample_engine)
    with Session(sample_engine) as s:
        again = try_data(s, q="几天能发货", at=NOON, matchers=cache)
        other = try_data(s, q="有实体店吗", at=NOON, event="away", matchers=cache)
    assert again == first and other["q"] == "有实体店吗"
    assert len(seen) == 2 and all("library_version" in sql for sql in seen), seen
    with Session(sample_engine) as s:  # the same answer as without the cache
        assert try_data(s, q="几天能发货", at=NOON) == first


def test_what_a_try_reads_is_read_again_when_another_session_changes_it(sample_engine: Engine) -> None:
    cache = MatcherCache()

    def tried(q: str) -> dict:  # type: ignore[type-arg]
        with Session(sample_engine) as s:
            return try_data(s, q=q, at=NOON, matchers=cache)

    assert tried("老板电话多少")["ignored_as"] is None
    assert tried("几天能发货")["threshold"] != 71.0
    with db.session_scope(sample_engine) as s:
        add_ignored(s, question="老板电话多少？")
    assert tried("老板电话多少")["ignored_as"] == "老板电话多少？"
    with db.session_scope(sample_engine) as s:
        set_setting(s, "match_threshold", "71")
    assert tried("几天能发货")["threshold"] == 71.0
    before = tried("宝贝啥时候到")["matches"]
    with db.session_scope(sample_engine) as s:
        synonym_lists.add_synonym(s, word="发货时间", similar=["宝贝啥时候到"])
    after = tried("宝贝啥时候到")
    with Session(sample_engine) as s:
        assert after == try_data(s, q="宝贝啥时候到", at=NOON)
    assert after["matches"] != before


def test_post_api_try_answers_as_get(sample_cli: Cli) -> None:
    # issue 14 goal 2: POST /api/try with a JSON body next to GET, the same answer
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    auth = ("店长", "demo1234")
    with TestClient(app) as client:
        for q, at, event in [
            ("几天能发货？", "", "first_contact"),
            ("有实体店吗", "2026-12-10T12:00:00+08:00", "away"),
        ]:
            got = client.get("/api/try", params={"q": q, "at": at, "event": event}, auth=auth)
            body = {"question": q, "event": event, **({"at": at} if at else {})}
            posted = client.post("/api/try", json=body, auth=auth)
            assert got.status_code == posted.status_code == 200, posted.text
            ignore = {"at"} if not at else set()  # "now" moves between the two requests
            assert {k: v for k, v in got.json().items() if k not in ignore} == {
                k: v for k, v in posted.json().items() if k not in ignore
            }
        missing = client.post("/api/try", json={"q": "几天能发货"}, auth=auth)
        assert missing.status_code == 422
