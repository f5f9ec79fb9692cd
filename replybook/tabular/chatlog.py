"""Chat logs as the exporters shops use write them (SPEC §8a, issue 15 item 3). Qianniu has no bulk
export, so shops run one of these:

- the userscript 千牛客服聊天记录导出器 (github HDD7/Batch-export-of-Qianniu-chat-history): a ZIP
  ``千牛聊天记录_<date>.zip`` of one ``<buyer>.json`` per buyer, each
  ``{"user", "exportTime", "count", "chats": [{"date", "time", "sender", "text", "imgUrl"}]}``;
- khgkk/qianniu-chat-extract: an .xlsx with the columns ``客户ID | 聊天记录``, each cell the messages
  as ``时间\\n昵称: 内容`` blocks separated by blank lines;
- the same blocks as plain text (a line ``客户ID: …`` may start each buyer's conversation).

Reading gives conversations of messages with their sender and time; ``turns`` then decides who spoke:
the conversation's buyer (its ``user`` / 客户ID), an agent (a replybook user, or a sender in the
sub-account form ``店铺名:子账号``), or unknown.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from replybook.store.errors import ImportFormatError, Problem
from replybook.store.timeutil import SHOP_TZ

MERGE_SECONDS = 10  # buyers split one question over lines sent seconds apart: one question
MAX_MEMBERS = 50_000
MAX_UNPACKED = 200 * 1024 * 1024  # a ZIP that unpacks to more than this is refused (a zip bomb)
IMAGE_TEXTS = ("[图片]", "【图片】", "[image]", "[表情]", "【表情】")
BUYER, AGENT, UNKNOWN = "buyer", "agent", "unknown"
ROLE_NAMES = {BUYER: "买家", AGENT: "客服", UNKNOWN: "未知"}

_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_STAMP = re.compile(rf"^\s*(?:{_DATE}[ T]*)?{_TIME}\s*$")
_DATE_ONLY = re.compile(rf"^\s*{_DATE}\s*$")
_SENDER = re.compile(r"^(?P<sender>[^\n]+?)(?::\s|：)(?P<text>.*)$", re.DOTALL)
_CUSTOMER = re.compile(r"^\s*(?:客户ID|客户|买家ID|买家)\s*[:：]\s*(?P<id>.+?)\s*$")
_SUB_ACCOUNT = re.compile(r"^[^:：\s][^:：]*[:：][^:：\s][^:：]*$")


@dataclass(frozen=True)
class Message:
    sender: str
    text: str
    at: datetime | None = None
    image: str = ""
    where: str = ""

    @property
    def image_only(self) -> bool:
        return not self.text.strip() or self.text.strip() in IMAGE_TEXTS


@dataclass
class Conversation:
    """One buyer's messages, in order; ``buyer`` is None when the file does not say who it is."""

    buyer: str | None
    messages: list[Message] = field(default_factory=list)
    source: str = ""


def parse_moment(date_text: str, time_text: str = "", *, year_of: datetime | None = None) -> datetime | None:
    """A message's time from the date and time the exporter wrote (shop time); None when unreadable."""
    text = f"{date_text} {time_text}".strip()
    m = _STAMP.match(text)
    if m is None:
        d = _DATE_ONLY.match(text)
        if d is None:
            return None
        y, mo, da = (int(x) for x in d.groups())
        h = mi = s = 0
    else:
        y_, mo_, da_, h_, mi_, s_ = m.groups()
        if y_ is None:
            return None  # a time of day alone says nothing about the day
        y, mo, da, h, mi, s = int(y_), int(mo_), int(da_), int(h_), int(mi_), int(s_ or 0)
    try:
        return datetime(y, mo, da, h, mi, s, tzinfo=SHOP_TZ)
    except ValueError:
        return None


def is_time_line(line: str) -> bool:
    return _STAMP.match(line) is not None and any(ch.isdigit() for ch in line)


# ---------------------------------------------------------------- HDD7: a ZIP of JSON per buyer


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def read_hdd7_zip(data: bytes, *, source: str) -> list[Conversation]:
    """The userscript's ZIP: one JSON per buyer; every bad member is a problem naming it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFormatError(
            source, [Problem("文件", f"无法按 ZIP 读取（{type(exc).__name__}）")]
        ) from None
    if len(members) > MAX_MEMBERS or sum(i.file_size for i in members) > MAX_UNPACKED:
        raise ImportFormatError(source, [Problem("文件", "ZIP 解压后太大（最多 200 MB、5 万个文件）")])
    problems: list[Problem] = []
    found: list[Conversation] = []
    for info in members:  # in the order the exporter added them (its list of buyers)
        name = info.filename
        if not name.lower().endswith(".json") or name.startswith("__MACOSX/"):
            continue
        try:
            raw = archive.read(info)
            doc = json.loads(raw.decode("utf-8-sig"))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            problems.append(Problem(name, f"无法读取 JSON（{type(exc).__name__}）"))
            continue
        conversation = _hdd7_conversation(doc, name, problems)
        if conversation is not None:
            found.append(conversation)
    if problems:
        raise ImportFormatError(source, problems[:500])
    if not found:
        raise ImportFormatError(source, [Problem("文件", "ZIP 里没有聊天记录 JSON（每位买家一个 .json）")])
    return found


def _hdd7_conversation(doc: object, name: str, problems: list[Problem]) -> Conversation | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("chats"), list):
        problems.append(
            Problem(name, '应为 {"user": …, "chats": [{"date", "time", "sender", "text", "imgUrl"}]}')
        )
        return None
    user = doc.get("user")
    conversation = Conversation(str(user) if isinstance(user, str | int) and str(user) else None, source=name)
    for index, chat in enumerate(doc["chats"], start=1):
        if not isinstance(chat, dict):
            problems.append(
                Problem(f"{name} 第 {index} 条", "应为一条消息 {date, time, sender, text, imgUrl}")
            )
            continue
        values = {k: chat.get(k) for k in ("date", "time", "sender", "text", "imgUrl")}
        if any(v is not None and not isinstance(v, str) for v in values.values()):
            problems.append(Problem(f"{name} 第 {index} 条", "date、time、sender、text、imgUrl 应为文字"))
            continue
        conversation.messages.append(
            Message(
                sender=(values["sender"] or "").strip(),
                text=values["text"] or "",
                at=parse_moment(values["date"] or "", values["time"] or ""),
                image=values["imgUrl"] or "",
                where=f"{name} 第 {index} 条",
            )
        )
    return conversation


# ---------------------------------------------------------------- blocks: 时间\n昵称: 内容


def parse_blocks(text: str, *, buyer: str | None = None, where: str = "") -> list[Message]:
    """Messages of one cell (or one conversation of a text file): blocks of a time line and a
    ``昵称: 内容`` line (more lines continue the message), separated by blank lines."""
    messages: list[Message] = []
    at: datetime | None = None
    current: dict[str, str] | None = None
    last_date = ""

    def finish() -> None:
        nonlocal current
        if current is not None:
            messages.append(Message(current["sender"], current["text"].strip("\n"), at, where=where))
        current = None

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if is_time_line(stripped):
            finish()
            moment = parse_moment(stripped)
            if moment is None and last_date:  # a time of day under an earlier date
                moment = parse_moment(last_date, stripped)
            if moment is not None:
                last_date = moment.date().isoformat()
            at = moment
            continue
        if _DATE_ONLY.match(stripped):
            finish()
            last_date = stripped
            continue
        if not stripped:
            if current is not None:
                current["text"] += "\n"
            continue
        m = _SENDER.match(stripped)
        if current is None or (m is not None and current["text"].endswith("\n")):
            if m is None:
                continue  # a line outside any block: not a message
            finish()
            current = {"sender": m.group("sender").strip(), "text": m.group("text")}
        else:
            current["text"] += ("" if current["text"].endswith("\n") else "\n") + stripped
    finish()
    return [m for m in messages if m.sender]


def looks_like_blocks(text: str) -> bool:
    """Whether a text file is in the block form: time lines each followed by a ``昵称: 内容`` line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    times = sum(1 for i, ln in enumerate(lines[:-1]) if is_time_line(ln) and _SENDER.match(lines[i + 1]))
    return times >= 1 and times * 3 >= len(lines)


def read_block_text(text: str, *, source: str) -> list[Conversation]:
    """A text file of blocks; a line ``客户ID: …`` starts a buyer's conversation."""
    found: list[Conversation] = []
    buyer: str | None = None
    chunk: list[str] = []
    start = 1

    def flush() -> None:
        if any(line.strip() for line in chunk):
            messages = parse_blocks("\n".join(chunk), buyer=buyer, where=f"第 {start} 行起")
            found.append(Conversation(buyer, messages, source=f"{source} 第 {start} 行起"))

    for number, line in enumerate(text.splitlines(), start=1):
        m = _CUSTOMER.match(line)
        if m is not None:
            flush()
            buyer, chunk, start = m.group("id"), [], number + 1
            continue
        chunk.append(line)
    flush()
    return found


def read_khgkk_rows(rows: Iterable[tuple[int, list[str]]], *, sheet: str) -> list[Conversation] | None:
    """khgkk's workbook (客户ID | 聊天记录): one buyer a row; None when the header is not that."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return None
    header = [c.strip() for c in first[1]]
    if "聊天记录" not in header:
        return None
    log = header.index("聊天记录")
    buyer_col = next((header.index(h) for h in ("客户ID", "客户", "买家", "买家ID") if h in header), None)
    found: list[Conversation] = []
    for number, cells in iterator:
        text = cells[log] if log < len(cells) else ""
        if not text.strip():
            continue
        buyer = cells[buyer_col].strip() if buyer_col is not None and buyer_col < len(cells) else None
        where = f"工作表 {sheet} 第 {number} 行"
        found.append(Conversation(buyer or None, parse_blocks(text, buyer=buyer, where=where), source=where))
    return found


# ---------------------------------------------------------------- who spoke


def is_sub_account(sender: str) -> bool:
    """The form Qianniu shows an agent's sub-account in: 店铺名:子账号."""
    return _SUB_ACCOUNT.match(sender) is not None


def role_of(sender: str, buyer: str | None, agents: set[str]) -> str:
    if buyer is not None and sender == buyer:
        return BUYER
    if sender in agents or is_sub_account(sender) or sender.split(":")[-1] in agents:
        return AGENT
    # A file that does not say who the buyer is (plain blocks without 客户ID): any other sender is.
    return BUYER if buyer is None else UNKNOWN


@dataclass
class Turn:
    role: str
    message: Message
    buyer: str | None


@dataclass
class ChatStats:
    """What a chat log held: turns by who spoke, images, and the questions made of the buyer's turns."""

    conversations: int = 0
    buyer: int = 0
    agent: int = 0
    unknown: int = 0
    images: int = 0  # buyer turns that were only an image: counted, not matched
    merged: int = 0  # buyer turns joined to the one before (sent within MERGE_SECONDS)
    questions: int = 0
    unknown_senders: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (
            f"聊天记录 {self.conversations} 段：买家 {self.buyer} 条、客服 {self.agent} 条、未知 {self.unknown} 条；"
            f"买家发的图片 {self.images} 条（不参与匹配），连发合并 {self.merged} 条，得到问题 {self.questions} 个"
        )
        if self.unknown_senders:
            line += f"；未能判断身份的发送者：{'、'.join(self.unknown_senders[:10])}"
        return line

    def as_dict(self) -> dict[str, int]:
        """The counts, for a report's JSON summary."""
        keys = ("conversations", "buyer", "agent", "unknown", "images", "merged", "questions")
        return {k: getattr(self, k) for k in keys}

    def warnings(self) -> list[str]:
        if self.buyer == 0:
            return [
                "聊天记录里没有一条买家的话：请检查客户ID是否与买家昵称一致，客服子账号应为 店铺名:子账号"
            ]
        return []


def turns(conversations: list[Conversation], agents: Iterable[str] = ()) -> Iterator[Turn]:
    names = set(agents)
    for c in conversations:
        for m in c.messages:
            yield Turn(role_of(m.sender, c.buyer, names), m, c.buyer)


@dataclass(frozen=True)
class BuyerQuestion:
    text: str
    at: datetime | None
    buyer: str | None
    where: str
    answered_by: str | None = None  # the first of the shop (not a bot) who spoke after it, as written


def buyer_questions(
    conversations: list[Conversation],
    agents: Iterable[str] = (),
    *,
    merge_seconds: int = MERGE_SECONDS,
    bots: Iterable[str] = (),
) -> tuple[list[BuyerQuestion], ChatStats]:
    """The buyers' questions: consecutive buyer turns sent within ``merge_seconds`` joined into one,
    image-only turns counted and left out; each with the agent who spoke next (not one of ``bots``)."""
    stats = ChatStats(conversations=len(conversations))
    names, robots = set(agents), set(bots)
    found: list[BuyerQuestion] = []
    unknown: dict[str, None] = {}
    for c in conversations:
        last: BuyerQuestion | None = None  # the buyer's question so far, if nobody spoke since
        last_at: datetime | None = None  # when the buyer's previous turn was sent
        waiting = len(found)  # found[waiting:]: the questions nobody of the shop has answered yet
        for m in c.messages:
            role = role_of(m.sender, c.buyer, names)
            setattr(stats, role, getattr(stats, role) + 1)
            if role == UNKNOWN:
                unknown.setdefault(m.sender)
            if role != BUYER:
                last = last_at = None
                if role == AGENT and m.sender.split(":")[-1] not in robots:
                    for i in range(waiting, len(found)):
                        found[i] = replace(found[i], answered_by=m.sender)
                    waiting = len(found)
                continue
            if m.image_only:
                stats.images += 1
                continue
            text = " ".join(m.text.split())
            close = (
                last is not None
                and last_at is not None
                and m.at is not None
                and timedelta(0) <= m.at - last_at <= timedelta(seconds=merge_seconds)
            )
            last_at = m.at
            if close and last is not None:
                stats.merged += 1
                # One question, asked when its first line was sent.
                last = BuyerQuestion(f"{last.text} {text}", last.at, last.buyer, last.where)
                found[-1] = last
                continue
            last = BuyerQuestion(text, m.at, c.buyer, m.where)
            found.append(last)
    stats.questions = len(found)
    stats.unknown_senders = list(unknown)
    return found, stats


def to_block_text(conversations: list[Conversation]) -> str:
    """Conversations in the plain block form (what a campaign keeps of an uploaded ZIP or workbook)."""
    lines: list[str] = []
    for c in conversations:
        if c.buyer is not None:
            lines += [f"客户ID: {c.buyer}", ""]
        for m in c.messages:
            stamp = m.at.strftime("%Y-%m-%d %H:%M:%S") if m.at else ""
            text = m.text if m.text.strip() else "[图片]"
            lines += [stamp, f"{m.sender}: {text}", ""]
    return "\n".join(lines)
