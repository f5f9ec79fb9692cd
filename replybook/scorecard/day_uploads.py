"""What an uploaded figures file or chat log would change, before anything is written (issue 17 item
2, the web's dry run): each day to add or change, and the response figures a chat log gives per
agent. The confirm writes with the same functions the CLI uses (days.import_days,
chat_times.import_chatlog_bytes), all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from replybook.scorecard.chat_times import DEFAULT_RULE, ResponseDay, ResponseRule, shop_response_days
from replybook.scorecard.days import IMPORT_MODES, hand_days_note
from replybook.scorecard.figures_file import read_figures_file
from replybook.scorecard.hand_days import FIGURE_COLUMNS, attr, figure_cell, rate_text
from replybook.store.errors import InvalidValue
from replybook.store.models_scorecard import AgentDay

ACTIONS = {"add": "新增", "change": "修改", "same": "不变", "remove": "删除", "keep": "保留（手工录入）"}


@dataclass
class DayChange:
    day: date
    agent: str
    action: str  # add | change | same | remove | keep (typed by hand: the import leaves it)
    figures: dict[str, str] = field(default_factory=dict)  # column key → the text the day will have
    before: dict[str, str] = field(default_factory=dict)  # column key → the stored text it replaces
    typed_by_hand: bool = False  # the stored day was typed on the web

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "agent": self.agent,
            "action": self.action,
            "action_name": ACTIONS[self.action],
            "figures": self.figures,
            "before": self.before,
            "typed_by_hand": self.typed_by_hand,
        }


@dataclass
class UploadPlan:
    kind: str  # figures | chatlog
    source: str
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    days: list[DayChange] = field(default_factory=list)
    agents: list[dict[str, Any]] = field(default_factory=list)  # chat logs: per-agent response figures

    def counts(self) -> dict[str, int]:
        return {a: sum(1 for d in self.days if d.action == a) for a in ACTIONS}

    def fingerprint(self) -> str:
        """What the preview promised; the confirm applies only while the plan is still this."""
        return ",".join(f"{d.day}/{d.agent}/{d.action}" for d in self.days)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "encoding": self.encoding,
            "notes": self.notes,
            "counts": self.counts(),
            "days": [d.to_json() for d in self.days],
            "agents": self.agents,
        }


def _stored(session: Session, source: str, first: date, last: date) -> dict[tuple[date, str], AgentDay]:
    stmt = select(AgentDay).where(
        AgentDay.source == source, col(AgentDay.day) >= first, col(AgentDay.day) <= last
    )
    return {(d.day, d.agent): d for d in session.exec(stmt)}


def plan_figures(
    session: Session, data: bytes, *, source: str, mode: str = "merge", overwrite_hand_days: bool = False
) -> UploadPlan:
    """The dry run of days.import_days: the same reading (every problem by row and column), then
    each row against the stored report day; a day typed by hand is listed as kept (with the file's
    figures beside it when the file has that day) unless ``overwrite_hand_days``."""
    if mode not in IMPORT_MODES:
        raise InvalidValue(f"未知的导入方式 {mode!r}，应为 merge 或 replace")
    parsed = read_figures_file(data, source=source)
    plan = UploadPlan("figures", source, parsed.encoding, list(parsed.notes))
    days = [r.day for r in parsed.rows]
    stored = _stored(session, "report", min(days), max(days))
    for row in parsed.rows:
        keys = [c.key for c in FIGURE_COLUMNS if mode == "replace" or c.key in row.values]
        after = {k: figure_cell(k, row.values.get(k)) for k in keys}
        existing = stored.get((row.day, row.agent))
        if existing is None:
            plan.days.append(DayChange(row.day, row.agent, "add", after))
            continue
        before = {k: figure_cell(k, getattr(existing, attr(k))) for k in keys}
        action = "same" if before == after else "change"
        if existing.typed_by_hand and not overwrite_hand_days:
            action = "keep"
        plan.days.append(DayChange(row.day, row.agent, action, after, before, existing.typed_by_hand))
    if mode == "replace":
        in_file = {(r.day, r.agent) for r in parsed.rows}
        for (day, agent), item in sorted(stored.items()):
            if (day, agent) not in in_file:
                before = {c.key: figure_cell(c.key, getattr(item, attr(c.key))) for c in FIGURE_COLUMNS}
                action = "keep" if item.typed_by_hand and not overwrite_hand_days else "remove"
                plan.days.append(DayChange(day, agent, action, {}, before, item.typed_by_hand))
    met = sum(1 for d in plan.days if d.typed_by_hand and d.action != "same")
    note = hand_days_note(met, overwrite=overwrite_hand_days)
    if note:
        plan.notes.append(note)
    return plan


CHAT_SECONDS = ("avg_response_seconds", "first_response_seconds")


def _chat_text(day: ResponseDay) -> dict[str, str]:
    return {
        "avg_response_seconds": figure_cell("avg_response_seconds", _round(day.average)),
        "first_response_seconds": figure_cell("first_response_seconds", _round(day.first)),
        "rate_3min": rate_text(day.rate),
        "buyer_turns": str(day.turns),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def plan_chatlog(
    session: Session, data: bytes, *, source: str, rule: ResponseRule = DEFAULT_RULE
) -> UploadPlan:
    """The dry run of chat_times.import_chatlog_bytes: the response figures per agent and day the log
    gives, each day new or replacing the one an earlier log stored, and per agent over the log."""
    days = shop_response_days(session, data, source=source, rule=rule)
    plan = UploadPlan("chatlog", source)
    if not days:
        return plan
    stored = _stored(session, "chatlog", min(d for _, d in days), max(d for _, d in days))
    per_agent: dict[str, ResponseDay] = {}
    for (agent, day), figures in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        existing = stored.get((day, agent))
        after = _chat_text(figures)
        before = {}
        if existing is not None:
            before = {k: figure_cell(k, _round(getattr(existing, k))) for k in CHAT_SECONDS}
            before["rate_3min"] = rate_text(existing.rate_3min)
            before["buyer_turns"] = "" if existing.buyer_turns is None else str(existing.buyer_turns)
        action = "add" if existing is None else ("same" if before == after else "change")
        plan.days.append(DayChange(day, agent, action, after, before))
        total = per_agent.setdefault(agent, ResponseDay())
        total.turns += figures.turns
        total.within += figures.within
        total.responses += figures.responses
        total.firsts += figures.firsts
    for agent, total in sorted(per_agent.items()):
        n_days = sum(1 for a, _ in days if a == agent)
        plan.agents.append({"agent": agent, "days": n_days, "within": total.within, **_chat_text(total)})
    return plan
