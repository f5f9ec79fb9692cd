"""The API twins of the phrase-usage view and the backup download (issue 15 items 2 and 4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from .auth import SessionDep, ViewerDep
from .importexport import download
from .phrase_usage import adopt_phrase, backup_zip, usage_of_log
from .uploads import UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)


@router.post("/phrases/usage", summary="快捷短语使用情况（上传聊天记录）")
def api_phrase_usage(session: SessionDep, viewer: ViewerDep, file: UploadFile) -> dict[str, Any]:
    return usage_of_log(session, file_bytes(file), file.filename or "聊天记录")


class AdoptIn(BaseModel):
    text: str


@router.post("/phrases/usage/adopt", summary="把反复手打的回复设为团队短语", status_code=201)
def api_adopt(body: AdoptIn, session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    found = adopt_phrase(session, body.text, user=viewer.name)
    session.commit()
    return found


@router.get("/export/backup.zip", summary="下载整个店铺的备份（replybook restore 恢复）")
def api_backup(session: SessionDep, viewer: ViewerDep) -> Response:
    return download(backup_zip(session, viewer), "shop-backup.zip", "application/zip")
