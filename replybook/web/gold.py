"""The gold-team (金牌客服) page: this month's verdict with every figure next to its threshold, the
projection for the next evaluation, the monthly history, and entering a day's figures or a CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.datastructures import UploadFile

from replybook import goldteam, reviews
from replybook.errors import ImportFormatError, InvalidValue
from replybook.models import REVIEW_LEVELS, ReviewCount, ServiceScore
from replybook.timeutil import parse_date, today_shop

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .render import render

router = APIRouter()
LEVEL_NAMES = dict(zip(REVIEW_LEVELS, ("很满意", "满意", "一般", "不满意", "很不满意"), strict=True))


def has_figures(session: Session) -> bool:
    reviews_n = session.exec(select(func.count()).select_from(ReviewCount)).one()
    scores_n = session.exec(select(func.count()).select_from(ServiceScore)).one()
    return bool(reviews_n or scores_n)


def summary(session: Session, *, on: date | None = None) -> dict[str, Any] | None:
    """The check for day ``on`` (today by default) as JSON, or None when no figures are stored."""
    if not has_figures(session):
        return None
    return goldteam.check(session, on=on or today_shop()).to_json()


def gold_data(session: Session, *, on: date, target: float | None) -> dict[str, Any]:
    months = goldteam.history(session, months=12, target_satisfaction=target) if has_figures(session) else []
    return {
        "gold": goldteam.check(session, on=on, target_satisfaction=target).to_json()
        if has_figures(session)
        else None,
        "history": [m.to_json() for m in months],
        "on": on.isoformat(),
        "target": target,
        "levels": LEVEL_NAMES,
    }


@router.get("/gold")
def gold_page(
    request: Request, session: SessionDep, viewer: ViewerDep, on: str = "", target: str = ""
) -> Response:
    day = parse_date(on) if on else today_shop()
    goal = goldteam.parse_target(target) if target else None
    data = gold_data(session, on=day, target=goal)
    return render(request, "gold/index.html", {**data, "error": None, "target_text": target})


@router.post("/gold/day")
async def enter_day(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    form = await request.form()
    counts: dict[str, int] = {}
    for level in REVIEW_LEVELS:
        raw = forms.text(form, level).strip()
        if raw and not raw.isdigit():
            raise InvalidValue(f"{LEVEL_NAMES[level]}的数量应为非负整数，现为“{raw}”")
        counts[level] = int(raw or 0)
    score_text = forms.text(form, "score").strip()
    try:
        score = float(score_text) if score_text else None
    except ValueError:
        raise InvalidValue(f"综合服务分应为数字，例如 4.2，现为“{score_text}”") from None
    has_counts = any(counts.values())
    reviews.set_day(
        session,
        day=forms.text(form, "day"),
        source=forms.text(form, "source"),
        agent=forms.text(form, "agent"),
        counts=counts if has_counts else None,
        score=score,
    )
    session.commit()
    flash(request, f"已保存 {forms.text(form, 'day')} 的数据")
    return redirect(request, "/gold")


@router.post("/gold/import")
async def import_reviews(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidValue("请先选择评价统计 CSV 文件")
    mode = forms.text(form, "mode") or "add"
    try:
        result = reviews.import_reviews(session, await upload.read(), source=upload.filename, mode=mode)
        session.commit()
    except ImportFormatError as exc:
        session.rollback()
        data = gold_data(session, on=today_shop(), target=None)
        return render(request, "gold/index.html", {**data, "error": str(exc), "target_text": ""}, status=422)
    flash(
        request,
        f"已导入 {upload.filename}（{result.encoding}）：评价 {result.review_rows} 行，"
        f"综合服务分新增 {result.scores_added} 天，{result.first_day} 至 {result.last_day}",
    )
    return redirect(request, "/gold")
