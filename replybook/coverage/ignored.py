"""Ignored questions (忽略, SPEC §7): questions the shop decided the bot must not answer (老板电话,
a price the shop will not quote in chat). A versioned list per shop; a coverage run marks each
question whose normal form is on it as ``ignored``: correctly uncovered, not counted as missing.

The normal form is ``normalise`` (NFKC, case, punctuation, filler at the edges, traditional →
simplified), not the matcher's form: the list must mean the same whatever the scorer becomes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sqlmodel import Session, col, select

from replybook.store import history, paging
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models_ignored import IgnoredQuestion
from replybook.store.normalize import normalise

# The report's statuses: the matcher's three, then this one (code 3 in an effective status array).
REPORT_STATUSES = ("covered", "ambiguous", "uncovered", "ignored")
IGNORED = 3
MAX_LENGTH = 200


def ignore_key(question: str) -> str:
    return normalise(question, simplify=True)


def list_ignored(session: Session) -> list[IgnoredQuestion]:
    """The shop's ignored questions, oldest first."""
    return list(session.exec(select(IgnoredQuestion).order_by(col(IgnoredQuestion.id))))


def page_of_ignored(session: Session, *, page: int, per_page: int) -> paging.Page[IgnoredQuestion]:
    """One page of the ignored questions, oldest first."""
    stmt = select(IgnoredQuestion).order_by(col(IgnoredQuestion.id))
    return paging.fetch(session, stmt, page=page, per_page=per_page)


def ignored_keys(session: Session) -> frozenset[str]:
    return frozenset(session.exec(select(IgnoredQuestion.question_norm)))


def find_ignored(session: Session, question: str) -> IgnoredQuestion | None:
    key = ignore_key(question)
    return session.exec(select(IgnoredQuestion).where(IgnoredQuestion.question_norm == key)).first()


def add_ignored(
    session: Session, *, question: str, note: str = "", user: str | None = None
) -> IgnoredQuestion:
    """Put ``question`` on the list (one versioned change); refuses one already there."""
    question = question.strip()
    key = ignore_key(question)
    if not key:
        raise InvalidValue("要忽略的问题不能为空（只有标点或表情也不行）")
    if len(question) > MAX_LENGTH:
        raise InvalidValue(f"要忽略的问题太长：最多 {MAX_LENGTH} 个字")
    held = find_ignored(session, question)
    if held is not None:
        raise ConflictError(f"“{question}”已在忽略列表里（#{held.id} {held.question}）")
    item = IgnoredQuestion(question=question, question_norm=key, note=note.strip())
    return history.create(session, item, user=user, summary=f"忽略问题 {question}")


def get_ignored(session: Session, ignored_id: int) -> IgnoredQuestion:
    item = session.get(IgnoredQuestion, ignored_id)
    if item is None:
        raise NotFoundError(f"忽略列表里没有编号为 {ignored_id} 的问题")
    return item


def remove_ignored(
    session: Session, *, ignored_id: int | None = None, question: str | None = None, user: str | None = None
) -> IgnoredQuestion:
    """Take a question off the list, by id or by its text (any wording with the same normal form)."""
    if ignored_id is not None:
        item = get_ignored(session, ignored_id)
    else:
        found = find_ignored(session, question or "")
        if found is None:
            raise NotFoundError(f"忽略列表里没有“{(question or '').strip()}”")
        item = found
    history.delete(session, item, user=user, summary=f"取消忽略 {item.question}")
    return item


def ignored_public(item: IgnoredQuestion) -> dict[str, object]:
    return {
        "id": item.id,
        "question": item.question,
        "note": item.note,
        "version": item.version,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        "updated_by": item.updated_by,
    }


# ---------------------------------------------------------------- in a coverage run


def ignored_mask(texts: Sequence[str], keys: Iterable[str]) -> np.ndarray | None:
    """Which of ``texts`` are ignored (None when nothing is: the run pays nothing for the list)."""
    keys = frozenset(keys)
    if not keys:
        return None
    seen: dict[str, bool] = {}
    mask = np.fromiter(
        (seen[t] if t in seen else seen.setdefault(t, ignore_key(t) in keys) for t in texts), bool, len(texts)
    )
    return mask if mask.any() else None


def effective_status(status: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The matcher's status codes with ignored questions as ``IGNORED``."""
    if mask is None:
        return status
    out = status.astype(np.int8, copy=True)
    out[mask] = IGNORED
    return out
