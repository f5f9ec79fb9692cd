"""GET/PUT /api/scorecard/model: the shop's scorecard model and its version (the /scorecard/model
page's twin). A PUT from an old version is 409 with the saved model and its version; a model the
core refuses is 422 with the problem in one Chinese line (and every problem in ``problems``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from replybook import scorecard
from replybook.store.errors import ImportFormatError, InvalidValue, StaleVersionError

from .auth import SessionDep, SupervisorDep
from .scorecard_model import model_data, model_preview
from .scorecard_model_form import SOURCE, error_lines, one_line

router = APIRouter()


class ScorecardModelIn(BaseModel):
    model: dict[str, Any] = Field(
        description="the model in the file's shape, as GET returns it: name, indicators, points, commission, pay",
        examples=[
            {"name": "十二月方案", "indicators": [{"name": "综合服务评分", "weight": 100, "hand": True}]}
        ],
    )
    version: int | None = Field(
        description="the version this edit started from (GET's version; null while the default model is "
        "in use); someone saved since → 409"
    )


@router.get("/scorecard/model", summary="考核方案（指标、权重、加减分、提成、工资公式）及其版本（客服主管）")
def api_scorecard_model(session: SessionDep, viewer: SupervisorDep) -> dict[str, Any]:
    return model_data(session)


@router.put(
    "/scorecard/model",
    summary="修改考核方案，保存为新的一版（客服主管；dry_run=true 只检查并返回与当前方案的不同；方案有误为 422）",
    responses={409: {"description": "别人已保存了更新的版本：返回当前方案及其版本，你的修改没有保存"}},
)
def api_save_scorecard_model(
    body: ScorecardModelIn, session: SessionDep, viewer: SupervisorDep, dry_run: bool = False
) -> Any:
    try:
        model = scorecard.model_from_mapping(body.model, source=SOURCE)
    except (ImportFormatError, InvalidValue) as exc:
        return JSONResponse(
            {"detail": one_line(exc, page=False), "problems": error_lines(exc, page=False)}, status_code=422
        )
    if dry_run:
        return model_preview(session, model)
    try:
        scorecard.save_model(session, model, expected_version=body.version or 0, user=viewer.name)
        session.commit()
    except StaleVersionError:
        session.rollback()
        current = model_data(session)
        detail = (
            f"考核方案已被他人修改（你编辑的是第 {body.version or 0} 版，当前是第 {current['version'] or 0} 版），"
            "你的修改没有保存"
        )
        return JSONResponse(
            {"detail": detail, "version": current["version"], "current": current}, status_code=409
        )
    return model_data(session)
