"""What agents actually send (issue 15 item 4): the agent turns of a chat log matched against the
quick phrases give each phrase's use count and last use; the replies agents type by hand again and
again, not yet a phrase, are grouped and proposed as team phrases.

A turn uses a phrase when its normal form (store/normalize.py) equals the phrase's, or is
near-equal (rapidfuzz ratio ≥ NEAR): agents insert a phrase and then fix a word or add a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from replybook.phrases.core import PhraseData, create_phrase, library_name
from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.store.models import Phrase, PhraseScope, User
from replybook.store.normalize import normalise
from replybook.tabular.chatlog import (
    AGENT,
    Conversation,
    is_zip,
    looks_like_blocks,
    read_block_text,
    read_hdd7_zip,
    read_khgkk_rows,
    turns,
)
from replybook.tabular.encodings import UndecodableText, detect_and_decode
from replybook.tabular.workbook import looks_like_workbook, open_workbook
from replybook.tabular.xlsx_writer import HELPER_SHEETS

NEAR = 90  # a phrase with a word changed is still that phrase
SAME_REPLY = 85  # two hand-typed replies this close are one reply typed twice
MIN_REPEATS = 3  # typed by hand this often: worth a phrase
MIN_LENGTH = 4  # 好的 / 在的 are not worth a phrase
PROPOSAL_GROUP = "常用回复"


@dataclass
class PhraseUse:
    phrase_id: int
    library: str  # 团队 / 小美的个人短语
    code: str
    text: str
    count: int = 0
    last: datetime | None = None


@dataclass
class Proposal:
    number: int  # what `replybook phrases usage LOG --add N` names
    text: str  # the wording typed most often
    count: int  # turns in the group
    wordings: list[str] = field(default_factory=list)


@dataclass
class UsageReport:
    agent_turns: int = 0
    matched: int = 0
    used: list[PhraseUse] = field(default_factory=list)  # most used first
    never: list[PhraseUse] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


def read_chat_log(data: bytes, *, source: str) -> list[Conversation]:
    """The conversations of a chat-log export: HDD7's ZIP, khgkk's workbook or the block text."""
    head = data[:8]
    if looks_like_workbook(head) and not source.lower().endswith(".zip"):
        with open_workbook(data, name=source) as book:
            sheet = next((n for n in book.sheet_names if n not in HELPER_SHEETS), None)
            chats = read_khgkk_rows(book.rows(sheet), sheet=sheet) if sheet else None
        if chats is None:
            raise ImportFormatError(source, [Problem("文件", "不是聊天记录：应有 客户ID、聊天记录 两列")])
        return chats
    if is_zip(head):
        return read_hdd7_zip(data, source=source)
    try:
        text = detect_and_decode(data)[0]
    except UndecodableText as exc:
        raise ImportFormatError(source, [Problem("文件", str(exc))]) from None
    if not looks_like_blocks(text):
        raise ImportFormatError(
            source,
            [
                Problem(
                    "文件", "不是聊天记录：应为千牛聊天记录 .zip、客户ID|聊天记录 工作簿或 时间/昵称: 内容 块"
                )
            ],
        )
    return read_block_text(text, source=source)


def _groups(texts: dict[str, list[tuple[str, datetime | None]]]) -> list[tuple[str, list[str], int]]:
    """Hand-typed replies grouped by near-equal normal forms: (most typed wording, wordings, count)."""
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for form in sorted(texts, key=lambda f: (-len(texts[f]), f)):
        best = (
            process.extractOne(form, leaders, scorer=fuzz.ratio, score_cutoff=SAME_REPLY) if leaders else None
        )
        if best is None:
            leaders.append(form)
            members[form] = [form]
        else:
            members[best[0]].append(form)
    found = []
    for forms in members.values():
        wordings: dict[str, int] = {}
        for form in forms:
            for raw, _at in texts[form]:
                wordings[raw] = wordings.get(raw, 0) + 1
        ranked = sorted(wordings, key=lambda w: (-wordings[w], w))
        found.append((ranked[0], ranked, sum(len(texts[f]) for f in forms)))
    return found


class PhraseMatcher:
    """Which quick phrase a message is (the rule above); for an agent, among the phrases they can
    insert — the team's and their own — as the scorecard counts them."""

    def __init__(self, phrases: list[Phrase]):
        self.exact: dict[str, int] = {}
        self._libraries: dict[str, dict[str, int]] = {}  # owner ("" for the team) → form → phrase id
        for p in phrases:
            form = normalise(p.text)
            self.exact.setdefault(form, p.id or 0)
            owner = "" if p.scope == PhraseScope.TEAM.value else p.owner
            self._libraries.setdefault(owner, {}).setdefault(form, p.id or 0)
        self._forms: dict[str | None, tuple[dict[str, int], list[str]]] = {
            None: (self.exact, list(self.exact))
        }

    @classmethod
    def of_shop(cls, session: Session) -> PhraseMatcher:
        return cls(list(session.exec(select(Phrase).order_by(col(Phrase.id)))))

    def _of(self, agent: str | None) -> tuple[dict[str, int], list[str]]:
        if agent not in self._forms:
            forms = dict(self._libraries.get("", {}))
            for form, phrase_id in self._libraries.get(agent or "", {}).items():
                forms.setdefault(form, phrase_id)
            self._forms[agent] = (forms, list(forms))
        return self._forms[agent]

    def match(self, text: str, agent: str | None = None) -> int | None:
        """The phrase id ``text`` is (None: typed by hand); ``agent``: only among their phrases."""
        exact, forms = self._of(agent)
        form = normalise(text)
        phrase_id = exact.get(form)
        if phrase_id is None and forms:
            best = process.extractOne(form, forms, scorer=fuzz.ratio, score_cutoff=NEAR)
            phrase_id = exact[best[0]] if best else None
        return phrase_id


def phrase_usage(session: Session, conversations: list[Conversation]) -> UsageReport:
    """Each phrase's uses in the agents' turns, the phrases never used, and the proposals."""
    phrases = list(session.exec(select(Phrase).order_by(col(Phrase.id))))
    agents = list(session.exec(select(User.name)))
    uses = {p.id: PhraseUse(p.id or 0, library_name(p.scope, p.owner), p.code, p.text) for p in phrases}
    matcher = PhraseMatcher(phrases)
    report = UsageReport()
    unmatched: dict[str, list[tuple[str, datetime | None]]] = {}
    for turn in turns(conversations, agents):
        text = " ".join(turn.message.text.split())
        if turn.role != AGENT or not text:
            continue
        report.agent_turns += 1
        form = normalise(text)
        phrase_id = matcher.match(text)
        if phrase_id is None:
            if len(form) >= MIN_LENGTH:
                unmatched.setdefault(form, []).append((text, turn.message.at))
            continue
        report.matched += 1
        use = uses[phrase_id]
        use.count += 1
        at = turn.message.at
        if at is not None and (use.last is None or at > use.last):
            use.last = at
    report.used = sorted((u for u in uses.values() if u.count), key=lambda u: (-u.count, u.library, u.code))
    report.never = [u for u in uses.values() if not u.count]
    repeated = [g for g in _groups(unmatched) if g[2] >= MIN_REPEATS]
    repeated.sort(key=lambda g: (-g[2], g[0]))
    report.proposals = [
        Proposal(number, text, count, wordings)
        for number, (text, wordings, count) in enumerate(repeated, start=1)
    ]
    return report


def proposal_code(session: Session, number: int) -> str:
    """A team code no phrase has: cy1, cy2, … (常用)."""
    taken = set(session.exec(select(Phrase.code).where(Phrase.scope == PhraseScope.TEAM)))
    n = number
    while f"cy{n}" in taken:
        n += 1
    return f"cy{n}"


def adopt_proposal(session: Session, report: UsageReport, number: int, *, user: str | None = None) -> Phrase:
    """Make proposal ``number`` a team phrase (a versioned create, with history)."""
    chosen = next((p for p in report.proposals if p.number == number), None)
    if chosen is None:
        shown = f"1–{len(report.proposals)}" if report.proposals else "无"
        raise InvalidValue(f"没有第 {number} 条建议（可选：{shown}）")
    return adopt_text(session, chosen.text, user=user, number=number)


def adopt_text(session: Session, text: str, *, user: str | None = None, number: int = 1) -> Phrase:
    """A team phrase of ``text`` in the 常用回复 group with a new code (the web's 设为团队短语)."""
    if not text.strip():
        raise InvalidValue("没有要设为团队短语的内容")
    data = PhraseData(
        scope=PhraseScope.TEAM, owner="", group=PROPOSAL_GROUP, code=proposal_code(session, number), text=text
    )
    return create_phrase(session, data=data, user=user)
