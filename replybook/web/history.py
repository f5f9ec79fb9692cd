"""History pages: what changed lately, every version of an item with its diff, and restore."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.library.entries import list_categories
from replybook.store import history, paging
from replybook.store.errors import NotFoundError
from replybook.store.labels import FIELD_NAMES
from replybook.store.models import Revision
from replybook.store.permissions import can_edit
from replybook.store.timeutil import iso_shop, parse_datetime

from .auth import SessionDep, Viewer, ViewerDep, flash, redirect
from .render import render
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50

TYPE_NAMES = {
    "entry": "问答",
    "autoreply": "自动回复",
    "phrase": "快捷短语",
    "category": "分类",
    "campaign": "活动",
    "review": "评价数",
    "user": "用户",
    "bot": "机器人设置",
    "agentday": "考核数据",
    "handscore": "考核打分",
    "scoremodel": "考核方案",
    "ignored": "忽略的问题",
    "synonym": "同义词",
}
ACTION_NAMES = {"create": "新增", "update": "修改", "delete": "删除", "restore": "恢复"}
SOURCE_NAMES = {"bot": "机器人", "manual": "人工"}
# Where the live item is edited, per type.
ITEM_URLS = {
    "entry": "/entries/{id}",
    "autoreply": "/autoreplies/{id}",
    "phrase": "/phrases/{id}",
    "campaign": "/campaigns/{id}",
    "review": "/gold",
    "user": "/users",
    "bot": "/bot",
    "agentday": "/scorecard/days/{id}",  # the day itself (its form shows its month)
    "handscore": "/scorecard",
    "scoremodel": "/scorecard/model",
    "ignored": "/ignored",
    "synonym": "/synonyms/{id}",
}


def revision_public(rev: Revision) -> dict[str, Any]:
    data = rev.data or {}
    title = (
        data.get("question") or data.get("name") or data.get("code") or data.get("word") or f"#{rev.item_id}"
    )
    if rev.item_type == "bot":
        title = "机器人设置"
    if rev.item_type in ("agentday", "handscore"):
        title = (
            f"{data.get('day') or data.get('month')} {data.get('agent', '')} {data.get('item') or ''}".strip()
        )
    if rev.item_type == "review" and data.get("day"):
        source = SOURCE_NAMES.get(data.get("source", ""), data.get("source", ""))
        title = f"{data['day']} {source}" + (f"·{data['agent']}" if data.get("agent") else "")
    return {
        "id": rev.id,
        "item_type": rev.item_type,
        "item_type_name": TYPE_NAMES.get(rev.item_type, rev.item_type),
        "item_id": rev.item_id,
        "title": title,
        "version": rev.version,
        "action": rev.action,
        "action_name": ACTION_NAMES.get(rev.action, rev.action),
        "summary": rev.summary,
        "user": rev.user,
        "at": rev.at.isoformat(),
        "data": data,
    }


def _show(value: Any, key: str = "", categories: dict[int, str] | None = None) -> list[str]:
    """A snapshot value as lines people read: category names, shop time, 是/否."""
    if value is None or value == "":
        return []
    if key == "category_id" and categories is not None:
        return [categories.get(value, str(value))]
    if key == "source" and value in SOURCE_NAMES:
        return [SOURCE_NAMES[value]]
    if key in ("active_start", "active_end", "start", "end") and isinstance(value, str):
        return [(iso_shop(parse_datetime(value)) or value)[:16].replace("T", " ")]
    if key == "questions_text" and isinstance(value, str):  # a whole file: its size, not its lines
        lines = [ln for ln in value.splitlines() if ln.strip()]
        return [f"{len(lines)} 行，第一行：{lines[0][:40]}" if lines else "空"]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    return [str(value)]


def item_data(session: Session, item_type: str, item_id: int) -> dict[str, Any]:
    """Every version of one item, newest first, each with what changed from the one before."""
    if item_type not in history.ITEM_TYPES:
        raise NotFoundError(f"没有这种内容：{item_type}")
    revs = history.revisions(session, item_type, item_id)
    if not revs:
        raise NotFoundError(f"{TYPE_NAMES.get(item_type, item_type)} #{item_id} 没有历史记录")
    exists = session.get(history.ITEM_TYPES[item_type], item_id) is not None
    names = {c.id: c.name for c in list_categories(session) if c.id is not None}
    out = []
    for i, rev in enumerate(revs):
        older = revs[i + 1].data if i + 1 < len(revs) else {}
        changes = [
            {"field": FIELD_NAMES.get(k, k), "key": k, "old": _show(a, k, names), "new": _show(b, k, names)}
            for k, a, b in history.diff(older, rev.data)
            if k != "question_norm"
        ]
        out.append({**revision_public(rev), "changes": changes, "latest": i == 0})
    url = ITEM_URLS.get(item_type)
    return {
        "item_type": item_type,
        "item_type_name": TYPE_NAMES.get(item_type, item_type),
        "item_id": item_id,
        "title": out[0]["title"],
        "exists": exists,
        "item_url": url.format(id=item_id) if url and exists else None,
        "revisions": out,
    }


def recent_data(
    session: Session, *, limit: int = PER_PAGE, item_type: str = "", page: int = 1
) -> dict[str, Any]:
    """One page of the changes, newest first: ``limit`` a page (at most paging.MAX_PER_PAGE)."""
    found = history.page_of_recent(
        session, page=page, per_page=paging.per_page_of(limit, PER_PAGE), item_type=item_type or None
    )
    return {
        "revisions": [revision_public(r) for r in found.rows],
        **found.fields(),
        "item_type": item_type,
        "types": TYPE_NAMES,
    }


def restore_revision(session: Session, viewer: Viewer, revision_id: int) -> Revision:
    """Restore a revision (the mechanism checks the viewer may change the item as it is and as it
    would become); returns the restored item's new revision."""
    rev = history.get_revision(session, revision_id)
    history.restore(session, revision_id, user=viewer.name)
    session.commit()
    return history.revisions(session, rev.item_type, rev.item_id)[0]


# ---------------------------------------------------------------- pages


@router.get("/history")
def recent_page(request: Request, session: SessionDep, type: str = "", page: int = 1) -> Response:
    return render(request, "history/recent.html", recent_data(session, item_type=type, page=page))


@router.get("/history/{item_type}/{item_id}")
def item_page(
    request: Request, session: SessionDep, viewer: ViewerDep, item_type: str, item_id: int
) -> Response:
    data = item_data(session, item_type, item_id)
    # A restore button only where the restore is allowed: the item as it is and as it would become.
    now_data = data["revisions"][0]["data"] if data["exists"] else None
    data["can_restore"] = now_data is None or can_edit(viewer.role, viewer.name, item_type, now_data)
    for rev in data["revisions"]:
        rev["can_restore"] = data["can_restore"] and can_edit(
            viewer.role, viewer.name, item_type, rev["data"]
        )
    return render(request, "history/item.html", data)


@router.post("/history/{revision_id}/restore")
def restore_page(request: Request, session: SessionDep, viewer: ViewerDep, revision_id: int) -> Response:
    rev = history.get_revision(session, revision_id)
    version = rev.version
    restored = restore_revision(session, viewer, revision_id)
    flash(
        request,
        f"已恢复{TYPE_NAMES.get(restored.item_type, '')}到第 {version} 版的内容（现为第 {restored.version} 版）",
    )
    url = ITEM_URLS.get(restored.item_type)
    return redirect(
        request,
        url.format(id=restored.item_id) if url else f"/history/{restored.item_type}/{restored.item_id}",
    )
