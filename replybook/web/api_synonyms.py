"""/api/synonyms: the shop's synonym groups (issue 13 item 1) — the 同义词 page's data and services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from replybook.library import synonyms as syn
from replybook.store import history
from replybook.store.errors import StaleVersionError

from .auth import SessionDep, SupervisorDep
from .synonyms import synonym_detail, synonyms_data
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class SynonymIn(BaseModel):
    word: str = Field(description="核心词（问答库里用的说法）", examples=["快递"])
    similar: list[str] = Field(description="同义词（顾客的其他说法）", examples=[["物流", "包裹"]])
    enabled: bool = True


class SynonymUpdate(SynonymIn):
    version: int = Field(description="the version this edit started from; a newer saved version → 409")


@router.get("/synonyms", summary="同义词（核心词和它的同义词）")
def api_synonyms(session: SessionDep) -> dict[str, Any]:
    return synonyms_data(session)


@router.get("/synonyms/{synonym_id}", summary="一组同义词")
def api_synonym(session: SessionDep, synonym_id: int) -> dict[str, Any]:
    return synonym_detail(session, synonym_id)


@router.post("/synonyms", status_code=201, summary="新增一组同义词（客服主管）")
def api_add_synonym(session: SessionDep, viewer: SupervisorDep, body: SynonymIn) -> dict[str, Any]:
    item = syn.add_synonym(
        session, word=body.word, similar=body.similar, enabled=body.enabled, user=viewer.name
    )
    session.commit()
    return syn.synonym_public(item)


@router.put(
    "/synonyms/{synonym_id}",
    summary="修改一组同义词（客服主管）",
    responses={409: {"description": "别人已保存了更新的版本：返回双方内容，由你决定"}},
)
def api_update_synonym(
    session: SessionDep, viewer: SupervisorDep, synonym_id: int, body: SynonymUpdate
) -> Any:
    try:
        item = syn.edit_synonym(
            session,
            synonym_id,
            word=body.word,
            similar=body.similar,
            enabled=body.enabled,
            expected_version=body.version,
            user=viewer.name,
        )
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        yours = body.model_dump()
        return JSONResponse(
            {"detail": str(exc), "current": synonym_detail(session, synonym_id), "yours": yours},
            status_code=409,
        )
    return syn.synonym_public(item)


@router.delete("/synonyms/{synonym_id}", summary="删除一组同义词（客服主管；可从历史恢复）")
def api_delete_synonym(
    session: SessionDep, viewer: SupervisorDep, synonym_id: int, version: int | None = None
) -> dict[str, Any]:
    syn.remove_synonym(session, synonym_id, expected_version=version, user=viewer.name)
    session.commit()
    undo = history.revisions(session, "synonym", synonym_id)[0]
    return {"deleted": synonym_id, "undo_revision": undo.id}
