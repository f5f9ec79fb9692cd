"""Response times from chat logs (issue 17 item 2): per agent and day, the first-response time, the
average response time and the platform's 3-minute response rate — buyer turns answered by an agent
or the bot within 3 minutes, counting only turns that start 08:00–24:00 (both configurable).

A buyer turn is the buyer's messages until someone of the shop answers; it starts with its first
message and belongs to the agent who answers it (a bot answer or no answer: the conversation's agent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from sqlmodel import Session, select

from replybook.phrases.usage import PhraseMatcher
from replybook.scorecard.figures_file import agent_name
from replybook.store import history
from replybook.store.errors import ImportFormatError, InvalidValue, Problem, file_error
from replybook.store.models import User
from replybook.store.models_scorecard import AgentDay
from replybook.tabular.chatlog import (
    AGENT,
    BUYER,
    Conversation,
    is_zip,
    read_block_text,
    read_hdd7_zip,
    read_khgkk_rows,
    role_of,
)
from replybook.tabular.encodings import detect_and_decode
from replybook.tabular.workbook import looks_like_workbook, open_workbook

LIMIT_SECONDS = 180  # the platform's 3 minutes
WINDOW = (time(8, 0), None)  # 08:00 … 24:00; None: until midnight
BOT_NAMES = frozenset({"店小蜜", "阿里店小蜜", "机器人", "智能客服"})
Window = tuple[time, time | None]


@dataclass(frozen=True)
class ResponseRule:
    """How the response rate is counted: answered within ``limit_seconds``, buyer turns inside the
    ``window`` of the day only (the platform's: 3 minutes, 08:00–24:00)."""

    limit_seconds: int = LIMIT_SECONDS
    window: Window = WINDOW

    @property
    def label(self) -> str:
        start, end = self.window
        until = "24:00" if end is None else f"{end:%H:%M}"
        return f"{self.limit_seconds} 秒内回复，{start:%H:%M}–{until}"


DEFAULT_RULE = ResponseRule()


def parse_rule(window: str = "", limit: str = "") -> ResponseRule:
    """The rule from what a user typed: ``08:00-24:00`` (or 08:00–24:00) and seconds; empty: the
    platform's. A bad value: one Chinese line saying what was expected."""
    limit_seconds = LIMIT_SECONDS
    if str(limit).strip():
        try:
            limit_seconds = int(str(limit).strip())
        except ValueError:
            limit_seconds = 0
        if not 1 <= limit_seconds <= 86_400:
            raise InvalidValue(f"回复时限：“{limit}”应为 1 到 86400 之间的整数秒（平台为 180）")
    span: Window = WINDOW
    text = str(window).strip().replace("–", "-").replace("—", "-").replace("～", "-").replace("~", "-")
    if text:
        found = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", text)
        ok = found is not None
        if found:
            h1, m1, h2, m2 = (int(g) for g in found.groups())
            ok = h1 < 24 and m1 < 60 and m2 < 60 and (h2 < 24 or (h2, m2) == (24, 0))
            if ok:
                start, end = time(h1, m1), None if h2 == 24 else time(h2, m2)
                ok = end is None or end > start
                span = (start, end)
        if not ok:
            raise InvalidValue(f"统计时段：“{window}”应写成 开始-结束，如 08:00-24:00（结束晚于开始）")
    return ResponseRule(limit_seconds, span)


@dataclass
class ResponseDay:
    turns: int = 0  # buyer turns inside the window
    within: int = 0  # of those, answered within the limit
    responses: list[float] = field(default_factory=list)  # seconds to each answered turn in the window
    firsts: list[float] = field(default_factory=list)  # seconds to the first answer of each conversation-day
    phrase_messages: int = 0  # the agent's messages that are one of their quick phrases (team or own)
    typed_messages: int = 0  # the agent's other messages: typed by hand

    @property
    def rate(self) -> float | None:
        return self.within / self.turns if self.turns else None

    @property
    def average(self) -> float | None:
        return sum(self.responses) / len(self.responses) if self.responses else None

    @property
    def first(self) -> float | None:
        return sum(self.firsts) / len(self.firsts) if self.firsts else None


def _in_window(moment: datetime, window: tuple[time, time | None]) -> bool:
    start, end = window
    return moment.time() >= start and (end is None or moment.time() < end)


def response_days(
    conversations: list[Conversation],
    agents: set[str] | frozenset[str] = frozenset(),
    *,
    limit_seconds: int = LIMIT_SECONDS,
    window: tuple[time, time | None] = WINDOW,
    bots: frozenset[str] = BOT_NAMES,
    phrases: PhraseMatcher | None = None,
) -> dict[tuple[str, date], ResponseDay]:
    """(agent, day) → the day's response figures; with ``phrases`` (the shop's quick phrases), also
    how many of their messages were one of the phrases they can insert (the phrase-usage rule:
    equal or near-equal normal forms) and how many were typed by hand."""
    found: dict[tuple[str, date], ResponseDay] = {}
    for c in conversations:
        roles = [
            ("bot" if m.sender in bots else role_of(m.sender, c.buyer, set(agents)), m) for m in c.messages
        ]
        speakers = [agent_name(m.sender) for role, m in roles if role == AGENT]
        current = speakers[0] if speakers else None
        pending: datetime | None = None
        answered_days: set[date] = set()
        turns: list[tuple[datetime, datetime | None, str | None]] = []
        for role, m in roles:
            if m.at is None:
                continue
            if role == BUYER:
                pending = pending or m.at
            elif role in (AGENT, "bot"):
                if role == AGENT:
                    current = agent_name(m.sender)
                    if phrases is not None and m.text.strip():
                        day = found.setdefault((current, m.at.date()), ResponseDay())
                        if phrases.match(" ".join(m.text.split()), current) is not None:
                            day.phrase_messages += 1
                        else:
                            day.typed_messages += 1
                if pending is not None:
                    turns.append((pending, m.at, current))
                    pending = None
        if pending is not None:
            turns.append((pending, None, current))
        for start, answer, agent in turns:
            if agent is None:
                continue  # nobody of the shop ever spoke: no agent to count it for
            day = found.setdefault((agent, start.date()), ResponseDay())
            seconds = (answer - start).total_seconds() if answer is not None else None
            if seconds is not None and start.date() not in answered_days:
                answered_days.add(start.date())
                day.firsts.append(seconds)
            if not _in_window(start, window):
                continue
            day.turns += 1
            if seconds is not None:
                day.responses.append(seconds)
                if seconds <= limit_seconds:
                    day.within += 1
    return found


def read_conversations(data: bytes, *, source: str) -> list[Conversation]:
    """A chat log in any exporter's shape (ZIP of JSON, 客户ID | 聊天记录 workbook, block text)."""
    head = data[:8]
    if is_zip(head) and source.lower().endswith(".zip"):
        return read_hdd7_zip(data, source=source)
    if looks_like_workbook(head):
        with open_workbook(data, name=source) as book:
            for sheet in book.sheet_names:
                found = read_khgkk_rows(book.rows(sheet), sheet=sheet)
                if found is not None:
                    return found
        raise ImportFormatError(source, [Problem("文件", "工作簿里没有“聊天记录”列")])
    try:
        text, _ = detect_and_decode(data)
    except InvalidValue as exc:
        raise ImportFormatError(source, [Problem("文件", str(exc))]) from None
    return read_block_text(text, source=source)


def shop_response_days(
    session: Session, data: bytes, *, source: str, rule: ResponseRule = DEFAULT_RULE
) -> dict[tuple[str, date], ResponseDay]:
    """A chat log's figures per (agent, day) for this shop: its agents, its quick phrases, ``rule``."""
    return response_days(
        read_conversations(data, source=source),
        chat_agents(session),
        limit_seconds=rule.limit_seconds,
        window=rule.window,
        phrases=PhraseMatcher.of_shop(session),
    )


def chat_agents(session: Session) -> set[str]:
    """Which senders of a chat log are the shop's agents: the names of its accounts (besides the
    店铺名:子账号 form ``role_of`` recognises by itself)."""
    return set(session.exec(select(User.name)).all())


def import_chatlog(
    session: Session, path: Path, *, user: str | None = None, rule: ResponseRule = DEFAULT_RULE
) -> dict[tuple[str, date], ResponseDay]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_error(path, exc) from None
    return import_chatlog_bytes(session, data, source=str(path), user=user, rule=rule)


def import_chatlog_bytes(
    session: Session,
    data: bytes,
    *,
    source: str,
    user: str | None = None,
    rule: ResponseRule = DEFAULT_RULE,
) -> dict[tuple[str, date], ResponseDay]:
    """Store a chat log's response figures as the agents' "chatlog" days (a day already stored from a
    chat log is replaced); a report's figures are kept beside them. Stored, so the month's 考核表
    shows them without the log being given again."""
    days = shop_response_days(session, data, source=source, rule=rule)
    for (agent, day), figures in sorted(days.items()):
        values = {
            "avg_response_seconds": figures.average,
            "first_response_seconds": figures.first,
            "rate_3min": figures.rate,
            "buyer_turns": figures.turns,
            "phrase_messages": figures.phrase_messages,
            "typed_messages": figures.typed_messages,
        }
        stored = session.exec(
            select(AgentDay).where(AgentDay.day == day, AgentDay.agent == agent, AgentDay.source == "chatlog")
        ).first()
        what = f"{day} {agent} 的响应时间（聊天记录 {source}）"
        if stored is None:
            row = AgentDay(day=day, agent=agent, source="chatlog", **values)  # type: ignore[arg-type]
            history.create(session, row, user=user, summary=f"新增 {what}")
        else:
            history.update(session, stored, values, expected_version=None, user=user, summary=f"更新 {what}")
    session.flush()
    return days
