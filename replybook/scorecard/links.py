"""Links back to the reply configuration (issue 17 item 5): the buyer questions each agent answered
in a month's chat logs that the library does not cover, counted and most frequent first — the input
for the next library update. The verdict is the coverage run's (the same matcher, the same ignored
list); each question links to teaching the bot (web/teach.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from replybook.coverage.ignored import effective_status, ignore_key, ignored_keys, ignored_mask
from replybook.coverage.matching import Matcher
from replybook.coverage.outcomes import STATUSES
from replybook.coverage.question import make_question
from replybook.scorecard.chat_times import BOT_NAMES, chat_agents, read_conversations
from replybook.scorecard.days import parse_month
from replybook.scorecard.figures_file import agent_name
from replybook.store.errors import ImportFormatError, Problem, file_error
from replybook.tabular.chatlog import Conversation, buyer_questions

TOP = 5  # the uncovered questions shown per agent
UNCOVERED = STATUSES.index("uncovered")


@dataclass
class AskedQuestion:
    """One uncovered question (its wordings grouped by the ignored list's normal form)."""

    question: str  # the wording asked most often
    count: int
    wordings: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)  # the nearest entries, for 加为相似问法

    @property
    def teach_path(self) -> str:
        """新建问答 from this question on the web (GET /teach/entry, the teach loop's editor)."""
        return "/teach/entry?" + urlencode([("question", w) for w in self.wordings[:5]])

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "count": self.count,
            "wordings": self.wordings,
            "teach": self.teach_path,
            "candidates": self.candidates,
        }


@dataclass
class AgentQuestions:
    """What one agent answered in the month's chat logs: how many questions, how many the library
    does not cover, and the most frequent of those."""

    answered: int = 0
    uncovered: int = 0
    top: list[AskedQuestion] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "uncovered": self.uncovered,
            "top": [q.to_json() for q in self.top],
        }


def uncovered_by_agent(
    session: Session, conversations: list[Conversation], *, month: str, at: datetime, top: int = TOP
) -> dict[str, AgentQuestions]:
    """Agent → the questions they answered in ``month`` (asked then, by the chat logs' times) and the
    ``top`` most frequent of those the library as it is at ``at`` leaves uncovered (ignored ones are
    not missing, as in a coverage run)."""
    start, end = parse_month(month)
    asked, _ = buyer_questions(conversations, chat_agents(session), bots=BOT_NAMES)
    problems: list[Problem] = []
    pairs: list[tuple[str, str]] = []  # (agent, question text)
    for q in asked:
        if q.answered_by is None or q.at is None or not start <= q.at.date() <= end:
            continue
        question = make_question(q.text, q.where, problems)
        if question is not None:
            pairs.append((agent_name(q.answered_by), question.text))
    if problems:
        raise ImportFormatError("聊天记录", problems[:500])
    found: dict[str, AgentQuestions] = defaultdict(AgentQuestions)
    if not pairs:
        return dict(found)
    matcher = Matcher.build(session, at=at)
    texts = [text for _, text in pairs]
    outcomes = matcher.match_many(texts)
    status = effective_status(outcomes.status, ignored_mask(texts, ignored_keys(session)))
    groups: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)  # agent → key → wording → count
    for (agent, text), code in zip(pairs, status, strict=True):
        found[agent].answered += 1
        if int(code) != UNCOVERED:
            continue
        found[agent].uncovered += 1
        wordings = groups[agent].setdefault(ignore_key(text), {})
        wordings[text] = wordings.get(text, 0) + 1
    for agent, keys in groups.items():
        ranked = []
        for wordings in keys.values():
            ordered = sorted(wordings, key=lambda w: (-wordings[w], w))
            ranked.append(AskedQuestion(ordered[0], sum(wordings.values()), ordered))
        ranked.sort(key=lambda a: (-a.count, a.question))
        for item in ranked[:top]:
            item.candidates = [
                {"entry_id": m.entry_id, "question": m.question, "score": round(m.score, 1)}
                for m in matcher.top(item.question, n=3)
            ]
        found[agent].top = ranked[:top]
    return dict(found)


def read_chat_logs(paths: list[Path]) -> list[Conversation]:
    """The conversations of every chat log given (any exporter's shape), in order."""
    conversations: list[Conversation] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise file_error(path, exc) from None
        conversations += chat_log(data, source=str(path))
    return conversations


def chat_log(data: bytes, *, source: str) -> list[Conversation]:
    """A chat log's conversations; a file in which none is found is refused."""
    found = read_conversations(data, source=source)
    if not any(c.messages for c in found):
        shapes = "千牛聊天记录 .zip、客户ID | 聊天记录 工作簿，或 时间 / 昵称: 内容 文本"
        raise ImportFormatError(source, [Problem("文件", f"没有读到聊天记录：应为{shapes}")])
    return found
