"""One question's scores, exact only where they can change the answer (issue 13: `ask` and the try
box at 10,000 entries in ≤ 5 ms), and the answer, the top ``n`` and the status from that one pass.

The full pass scores every wording with two ``fuzz.ratio`` passes. Here the cheap signals come first
(``signals.OneQuestion``: TF-IDF, the information guard, a bound on each wording's score); the
wordings with the highest bounds are scored exactly, then more of them, until the ``n`` best entries,
the best entry outside the best one's answer group (the runner-up) and so the status all score above
every bound left: no wording left can reach them. Every wording left counts as 0, below all of them,
so the top ``n``, the status, the matched wordings and every score reported are those of the full
pass (tests/test_single_question.py compares the two on every question).

What is scored stays sparse (the wordings scored and their scores): the entries' best scores come
from those alone (``maximum.at``), and ``decide`` reads the answer, the runner-up and the top ``n``
off them with the same tie rules as ``Matcher._decide`` and ``Matcher._top`` on the whole row (the
first wording, then the first entry, of equal scores), so a try scores the question once and touches
no array of the library's size after the bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from replybook.coverage.outcomes import (
    _AMBIGUOUS,
    _COVERED,
    _UNCOVERED,
    LibraryEntry,
    Match,
    Outcomes,
    Result,
)
from replybook.coverage.signals import FittedPipeline


class Matcher(Protocol):
    """What this module reads of ``matching.Matcher`` (a protocol: matching imports this module)."""

    _fitted: FittedPipeline | None
    n_fuzzy: int
    group_of: np.ndarray
    owner: np.ndarray
    entry_starts: np.ndarray
    entries: list[LibraryEntry]
    threshold: float
    margin: float
    keyword_score: float
    _keyword_re: re.Pattern[str] | None
    _keyword_slots: dict[str, list[int]]

    def _dense(self, forms: list[str]) -> np.ndarray: ...

    def result(self, outcomes: Outcomes, i: int) -> Result: ...

    def _match(self, i: int, wording: int, score: float) -> Match: ...


FIRST = 256  # wordings scored exactly first; each further round four times as many


@dataclass
class Scored:
    """One question's exact scores on the wordings that decide it; every other wording counts as 0."""

    idx: np.ndarray  # wording positions (int64)
    vals: np.ndarray  # their scores (float32)
    via: dict[int, int]  # entry → its keyword's slot + 1, where a keyword raised it (``_entry_scores``)
    best: np.ndarray  # per entry: its best score, keywords included (float32)

    def row(self, n_fuzzy: int) -> np.ndarray:
        out = np.zeros((1, n_fuzzy), np.float32)
        out[0, self.idx] = self.vals
        return out


def one_row(matcher: Matcher, form: str, n: int, *, literal: str | None = None) -> np.ndarray:
    """Scores (1 × wordings) for ``form``: exact wherever they decide the top ``n`` and the status
    (``literal``: the question's keyword form, when not ``form``)."""
    found = score(matcher, form, n, literal)
    return matcher._dense([form]) if found is None else found.row(matcher.n_fuzzy)


def score(matcher: Matcher, form: str, n: int, literal: str | None = None) -> Scored | None:
    """The wordings that decide ``form``'s top ``n`` and status, scored exactly (None: the scorer
    gives no bound, score every wording); keywords are looked for in ``literal`` (the keyword form,
    before the synonyms) when given."""
    fitted = matcher._fitted
    one = fitted.one(form) if fitted is not None else None
    if one is None:
        return None
    slots = _keyword_slots(matcher, literal or form)
    bound = one.bound
    candidates = np.flatnonzero(bound > 0)
    left = bound[candidates]
    words = np.zeros(len(matcher.entries), np.float32)  # per entry, its best wording scored
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    step = FIRST
    while len(candidates):
        if len(candidates) > step:
            cut = np.partition(left, len(left) - step)[len(left) - step]
            take = left >= cut
        else:
            take = np.ones(len(candidates), bool)
        idx = candidates[take]
        vals = one.exact(idx)
        parts.append((idx, vals))
        np.maximum.at(words, matcher.owner[idx], vals)
        candidates, left = candidates[~take], left[~take]
        if not len(candidates) or _settled(matcher, _raised(matcher, words, slots)[0], n, float(left.max())):
            break
        step *= 4
    best, via = _raised(matcher, words, slots)
    if not parts:
        return Scored(np.zeros(0, np.int64), np.zeros(0, np.float32), via, best)
    return Scored(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), via, best)


def _keyword_slots(matcher: Matcher, form: str) -> list[int]:
    """The keyword slots found in ``form`` (a keyword form), in the order ``Matcher._entry_scores`` raises them."""
    if matcher._keyword_re is None:
        return []
    return [slot for hit in matcher._keyword_re.findall(form) for slot in matcher._keyword_slots[hit]]


def _raised(matcher: Matcher, words: np.ndarray, slots: list[int]) -> tuple[np.ndarray, dict[int, int]]:
    """The entries' scores with their keywords' raise, as ``Matcher._entry_scores``."""
    if not slots:
        return words, {}
    out, via = words.copy(), {}
    for slot in slots:
        e = int(matcher.owner[slot])
        if out[e] < matcher.keyword_score:
            out[e] = matcher.keyword_score
            via[e] = slot + 1
    return out, via


def _settled(matcher: Matcher, scores: np.ndarray, n: int, rest: float) -> bool:
    """Whether the ``n`` best entries and the runner-up all score above ``rest`` (the highest bound
    of a wording not scored yet), keywords included."""
    k = min(max(n, 1), len(scores))
    if np.count_nonzero(scores > rest) < k:
        return False
    others = scores[matcher.group_of != matcher.group_of[int(scores.argmax())]]
    return not len(others) or float(others.max()) > rest


def decide(matcher: Matcher, form: str, found: Scored, n: int) -> tuple[Result, list[Match]]:
    """The status, answer and runner-up (``Matcher._decide``) and the ``n`` best entries
    (``Matcher._top``) from one question's scores, as those give them on the whole row."""
    scores = found.best
    best = int(scores.argmax())  # the first of equal entries holds the first of equal wordings
    others = scores.copy()
    others[matcher.group_of == matcher.group_of[best]] = -1.0
    runner = int(others.argmax())
    s1 = np.array([scores[best]], np.float32)
    s2 = np.array([max(0.0, float(others[runner]))], np.float32)
    status = np.where(
        s1 < matcher.threshold, _UNCOVERED, np.where(s1 - s2 >= matcher.margin, _COVERED, _AMBIGUOUS)
    ).astype(np.int8)
    out = Outcomes.empty(1)
    if s1[0] > 0:
        out.entry[0], out.wording[0] = best, _wording(matcher, found, best)
    out.status[0], out.score[0], out.second[0] = status[0], s1[0], s2[0]
    if status[0] == _AMBIGUOUS:
        out.runner_up[0], out.runner_up_score[0] = runner, s2[0]
    k = min(n, len(scores))
    top: list[Match] = []
    if k > 0:
        positive = np.flatnonzero(scores > 0)
        order = positive[np.lexsort((positive, -scores[positive]))][:k]
        top = [matcher._match(int(i), _wording(matcher, found, int(i)), float(scores[i])) for i in order]
    return matcher.result(out, 0), top


def _wording(matcher: Matcher, found: Scored, e: int) -> int:
    """The wording entry ``e`` matched by: its keyword's slot, else its first best-scored wording."""
    via = found.via.get(e)
    if via:
        return via - 1
    mine = matcher.owner[found.idx] == e
    vals = found.vals[mine]
    if not len(vals) or vals.max() <= 0:
        return int(matcher.entry_starts[e])  # all 0: the first, as argmax
    return int(found.idx[mine][vals == vals.max()].min())
