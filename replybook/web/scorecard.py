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
from replybook.store.errors import ImportFormatError, InvalidValue, NotFoundError
from replybook.store.timeutil import now, today_shop
from replybook.tabular.chatlog import Conversation
from replybook.tabular.workbook import XLSX_MEDIA_TYPE

from .auth import SessionDep, SupervisorDep, Viewer
from .render import render, standalone_page
from .scorecard_links import page_path, uploaded_log

router = APIRouter()


def default_month() -> str:
    """Last month: the one a supervisor assesses at the start of this one."""
    before = today_shop().replace(day=1) - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


def scorecard_card(
    session: Session, month: str | None, chats: tuple[str, list[Conversation]] | None = None
) -> scorecard.Scorecard:
    """The month's card; with ``chats`` (a chat log's name and conversations), also the uncovered
    questions each agent answered."""
    card = scorecard.monthly_scorecard(
        session, model=scorecard.get_model(session), month=month or default_month()
    )
    if chats is not None:
        card.with_questions(session, chats[1], at=now(), sources=[chats[0]])
    return card


def scorecard_data(
    session: Session, month: str | None, chats: tuple[str, list[Conversation]] | None = None
) -> dict[str, Any]:
    """The 考核表 as the page and GET /api/scorecard show it."""
    card = scorecard_card(session, month, chats)
    data = card.to_json()
    data["columns"] = [
        {"name": i.name, "weight": float(i.weight), "formula": i.formula} for i in card.model.indicators
    ]
    return data


def page_context(
    session: Session, data: dict[str, Any], error: str | None, chats: str | None = None
) -> dict[str, Any]:
    """The page's 考核表, and the month's days per agent (typed or imported, with the chat logs');
    ``back``: where the teach buttons of the links section return (with the uploaded log's token)."""
    days = hand_days.month_days(session, data["month"])
    return {
        "card": data,
        "days": days,
        "source_labels": scorecard.SOURCE_LABELS,
        "error": error,
        "back": page_path(data["month"], chats),
    }


@router.get("/scorecard")  # pay and ranks: the supervisors' page
def scorecard_page(
    request: Request,
    session: SessionDep,
    viewer: SupervisorDep,
    month: str | None = None,
    chats: str | None = None,
) -> Response:
    """``chats``: the token of a chat log uploaded on this page (scorecard_links.py)."""
    error = None
    try:
        log = uploaded_log(request, viewer, chats) if chats else None
    except (NotFoundError, ImportFormatError) as exc:
        log, error, chats = None, str(exc), None
    try:
        data = scorecard_data(session, month, log)
    except InvalidValue as exc:
        data, error, chats = scorecard_data(session, None), str(exc), None
    return render(request, "scorecard/index.html", page_context(session, data, error, chats))


def _card(
    request: Request, session: Session, viewer: Viewer, month: str | None, chats: str | None
) -> scorecard.Scorecard:
    """The month's card for a download, with the chat log this viewer uploaded (``chats``: its token)."""
    return scorecard_card(session, month, uploaded_log(request, viewer, chats) if chats else None)


@router.get("/scorecard.xlsx")
def scorecard_xlsx(
    request: Request,
    session: SessionDep,
    viewer: SupervisorDep,
    month: str | None = None,
    chats: str | None = None,
) -> Response:
    card = _card(request, session, viewer, month, chats)
    stream = io.BytesIO()
    scorecard.write_scorecard_xlsx(stream, [card], site=str(request.base_url))
    name = quote(f"考核表-{card.month}.xlsx")
    return Response(
        stream.getvalue(),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/scorecard.html")
def scorecard_html(
    request: Request,
    session: SessionDep,
    viewer: SupervisorDep,
    month: str | None = None,
    chats: str | None = None,
) -> Response:
    """The printable 考核表 (the file `replybook score --format html` writes), its links to this site."""
    card = _card(request, session, viewer, month, chats)
    return standalone_page(scorecard.render_scorecard_html(card, site=str(request.base_url)))
