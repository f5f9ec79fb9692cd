"""One agent's month scored by a model (SPEC §8c): pure, figures in, the 考核表 row out.

An indicator's score is 0–100; its contribution = score × weight (80 × 20 % = 16 %); the total is
the contributions plus the rule-based points (a point is one percent); commission = the month's
sales × the rate of the tier they fall in; pay = base + commission × total % + 100 a year of service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from replybook.scorecard.model import FIGURES, HUNDRED, RATE_FIGURES, Indicator, Model, PointRule

CENT = Decimal("0.01")
Figures = Mapping[str, Decimal | None]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class IndicatorScore:
    name: str
    weight: Decimal
    value: Decimal | None  # the figure or ratio (a fraction for rates); the hand score for hand items
    score: Decimal | None  # 0–100; None: no figure or no hand score this month (contributes nothing)
    formula: str = ""

    @property
    def contribution(self) -> Decimal:
        """Score × weight, in percent (80 × 20 % = 16)."""
        return self.score * self.weight / HUNDRED if self.score is not None else Decimal(0)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": _num(self.weight),
            "formula": self.formula,
            "value": _num(self.value),
            "score": _num(self.score),
            "contribution": _num(cents(self.contribution)),
        }


@dataclass
class RulePoints:
    name: str
    value: Decimal | None
    points: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": _num(self.value), "points": _num(self.points)}


@dataclass
class AgentScore:
    agent: str
    indicators: list[IndicatorScore] = field(default_factory=list)
    points: list[RulePoints] = field(default_factory=list)
    sales: Decimal = Decimal(0)
    commission_rate: Decimal = Decimal(0)
    base: Decimal = Decimal(0)
    years: int = 0
    per_year: Decimal = Decimal(0)
    rank: int = 0

    @property
    def weighted(self) -> Decimal:
        return sum((i.contribution for i in self.indicators), Decimal(0))

    @property
    def points_total(self) -> Decimal:
        return sum((p.points for p in self.points), Decimal(0))

    @property
    def total(self) -> Decimal:
        """The month's score in percent: weighted contributions plus points."""
        return self.weighted + self.points_total

    @property
    def commission(self) -> Decimal:
        return cents(self.sales * self.commission_rate)

    @property
    def pay(self) -> Decimal:
        return cents(self.base + self.commission * self.total / HUNDRED + self.per_year * self.years)

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "rank": self.rank,
            "indicators": [i.to_json() for i in self.indicators],
            "points": [p.to_json() for p in self.points],
            "weighted": _num(cents(self.weighted)),
            "points_total": _num(self.points_total),
            "total": _num(cents(self.total)),
            "sales": _num(cents(self.sales)),
            "commission_rate": _num(self.commission_rate),
            "commission": _num(self.commission),
            "base": _num(self.base),
            "years": self.years,
            "pay": _num(self.pay),
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def figure_value(figures: Figures, figure: str | None, ratio: tuple[str, str] | None) -> Decimal | None:
    if ratio is not None:
        top, bottom = figures.get(ratio[0]), figures.get(ratio[1])
        if top is None or not bottom:
            return None
        return Decimal(top) / Decimal(bottom)
    value = figures.get(figure or "")
    return None if value is None else Decimal(value)


def indicator_score(indicator: Indicator, figures: Figures, hand: Mapping[str, Decimal]) -> IndicatorScore:
    if indicator.hand:
        value = hand.get(indicator.name)
        return IndicatorScore(indicator.name, indicator.weight, value, value, indicator.formula)
    value = figure_value(figures, indicator.figure, indicator.ratio)
    score: Decimal | None = None
    if value is not None:
        if indicator.target is not None:
            if indicator.lower_is_better:
                score = indicator.target / value * HUNDRED if value else HUNDRED
            else:
                score = value / indicator.target * HUNDRED
            score = min(HUNDRED, score)
        elif indicator.ratio is not None or indicator.figure in RATE_FIGURES:
            score = value * HUNDRED
        else:
            score = value
        score = max(Decimal(0), score)
    return IndicatorScore(indicator.name, indicator.weight, value, score, indicator.formula)


def rule_points(rule: PointRule, figures: Figures) -> RulePoints:
    """Whole steps above ``above`` (or below ``below``) times the points per step, within the cap."""
    value = figure_value(figures, rule.figure, rule.ratio)
    points = Decimal(0)
    if value is not None:
        if rule.above is not None and value > rule.above:
            steps = ((value - rule.above) / rule.step).to_integral_value(rounding=ROUND_FLOOR)
            points = steps * rule.points_above
        elif rule.below is not None and value < rule.below:
            steps = ((rule.below - value) / rule.step).to_integral_value(rounding=ROUND_FLOOR)
            points = -steps * rule.points_below
        if rule.cap is not None:
            points = max(-rule.cap, min(rule.cap, points))
    return RulePoints(rule.name, value, points)


def commission_rate(model: Model, sales: Decimal) -> Decimal:
    """The rate of the highest tier whose start the sales reach (0 below the first)."""
    rate = Decimal(0)
    for tier in model.commission:
        if sales >= tier.start:
            rate = tier.rate
    return rate


def score_agent(
    model: Model, agent: str, figures: Figures, hand: Mapping[str, Decimal] | None = None
) -> AgentScore:
    """Score one agent's month: ``figures`` by the keys of ``model.FIGURES``, ``hand`` by item name."""
    unknown = sorted(set(figures) - set(FIGURES))
    if unknown:
        raise KeyError(f"unknown figures: {unknown}")
    pay = model.pay_of(agent)
    sales = Decimal(figures.get("sales") or 0)
    return AgentScore(
        agent=agent,
        indicators=[indicator_score(i, figures, hand or {}) for i in model.indicators],
        points=[rule_points(r, figures) for r in model.points],
        sales=sales,
        commission_rate=commission_rate(model, sales),
        base=pay.base,
        years=pay.years,
        per_year=model.per_year,
    )


def rank(scores: list[AgentScore]) -> list[AgentScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.agent))
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous is not None and previous.total == score.total else position
    return ordered


def figure_text(key: str, value: Decimal | None) -> str:
    """A month's figure as the 考核表 shows it: rates in percent, seconds and money with two places."""
    if value is None:
        return "—"
    if key in RATE_FIGURES:
        return f"{(value * HUNDRED).quantize(CENT)}%"
    if key in ("sales", "avg_response_seconds", "first_response_seconds"):
        return f"{cents(value):,}"
    return f"{value.normalize():f}"
