"""One question's scores, exact only where they can change the answer (issue 13: `ask` and the try
box at 10,000 entries in ≤ 5 ms).

The full pass scores every wording with two ``fuzz.ratio`` passes. Here the cheap signals come first
(``signals.OneQuestion``: TF-IDF, the information guard, a bound on each wording's score); the
wordings with the highest bounds are scored exactly, then more of them, until the ``n`` best entries,
the best entry outside the best one's answer group (the runner-up) and so the status all score above
every bound left: no wording left can reach them. Every wording left keeps 0 in the row, below all of
them, so the top ``n``, the status, the matched wordings and every score reported are those of the
full pass (tests/test_single_question.py compares the two on every question).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from replybook.coverage.signals import FittedPipeline


class Matcher(Protocol):
    """What this module reads of ``matching.Matcher`` (a protocol: matching imports this module)."""

    _fitted: FittedPipeline | None
    n_fuzzy: int
    group_of: np.ndarray

    def _dense(self, forms: list[str]) -> np.ndarray: ...

    def _entry_scores(self, scores: np.ndarray, forms: list[str]) -> tuple[np.ndarray, np.ndarray]: ...


FIRST = 256  # wordings scored exactly first; each further round four times as many


def one_row(matcher: Matcher, form: str, n: int, *, literal: str | None = None) -> np.ndarray:
    """Scores (1 × wordings) for ``form``: exact wherever they decide the top ``n`` and the status
    (``literal``: the question's keyword form, when not ``form``)."""
    fitted = matcher._fitted
    one = fitted.one(form) if fitted is not None else None
    if one is None:
        return matcher._dense([form])
    bound = one.bound
    candidates = np.flatnonzero(bound > 0)
    row = np.zeros((1, matcher.n_fuzzy), np.float32)
    left = bound[candidates]
    step = FIRST
    while len(candidates):
        if len(candidates) > step:
            cut = np.partition(left, len(left) - step)[len(left) - step]
            take = left >= cut
        else:
            take = np.ones(len(candidates), bool)
        idx = candidates[take]
        row[0, idx] = one.exact(idx)
        candidates, left = candidates[~take], left[~take]
        if not len(candidates) or _settled(matcher, row, literal or form, n, float(left.max())):
            break
        step *= 4
    return row


def _settled(matcher: Matcher, row: np.ndarray, form: str, n: int, rest: float) -> bool:
    """Whether the ``n`` best entries and the runner-up all score above ``rest`` (the highest bound
    of a wording not scored yet), keywords included (``form``: the keyword form)."""
    entry_scores, _ = matcher._entry_scores(row, [form])
    scores = entry_scores[0]
    k = min(max(n, 1), len(scores))
    if np.partition(scores, len(scores) - k)[len(scores) - k] <= rest:
        return False
    others = scores[matcher.group_of != matcher.group_of[int(scores.argmax())]]
    return not len(others) or float(others.max()) > rest
