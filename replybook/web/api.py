"""The JSON API under /api/: the same data functions and core services as the pages.

Authenticate with the web session cookie (writes then need the X-CSRF-Token header, the value the
pages carry) or with HTTP basic auth. The OpenAPI page is /api/docs, its document /api/openapi.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from replybook.library import entries
from replybook.store import history
from replybook.store.errors import StaleVersionError
from replybook.store.models import Entry
from replybook.store.timeutil import now

from . import (
    api_actions,
    api_bot,
    api_replies,
    api_reports,
    api_scorecard,
    api_scorecard_days,
    api_scorecard_model,
    api_synonyms,
    api_teach,
    api_usage,
)
from . import api_users as users_api
from . import categories as categories_page
from . import history as history_page
from . import users as users_page
from .auth import SessionDep, SupervisorDep, ViewerDep
from .entries import categories_by_id, display, entry_detail, entry_public, list_data
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class EntryIn(BaseModel):
    """An entry as written: the same fields as the library file (SPEC §4)."""

    category: str = Field(examples=["shipping"])
    question: str = Field(examples=["什么时候发货"])
    answers: list[str] = Field(examples=[["亲，付款后48小时内发货哦~"]])
    similar: list[str] = Field(default_factory=list, examples=[["几天能发货"]])
    keywords: list[str] = Field(default_factory=list)
    enabled: bool = True
    active_start: datetime | None = None
    active_end: datetime | None = None

    def data(self) -> entries.EntryData:
        return entries.EntryData(**self.model_dump(exclude={"version"}))


class EntryUpdate(EntryIn):
    version: int = Field(description="the version this edit started from; a newer saved version → 409")


class CategoryIn(BaseModel):
    key: str = Field(examples=["shop_figures"])
    name: str = Field(examples=["店铺数字问题"])


@router.get("/me", summary="当前登录的用户")
def me(viewer: ViewerDep) -> dict[str, Any]:
    return {"name": viewer.name, "role": viewer.role, "role_name": viewer.role_name}


# ---------------------------------------------------------------- entries


@router.get("/entries", summary="问答列表（筛选、搜索、分页）")
def api_entries(
    session: SessionDep, category: str = "", state: str = "", q: str = "", page: int = 1
) -> dict[str, Any]:
    return list_data(session, category=category, state=state, q=q, page=page)


@router.get("/entries/{entry_id}", summary="一条问答")
def api_entry(session: SessionDep, entry_id: int) -> dict[str, Any]:
    return entry_detail(session, entry_id)


@router.post("/entries", status_code=201, summary="新增问答（客服主管）")
def api_create_entry(session: SessionDep, viewer: SupervisorDep, body: EntryIn) -> dict[str, Any]:
    entry = entries.create_entry(session, data=body.data(), user=viewer.name)
    session.commit()
    return saved_public(session, entry)


def saved_public(session: Session, entry: Entry) -> dict[str, Any]:
    """A saved entry, with what in it is redundant (saved anyway, as typed): [] when nothing."""
    warning = entries.redundancy_warning(entry)
    return {**entry_public(entry, categories_by_id(session), now()), "warnings": [warning] if warning else []}


@router.put(
    "/entries/{entry_id}",
    summary="修改问答（客服主管）",
    responses={409: {"description": "别人已保存了更新的版本：返回双方内容，由你决定"}},
)
def api_update_entry(session: SessionDep, viewer: SupervisorDep, entry_id: int, body: EntryUpdate) -> Any:
    mine = body.data()
    try:
        entry = entries.update_entry(
            session, entry_id=entry_id, data=mine, expected_version=body.version, user=viewer.name
        )
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        current = entry_detail(session, entry_id)
        names = {c.key: c.name for c in entries.list_categories(session)}
        return JSONResponse(
            {
                "detail": str(exc),
                "current": current,
                "yours": {**display(mine.cleaned(), names), "version": body.version},
            },
            status_code=409,
        )
    return saved_public(session, entry)


@router.post("/entries/{entry_id}/enabled", summary="启用或停用问答（客服主管）")
def api_set_enabled(
    session: SessionDep, viewer: SupervisorDep, entry_id: int, enabled: bool
) -> dict[str, Any]:
    entry = entries.set_enabled(session, entry_id=entry_id, enabled=enabled, user=viewer.name)
    session.commit()
    return entry_public(entry, categories_by_id(session), now())


@router.delete("/entries/{entry_id}", summary="删除问答（客服主管；可从历史恢复）")
def api_delete_entry(
    session: SessionDep, viewer: SupervisorDep, entry_id: int, version: int | None = None
) -> dict[str, Any]:
    entries.delete_entry(session, entry_id=entry_id, expected_version=version, user=viewer.name)
    session.commit()
    undo = history.revisions(session, "entry", entry_id)[0]
    return {"deleted": entry_id, "undo_revision": undo.id}


# ---------------------------------------------------------------- categories, history, users


@router.get("/categories", summary="意图分类及问答数")
def api_categories(session: SessionDep, page: int = 1) -> dict[str, Any]:
    return categories_page.categories_data(session, page=page)


@router.post("/categories", status_code=201, summary="新增分类（客服主管）")
def api_add_category(session: SessionDep, viewer: SupervisorDep, body: CategoryIn) -> dict[str, Any]:
    cat = entries.add_category(session, key=body.key, name=body.name, user=viewer.name)
    session.commit()
    return {"key": cat.key, "name": cat.name, "builtin": cat.builtin}


@router.get("/history", summary="最近的改动，一页（每页 limit 条，默认 50、最多 500）")
def api_recent(session: SessionDep, type: str = "", limit: int = 50, page: int = 1) -> dict[str, Any]:
    return history_page.recent_data(session, limit=limit, item_type=type, page=page)


@router.get("/history/{item_type}/{item_id}", summary="一项内容的全部版本及差异")
def api_item_history(session: SessionDep, item_type: str, item_id: int) -> dict[str, Any]:
    return history_page.item_data(session, item_type, item_id)


@router.post("/history/{revision_id}/restore", summary="恢复到某个版本（也用于撤销删除）")
def api_restore(session: SessionDep, viewer: ViewerDep, revision_id: int) -> dict[str, Any]:
    rev = history_page.restore_revision(session, viewer, revision_id)
    return history_page.revision_public(rev)


@router.get("/users", summary="用户（客服主管）")
def api_users(session: SessionDep, viewer: SupervisorDep, page: int = 1) -> dict[str, Any]:
    return users_page.users_data(session, page=page)


# Every router of the API, in the order they are asked (the app includes each under /api/, so its
# route index groups their routes; see route_index.py). api_actions before api_replies: its
# /autoreplies/firing must come before /autoreplies/{rule_id}.
ROUTERS = (
    router,
    api_actions.router,
    api_replies.router,
    api_reports.router,
    api_bot.router,
    api_usage.router,
    api_scorecard.router,
    api_scorecard_days.router,
    api_scorecard_model.router,
    users_api.router,
    api_teach.router,
    api_synonyms.router,
)
