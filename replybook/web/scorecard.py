"""The scorecard page (/scorecard): the monthly 考核表 with a month selector and its .xlsx download;
GET /api/scorecard?month= is its twin on the same data function."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook import scorecard
from replybook.scorecard import hand_days
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import today_shop
from replybook.tabular.workbook import XLSX_MEDIA_TYPE

from .auth import SessionDep, SupervisorDep
from .render import render

router = APIRouter()


def default_month() -> str:
    """Last month: the one a supervisor assesses at the start of this one."""
    before = today_shop().replace(day=1) - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


def scorecard_card(session: Session, month: str | None) -> scorecard.Scorecard:
    return scorecard.monthly_scorecard(
        session, model=scorecard.get_model(session), month=month or default_month()
    )


def scorecard_data(session: Session, month: str | None) -> dict[str, Any]:
    """The 考核表 as the page and GET /api/scorecard show it."""
    card = scorecard_card(session, month)
    data = card.to_json()
    data["columns"] = [
        {"name": i.name, "weight": float(i.weight), "formula": i.formula} for i in card.model.indicators
    ]
    return data


def page_context(session: Session, data: dict[str, Any], error: str | None) -> dict[str, Any]:
    """The page's 考核表, and the month's days per agent (typed or imported, with the chat logs')."""
    days = hand_days.month_days(session, data["month"])
    return {"card": data, "days": days, "source_labels": scorecard.SOURCE_LABELS, "error": error}


@router.get("/scorecard")  # pay and ranks: the supervisors' page
def scorecard_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, month: str | None = None
) -> Response:
    try:
        data, error = scorecard_data(session, month), None
    except InvalidValue as exc:
        data, error = scorecard_data(session, None), str(exc)
    return render(request, "scorecard/index.html", page_context(session, data, error))


@router.get("/scorecard.xlsx")
def scorecard_xlsx(session: SessionDep, viewer: SupervisorDep, month: str | None = None) -> Response:
    card = scorecard_card(session, month)
    stream = io.BytesIO()
    scorecard.write_scorecard_xlsx(stream, [card])
    name = quote(f"考核表-{card.month}.xlsx")
    return Response(
        stream.getvalue(),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
