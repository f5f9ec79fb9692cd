"""The monthly 考核表 (issue 17 item 4): one row per agent, scored by the model, ranked, compared
with last month, and the team's satisfaction next to the gold-team window (the gold package's own
figures, no second formula). One data function for the CLI, the page and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from replybook import gold
from replybook.scorecard.compute import AgentScore, cents, rank, score_agent
from replybook.scorecard.days import month_key, parse_month
from replybook.scorecard.links import AgentQuestions, uncovered_by_agent
from replybook.scorecard.model import FIGURES, Model
from replybook.store.models import Phrase, PhraseScope
from replybook.store.models_scorecard import AgentDay, HandScore
from replybook.tabular.chatlog import Conversation

WEIGHTED = ("avg_response_seconds", "first_response_seconds", "reply_rate", "rate_3min")
SUMMED = ("consultations", "inquiries", "orders", "payers", "sales_cents", "praise", "complaints")
REPLY_COUNTS = ("phrase_messages", "typed_messages")  # chat logs: quick phrases vs typed by hand
SOURCE_LABELS = {"report": "报表", "chatlog": "聊天记录", "reviews": "评价数据"}


@dataclass
class AgentMonth:
    """An agent's month: the figures the score uses, where each came from, and the other source's
    value where both gave one."""

    figures: dict[str, Decimal | None] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)  # figure → report | chatlog | reviews
    other: dict[str, Decimal] = field(default_factory=dict)  # the figure the score does not use
    replies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPLY_COUNTS, 0))
    personal_phrases: int = 0

    def links(self) -> dict[str, Any]:
        """Back to the reply configuration: personal phrases, and how often quick phrases were used."""
        used, typed = self.replies["phrase_messages"], self.replies["typed_messages"]
        share = used / (used + typed) if used + typed else None
        return {"personal_phrases": self.personal_phrases, **self.replies, "phrase_share": share}


@dataclass
class Scorecard:
    month: str
    model: Model
    rows: list[AgentScore]
    months: dict[str, AgentMonth]
    previous: dict[str, Decimal]  # last month's totals by agent
    team: dict[str, Any]
    # The uncovered questions each agent answered, from the chat logs given (None: no chat log given).
    questions: dict[str, AgentQuestions] | None = None
    chat_logs: list[str] = field(default_factory=list)  # the chat logs they come from

    def links(self, agent: str) -> dict[str, Any]:
        """Back to the reply configuration: personal phrases, quick phrases against typed by hand,
        and the uncovered questions the agent answered most (None without a chat log)."""
        found = self.months.get(agent, AgentMonth()).links()
        if self.questions is None:
            found["uncovered_questions"] = None
        else:
            found["uncovered_questions"] = self.questions.get(agent, AgentQuestions()).to_json()
        return found

    def with_questions(
        self, session: Session, conversations: list[Conversation], *, at: datetime, sources: list[str]
    ) -> Scorecard:
        """The card with the uncovered questions each agent answered in ``conversations``."""
        self.questions = uncovered_by_agent(session, conversations, month=self.month, at=at)
        self.chat_logs = list(sources)
        return self

    def to_json(self) -> dict[str, Any]:
        rows = []
        for row in self.rows:
            data = row.to_json()
            month = self.months.get(row.agent, AgentMonth())
            data["figures"] = {k: _num(v) for k, v in month.figures.items() if v is not None}
            data["sources"] = dict(month.used)
            data["other_source"] = {k: _num(v) for k, v in month.other.items()}
            data["reply_configuration"] = self.links(row.agent)
            before = self.previous.get(row.agent)
            data["last_month_total"] = _num(cents(before)) if before is not None else None
            data["change"] = _num(cents(row.total - before)) if before is not None else None
            rows.append(data)
        return {
            "month": self.month,
            "model": self.model.name,
            "agents": rows,
            "team": self.team,
            "chat_logs": self.chat_logs,
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _previous_month(key: str) -> str:
    start, _ = parse_month(key)
    before = start - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


def agent_months(session: Session, start: date, end: date) -> dict[str, AgentMonth]:
    """Each agent's figures over ``start`` … ``end``: counts and sales summed, times and rates
    averaged over the days weighted by consultations (chat logs: by buyer turns). A report's
    figure is used where it has one, the chat logs' otherwise; both are kept."""
    stmt = select(AgentDay).where(col(AgentDay.day) >= start, col(AgentDay.day) <= end)
    by_source: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    weights: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    replies: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REPLY_COUNTS, 0))
    for day in session.exec(stmt):
        for key in REPLY_COUNTS:
            replies[day.agent][key] += getattr(day, key) or 0
        sums = by_source[(day.agent, day.source)]
        for key in SUMMED:
            value = getattr(day, key)
            if value is not None:
                sums[key] = sums.get(key, Decimal(0)) + Decimal(value)
        weight = Decimal(day.consultations or day.buyer_turns or 1)
        for key in WEIGHTED:
            value = getattr(day, key)
            if value is not None:
                sums[key] = sums.get(key, Decimal(0)) + Decimal(str(value)) * weight
                weights[(day.agent, day.source, key)] += weight
    months: dict[str, AgentMonth] = {}
    for (agent, source), sums in sorted(by_source.items(), key=lambda kv: kv[0][1] != "report"):
        month = months.setdefault(agent, AgentMonth())
        for key, total in sums.items():
            value = total / weights[(agent, source, key)] if key in WEIGHTED else total
            figure = "sales" if key == "sales_cents" else key
            if figure == "sales":
                value = value / 100
            if figure in month.used:
                month.other[figure] = value
            else:
                month.figures[figure], month.used[figure] = value, source
    for agent, counts in replies.items():
        months.setdefault(agent, AgentMonth()).replies = counts
    personal = session.exec(
        select(Phrase.owner, func.count())
        .where(Phrase.scope == PhraseScope.PERSONAL.value)
        .group_by(Phrase.owner)
    )
    for owner, count in personal:
        if owner in months:
            months[owner].personal_phrases = int(count)
    reviews = gold.figures(session, gold.Window(start, end))
    for agent, tally in reviews.agents.items():
        month = months.setdefault(agent, AgentMonth())
        if tally.rate is not None:
            month.figures["satisfaction"] = Decimal(tally.satisfied) / Decimal(tally.reviews)
            month.used["satisfaction"] = "reviews"
    return months


def hand_scores(session: Session, key: str) -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in session.exec(select(HandScore).where(HandScore.month == key)):
        found[row.agent][row.item] = Decimal(str(row.score))
    return found


def _score_month(session: Session, model: Model, key: str) -> tuple[list[AgentScore], dict[str, AgentMonth]]:
    start, end = parse_month(key)
    months = agent_months(session, start, end)
    hands = hand_scores(session, key)
    agents = sorted(set(months) | set(hands))
    scores = []
    for agent in agents:
        month = months.get(agent, AgentMonth())
        figures = {k: v for k, v in month.figures.items() if k in FIGURES}
        scores.append(score_agent(model, agent, figures, hands.get(agent, {})))
    return rank(scores), months


def monthly_scorecard(session: Session, *, model: Model, month: str) -> Scorecard:
    """The 考核表 of ``month`` (2026-11) under ``model``."""
    key = month_key(month)
    rows, months = _score_month(session, model, key)
    before, _ = _score_month(session, model, _previous_month(key))
    start, end = parse_month(key)
    in_month = gold.figures(session, gold.Window(start, end))
    evaluation = gold.next_evaluation(end)
    window = gold.review_window(on=evaluation)
    in_window = gold.figures(session, window)
    team = {
        "month": {"start": start.isoformat(), "end": end.isoformat(), **in_month.overall.to_json()},
        "manual": in_month.manual.to_json(),
        "gold_window": {
            "evaluation_day": evaluation.isoformat(),
            **window.to_json(),
            **in_window.overall.to_json(),
        },
    }
    return Scorecard(key, model, rows, months, {s.agent: s.total for s in before}, team)
