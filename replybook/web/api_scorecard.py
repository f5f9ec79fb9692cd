"""GET /api/scorecard?month=: the monthly 考核表 as JSON (the page's twin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .auth import SessionDep, SupervisorDep
from .scorecard import scorecard_data

router = APIRouter()


@router.get("/scorecard", summary="客服考核表：某月每位客服的指标、得分、加减分、总分、排名、提成和工资")
def api_scorecard(session: SessionDep, viewer: SupervisorDep, month: str | None = None) -> dict[str, Any]:
    return scorecard_data(session, month)
