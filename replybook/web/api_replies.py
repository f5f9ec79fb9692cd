"""JSON API for auto-replies and quick phrases (mounted under /api/ with the rest of the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from replybook import autoreplies, phrases
from replybook.store import history
from replybook.store.errors import StaleVersionError

from .auth import SessionDep, SupervisorDep, ViewerDep
from .autoreplies import rule_public, rules_data
from .phrases import phrase_public, phrases_data
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class AutoReplyIn(BaseModel):
    name: str = Field(examples=["聚划算首次接待"])
    trigger: str = Field(
        examples=["first_contact"], description="first_contact | away | busy | keyword | schedule"
    )
    text: str
    keywords: list[str] = Field(default_factory=list)
    busy_threshold: int | None = None
    service_hours: str | None = Field(default=None, examples=["08:30-24:00"])
    active_start: datetime | None = None
    active_end: datetime | None = None
    priority: int = 0
    enabled: bool = True

    def data(self) -> autoreplies.AutoReplyData:
        return autoreplies.AutoReplyData(**self.model_dump(exclude={"version"}))


class AutoReplyUpdate(AutoReplyIn):
    version: int


class PhraseIn(BaseModel):
    scope: str = Field(examples=["personal"], description="team | personal")
    owner: str = Field(default="", description="the agent, for a personal phrase (default: yourself)")
    group: str = ""
    code: str = Field(examples=["fh"])
    text: str = Field(examples=["亲，付款后48小时内发货哦"])
    image_url: str | None = None

    def data(self, me: str) -> phrases.PhraseData:
        owner = "" if self.scope == "team" else (self.owner or me)
        return phrases.PhraseData(
            scope=self.scope,
            owner=owner,
            group=self.group,
            code=self.code,
            text=self.text,
            image_url=self.image_url,
        )


class PhraseUpdate(PhraseIn):
    version: int


def _stale(exc: StaleVersionError, current: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "current": current}, status_code=409)


# ---------------------------------------------------------------- auto-replies


@router.get("/autoreplies", summary="自动回复规则的一页（每页 50 条），以及此刻首次咨询会触发哪条")
def api_rules(session: SessionDep, page: int = 1) -> dict[str, Any]:
    return rules_data(session, page=page)


@router.get("/autoreplies/{rule_id}", summary="一条自动回复")
def api_rule(session: SessionDep, rule_id: int) -> dict[str, Any]:
    return rule_public(autoreplies.get_rule(session, rule_id))


@router.post("/autoreplies", status_code=201, summary="新增自动回复（客服主管）")
def api_create_rule(session: SessionDep, viewer: SupervisorDep, body: AutoReplyIn) -> dict[str, Any]:
    rule = autoreplies.create_rule(session, data=body.data(), user=viewer.name)
    session.commit()
    return rule_public(rule)


@router.put("/autoreplies/{rule_id}", summary="修改自动回复（客服主管；版本过期返回 409）")
def api_update_rule(session: SessionDep, viewer: SupervisorDep, rule_id: int, body: AutoReplyUpdate) -> Any:
    try:
        rule = autoreplies.update_rule(
            session, rule_id=rule_id, data=body.data(), expected_version=body.version, user=viewer.name
        )
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        return _stale(exc, rule_public(autoreplies.get_rule(session, rule_id)))
    return rule_public(rule)


@router.delete("/autoreplies/{rule_id}", summary="删除自动回复（客服主管；可从历史恢复）")
def api_delete_rule(session: SessionDep, viewer: SupervisorDep, rule_id: int) -> dict[str, Any]:
    autoreplies.delete_rule(session, rule_id=rule_id, user=viewer.name)
    session.commit()
    return {"deleted": rule_id, "undo_revision": history.revisions(session, "autoreply", rule_id)[0].id}


# ---------------------------------------------------------------- quick phrases


@router.get(
    "/phrases",
    summary="一个短语库的一页（每页 100 条）：team、mine（自己的）或某个客服的名字；"
    "agents 是可查看的客服（最多 20 个，agents_more 表示还有更多，用 who=名字 查找）",
)
def api_phrases(
    session: SessionDep, viewer: ViewerDep, library: str = "team", q: str = "", page: int = 1, who: str = ""
) -> dict[str, Any]:
    return phrases_data(session, viewer, library=library, q=q, page=page, who=who)


@router.get("/phrases/{phrase_id}", summary="一条快捷短语")
def api_phrase(session: SessionDep, phrase_id: int) -> dict[str, Any]:
    return phrase_public(phrases.get_phrase(session, phrase_id))


@router.post("/phrases", status_code=201, summary="新增快捷短语（客服只能加到自己的个人短语）")
def api_create_phrase(session: SessionDep, viewer: ViewerDep, body: PhraseIn) -> dict[str, Any]:
    phrase = phrases.create_phrase(session, data=body.data(viewer.name), user=viewer.name)
    session.commit()
    return phrase_public(phrase)


@router.put("/phrases/{phrase_id}", summary="修改快捷短语（版本过期返回 409）")
def api_update_phrase(session: SessionDep, viewer: ViewerDep, phrase_id: int, body: PhraseUpdate) -> Any:
    try:
        phrase = phrases.update_phrase(
            session,
            phrase_id=phrase_id,
            data=body.data(viewer.name),
            expected_version=body.version,
            user=viewer.name,
        )
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        return _stale(exc, phrase_public(phrases.get_phrase(session, phrase_id)))
    return phrase_public(phrase)


@router.delete("/phrases/{phrase_id}", summary="删除快捷短语（可从历史恢复）")
def api_delete_phrase(
    session: SessionDep, viewer: ViewerDep, phrase_id: int, version: int | None = None
) -> dict[str, Any]:
    phrases.delete_phrase(session, phrase_id=phrase_id, expected_version=version, user=viewer.name)
    session.commit()
    return {"deleted": phrase_id, "undo_revision": history.revisions(session, "phrase", phrase_id)[0].id}
