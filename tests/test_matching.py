"""Matching a question against the library: the scorer, the thresholds, the index (SPEC §7)."""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz import fuzz
from sqlalchemy.engine import Engine

from replybook.coverage.labels import labelled_accuracy
from replybook.coverage.matching import LibraryEntry, Matcher, match_form
from replybook.coverage.question_files import read_questions
from replybook.store import db
from replybook.store.normalize import normalise
from replybook.store.timeutil import parse_datetime
from tests.conftest import CAMPAIGN_START, SAMPLE


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("今天能发吗", "什么时候发货"),
        ("亲，今天能发货吗？", "什么时候发货"),
        ("啥时候发货呀亲", "什么时候发货"),
        ("还有货么", "还有货吗"),
        ("有优惠卷吗", "有优惠券吗"),
        ("可以开發票嗎", "可以开发票吗"),  # traditional
        ("我要人工", "可以转人工吗"),  # keyword
        ("你好呀亲🙏", "你好"),
    ],
)
def test_questions_find_their_entry(matcher: Matcher, question: str, entry: str) -> None:
    result = matcher.classify(question)
    assert (result.status, result.question) == ("covered", entry)


@pytest.mark.parametrize("question", ["你们有实体店吗", "可以货到付款吗", "支持海外直邮吗"])
def test_unrelated_short_questions_stay_uncovered(matcher: Matcher, question: str) -> None:
    assert matcher.classify(question).status == "uncovered"


def test_short_question_finds_the_longer_wording() -> None:
    entry = LibraryEntry(1, "什么时候发货", "shipping", ("什么时候发货", "今天能发货吗"), answers=("a",))
    other = LibraryEntry(2, "有实体店吗", "custom", ("有门店吗",), answers=("b",))
    m = Matcher([entry, other])
    best = m.top("今天能发吗", 1)[0]
    assert (best.question, best.matched) == ("什么时候发货", "今天能发货吗")
    assert best.score >= m.threshold


def test_top_lists_three_entries_best_first(matcher: Matcher) -> None:
    top = matcher.top("几天能发货", 3)
    assert len(top) == 3
    assert top[0].question == "什么时候发货" and top[0].matched == "几天能发货" and top[0].score == 100.0
    assert [m.score for m in top] == sorted((m.score for m in top), reverse=True)
    assert len({m.entry_id for m in top}) == 3


def test_entries_with_the_same_answer_are_not_ambiguous() -> None:
    same = ("亲，48小时内发货",)
    a = LibraryEntry(1, "几时发货", "shipping", ("几时发货",), answers=same)
    b = LibraryEntry(2, "几时发出", "shipping", ("几时发出",), answers=same)
    c = LibraryEntry(3, "几时发出", "shipping", ("几时发出",), answers=("不同的答案",))
    # "几时发" is as close to 几时发货 as to 几时发出: fine when both give the same answer …
    assert Matcher([a, b]).classify("几时发").status == "covered"
    # … ambiguous when they answer differently.
    result = Matcher([a, c]).classify("几时发")
    assert result.status == "ambiguous"
    assert result.runner_up is not None and result.runner_up.score == result.score


def test_margin_and_threshold_decide_the_status() -> None:
    a = LibraryEntry(1, "什么时候发货", "shipping", ("什么时候发货",), answers=("a",))
    b = LibraryEntry(2, "什么时候到货", "shipping", ("什么时候到货",), answers=("b",))
    assert Matcher([a, b], margin=0).classify("什么时候发货").status == "covered"
    assert Matcher([a, b], threshold=100.1).classify("什么时候发货").status == "uncovered"
    # 发货 vs 到货 differ by one character: with a wide margin they are too close to call.
    assert Matcher([a, b], margin=60).classify("什么时候发货").status == "ambiguous"


def test_inactive_and_disabled_entries_are_not_matched(sample_engine: Engine) -> None:
    with db.session_scope(sample_engine) as s:
        before = Matcher.build(s, at=parse_datetime("2026-12-01T10:00:00+08:00"))
        during = Matcher.build(s, at=CAMPAIGN_START)
    assert len(during.entries) == len(before.entries) + 4  # the 聚划算 entries
    assert "双十一定金怎么付" not in {e.question for e in during.entries}  # disabled
    assert before.classify("聚划算什么时候开始").question != "聚划算活动什么时候开始"
    assert during.classify("聚划算什么时候开始").question == "聚划算活动什么时候开始"


def test_the_index_gives_the_same_answers_as_brute_force(matcher: Matcher) -> None:
    questions = [q.text for q in read_questions(SAMPLE / "questions.txt")]
    brute = matcher.match_many(questions, use_index=False, dedupe=False)
    for kwargs in ({"use_index": True, "dedupe": False}, {"use_index": True, "dedupe": True}):
        indexed = matcher.match_many(questions, **kwargs)  # type: ignore[arg-type]
        for name in ("entry", "wording", "score", "status", "runner_up", "runner_up_score"):
            assert np.array_equal(getattr(brute, name), getattr(indexed, name)), (name, kwargs)


def test_small_chunks_give_the_same_answers(matcher: Matcher) -> None:
    questions = [q.text for q in read_questions(SAMPLE / "questions.txt")]
    whole = matcher.match_many(questions)
    matcher.chunk_cells = 1  # 16 questions per chunk
    seen: list[int] = []
    chunked = matcher.match_many(questions, progress=lambda done, total: seen.append(done))
    assert np.array_equal(whole.entry, chunked.entry) and np.array_equal(whole.score, chunked.score)
    assert seen[-1] == len(questions) and len(seen) > 10


def _best_accuracy(matcher: Matcher, questions, thresholds, margins) -> float:
    texts = [q.text for q in questions]
    best = 0.0
    for t in thresholds:
        for m in margins:
            matcher.threshold, matcher.margin = t, m
            best = max(
                best, labelled_accuracy(matcher, questions, matcher.match_many(texts, use_index=False))[0]
            )
    return best


def test_chosen_defaults_beat_plain_ratio_at_its_best_threshold(matcher: Matcher) -> None:
    questions = read_questions(SAMPLE / "questions_labelled.csv")
    texts = [q.text for q in questions]
    chosen, _wrong = labelled_accuracy(matcher, questions, matcher.match_many(texts))
    plain = Matcher(list(matcher.entries), scorer=fuzz.ratio, prepare=normalise, keyword_score=0)
    plain_best = _best_accuracy(plain, questions, range(0, 101, 2), (0,))
    assert chosen > plain_best, (chosen, plain_best)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("你们有实体店吗", "实体店"),
        ("今天能发吗", "今天发"),
        ("你们还款吗", "还款"),  # never inside a word: not 款
        ("会员有什么优惠", "会员优惠"),  # not 员优惠
        ("其他颜色有吗", "其他颜色"),  # not 其颜色
        ("[图片][表情]黑色有货吗", "黑色货"),  # what the chat platform inserts is stripped
        ("啥时候发货", "时候发货"),  # 啥 → 什么, then dropped
        ("能不能便宜点", "便宜点"),
        ("你好", "你好"),  # one character left says too little: keep the whole
        ("在吗", "在吗"),
        ("幾天發貨", "几天发货"),
    ],
)
def test_match_form(text: str, form: str) -> None:
    assert match_form(text) == form
