"""The gold-team statistics window: T−32 … T−3 for an evaluation on day T, and the next monthly
evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

WINDOW_FIRST, WINDOW_LAST = 32, 3  # the window is T−32 … T−3


@dataclass(frozen=True)
class Window:
    """A run of days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def review_window(*, on: date) -> Window:
    """The statistics window for an evaluation on day T = ``on``: T−32 … T−3, both included.

    Why these days: the platform rates the team on 30 full days of settled data. A customer can still
    rate (or change a rating of) a session for a few days after it, and the daily statistics reach
    the seller workbench a day late, so the last two days before T are not final; the window
    therefore ends at T−3 and reaches back 30 days from there.
    """
    return Window(on - timedelta(days=WINDOW_FIRST), on - timedelta(days=WINDOW_LAST))


def next_evaluation(on: date) -> date:
    """The next monthly evaluation after ``on``: the 1st of the following month."""
    return date(on.year + on.month // 12, on.month % 12 + 1, 1)
