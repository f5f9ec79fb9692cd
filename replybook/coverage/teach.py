"""Teaching the bot in one click (issue 13 item 5): a question the bot missed, answered wrongly or
could not decide becomes a similar wording (相似问法) of an entry, a new entry (新建问答), or an
ignored question (忽略). Each action is versioned changes with history; ``undo_changes`` takes them
back. The try box, the coverage report and the campaign check offer the same three actions, through
these functions, in the web UI, the API and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from replybook.coverage.ignored import add_ignored, find_ignored, remove_ignored
from replybook.coverage.matching import Matcher
from replybook.library import entries
from replybook.library.owners import find_owner
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models import Category, Entry
from replybook.store.models_ignored import IgnoredQuestion
from replybook.store.models_library import lock_library
from replybook.store.normalize import normalise

VOTERS = 5  # nearest entries whose categories vote for a new entry's category
_SEP = "[\\s,，.。!！~～?？、…]"
_GREETINGS = "亲亲|亲爱的|亲|在吗|在嘛|在么|在不在|在的吗|您好|你好|哈喽|hello|hi|老板|掌柜的?|客服"
# What a chat inserts before the question (亲，在吗？您好 …): dropped only when a separator or another
# greeting follows, so 亲子装 and 客服电话 keep their words; 请问 always goes.
_LEADING = re.compile(
    "^(?:(?:(?:" + _GREETINGS + ")(?:" + _SEP + "+|(?=亲|在|您|你))|请问" + _SEP + "*))+", re.IGNORECASE
)
_TRAILING = re.compile(
    "(?:" + _SEP + "*(?:谢谢|谢啦|多谢|thx|thanks)(?:亲|啦|了|哈)?" + _SEP + "*)+$", re.IGNORECASE
)


def strip_chat_filler(text: str) -> str:
    """``亲，在吗？今天能发货吗`` → ``今天能发货吗``: greetings around a question, never the whole of it."""
    text = text.strip()
    core = _TRAILING.sub("", _LEADING.sub("", text)).strip()
    return core if normalise(core) else text


@dataclass
class EntryDraft:
    """A new entry as the teach loop proposes it: the standard question, the other wordings, and the
    category the nearest entries vote for (``votes``: category → summed score, best first)."""

    question: str
    similar: list[str]
    category: str
    votes: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "similar": self.similar,
            "category": self.category,
            "votes": {k: round(v, 1) for k, v in self.votes.items()},
        }


@dataclass
class TeachResult:
    """What one teach action changed: a line for people and the revisions that undo it."""

    text: str
    revisions: list[int]
    entry_id: int | None = None
    ignored_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "changed": self.text,
            "revisions": self.revisions,
            "entry_id": self.entry_id,
            "ignored_ids": self.ignored_ids,
            "undo": {"method": "POST", "url": "/api/teach/undo", "json": {"revisions": self.revisions}},
        }


def _wordings(questions: Sequence[str]) -> list[str]:
    """The questions with chat filler stripped, each normal form once, in the order given."""
    out: list[str] = []
    seen: set[str] = set()
    for q in questions:
        text = strip_chat_filler(str(q))
        key = normalise(text, simplify=True)
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    if not out:
        raise InvalidValue("请给出至少一个问题（只有标点、表情或寒暄不算）")
    return out


def find_entry(session: Session, ref: str | int) -> Entry:
    """An entry by its number (12 or #12) or its standard question as typed in the library."""
    text = str(ref).strip()
    if text.lstrip("#").isdigit():
        return entries.get_entry(session, int(text.lstrip("#")))
    found = session.exec(select(Entry).where(Entry.question_norm == normalise(text))).first()
    if found is None:
        raise NotFoundError(f"没有标准问题为“{text}”的问答（也可以写问答编号，如 #12）")
    return found


def teach_wording(
    session: Session, *, questions: Sequence[str], entry: str | int, user: str | None = None
) -> TeachResult:
    """Add the questions as similar wordings of ``entry`` (one versioned change of the entry)."""
    target = find_entry(session, entry)
    held = {normalise(w) for w in entries.wordings(target)}
    new = [w for w in _wordings(questions) if normalise(w) not in held]
    if not new:
        raise InvalidValue(f"“{'、'.join(questions)}”已经是问答“{target.question}”的问法")
    key = session.get(Category, target.category_id)
    data = entries.entry_data(target, key.key if key else "custom")
    data.similar = [*data.similar, *new]
    saved = entries.update_entry(
        session, entry_id=target.id or 0, data=data, expected_version=target.version, user=user
    )
    rev = latest_revision(session, "entry", saved.id or 0)
    text = f"已把“{'、'.join(new)}”加为问答“{saved.question}”的相似问法（第 {saved.version} 版）"
    return _unignore(
        session, [*questions, *new], TeachResult(text=text, revisions=[rev], entry_id=saved.id), user
    )


def entry_draft(
    session: Session, *, questions: Sequence[str], at: datetime, matcher: Matcher | None = None
) -> EntryDraft:
    """新建问答 prefilled: filler stripped, the first wording as the standard question, and the
    category voted by the nearest entries of every wording (their scores summed), not the one nearest."""
    wordings = _wordings(questions)
    matcher = matcher or Matcher.build(session, at=at)
    votes: dict[str, float] = {}
    for w in wordings:
        for m in matcher.top(w, n=VOTERS):
            if m.category and m.score > 0:
                votes[m.category] = votes.get(m.category, 0.0) + m.score
    ranked = dict(sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])))
    return EntryDraft(
        question=wordings[0], similar=wordings[1:], category=next(iter(ranked), "custom"), votes=ranked
    )


def teach_entry(
    session: Session,
    *,
    questions: Sequence[str],
    answers: Sequence[str],
    at: datetime,
    category: str | None = None,
    question: str | None = None,
    user: str | None = None,
    matcher: Matcher | None = None,
) -> TeachResult:
    """Create the entry the draft proposes (``category`` / ``question`` override the draft's)."""
    draft = entry_draft(session, questions=questions, at=at, matcher=matcher)
    standard = (question or "").strip() or draft.question
    # A wording another entry already holds stays there (the entry's save would refuse it); the
    # library's lock first, so no save takes one of them between this look and the entry's save.
    lock_library(session)
    similar = [
        w
        for w in [draft.question, *draft.similar]
        if normalise(w) != normalise(standard) and find_owner(session, [normalise(w)]) is None
    ]
    data = entries.EntryData(
        category=(category or "").strip() or draft.category,
        question=standard,
        answers=[a for a in answers if a.strip()],
        similar=similar,
    )
    created = entries.create_entry(session, data=data, user=user)
    rev = latest_revision(session, "entry", created.id or 0)
    text = f"已新建问答“{created.question}”（{len(created.similar)} 个相似问法，分类 {data.category}）"
    taught = [*questions, standard, *similar]
    return _unignore(session, taught, TeachResult(text=text, revisions=[rev], entry_id=created.id), user)


def leave_ignore_list(
    session: Session, questions: Sequence[str], *, user: str | None
) -> list[IgnoredQuestion]:
    """Take the questions now taught to an entry off the ignore list (the shop wants them answered),
    in the caller's transaction; each removal is a versioned change of its own (history, undo)."""
    removed = []
    for q in dict.fromkeys(q.strip() for q in questions if q.strip()):
        held = find_ignored(session, q)
        if held is not None:
            removed.append(remove_ignored(session, ignored_id=held.id, user=user))
    return removed


def left_ignore_list_text(removed: Sequence[IgnoredQuestion]) -> str:
    return f"；“{'、'.join(i.question for i in removed)}”已移出忽略列表" if removed else ""


def _unignore(
    session: Session, questions: Sequence[str], result: TeachResult, user: str | None
) -> TeachResult:
    removed = leave_ignore_list(session, questions, user=user)
    ids = [i.id or 0 for i in removed]
    result.revisions += [latest_revision(session, "ignored", i) for i in ids]
    result.ignored_ids += ids
    result.text += left_ignore_list_text(removed)
    return result


def teach_ignore(session: Session, *, questions: Sequence[str], user: str | None = None) -> TeachResult:
    """Put each question on the shop's ignore list (one versioned change each; those already there
    are skipped, all already there is an error)."""
    added = []
    for q in dict.fromkeys(q.strip() for q in questions if q.strip()):
        if find_ignored(session, q) is None:
            added.append(add_ignored(session, question=q, user=user))
    if not added:
        raise ConflictError(f"“{'、'.join(questions)}”已在忽略列表里")
    ids = [i.id or 0 for i in added]
    revs = [latest_revision(session, "ignored", i) for i in ids]
    text = f"已忽略“{'、'.join(i.question for i in added)}”：之后的覆盖测试把它算作不该回答的问题"
    return TeachResult(text=text, revisions=revs, ignored_ids=ids)


def undo_changes(session: Session, *, revisions: Sequence[int], user: str | None = None) -> str:
    """Take back a teach action (its revisions, newest first); all or nothing."""
    if not revisions:
        raise InvalidValue("没有要撤销的修改")
    names = []
    for rev_id in sorted(set(revisions), reverse=True):
        rev = history.get_revision(session, rev_id)
        if rev.item_type not in ("entry", "ignored"):
            raise InvalidValue(f"第 {rev_id} 号修改不是教机器人的操作")
        names.append(rev.summary)
        history.undo(session, rev_id, user=user)
    return "已撤销：" + "；".join(reversed(names))


def latest_revision(session: Session, item_type: str, item_id: int) -> int:
    """The revision of an item's last change (what 撤销 takes back)."""
    return history.revisions(session, item_type, item_id)[0].id or 0


def entry_choices(session: Session, questions: Sequence[str]) -> dict[str, int]:
    """Standard question → entry id for the named entries that still exist (stored reports name
    entries by their question)."""
    keys = {normalise(q): q for q in questions if q}
    if not keys:
        return {}
    rows = session.exec(select(Entry.id, Entry.question_norm).where(col(Entry.question_norm).in_(keys)))
    return {keys[norm]: i for i, norm in rows if i is not None}
