"""The /api/ twins of the scorecard's days (web/scorecard_days.py): the month's days, one day to read,
add, change (with its version: 409 when it moved on) or delete, and the upload preview/confirm of a
figures file or a chat log — the same functions the pages call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from replybook.scorecard import hand_days
from replybook.store.errors import InvalidValue

from . import scorecard_days
from .auth import SessionDep, SupervisorDep
from .uploads import UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)


class DayIn(BaseModel):
    """One agent's day as typed: every figure as text, the way the report writes it ("" = unknown)."""

    day: str = Field(description="2026-11-03")
    agent: str = Field(description="客服")
    consultations: str = ""
    inquiries: str = ""
    orders: str = ""
    payers: str = ""
    sales: str = Field("", description="元，如 1589.29")
    avg_response_seconds: str = ""
    first_response_seconds: str = ""
    reply_rate: str = Field("", description="98.6% 或 0.986")
    rate_3min: str = ""
    praise: str = ""
    complaints: str = ""
    version: int | None = Field(None, description="修改时：编辑所依据的版本")


@router.get("/scorecard/days", summary="某月每位客服的每日考核数据（报表与聊天记录）")
def api_month_days(session: SessionDep, viewer: SupervisorDep, month: str) -> dict[str, Any]:
    return {"month": month, "agents": hand_days.month_days(session, month)}


@router.get("/scorecard/days/{day_id}", summary="一天的考核数据（带版本）")
def api_day(session: SessionDep, viewer: SupervisorDep, day_id: int) -> dict[str, Any]:
    return scorecard_days.day_data(session, day_id)


@router.post("/scorecard/days", summary="手工录入一位客服一天的考核数据")
def api_create_day(session: SessionDep, viewer: SupervisorDep, body: DayIn) -> dict[str, Any]:
    row = hand_days.create_day(session, hand_days.parse_day(body.model_dump()), user=viewer.name)
    session.commit()
    return scorecard_days.day_data(session, row.id or 0)


@router.put(
    "/scorecard/days/{day_id}",
    summary="修改一天的考核数据",
    responses={409: {"description": "别人已先保存了新版本"}},
)
def api_update_day(session: SessionDep, viewer: SupervisorDep, day_id: int, body: DayIn) -> dict[str, Any]:
    data = hand_days.parse_day(body.model_dump())
    hand_days.update_day(session, day_id, data, expected_version=body.version, user=viewer.name)
    session.commit()
    return scorecard_days.day_data(session, day_id)


@router.delete("/scorecard/days/{day_id}", summary="删除一天的考核数据（可在历史里恢复）")
def api_delete_day(
    session: SessionDep, viewer: SupervisorDep, day_id: int, version: int | None = None
) -> dict[str, Any]:
    undo = hand_days.delete_day(session, day_id, expected_version=version, user=viewer.name)
    session.commit()
    return {"deleted": day_id, "undo_revision": undo}


@router.post("/scorecard/upload/preview", summary="预览上传（试运行，不写入）：每日考核数据或聊天记录")
def api_upload_preview(
    request: Request,
    session: SessionDep,
    viewer: SupervisorDep,
    file: UploadFile | None = File(None),
    kind: str = Form(..., description="figures（每日考核数据）| chatlog（聊天记录）"),
    mode: str = Form("merge", description="figures：merge | replace"),
    limit: str = Form("", description="chatlog：回复时限（秒），默认 180"),
    window: str = Form("", description="chatlog：统计时段，默认 08:00-24:00"),
    overwrite_hand_days: bool = Form(
        False, description="figures：true 时文件也替换或删除网页上手工录入的天（默认保留不动）"
    ),
) -> dict[str, Any]:
    if file is None or not file.filename:
        raise InvalidValue("请先选择要上传的文件")
    meta = scorecard_days.upload_meta(
        viewer,
        kind=kind,
        mode=mode,
        filename=file.filename,
        window=window,
        limit=limit,
        overwrite_hand_days=overwrite_hand_days,
    )
    data = file_bytes(file)
    plan = scorecard_days.upload_preview(session, data, meta)
    token = request.app.state.uploads.put(data, meta)
    return {"preview": plan.to_json(), "token": token, "expected": plan.fingerprint()}


class ScorecardUploadConfirmIn(BaseModel):
    token: str = Field(description="the token the preview returned")
    expected: str = Field(description="the preview's expected, as returned")


@router.post(
    "/scorecard/upload/confirm",
    summary="确认导入预览过的文件",
    responses={409: {"description": "预览之后数据有变化：返回重新算出的预览，请再确认一次"}},
)
def api_upload_confirm(
    request: Request, session: SessionDep, viewer: SupervisorDep, body: ScorecardUploadConfirmIn
) -> Any:
    applied, meta, plan = scorecard_days.confirm_upload(
        session, viewer, request.app.state.uploads, token=body.token, expected=body.expected
    )
    if not applied:
        detail = scorecard_days.CHANGED_SINCE_PREVIEW
        return JSONResponse(
            {
                "detail": detail,
                "preview": plan.to_json(),
                "token": body.token,
                "expected": plan.fingerprint(),
            },
            status_code=409,
        )
    return {"imported": meta["filename"], "kind": meta["kind"], "counts": plan.counts()}
