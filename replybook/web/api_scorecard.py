"""GET /api/scorecard?month=: the monthly 考核表 as JSON (the page's twin); POST /api/scorecard/chats
with a chat log: the same, with the uncovered questions each agent answered (the page's 回复配置)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, UploadFile

from replybook.scorecard.links import chat_log

from .auth import SessionDep, SupervisorDep
from .scorecard import scorecard_data
from .uploads import UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)


@router.get("/scorecard", summary="客服考核表：某月每位客服的指标、得分、加减分、总分、排名、提成和工资")
def api_scorecard(session: SessionDep, viewer: SupervisorDep, month: str | None = None) -> dict[str, Any]:
    return scorecard_data(session, month)


@router.post(
    "/scorecard/chats",
    summary="客服考核表，加上传的聊天记录里每位客服回答最多的未覆盖问题（回复配置）",
)
def api_scorecard_chats(
    session: SessionDep, viewer: SupervisorDep, file: UploadFile, month: str | None = None
) -> dict[str, Any]:
    name = file.filename or "聊天记录"
    return scorecard_data(session, month, (name, chat_log(file_bytes(file), source=name)))
