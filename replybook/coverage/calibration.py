"""How far "covered" can be trusted: precision and recall of the decision on labelled questions, and
the threshold and margin that reach a target precision (issue 13).

A labelled question is *answerable* when it names an entry (or a category); it is answered *right*
when it is covered by that entry. Precision of "covered" = right covers / all covers (a cover of a
question that should stay uncovered is wrong); recall = right covers / answerable questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlmodel import Session

from replybook.coverage.labels import is_correct
from replybook.coverage.matching import Matcher, Outcomes
from replybook.coverage.question_files import Question

TARGET_PRECISION = 0.90
THRESHOLDS = tuple(float(t) for t in range(10, 96))
MARGINS = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 15.0)


@dataclass(frozen=True)
class Points:
    """Per labelled question: best score, gap to the runner-up answer, is the best entry right, answerable."""

    score: np.ndarray
    gap: np.ndarray
    right: np.ndarray  # bool: the best entry is the labelled one
    answerable: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.score)

    @property
    def top1(self) -> float:
        """Share of the answerable questions whose best entry is the labelled one."""
        n = int(self.answerable.sum())
        return float((self.right & self.answerable).sum() / n) if n else 0.0

    def at(self, threshold: float, margin: float) -> tuple[float, float, int]:
        """(precision, recall, covers) of "covered" with this threshold and margin."""
        covered = (self.score >= threshold) & (self.gap >= margin)
        n_cov = int(covered.sum())
        good = int((covered & self.right).sum())
        n_ans = int(self.answerable.sum())
        precision = good / n_cov if n_cov else 1.0
        return precision, (good / n_ans if n_ans else 0.0), n_cov


@dataclass(frozen=True)
class Choice:
    threshold: float
    margin: float
    precision: float
    recall: float
    reached: bool  # False when no setting reaches the target: the most precise one is given


def points(matcher: Matcher, questions: list[Question], outcomes: Outcomes) -> Points:
    """The labelled questions' scores, gaps and rightness, with the matcher's decision undone: the
    runner-up score is taken for every question (not only the ambiguous ones)."""
    idx = [i for i, q in enumerate(questions) if q.labelled]
    score = np.zeros(len(idx), np.float32)
    gap = np.zeros(len(idx), np.float32)
    right = np.zeros(len(idx), bool)
    answerable = np.zeros(len(idx), bool)
    for k, i in enumerate(idx):
        q = questions[i]
        answerable[k] = bool(q.expected) or (q.expected is None and bool(q.expected_category))
        e = int(outcomes.entry[i])
        if e < 0:
            continue
        entry = matcher.entries[e]
        score[k] = outcomes.score[i]
        gap[k] = outcomes.score[i] - outcomes.second[i]
        right[k] = answerable[k] and is_correct(q, "covered", entry.question, entry.category)
    return Points(score, gap, right, answerable)


def curve(p: Points, margin: float) -> list[tuple[float, float, float, int]]:
    """(threshold, precision, recall, covers) along the thresholds, at one margin."""
    return [(t, *p.at(t, margin)) for t in THRESHOLDS]


def choose(p: Points, target: float = TARGET_PRECISION) -> Choice:
    """The threshold and margin with the most recall whose precision reaches ``target`` (the lowest
    threshold and margin among equals); else the most precise setting."""
    best: Choice | None = None
    fallback: Choice | None = None
    for margin in MARGINS:
        for t in THRESHOLDS:
            precision, recall, _ = p.at(t, margin)
            c = Choice(t, margin, precision, recall, precision >= target)
            if c.reached and (best is None or recall > best.recall + 1e-9):
                best = c
            if fallback is None or (precision, recall) > (fallback.precision, fallback.recall):
                fallback = c
    assert fallback is not None
    return best or fallback


def recall_at_precision(p: Points, target: float = TARGET_PRECISION) -> float:
    c = choose(p, target)
    return c.recall if c.reached else 0.0


THRESHOLD_SETTING, MARGIN_SETTING = "match_threshold", "match_margin"


def calibrate_shop(
    session: Session, questions: list[Question], *, at: datetime, target: float
) -> tuple[Choice, Points]:
    """Choose the shop's threshold and margin from labelled questions and store them as its setting."""
    from replybook.coverage.labels import resolve_labels
    from replybook.library.settings import set_setting

    questions = resolve_labels(session, questions, source="问题文件")
    matcher = Matcher.build(session, at=at)
    p = points(matcher, questions, matcher.match_many([q.text for q in questions], use_index=False))
    c = choose(p, target)
    set_setting(session, THRESHOLD_SETTING, f"{c.threshold:g}")
    set_setting(session, MARGIN_SETTING, f"{c.margin:g}")
    return c, p
