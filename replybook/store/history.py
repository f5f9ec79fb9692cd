"""Change history: every create, update and delete of an item keeps a full snapshot, so any
earlier version can be viewed, compared and restored (SPEC §10: nothing is lost).

The one way to write a versioned item (an entry, auto-reply, phrase, category, campaign, review
day, user, the bot settings, the scorecard model, an ignored question or a synonym group): ``create``, ``update``, ``delete`` and ``restore`` below. Each bumps the version, stamps who and
when, records the snapshot once, and checks the version *in the write itself*: the models map
``version`` as SQLAlchemy's ``version_id_col``, so the UPDATE / DELETE says ``WHERE id = ? AND version
= ?`` and a row count of 0 (someone saved since this edit was read) becomes ``StaleVersionError``.
Comparing versions in Python alone would let two concurrent saves from one version both land.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Date as SADate
from sqlalchemy import DateTime, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, col, select

from replybook.store import paging
from replybook.store.errors import ConflictError, NotFoundError, PermissionDenied, StaleVersionError
from replybook.store.models import (
    AutoReply,
    Campaign,
    Category,
    Entry,
    Phrase,
    ReviewCount,
    Revision,
    User,
    UTCDateTime,
)
from replybook.store.models_bot import BotSettings
from replybook.store.models_ignored import IgnoredQuestion
from replybook.store.models_scorecard import AgentDay, HandScore, ScorecardModel
from replybook.store.models_synonyms import Synonym
from replybook.store.permissions import check_can_change, forget_roles
from replybook.store.timeutil import now

ITEM_TYPES: dict[str, type[SQLModel]] = {
    "entry": Entry,
    "autoreply": AutoReply,
    "phrase": Phrase,
    "category": Category,
    "campaign": Campaign,
    "review": ReviewCount,
    "user": User,
    "bot": BotSettings,
    "agentday": AgentDay,
    "handscore": HandScore,
    "scoremodel": ScorecardModel,
    "ignored": IgnoredQuestion,
    "synonym": Synonym,
}
TYPE_OF: dict[type[SQLModel], str] = {cls: name for name, cls in ITEM_TYPES.items()}
_BOOKKEEPING = {"id", "version", "updated_at", "updated_by"}
# Columns a snapshot never holds (a password hash does not belong in a history anyone can read) and
# columns a restore never brings back (an old session generation would revive the cookies it ended).
_SECRET: dict[type[SQLModel], set[str]] = {User: {"password_hash"}}
_NOT_RESTORED: dict[type[SQLModel], set[str]] = {User: {"password_hash", "session_generation"}}
# A kind's own check of the state a restore would bring back, run before it is written, under the
# kind's lock: an entry's wordings may be held by another entry by now (``library/entries.py``
# registers it; the store cannot import the library).
RESTORE_CHECKS: dict[str, Callable[[Session, int, dict[str, Any]], None]] = {}
# What a re-created item gets for the columns it was not restored with.
_UNUSABLE_PASSWORD = "!restored: set a new password"


def snapshot(item: SQLModel) -> dict[str, Any]:
    """The item's columns as JSON-ready values."""
    data: dict[str, Any] = {}
    secret = _SECRET.get(type(item), set())
    for column in inspect(type(item)).columns:
        if column.key in secret:
            continue
        value = getattr(item, column.key)
        if isinstance(value, datetime):
            value = _utc_text(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        data[column.key] = value
    return data


def _utc_text(value: datetime) -> str:
    """One form for every stored moment: the models' (UTC). An item just edited holds the shop time it
    was typed in, one loaded from the database holds UTC; the history must not see a change there."""
    return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _comparable(value: Any) -> Any:
    """A snapshot value as compared by ``diff``: moments kept with another offset (snapshots written
    before they were all stored in UTC) compare as the same instant."""
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        return _utc_text(datetime.fromisoformat(value))
    return value


def _apply(item: SQLModel, data: dict[str, Any]) -> None:
    kept = _NOT_RESTORED.get(type(item), set())
    for column in inspect(type(item)).columns:
        if column.key in _BOOKKEEPING or column.key in kept or column.key not in data:
            continue
        value = data[column.key]
        if value is not None and isinstance(column.type, SADate):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(column.type, DateTime | UTCDateTime):
            value = datetime.fromisoformat(value)
        setattr(item, column.key, value)


def record(session: Session, item: SQLModel, action: str, *, user: str | None, summary: str = "") -> Revision:
    """Keep a snapshot of ``item`` for ``action``. Call after the change (before it, for delete)."""
    session.flush()
    if isinstance(item, User):
        forget_roles(session)
    rev = Revision(
        item_type=TYPE_OF[type(item)],
        item_id=item.id,  # type: ignore[attr-defined]
        version=item.version,  # type: ignore[attr-defined]
        action=action,
        data=snapshot(item),
        summary=summary,
        user=user,
        at=now(),
    )
    session.add(rev)
    return rev


Item = TypeVar("Item", bound=SQLModel)
# What an update changes: field values, or a function that checks and fills the (loaded) item. The
# function runs after the version check, so a stale edit is refused before its content is judged.
Changes = Mapping[str, Any] | Callable[[Any], object]


def create(session: Session, item: Item, *, user: str | None, summary: str = "") -> Item:
    """Add a new item at version 1 and record it."""
    _check_permission(session, item, user, [snapshot(item)])
    _stamp(item, version=1, user=user)
    session.add(item)
    _flush(session, item, expected=None)
    record(session, item, "create", user=user, summary=summary)
    return item


def update(
    session: Session,
    item: Item,
    changes: Changes,
    *,
    expected_version: int | None,
    user: str | None,
    summary: str = "",
) -> Item:
    """Change a loaded item and record it. ``expected_version`` is the version the edit started
    from (None: the version just read); if anyone saved since, ``StaleVersionError``."""
    return _change(
        session, item, changes, expected_version=expected_version, user=user, action="update", summary=summary
    )


def delete(
    session: Session,
    item: SQLModel,
    *,
    expected_version: int | None = None,
    user: str | None,
    summary: str = "",
) -> None:
    """Delete a loaded item, keeping its last state in the history (restorable). The DELETE carries
    the version check too: a deletion never removes a version its user has not seen."""
    read = _check_expected(item, expected_version)
    _check_permission(session, item, user, [snapshot(item)])
    # The deletion is a version of its own, so its history row never shares a number with the edit
    # before it (and a restore after it is the next one again).
    _stamp(item, version=read + 1, user=user)
    _flush(session, item, expected=read)
    record(session, item, "delete", user=user, summary=summary)
    session.delete(item)
    _flush(session, item, expected=read + 1)


def restore(session: Session, revision_id: int, *, user: str | None) -> SQLModel:
    """Bring an item back to the state kept in ``revision_id``; re-creates it if it was deleted.

    Restoring is itself a change with a new version, so it can be undone the same way. ``user`` must
    be allowed to change the item as it is now *and* as it would become (``store/permissions.py``).
    """
    rev = get_revision(session, revision_id)
    cls = ITEM_TYPES[rev.item_type]
    summary = f"恢复到第 {rev.version} 版"
    item = session.get(cls, rev.item_id)
    current = snapshot(item) if item is not None else None
    check_can_change(session, user=user, item_type=rev.item_type, states=[current, rev.data], doing="恢复")
    kind_check = RESTORE_CHECKS.get(rev.item_type)
    if kind_check is not None:
        kind_check(session, rev.item_id, rev.data)
    try:
        if item is None:
            item = cls(id=rev.item_id)
            _apply(item, rev.data)
            if cls is User:  # back without a password, and no cookie from before its deletion counts
                item.password_hash = _UNUSABLE_PASSWORD  # type: ignore[attr-defined]
                item.session_generation = int(rev.data.get("session_generation") or 0) + 1  # type: ignore[attr-defined]
            _stamp(item, version=_last_version(session, rev.item_type, rev.item_id) + 1, user=user)
            session.add(item)
            _flush(session, item, expected=None)
            record(session, item, "restore", user=user, summary=summary)
        else:
            _change(
                session,
                item,
                lambda it: _apply(it, rev.data),
                expected_version=None,
                user=user,
                action="restore",
                summary=summary,
                checked=True,
            )
    except ConflictError:
        raise ConflictError(
            f"无法恢复：当前已有与第 {rev.version} 版冲突的内容（同样的问题或编码）"
        ) from None
    return item


def undo(session: Session, revision_id: int, *, user: str | None) -> SQLModel | None:
    """Take back the change recorded in ``revision_id``: a creation is deleted, an edit or restore
    goes back to the version before it, a deletion is restored. Only the latest change of an item
    can be undone (undoing an older one would silently drop what came after); returns the item, or
    None when the undo deleted it."""
    rev = get_revision(session, revision_id)
    cls = ITEM_TYPES[rev.item_type]
    item = session.get(cls, rev.item_id)
    current = item.version if item is not None else None  # type: ignore[attr-defined]
    if rev.action == "delete":
        if item is not None:
            raise ConflictError(f"无法撤销：#{rev.item_id} 已经恢复过了（当前第 {current} 版）")
        return restore(session, revision_id, user=user)
    if item is None or current != rev.version:
        state = "已被删除" if item is None else f"之后又被修改过（当前第 {current} 版）"
        raise ConflictError(f"无法撤销：#{rev.item_id} {state}；请在历史里选择要恢复的版本")
    if rev.action == "create":
        delete(session, item, expected_version=rev.version, user=user, summary=f"撤销：{rev.summary}")
        return None
    before = [r for r in revisions(session, rev.item_type, rev.item_id) if r.version < rev.version]
    if not before:
        raise NotFoundError(f"第 {rev.version} 版之前没有可以撤销回去的版本")
    return restore(session, before[0].id or 0, user=user)


def _change(
    session: Session,
    item: Item,
    changes: Changes,
    *,
    expected_version: int | None,
    user: str | None,
    action: str,
    summary: str,
    checked: bool = False,
) -> Item:
    read = _check_expected(item, expected_version)
    before = None if checked else snapshot(item)
    try:
        if callable(changes):
            changes(item)
        else:
            for key, value in changes.items():
                setattr(item, key, value)
    except StaleDataError:  # a query inside the fill flushed an earlier change of this session
        _stale(session, item, read)
    if before is not None:
        _check_permission(session, item, user, [before, snapshot(item)])
    _stamp(item, version=read + 1, user=user)
    session.add(item)
    _flush(session, item, expected=read)
    record(session, item, action, user=user, summary=summary)
    return item


def _check_permission(
    session: Session, item: SQLModel, user: str | None, states: list[dict[str, Any]]
) -> None:
    """The kind's hook (``store/permissions.py``) on the item before and after the change. A refused
    change is undone in the session before the error goes up."""
    try:
        check_can_change(session, user=user, item_type=TYPE_OF[type(item)], states=list(states))
    except PermissionDenied:
        session.rollback()
        forget_roles(session)
        raise


def _check_expected(item: SQLModel, expected: int | None) -> int:
    """The version read; refuses early an edit that started from an older one."""
    current: int = item.version  # type: ignore[attr-defined]
    if expected is not None and expected != current:
        raise StaleVersionError(TYPE_OF[type(item)], item.id, expected, current)  # type: ignore[attr-defined]
    return current


def _stamp(item: SQLModel, *, version: int, user: str | None) -> None:
    item.version = version  # type: ignore[attr-defined]
    if hasattr(item, "updated_at"):  # categories keep no who/when columns
        item.updated_at = now()  # type: ignore[attr-defined]
        item.updated_by = user  # type: ignore[attr-defined]


_DUPLICATE = "已有同样的内容（同样的问题、名称或编码），可能刚刚被他人新增或修改；请刷新后再试。"


def _flush(session: Session, item: SQLModel, *, expected: int | None) -> None:
    """Write now, turning "0 rows matched ``version = expected``" into StaleVersionError, and a
    unique key taken by a concurrent writer (between the kind's own check and this write: a race the
    check cannot see on PostgreSQL) into ConflictError, never a 500."""
    try:
        session.flush()
    except StaleDataError:
        _stale(session, item, expected)
    except IntegrityError:
        session.rollback()
        raise ConflictError(_DUPLICATE) from None


def _stale(session: Session, item: SQLModel, expected: int | None) -> None:
    cls = type(item)
    item_id = inspect(item).identity[0] if inspect(item).identity else None
    session.rollback()
    current = session.exec(select(cls.version).where(cls.id == item_id)).first()  # type: ignore[attr-defined]
    raise StaleVersionError(TYPE_OF[cls], item_id or 0, expected or 0, current or 0)


def revisions(session: Session, item_type: str, item_id: int) -> list[Revision]:
    """All revisions of an item, newest first."""
    stmt = (
        select(Revision)
        .where(Revision.item_type == item_type, Revision.item_id == item_id)
        .order_by(col(Revision.id).desc())
    )
    return list(session.exec(stmt))


def recent(session: Session, *, limit: int = 20, item_type: str | None = None) -> list[Revision]:
    return page_of_recent(session, page=1, per_page=limit, item_type=item_type).rows


def page_of_recent(
    session: Session, *, page: int, per_page: int, item_type: str | None = None
) -> paging.Page[Revision]:
    """One page of the changes, newest first (of one kind of item when ``item_type``)."""
    stmt = select(Revision).order_by(col(Revision.id).desc())
    if item_type:
        stmt = stmt.where(Revision.item_type == item_type)
    return paging.fetch(session, stmt, page=page, per_page=per_page)


def get_revision(session: Session, revision_id: int) -> Revision:
    rev = session.get(Revision, revision_id)
    if rev is None:
        raise NotFoundError(f"没有编号为 {revision_id} 的历史版本")
    return rev


def _last_version(session: Session, item_type: str, item_id: int) -> int:
    revs = revisions(session, item_type, item_id)
    return max((r.version for r in revs), default=0)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields that differ between two snapshots (bookkeeping fields left out)."""
    keys = [k for k in {**old, **new} if k not in _BOOKKEEPING]
    return [(k, old.get(k), new.get(k)) for k in keys if _comparable(old.get(k)) != _comparable(new.get(k))]
