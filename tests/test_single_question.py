"""One question scored only where it can matter (``coverage/single.py``) gives the answer of the
full pass over every wording: the same status, the same top three, the same scores to the bit."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from replybook.coverage import single
from replybook.coverage.live import answer
from replybook.coverage.matching import LibraryEntry, Matcher
from replybook.coverage.question_files import read_questions
from replybook.store import db
from replybook.store.timeutil import parse_datetime
from tests.conftest import SAMPLE

CAMPAIGN_START = parse_datetime("2026-12-10T10:00:00+08:00")
ALPHABET = (
    "发货快递包邮退换尺码颜色面料破洞国外寄到多少钱什么时候能今天明天优惠券价格质量法或记金"  # homophones too
)


def _same(matcher: Matcher, question: str) -> None:
    full_result, full_top = answer(matcher, question, 3, full=True)
    result, top = answer(matcher, question, 3)
    assert (result, top) == (full_result, full_top), question
    assert top == matcher.top(question, 3), question
    form, literal = matcher.forms_of(question)  # the form scored, the form keywords are looked for in
    dense, fast = matcher._dense([form]), matcher._one(form, 3, literal)
    # every wording scored is scored as the full pass does; the others are below what decides
    scored = fast[0] > 0
    assert np.array_equal(fast[0, scored], dense[0, scored]), question
    full_entries, _ = matcher._entry_scores(dense, [literal])
    fast_entries, _ = matcher._entry_scores(fast, [literal])
    for m in full_top:
        i = next(k for k, e in enumerate(matcher.entries) if e.id == m.entry_id)
        assert fast_entries[0, i] == full_entries[0, i], question
    assert fast[0].max() == dense[0].max(), question


def _random_library(rng: random.Random, n: int) -> list[LibraryEntry]:
    def text() -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 12)))

    answers = [(f"答{k}",) for k in range(n // 3)]  # some entries share an answer (one group)
    return [
        LibraryEntry(
            id=i + 1,
            question=(q := text()),
            category="shipping",
            wordings=(q, *(text() for _ in range(rng.randint(0, 4)))),
            keywords=tuple(text()[:3] for _ in range(rng.random() < 0.05)),
            answers=rng.choice(answers),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("first", [4, single.FIRST])
def test_the_sample_shop_answers_as_the_full_pass(
    sample_engine: Engine, monkeypatch: pytest.MonkeyPatch, first: int
) -> None:
    monkeypatch.setattr(single, "FIRST", first)  # 4: many rounds before the answer is settled
    with db.session_scope(sample_engine) as s:
        matcher = Matcher.build(s, at=CAMPAIGN_START)
    for q in read_questions(SAMPLE / "questions.txt"):
        _same(matcher, q.text)


@pytest.mark.parametrize("first", [4, single.FIRST])
def test_a_random_library_answers_as_the_full_pass(monkeypatch: pytest.MonkeyPatch, first: int) -> None:
    monkeypatch.setattr(single, "FIRST", first)
    rng = random.Random(13)
    matcher = Matcher(_random_library(rng, 600))
    questions = ["", "？", "发货", "寄到国外多少钱"]
    questions += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 15))) for _ in range(300)]
    questions += [w[: rng.randint(1, len(w))] + "吗" for e in matcher.entries[:100] for w in e.wordings[:1]]
    statuses = set()
    for q in questions:
        _same(matcher, q)
        statuses.add(answer(matcher, q)[0].status)
    assert statuses == {"covered", "ambiguous", "uncovered"}
