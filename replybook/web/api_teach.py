"""/api/ for the teach loop (issue 13 item 5) and the ignored questions: the same services as the
buttons on the try box, the coverage report and the campaign check (``web/teach.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from replybook.coverage import ignored, teach
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import now

from .auth import SessionDep, SupervisorDep
from .teach import ignored_data
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class Taught(BaseModel):
    """One question (``question``) or several, e.g. a cluster's wordings (``questions``)."""

    question: str | None = Field(default=None, examples=["拍了有货吗"])
    questions: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        found = [q for q in [self.question or "", *self.questions] if q.strip()]
        if not found:
            raise InvalidValue("请给出 question 或 questions（要教给机器人的问题）")
        return found


class WordingIn(Taught):
    entry: str = Field(description="问答编号（12 或 #12）或它的标准问题", examples=["是正品吗"])


class EntryIn(Taught):
    answers: list[str] = Field(examples=[["亲，下单后48小时内发货哦"]])
    category: str | None = Field(default=None, description="不填：由最接近的几条问答按分数投票")
    standard: str | None = Field(default=None, description="标准问题；不填：第一个问题（去掉“亲，在吗”等）")
    at: datetime | None = None


class IgnoreIn(Taught):
    note: str = ""


class UndoIn(BaseModel):
    revisions: list[int] = Field(examples=[[42]])


@router.post("/teach/wording", summary="把问题加为某条问答的相似问法（客服主管；可撤销）")
def api_teach_wording(session: SessionDep, viewer: SupervisorDep, body: WordingIn) -> dict[str, Any]:
    result = teach.teach_wording(session, questions=body.all(), entry=body.entry, user=viewer.name)
    session.commit()
    return result.to_json()


@router.get("/teach/entry", summary="新建问答的草稿：去掉寒暄的问法、按最接近的问答投票的分类")
def api_entry_draft(
    request: Request, session: SessionDep, question: list[str] = Query(default=[])
) -> dict[str, Any]:
    moment = now()
    draft = teach.entry_draft(
        session, questions=question, at=moment, matcher=request.app.state.matchers.get(session, moment)
    )
    return draft.to_json()


@router.post("/teach/entry", status_code=201, summary="用问题（或一组问法）新建问答（客服主管；可撤销）")
def api_teach_entry(session: SessionDep, viewer: SupervisorDep, body: EntryIn) -> dict[str, Any]:
    result = teach.teach_entry(
        session,
        questions=body.all(),
        answers=body.answers,
        at=body.at or now(),
        category=body.category,
        question=body.standard,
        user=viewer.name,
    )
    session.commit()
    return result.to_json()


@router.post(
    "/teach/ignore", summary="忽略问题：机器人不该回答，覆盖测试算作正确的未覆盖（客服主管；可撤销）"
)
def api_teach_ignore(session: SessionDep, viewer: SupervisorDep, body: IgnoreIn) -> dict[str, Any]:
    result = teach.teach_ignore(session, questions=body.all(), user=viewer.name)
    session.commit()
    return result.to_json()


@router.post("/teach/undo", summary="撤销一次教机器人的操作（它返回的 revisions）")
def api_teach_undo(session: SessionDep, viewer: SupervisorDep, body: UndoIn) -> dict[str, Any]:
    text = teach.undo_changes(session, revisions=body.revisions, user=viewer.name)
    session.commit()
    return {"changed": text}


@router.get("/ignored", summary="忽略的问题的一页（每页 50 个，最早的在前）")
def api_ignored(session: SessionDep, page: int = 1) -> dict[str, Any]:
    return ignored_data(session, page=page)


@router.post("/ignored", status_code=201, summary="忽略一个问题（客服主管）")
def api_add_ignored(session: SessionDep, viewer: SupervisorDep, body: IgnoreIn) -> dict[str, Any]:
    item = ignored.add_ignored(session, question=body.all()[0], note=body.note, user=viewer.name)
    session.commit()
    return {
        **ignored.ignored_public(item),
        "undo_revision": teach.latest_revision(session, "ignored", item.id or 0),
    }


@router.delete("/ignored/{ignored_id}", summary="取消忽略（客服主管；可从历史恢复）")
def api_remove_ignored(session: SessionDep, viewer: SupervisorDep, ignored_id: int) -> dict[str, Any]:
    ignored.remove_ignored(session, ignored_id=ignored_id, user=viewer.name)
    session.commit()
    return {"deleted": ignored_id, "undo_revision": teach.latest_revision(session, "ignored", ignored_id)}
