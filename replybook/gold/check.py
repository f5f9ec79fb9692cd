"""Gold-team (金牌客服) threshold check (SPEC §6): the statistics window, the figures against their
thresholds, a projection for the next monthly evaluation and the monthly history.

Storing the daily figures (file import, one day by hand) lives in ``reviews.py``, the window in
``window.py``; the package re-exports what the edges need (``from replybook import gold``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from replybook.gold.reviews import IMPORT_MODES, ImportResult, import_file, import_reviews, set_day
from replybook.gold.window import WINDOW_LAST, Window, next_evaluation, review_window
from replybook.store.errors import InvalidValue
from replybook.store.models import REVIEW_LEVELS, ReviewCount, ReviewSource, ServiceScore

__all__ = [
    "IMPORT_MODES",
    "GoldCheck",
    "ImportResult",
    "Projection",
    "Tally",
    "Window",
    "check",
    "history",
    "import_file",
    "import_reviews",
    "next_evaluation",
    "parse_target",
    "project",
    "review_window",
    "set_day",
]

SERVICE_SCORE_MIN = 3.6  # 综合服务分 must reach this to take part at all
REVIEWS_MIN = 100  # reviews of customer service in the window, bot + manual together
PROJECTION_BASIS_DAYS = 14  # the projection extends the daily rate of the last 14 days
SATISFIED_LEVELS = ("very_satisfied", "satisfied")  # 满意率 = (很满意 + 满意) / all reviews


@dataclass
class Tally:
    """Reviews counted over some days: all of them, the satisfied ones, and each level."""

    reviews: int = 0
    satisfied: int = 0
    by_level: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REVIEW_LEVELS, 0))

    def add(self, counts: Mapping[str, int]) -> None:
        for level in REVIEW_LEVELS:
            n = int(counts.get(level) or 0)
            self.by_level[level] += n
            self.reviews += n
            if level in SATISFIED_LEVELS:
                self.satisfied += n

    @property
    def rate(self) -> float | None:
        """满意率, or None when there were no reviews."""
        return self.satisfied / self.reviews if self.reviews else None

    def to_json(self) -> dict[str, Any]:
        return {"reviews": self.reviews, "satisfied": self.satisfied, "rate": _round(self.rate)}


@dataclass
class Figures:
    """Everything counted over one window, split by source and by agent."""

    overall: Tally = field(default_factory=Tally)
    bot: Tally = field(default_factory=Tally)
    manual: Tally = field(default_factory=Tally)
    agents: dict[str, Tally] = field(default_factory=dict)  # named agents only


@dataclass
class Projection:
    """The next evaluation, projected: days already known count as they are, the days still to come
    at the daily rate (reviews per day and 满意率) of the basis days."""

    evaluation_day: date
    window: Window
    basis: Window
    basis_tally: Tally
    known: Tally
    known_days: int
    remaining_days: int
    reviews: int
    satisfaction_rate: float | None
    service_score: float | None
    service_score_day: date | None
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reviews_per_day(self) -> float:
        return self.basis_tally.reviews / self.basis.days

    @property
    def reviews_needed(self) -> int:
        return max(0, REVIEWS_MIN - self.reviews)

    def to_json(self) -> dict[str, Any]:
        return {
            "evaluation_day": self.evaluation_day.isoformat(),
            "window": self.window.to_json(),
            "basis": {
                **self.basis.to_json(),
                **self.basis_tally.to_json(),
                "reviews_per_day": round(self.reviews_per_day, 2),
            },
            "known_days": self.known_days,
            "known_reviews": self.known.reviews,
            "remaining_days": self.remaining_days,
            "reviews": self.reviews,
            "reviews_needed": self.reviews_needed,
            "satisfaction_rate": _round(self.satisfaction_rate),
            "service_score": self.service_score,
            "service_score_day": _iso(self.service_score_day),
            "eligible": self.eligible,
            "reasons": self.reasons,
        }


@dataclass
class GoldCheck:
    """The gold-team figures for an evaluation on ``on``, each with its threshold, and the verdict."""

    on: date
    window: Window
    service_score: float | None
    service_score_day: date | None
    figures: Figures
    target_satisfaction: float | None
    reasons: list[str]
    projection: Projection | None = None

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reviews_needed(self) -> int:
        return max(0, REVIEWS_MIN - self.figures.overall.reviews)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.figures.overall.rate

    def to_json(self) -> dict[str, Any]:
        f = self.figures
        return {
            "on": self.on.isoformat(),
            "window": self.window.to_json(),
            "service_score": self.service_score,
            "service_score_day": _iso(self.service_score_day),
            "thresholds": {
                "service_score": SERVICE_SCORE_MIN,
                "reviews": REVIEWS_MIN,
                "satisfaction_target": self.target_satisfaction,
            },
            "reviews": {
                "total": f.overall.reviews,
                "bot": f.bot.reviews,
                "manual": f.manual.reviews,
                "satisfied": f.overall.satisfied,
                "by_level": dict(f.overall.by_level),
            },
            "satisfaction_rate": _round(self.satisfaction_rate),
            "satisfaction": {
                "bot": f.bot.to_json(),
                "manual": f.manual.to_json(),
                "agents": {name: t.to_json() for name, t in f.agents.items()},
            },
            "reviews_needed": self.reviews_needed,
            "eligible": self.eligible,
            "reasons": self.reasons,
            "projection": self.projection.to_json() if self.projection else None,
        }


def _round(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def parse_target(value: float | str | None) -> float | None:
    """A satisfaction target as a fraction: 0.95, 95 and "95%" all mean 95 %."""
    if value is None or value == "":
        return None
    raw = str(value).strip().rstrip("%")
    try:
        number = float(raw)
    except ValueError:
        raise InvalidValue(f"满意率目标应为 0–1 的小数或 0–100 的百分数，现为 {value!r}") from None
    if not 0 <= number <= 100:
        raise InvalidValue(f"满意率目标应为 0–1 的小数或 0–100 的百分数，现为 {value!r}")
    return number / 100 if number > 1 or str(value).strip().endswith("%") else number


def figures(session: Session, window: Window) -> Figures:
    """Review counts over ``window``; days with no stored data count as zero."""
    out = Figures()
    if window.days == 0:
        return out
    sums = [func.coalesce(func.sum(getattr(ReviewCount, level)), 0) for level in REVIEW_LEVELS]
    stmt = (
        select(ReviewCount.source, ReviewCount.agent, *sums)
        .where(col(ReviewCount.day) >= window.start, col(ReviewCount.day) <= window.end)
        .group_by(col(ReviewCount.source), col(ReviewCount.agent))
        .order_by(col(ReviewCount.source), col(ReviewCount.agent))
    )
    for row in session.exec(stmt):
        source, agent = row[0], row[1]
        values: list[Any] = list(row[2:])
        counts = dict(zip(REVIEW_LEVELS, (int(v) for v in values), strict=True))
        out.overall.add(counts)
        (out.bot if source == ReviewSource.BOT else out.manual).add(counts)
        if source == ReviewSource.MANUAL and agent:
            out.agents.setdefault(agent, Tally()).add(counts)
    return out


def latest_score(session: Session, *, on_or_before: date) -> ServiceScore | None:
    stmt = (
        select(ServiceScore)
        .where(col(ServiceScore.day) <= on_or_before)
        .order_by(col(ServiceScore.day).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def _reasons(
    *,
    score: ServiceScore | None,
    score_cutoff: str,
    reviews: int,
    rate: float | None,
    target: float | None,
) -> list[str]:
    reasons = []
    if score is None:
        reasons.append(f"{score_cutoff}及之前没有综合服务分，无法参评")
    elif score.score < SERVICE_SCORE_MIN:
        reasons.append(f"综合服务分 {score.score:.2f}（{score.day}）低于 {SERVICE_SCORE_MIN}")
    if reviews < REVIEWS_MIN:
        reasons.append(f"评价数 {reviews} 少于 {REVIEWS_MIN}，还差 {REVIEWS_MIN - reviews} 条")
    if target is not None:
        if rate is None:
            reasons.append(f"窗口内没有评价，满意率无法达到目标 {target:.2%}")
        elif rate < target:
            reasons.append(f"满意率 {rate:.2%} 低于目标 {target:.2%}")
    return reasons


def check(
    session: Session,
    *,
    on: date,
    target_satisfaction: float | None = None,
    projection: bool = True,
) -> GoldCheck:
    """Evaluate the gold-team thresholds as of day T = ``on``.

    ``target_satisfaction`` (0–1) is the shop's own target for 满意率: the platform publishes none, so
    without it the rate is shown but decides nothing; with it, a lower rate is a reason too.
    """
    if target_satisfaction is not None and not 0 <= target_satisfaction <= 1:
        raise InvalidValue(f"满意率目标应在 0 到 1 之间，现为 {target_satisfaction}")
    window = review_window(on=on)
    figs = figures(session, window)
    score = latest_score(session, on_or_before=window.end)
    reasons = _reasons(
        score=score,
        score_cutoff=f"{window.end}（T−3）",
        reviews=figs.overall.reviews,
        rate=figs.overall.rate,
        target=target_satisfaction,
    )
    result = GoldCheck(
        on=on,
        window=window,
        service_score=score.score if score else None,
        service_score_day=score.day if score else None,
        figures=figs,
        target_satisfaction=target_satisfaction,
        reasons=reasons,
    )
    if projection:
        result.projection = project(session, on=on, target_satisfaction=target_satisfaction)
    return result


def project(session: Session, *, on: date, target_satisfaction: float | None = None) -> Projection:
    """Project the next monthly evaluation from what is known on day ``on``.

    Known are the days before ``on``. Days of the next window already past count as stored; the
    rest are filled at the last 14 days' daily rate (reviews per day and 满意率, days without data
    being zero). The service score is assumed to stay at its latest known value.
    """
    evaluation_day = next_evaluation(on)
    window = review_window(on=evaluation_day)
    yesterday = on - timedelta(days=1)
    basis = Window(on - timedelta(days=PROJECTION_BASIS_DAYS), yesterday)
    basis_tally = figures(session, basis).overall
    known_window = Window(window.start, min(window.end, yesterday))
    known = figures(session, known_window).overall
    remaining = Window(max(window.start, on), window.end).days
    per_day = basis_tally.reviews / basis.days
    expected_reviews = known.reviews + per_day * remaining
    expected_satisfied = known.satisfied + basis_tally.satisfied / basis.days * remaining
    rate = expected_satisfied / expected_reviews if expected_reviews else None
    reviews = round(expected_reviews)
    score = latest_score(session, on_or_before=known_window.end)
    reasons = _reasons(
        score=score,
        score_cutoff=f"{known_window.end}（已知的最后一天）",
        reviews=reviews,
        rate=rate,
        target=target_satisfaction,
    )
    return Projection(
        evaluation_day=evaluation_day,
        window=window,
        basis=basis,
        basis_tally=basis_tally,
        known=known,
        known_days=known_window.days,
        remaining_days=remaining,
        reviews=reviews,
        satisfaction_rate=rate,
        service_score=score.score if score else None,
        service_score_day=score.day if score else None,
        reasons=reasons,
    )


def history(
    session: Session, *, months: int = 12, target_satisfaction: float | None = None
) -> list[GoldCheck]:
    """The monthly results the stored data implies, oldest first: one evaluation (the 1st of a month)
    for each month whose window ends inside the stored days, at most the last ``months``."""
    if months < 1:
        raise InvalidValue(f"月数至少为 1，现为 {months}")
    bounds = [
        session.exec(select(func.min(m.day), func.max(m.day))).one()  # type: ignore[call-overload]
        for m in (ReviewCount, ServiceScore)
    ]
    days = [d for pair in bounds for d in pair if d is not None]
    if not days:
        return []
    first, last = min(days), max(days)
    # The window of the evaluation on T ends on T−3, so T runs from first+3 to last+3.
    earliest, latest = first + timedelta(days=WINDOW_LAST), last + timedelta(days=WINDOW_LAST)
    evaluation = earliest if earliest.day == 1 else next_evaluation(earliest)
    evaluations: list[date] = []
    while evaluation <= latest:
        evaluations.append(evaluation)
        evaluation = next_evaluation(evaluation)
    return [
        check(session, on=day, target_satisfaction=target_satisfaction, projection=False)
        for day in evaluations[-months:]
    ]
