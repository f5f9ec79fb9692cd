"""JSON API for what the pages report: the dashboard, try-a-question, coverage runs, the gold team,
campaigns and their readiness check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from replybook import gold as goldteam
from replybook.store.timeutil import now, parse_date, parse_datetime, today_shop

from . import campaigns, coverage, dashboard, gold, tryit
from .auth import SessionDep
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


@router.get("/dashboard", summary="概览：各分类问答数、上次覆盖测试、金牌客服、最近改动")
def api_dashboard(session: SessionDep) -> dict[str, Any]:
    return dashboard.dashboard_data(session)


# The try box's answer is plain JSON already (str, int, float, lists, dicts): sent as it is, without
# the response model's validation, which FastAPI runs in one more threadpool hop for a sync route.
@router.get(
    "/try",
    summary="试一试：最接近的问答及分数、机器人的答案、会触发的自动回复",
    response_model=dict[str, Any],
)
def api_try(
    request: Request, session: SessionDep, q: str, at: str = "", event: str = "first_contact"
) -> Response:
    moment = parse_datetime(at) if at else now()
    return JSONResponse(
        tryit.try_data(session, q=q, at=moment, event=event, matchers=request.app.state.matchers)
    )


class TryIn(BaseModel):
    """POST /api/try: the same as GET's query, in a JSON body (no URL encoding, no length limit of URLs)."""

    question: str = Field(examples=["什么时候发货"], description="买家的问题（最多 500 字，多出的不看）")
    at: str = Field(default="", description="哪个时刻（ISO 8601，默认现在）：决定哪些问答和自动回复有效")
    event: str = Field(default="first_contact", description="买家的动作：first_contact、away、busy …")


@router.post(
    "/try",
    summary='试一试（JSON 请求体 {"question": …}）：与 GET /api/try 的回答相同',
    response_model=dict[str, Any],
)
def api_try_post(request: Request, session: SessionDep, body: TryIn) -> Response:
    moment = parse_datetime(body.at) if body.at else now()
    return JSONResponse(
        tryit.try_data(
            session, q=body.question, at=moment, event=body.event, matchers=request.app.state.matchers
        )
    )


@router.get("/coverage", summary="历次覆盖测试的一页（每页 50 次，最新的在前）")
def api_runs(session: SessionDep, page: int = 1) -> dict[str, Any]:
    return coverage.runs_data(session, page=page)


@router.get("/coverage/{run_id}", summary="一次覆盖测试的报告")
def api_run(session: SessionDep, run_id: int) -> dict[str, Any]:
    return coverage.report_data(session, run_id)


@router.get("/gold", summary="金牌客服：评定结果、各项指标与门槛、每月结果")
def api_gold(session: SessionDep, on: str = "", target: str = "") -> dict[str, Any]:
    day = parse_date(on) if on else today_shop()
    return gold.gold_data(session, on=day, target=goldteam.parse_target(target) if target else None)


@router.get("/campaigns", summary="活动的一页（每页 50 个）：时间、问题文件与检查门槛")
def api_campaigns(session: SessionDep, page: int = 1) -> dict[str, Any]:
    return campaigns.campaigns_data(session, page=page)


@router.get(
    "/campaigns/{campaign_id}/check",
    summary="活动前检查（同 replybook check --format json）：campaign、ready、checks",
)
def api_campaign_check(session: SessionDep, campaign_id: int) -> dict[str, Any]:
    return campaigns.run_check(session, campaigns.get_by_id(session, campaign_id)).to_json()
