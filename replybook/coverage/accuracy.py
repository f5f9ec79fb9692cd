"""A labelled coverage run's figures (SPEC §7): accuracy against the labels, per-category precision and
recall, the pairs most often confused, and the histogram of best scores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from replybook.coverage.labels import expected_category, is_correct
from replybook.coverage.matching import Matcher, Outcomes
from replybook.coverage.question_files import Question


def histogram(scores: np.ndarray) -> list[int]:
    """Counts of best scores in ten bins: 0–10, 10–20, …, 90–100 (100 goes in the last)."""
    bins = np.minimum((scores // 10).astype(np.int64), 9)
    return [int(c) for c in np.bincount(bins, minlength=10)]


def accuracy(
    m: Matcher, out: Outcomes, qs: Sequence[Question], labelled: list[int], *, ignored: np.ndarray | None
) -> dict[str, Any]:
    """Against the labels: accuracy, per-category precision and recall, the most confused pairs."""
    correct = 0
    actual: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    for i in labelled:
        q = qs[i]
        r = m.result(out, i)
        if ignored is not None and ignored[i]:  # the shop's "do not answer" is a label
            r = replace(r, status="uncovered")
        ok = is_correct(q, r.status, r.question, r.category)
        correct += ok
        want = expected_category(q, m) or "uncovered"
        got = (r.category or "uncovered") if r.status == "covered" else "uncovered"
        actual[want] += 1
        predicted[got] += 1
        if want == got:
            hits[want] += 1
        else:
            confused[(want, got)] += 1
    per_category = {
        key: {
            "precision": round(hits[key] / predicted[key], 4) if predicted[key] else None,
            "recall": round(hits[key] / actual[key], 4) if actual[key] else None,
            "support": actual[key],
        }
        for key in sorted(set(actual) | set(predicted))
    }
    return {
        "labelled": len(labelled),
        "correct": correct,
        "accuracy": round(correct / len(labelled), 4),
        "per_category": per_category,
        "confused_pairs": [{"expected": a, "got": b, "count": c} for (a, b), c in confused.most_common(10)],
    }
