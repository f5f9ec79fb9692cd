"""The hand-off and load forecast, and the agents each hour needs (SPEC §8b).

From the questions of a set — each with how often it was asked (次数) and, when the set carries it,
when (a chat log's times) — and the hand-off decision of each:

- hand-off rate = questions handed over ÷ questions, plain and weighted by 次数;
- expected buyer messages in hour h (of a campaign day) = the 次数 of the questions asked in that hour
  ÷ the number of days the set covers; expected hand-offs in hour h the same over the handed-over ones;
- agents needed in hour h = ⌈hand-offs × handling minutes ÷ (60 × buyers one agent serves at once ×
  productivity)⌉ (every input a bot setting: 2 minutes, 3 buyers, 0.8 by default);
- agents scheduled in hour h = the agents of every shift working at least half of that hour; an hour
  no shift works is outside the service hours: its hand-offs wait for the next shift (counted apart,
  not as staff needed). A shop without shifts has every hour served by 0 agents.

Arithmetic is exact (fractions), so a figure reproduces by hand without rounding surprises.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from replybook.bot.handoff import REASONS, Handoff
from replybook.bot.settings import BotConfig
from replybook.store.timeutil import to_shop

HALF_HOUR = 30


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00–{hour + 1:02d}:00"


def agents_needed(handoffs: Fraction | int | float, config: BotConfig) -> int:
    """⌈hand-offs × handling ÷ (60 × concurrency × productivity)⌉ for one hour."""
    work = Fraction(handoffs) * Fraction(str(config.handling_minutes))
    capacity = 60 * config.concurrency * Fraction(str(config.productivity))
    return math.ceil(work / capacity)


def scheduled_agents(config: BotConfig, hour: int) -> int:
    """The agents of the shifts that work at least half of ``hour`` (an agent on two such shifts counts once)."""
    names: set[str] = set()
    for s in config.shifts:
        if s.minutes_in_hour(hour) >= HALF_HOUR:
            names.update(s.agents)
    return len(names)


def in_service(config: BotConfig, hour: int) -> bool:
    """A shift works at least half of ``hour``; without any shift the hours are unknown, so every hour
    counts as served (nothing waits, as in ``bot.decide``) and shows 0 agents scheduled."""
    return not config.shifts or any(s.minutes_in_hour(hour) >= HALF_HOUR for s in config.shifts)


@dataclass
class HourLoad:
    hour: int
    messages: Fraction
    handoffs: Fraction
    in_service: bool
    scheduled: int
    needed: int

    @property
    def short(self) -> int:
        """Agents missing in this hour (0 outside the service hours: the hand-offs wait)."""
        return max(0, self.needed - self.scheduled) if self.in_service else 0

    @property
    def label(self) -> str:
        return hour_label(self.hour)

    def to_json(self) -> dict[str, Any]:
        return {
            "hour": self.hour,
            "label": self.label,
            "messages": round(float(self.messages), 2),
            "handoffs": round(float(self.handoffs), 2),
            "in_service": self.in_service,
            "scheduled": self.scheduled,
            "needed": self.needed,
            "short": self.short,
        }


@dataclass
class Forecast:
    mode: str
    total: int = 0
    handed_over: int = 0
    weighted_total: int = 0
    weighted_handed_over: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # code → 次数 handed over for it
    days: int = 0  # distinct days of the timed questions; 0: the set carries no times
    hours: list[HourLoad] = field(default_factory=list)
    untimed: int = 0  # questions of a timed set without a time (left out of the hours)

    @property
    def rate(self) -> float:
        return self.handed_over / self.total if self.total else 0.0

    @property
    def weighted_rate(self) -> float:
        return self.weighted_handed_over / self.weighted_total if self.weighted_total else 0.0

    @property
    def timed(self) -> bool:
        return self.days > 0

    @property
    def peak(self) -> HourLoad | None:
        """The hour with the most hand-offs (then the most messages; the earliest on a tie)."""
        if not self.hours:
            return None
        return max(self.hours, key=lambda h: (h.handoffs, h.messages, -h.hour))

    @property
    def understaffed(self) -> list[HourLoad]:
        return [h for h in self.hours if h.short > 0]

    @property
    def waiting(self) -> Fraction:
        """Hand-offs a day outside the service hours (they wait for the next shift)."""
        return sum((h.handoffs for h in self.hours if not h.in_service), Fraction(0))

    def to_json(self) -> dict[str, Any]:
        peak = self.peak
        return {
            "mode": self.mode,
            "total": self.total,
            "handed_over": self.handed_over,
            "rate": round(self.rate, 4),
            "weighted_total": self.weighted_total,
            "weighted_handed_over": self.weighted_handed_over,
            "weighted_rate": round(self.weighted_rate, 4),
            "reasons": {REASONS[k]: v for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1])},
            "days": self.days,
            "untimed": self.untimed,
            "peak": peak.to_json() if peak else None,
            "waiting": round(float(self.waiting), 2),
            "hours": [h.to_json() for h in self.hours],
            "understaffed": [h.to_json() for h in self.understaffed],
        }


def forecast(config: BotConfig, items: Iterable[tuple[int, datetime | None, Handoff]]) -> Forecast:
    """The forecast over ``(次数, when asked or None, decision)`` of every question."""
    out = Forecast(mode=config.mode_name)
    messages: Counter[int] = Counter()
    handoffs: Counter[int] = Counter()
    days: set[date] = set()
    for count, at, decision in items:
        out.total += 1
        out.weighted_total += count
        if decision.to_person:
            out.handed_over += 1
            out.weighted_handed_over += count
            out.reasons[decision.code or ""] += count
        if at is None:
            out.untimed += 1
            continue
        local = to_shop(at)
        days.add(local.date())
        messages[local.hour] += count
        if decision.to_person:
            handoffs[local.hour] += count
    if not days:
        out.untimed = 0
        return out
    out.days = len(days)
    for hour in range(24):
        per_day_handoffs = Fraction(handoffs[hour], out.days)
        out.hours.append(
            HourLoad(
                hour=hour,
                messages=Fraction(messages[hour], out.days),
                handoffs=per_day_handoffs,
                in_service=in_service(config, hour),
                scheduled=scheduled_agents(config, hour),
                needed=agents_needed(per_day_handoffs, config),
            )
        )
    return out
