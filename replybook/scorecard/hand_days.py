"""One agent's day typed by hand (issue 17 item 1, the web form): the report's columns, checked by
the same rules as a report file, stored as that day's report figures (a versioned "agentday"), so a
day typed by hand and a day imported are one thing with one history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from replybook.scorecard.days import parse_month
from replybook.scorecard.figures_file import COLUMNS, RATES, SECONDS, agent_name, figure_value
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models_scorecard import AgentDay
from replybook.store.timeutil import parse_date

FIGURE_COLUMNS = COLUMNS[2:]  # 咨询人数 … 投诉: everything after 日期 and 客服


def attr(key: str) -> str:
    """A report column's key as the AgentDay attribute it fills (sales are stored in cents)."""
    return "sales_cents" if key == "sales" else key


@dataclass
class DayData:
    day: date
    agent: str
    values: dict[str, int | float | None] = field(default_factory=dict)  # AgentDay attribute → value


def parse_day(typed: Mapping[str, Any]) -> DayData:
    """The form's text as a day's figures; every problem named by its field, in one line."""
    problems: list[str] = []
    day_text = _text(typed.get("day"))
    day: date | None = None
    if not day_text:
        problems.append("日期：不能为空")
    else:
        try:
            day = parse_date(day_text)
        except InvalidValue:
            problems.append(f"日期：无法识别“{day_text}”，应为 2026-11-01")
    agent = agent_name(_text(typed.get("agent")))
    if not agent:
        problems.append("客服：不能为空")
    elif len(agent) > 64:
        problems.append("客服：名称最多 64 个字")
    values: dict[str, int | float | None] = {}
    for column in FIGURE_COLUMNS:
        value, problem = figure_value(column.key, _text(typed.get(column.key)))
        if problem:
            problems.append(f"{column.name}：{problem}")
        values[attr(column.key)] = value
    if problems or day is None:
        raise InvalidValue("；".join(problems))
    return DayData(day, agent, values)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def day_text(row: AgentDay) -> dict[str, str]:
    """A stored day as the form shows it (the text that parses back to the same figures)."""
    out = {"day": row.day.isoformat(), "agent": row.agent}
    for column in FIGURE_COLUMNS:
        out[column.key] = figure_cell(column.key, getattr(row, attr(column.key)))
    return out


def figure_cell(key: str, value: int | float | None) -> str:
    if value is None:
        return ""
    if key == "sales":
        return f"{Decimal(int(value)) / 100:.2f}"
    if key in RATES:
        return f"{Decimal(str(value)) * 100:.4f}".rstrip("0").rstrip(".") + "%"
    if key in SECONDS:
        return f"{value:g}"
    return str(int(value))


def rate_text(value: float | None) -> str:
    """A rate as people read it (33.33%), for figures shown but not typed back."""
    if value is None:
        return ""
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def get_day(session: Session, day_id: int) -> AgentDay:
    row = session.get(AgentDay, day_id)
    if row is None or row.source != "report":
        raise NotFoundError(f"没有这条考核数据 #{day_id}（可能已被删除，可在历史里恢复）")
    return row


def stored_day(session: Session, day: date, agent: str) -> AgentDay | None:
    stmt = select(AgentDay).where(AgentDay.day == day, AgentDay.agent == agent, AgentDay.source == "report")
    return session.exec(stmt).first()


def _taken(session: Session, data: DayData, day_id: int | None) -> None:
    other = stored_day(session, data.day, data.agent)
    if other is not None and other.id != day_id:
        raise ConflictError(
            f"{data.day} {data.agent} 已有考核数据（第 {other.version} 版）：请在列表里打开那一天修改"
        )


def create_day(session: Session, data: DayData, *, user: str | None) -> AgentDay:
    """A new day; a day already stored for that agent is refused (edit it instead)."""
    _taken(session, data, None)
    row = AgentDay(day=data.day, agent=data.agent, source="report", typed_by_hand=True, **data.values)  # type: ignore[arg-type]
    history.create(session, row, user=user, summary=f"手工录入 {data.day} {data.agent} 的考核数据")
    session.flush()
    return row


def update_day(
    session: Session, day_id: int, data: DayData, *, expected_version: int | None, user: str | None
) -> AgentDay:
    """Save the day as typed over version ``expected_version`` (StaleVersionError when it moved on)."""
    row = get_day(session, day_id)
    _taken(session, data, day_id)
    changes: dict[str, Any] = {"day": data.day, "agent": data.agent, "typed_by_hand": True, **data.values}
    history.update(
        session,
        row,
        changes,
        expected_version=expected_version,
        user=user,
        summary=f"手工修改 {data.day} {data.agent} 的考核数据",
    )
    session.flush()
    return row


def delete_day(session: Session, day_id: int, *, expected_version: int | None, user: str | None) -> int:
    """Delete the day (kept in its history); returns the revision that restores it."""
    row = get_day(session, day_id)
    history.delete(
        session,
        row,
        expected_version=expected_version,
        user=user,
        summary=f"删除 {row.day} {row.agent} 的考核数据",
    )
    session.flush()
    return history.revisions(session, "agentday", day_id)[0].id or 0


def previous_revision(session: Session, day_id: int) -> int | None:
    """The revision before the day's latest one: restoring it undoes the last change."""
    revisions = history.revisions(session, "agentday", day_id)
    return revisions[1].id if len(revisions) > 1 else None


def month_days(session: Session, month: str) -> dict[str, list[dict[str, Any]]]:
    """The month's days per agent, oldest first: the report's figures (typed or imported) with the
    chat logs' response figures of the same day beside them."""
    start, end = parse_month(month)
    stmt = (
        select(AgentDay)
        .where(col(AgentDay.day) >= start, col(AgentDay.day) <= end)
        .order_by(col(AgentDay.agent), col(AgentDay.day))
    )
    report: dict[tuple[str, date], AgentDay] = {}
    chat: dict[tuple[str, date], AgentDay] = {}
    for row in session.exec(stmt):
        (report if row.source == "report" else chat)[(row.agent, row.day)] = row
    out: dict[str, list[dict[str, Any]]] = {}
    for agent, day in sorted(report.keys() | chat.keys()):
        r, c = report.get((agent, day)), chat.get((agent, day))
        out.setdefault(agent, []).append(
            {
                "day": day.isoformat(),
                "id": r.id if r is not None else None,
                "version": r.version if r is not None else None,
                "report": day_text(r) if r is not None else None,
                "chatlog": chat_figures(c) if c is not None else None,
            }
        )
    return out


def chat_figures(row: AgentDay) -> dict[str, str]:
    """A chat-log day's response figures as text."""
    return {
        "avg_response_seconds": figure_cell("avg_response_seconds", row.avg_response_seconds),
        "first_response_seconds": figure_cell("first_response_seconds", row.first_response_seconds),
        "rate_3min": rate_text(row.rate_3min),
        "buyer_turns": "" if row.buyer_turns is None else str(row.buyer_turns),
    }
