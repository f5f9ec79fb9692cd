"""One customer question of a coverage test, as read from a question file or a chat log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from replybook.store.controls import control_problem
from replybook.store.errors import Problem

MAX_QUESTION = 500  # the try box's limit: a longer question is cut there, with a warning


@dataclass(frozen=True, slots=True)
class Question:
    """One customer question as it appeared in the input, with its optional label and count (slots:
    a million of them are a coverage run's biggest object after their texts)."""

    text: str
    count: int = 1
    expected: str | None = None  # the expected entry's standard question; "" = should be uncovered
    expected_category: str | None = None  # "" = should be uncovered
    where: str = ""
    truncated: bool = False  # the question was longer than MAX_QUESTION and was cut there
    at: datetime | None = None  # when the buyer asked (a chat log, a CSV's 时间 column): the hourly load
    buyer: str | None = None  # who asked (chat logs)

    @property
    def labelled(self) -> bool:
        return self.expected is not None or self.expected_category is not None


def make_question(
    text: str, where: str, problems: list[Problem], column: str | None = None, **labels: object
) -> Question | None:
    """A question as read, cut at MAX_QUESTION; a control character in it is a problem."""
    bad = control_problem(text)
    if bad:
        problems.append(Problem(where, bad, column))
        return None
    cut = len(text) > MAX_QUESTION
    return Question(text[:MAX_QUESTION] if cut else text, where=where, truncated=cut, **labels)  # type: ignore[arg-type]
