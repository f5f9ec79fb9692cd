"""Change history: every create, update and delete of an item keeps a full snapshot, so any
earlier version can be viewed, compared and restored (SPEC §10: nothing is lost)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date as SADate
from sqlalchemy import DateTime, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from .errors import ConflictError, NotFoundError, StaleVersionError
from .models import AutoReply, Campaign, Category, Entry, Phrase, Revision, UTCDateTime
from .timeutil import now

ITEM_TYPES: dict[str, type[SQLModel]] = {
    "entry": Entry,
    "autoreply": AutoReply,
    "phrase": Phrase,
    "category": Category,
    "campaign": Campaign,
}
TYPE_OF: dict[type[SQLModel], str] = {cls: name for name, cls in ITEM_TYPES.items()}
_BOOKKEEPING = {"id", "version", "updated_at", "updated_by"}


def snapshot(item: SQLModel) -> dict[str, Any]:
    """The item's columns as JSON-ready values."""
    data: dict[str, Any] = {}
    for column in inspect(type(item)).columns:
        value = getattr(item, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        data[column.key] = value
    return data


def _apply(item: SQLModel, data: dict[str, Any]) -> None:
    for column in inspect(type(item)).columns:
        if column.key in _BOOKKEEPING or column.key not in data:
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


def touch(item: SQLModel, *, user: str | None, expected_version: int | None = None) -> None:
    """Check the edit started from the current version, then bump it (no silent overwrite)."""
    current = item.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise StaleVersionError(TYPE_OF[type(item)], item.id, expected_version, current)  # type: ignore[attr-defined]
    item.version = current + 1  # type: ignore[attr-defined]
    item.updated_at = now()  # type: ignore[attr-defined]
    item.updated_by = user  # type: ignore[attr-defined]


def revisions(session: Session, item_type: str, item_id: int) -> list[Revision]:
    """All revisions of an item, newest first."""
    stmt = (
        select(Revision)
        .where(Revision.item_type == item_type, Revision.item_id == item_id)
        .order_by(col(Revision.id).desc())
    )
    return list(session.exec(stmt))


def recent(session: Session, *, limit: int = 20, item_type: str | None = None) -> list[Revision]:
    stmt = select(Revision).order_by(col(Revision.id).desc()).limit(limit)
    if item_type:
        stmt = stmt.where(Revision.item_type == item_type)
    return list(session.exec(stmt))


def get_revision(session: Session, revision_id: int) -> Revision:
    rev = session.get(Revision, revision_id)
    if rev is None:
        raise NotFoundError(f"没有编号为 {revision_id} 的历史版本")
    return rev


def restore(session: Session, revision_id: int, *, user: str | None) -> SQLModel:
    """Bring an item back to the state kept in ``revision_id``; re-creates it if it was deleted.

    Restoring is itself a change with a new version, so it can be undone the same way.
    """
    rev = get_revision(session, revision_id)
    cls = ITEM_TYPES[rev.item_type]
    item = session.get(cls, rev.item_id)
    if item is None:
        item = cls(id=rev.item_id, version=_last_version(session, rev.item_type, rev.item_id))
        _apply(item, rev.data)
        session.add(item)
    else:
        _apply(item, rev.data)
    touch(item, user=user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            f"无法恢复：当前已有与第 {rev.version} 版冲突的内容（同样的问题或编码）"
        ) from None
    record(session, item, "restore", user=user, summary=f"恢复到第 {rev.version} 版")
    return item


def _last_version(session: Session, item_type: str, item_id: int) -> int:
    revs = revisions(session, item_type, item_id)
    return max((r.version for r in revs), default=0)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields that differ between two snapshots (bookkeeping fields left out)."""
    keys = [k for k in {**old, **new} if k not in _BOOKKEEPING]
    return [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
