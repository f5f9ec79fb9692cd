"""What matching produces: the library entry it needs, one match, one result, many outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STATUSES = ("covered", "ambiguous", "uncovered")
_COVERED, _AMBIGUOUS, _UNCOVERED = 0, 1, 2


@dataclass(frozen=True)
class LibraryEntry:
    """What matching needs of an entry, detached from the database session."""

    id: int
    question: str
    category: str
    wordings: tuple[str, ...]  # the standard question first, then the similar wordings
    keywords: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    entry_id: int
    question: str
    category: str
    matched: str
    score: float
    answers: tuple[str, ...]
    keyword: bool = False  # matched is one of the entry's keywords (found literally), not a wording


@dataclass(frozen=True)
class Result:
    """One question's outcome. Without any matching entry, entry_id is None and score 0."""

    status: str
    entry_id: int | None
    question: str | None
    category: str | None
    matched: str | None
    score: float
    answers: tuple[str, ...] = ()
    runner_up: Match | None = None  # the other entry, when ambiguous


@dataclass
class Outcomes:
    """Many questions' outcomes as columns (a few bytes per question, however many there are)."""

    entry: np.ndarray  # int32 index into Matcher.entries, -1 for none
    wording: np.ndarray  # int32 index into Matcher.texts, -1 for none
    score: np.ndarray  # float32
    status: np.ndarray  # int8: 0 covered, 1 ambiguous, 2 uncovered
    runner_up: np.ndarray  # int32 entry index of the competing entry (ambiguous only), else -1
    runner_up_score: np.ndarray  # float32
    second: np.ndarray  # float32: the best score of another answer, for every question (calibration)

    @classmethod
    def empty(cls, n: int) -> Outcomes:
        return cls(
            entry=np.full(n, -1, np.int32),
            wording=np.full(n, -1, np.int32),
            score=np.zeros(n, np.float32),
            status=np.full(n, _UNCOVERED, np.int8),
            runner_up=np.full(n, -1, np.int32),
            runner_up_score=np.zeros(n, np.float32),
            second=np.zeros(n, np.float32),
        )

    def __len__(self) -> int:
        return len(self.entry)

    def result(self, i: int, entries: list[LibraryEntry], texts: list[str]) -> Result:
        """Question ``i``'s outcome as a ``Result`` (``texts``: the matcher's wordings then keywords)."""
        status = STATUSES[int(self.status[i])]
        e = int(self.entry[i])
        if e < 0:
            return Result(status, None, None, None, None, 0.0)
        entry = entries[e]
        runner = int(self.runner_up[i])
        runner_up = None
        if runner >= 0:
            r = entries[runner]
            runner_up = Match(
                r.id, r.question, r.category, "", round(float(self.runner_up_score[i]), 1), r.answers
            )
        return Result(
            status=status,
            entry_id=entry.id,
            question=entry.question,
            category=entry.category,
            matched=texts[int(self.wording[i])],
            score=round(float(self.score[i]), 1),
            answers=entry.answers,
            runner_up=runner_up,
        )
