"""A coverage run's per-question work as numpy columns, so a million questions cost a few bytes each
beyond their texts: the distinct texts told apart by a column of hashes (not a dictionary of every
text), matched once and spread back column by column, and the per-category counts by ``bincount``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from replybook.coverage.ignored import REPORT_STATUSES
from replybook.coverage.labels import expected_category
from replybook.coverage.matching import Matcher, Outcomes, Progress
from replybook.coverage.question import Question

COLUMNS = (
    "entry",
    "wording",
    "score",
    "status",
    "runner_up",
    "runner_up_score",
    "second",
)  # Outcomes' arrays
# Questions × wordings scored at once: a chunk's score matrices are several float32 copies (the
# signals, both guards), ≈ 100 MB at the matcher's 4 M cells, ≈ 25 MB here, at no measured cost in time.
RUN_CHUNK_CELLS = 1_000_000
ROWS_AT_ONCE = 65_536  # questions turned into Python values at a time (the JSON, checks)


def match_distinct(
    matcher: Matcher, questions: Sequence[Question], *, use_index: bool, progress: Progress | None
) -> Outcomes:
    """``match_many`` over the distinct texts only (chat logs repeat 在吗 thousands of times, and
    normalising is most of the per-question work), spread back to every question. The texts are
    told apart by their hashes in a numpy column (8 bytes a question, not a dictionary of every
    text), each equal hash checked against its first text."""
    n = len(questions)
    distinct, inverse = distinct_texts(questions)
    cells, matcher.chunk_cells = matcher.chunk_cells, min(matcher.chunk_cells, RUN_CHUNK_CELLS)
    try:
        if len(distinct) == n:
            return matcher.match_many(distinct, use_index=use_index, progress=progress)
        d = len(distinct)
        scaled = (
            None if progress is None else (lambda done, _: progress(n if done == d else done * n // d, n))
        )
        found = matcher.match_many(distinct, use_index=use_index, progress=scaled)
    finally:
        matcher.chunk_cells = cells
    del distinct
    out = Outcomes.empty(0)
    for name in COLUMNS:
        setattr(out, name, getattr(found, name)[inverse])
        setattr(found, name, None)  # each column freed as soon as it is spread
    return out


def distinct_texts(questions: Sequence[Question]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in order of first appearance, and each question's index among them."""
    n = len(questions)
    hashes = np.fromiter((hash(q.text) for q in questions), np.int64, n)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    del hashes
    order = np.argsort(first, kind="stable")  # the unique hashes in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    inverse = rank[inverse.ravel()]
    first = first[order]
    distinct = [questions[int(i)].text for i in first]
    if all(
        questions[i].text == distinct[k]
        for start in range(0, n, ROWS_AT_ONCE)
        for i, k in enumerate(inverse[start : start + ROWS_AT_ONCE].tolist(), start)
    ):
        return distinct, inverse
    seen: dict[str, int] = {}  # two texts with one hash (about 1 in 10¹³ pairs): the dictionary
    inverse = np.fromiter((seen.setdefault(q.text, len(seen)) for q in questions), np.int64, n)
    return list(seen), inverse


def by_category(
    m: Matcher, out: Outcomes, qs: Sequence[Question], labelled: list[int], status: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Per category (the best entry's, a labelled question's expected one; "none"), in order of
    first appearance: counts by status and the coverage, as numpy columns."""
    keys = list(dict.fromkeys(e.category or "none" for e in m.entries))
    code_of = {k: i for i, k in enumerate(keys)}
    none = code_of.setdefault("none", len(code_of))
    entry_code = np.array([code_of[e.category or "none"] for e in m.entries] or [none], np.int64)
    code = np.where(out.entry >= 0, entry_code[np.maximum(out.entry, 0)], none)
    for i in labelled:
        key = expected_category(qs[i], m) or "none"
        code[i] = code_of.setdefault(key, len(code_of))
    names = list(code_of)
    present, first = np.unique(code, return_index=True)
    counts = {
        name: np.bincount(code[status == s], minlength=len(names)) for s, name in enumerate(REPORT_STATUSES)
    }
    total = np.bincount(code, minlength=len(names))
    by_category: dict[str, dict[str, Any]] = {}
    for c in present[np.argsort(first)].tolist():
        cat: dict[str, Any] = {"total": int(total[c])}
        cat.update({name: int(counts[name][c]) for name in REPORT_STATUSES})
        answerable = cat["total"] - cat["ignored"]
        cat["coverage"] = round(cat["covered"] / answerable, 4) if answerable else 0.0
        by_category[names[c]] = cat
    return by_category
