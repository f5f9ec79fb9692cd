"""Many questions scored only where the score can matter (``coverage/bulk.py``, issue 14 goal 1) give
the answers of every pair scored: the same entry, wording, score, status and runner-up, to the bit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from replybook.coverage.bulk import bulk_for
from replybook.coverage.matching import LibraryEntry, Matcher
from replybook.coverage.question_files import read_questions
from replybook.coverage.signals import Pipeline, _FittedTfidf
from tests.conftest import SAMPLE

ALPHABET = "发货快递包邮退换尺码颜色面料破洞国外寄到多少钱什么时候能今天明天优惠券价格质量法或记金的的"
COLUMNS = ("entry", "wording", "score", "status", "runner_up", "runner_up_score")


def _library(rng: random.Random, n: int) -> tuple[list[LibraryEntry], list[str]]:
    def text(lo: int = 1) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, 12)))

    answers = [(f"答{k}",) for k in range(n // 3)]  # some entries share an answer (one group)
    entries = [
        LibraryEntry(
            id=i + 1,
            question=(q := text(2)),
            category="shipping",
            wordings=(q, *(text() for _ in range(rng.randint(0, 4))), *(("吗",) if i == 3 else ())),
            keywords=tuple(text()[:3] for _ in range(rng.random() < 0.05)),
            answers=rng.choice(answers),
        )
        for i in range(n)
    ]
    questions = [text() for _ in range(600)] + ["", "吗", "呢", "今天能发货吗"]
    return entries, questions + questions[:50]


def _same_as_brute_force(matcher: Matcher, questions: list[str]) -> None:
    brute = matcher.match_many(questions, use_index=False, dedupe=False)
    for dedupe in (False, True):
        fast = matcher.match_many(questions, dedupe=dedupe)
        for name in COLUMNS:
            assert np.array_equal(getattr(fast, name), getattr(brute, name)), (name, dedupe)


def test_the_sample_shop_gets_the_answers_of_every_pair_scored(matcher: Matcher) -> None:
    questions = [q.text for q in read_questions(SAMPLE / "questions.txt")]
    questions += [q.text for q in read_questions(SAMPLE / "questions_labelled.csv")]
    assert bulk_for(matcher._fitted, matcher._fuzzy_forms) is not None  # type: ignore[arg-type]
    _same_as_brute_force(matcher, questions)


@pytest.mark.parametrize(("seed", "margin"), [(1, 1.0), (2, 0.0), (3, 12.5), (4, 60.0)])
def test_a_random_library_gets_the_answers_of_every_pair_scored(seed: int, margin: float) -> None:
    entries, questions = _library(random.Random(seed), 120)
    matcher = Matcher(entries, margin=margin, threshold=30.0 + seed)
    matcher.chunk_cells = 20_000  # many chunks
    _same_as_brute_force(matcher, questions)


def test_one_answer_for_every_entry_has_no_runner_up_to_find() -> None:
    entries, questions = _library(random.Random(5), 60)
    same = [
        LibraryEntry(e.id, e.question, e.category, e.wordings, e.keywords, ("同一个答案",)) for e in entries
    ]
    _same_as_brute_force(Matcher(same, margin=60.0), questions)


@pytest.mark.parametrize(
    "pipeline",
    [
        Pipeline((("ratio", 1.0),), min_share=0.4),
        Pipeline((("tfidf", 1.0),), min_information=0.3),
        Pipeline((("ratio", 0.3), ("tfidf", 0.7))),
    ],
)
def test_other_ratio_and_tfidf_pipelines_get_the_answers_of_every_pair_scored(pipeline: Pipeline) -> None:
    entries, questions = _library(random.Random(7), 80)
    _same_as_brute_force(Matcher(entries, scorer=pipeline), questions)


def test_a_signal_without_a_bound_scores_every_pair() -> None:
    entries, _ = _library(random.Random(8), 20)
    m = Matcher(entries, scorer=Pipeline((("ratio", 0.5), ("pinyin", 0.5))))
    assert m._fitted is not None and bulk_for(m._fitted, m._fuzzy_forms) is None


def test_the_sparse_products_sum_as_the_dense_signals_do() -> None:
    # the same float64 TF-IDF sums and float32 information shares, to the bit
    entries, questions = _library(random.Random(9), 150)
    m = Matcher(entries)
    assert m._fitted is not None and m._fitted.information is not None
    bulk = bulk_for(m._fitted, m._fuzzy_forms)
    assert bulk is not None
    forms = [m.prepare(q) for q in questions]
    tfidf, shares, _ = bulk._products(forms)
    (signal,) = [s for s, _ in m._fitted.fitted if isinstance(s, _FittedTfidf)]
    assert np.array_equal(tfidf.toarray().astype(np.float32), signal.scores(forms))
    assert np.array_equal(shares.toarray(), m._fitted.information.shares(forms))
