"""The gold-team (金牌客服) page: this month's verdict with every figure next to its threshold, the
projection for the next evaluation, the monthly history, and entering a day's figures or a CSV."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.datastructures import UploadFile

from replybook import gold
from replybook.gold import reviews
from replybook.store.errors import ImportFormatError, InvalidValue, StaleVersionError
from replybook.store.models import REVIEW_LEVELS, ReviewCount, ServiceScore
from replybook.store.timeutil import parse_date, today_shop

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
LEVEL_NAMES = dict(zip(REVIEW_LEVELS, ("很满意", "满意", "一般", "不满意", "很不满意"), strict=True))


def has_figures(session: Session) -> bool:
    reviews_n = session.exec(select(func.count()).select_from(ReviewCount)).one()
    scores_n = session.exec(select(func.count()).select_from(ServiceScore)).one()
    return bool(reviews_n or scores_n)


def summary(session: Session, *, on: date | None = None) -> dict[str, Any] | None:
    """The check for day ``on`` (today by default) as JSON, or None when no figures are stored."""
    if not has_figures(session):
        return None
    return gold.check(session, on=on or today_shop()).to_json()


def gold_data(session: Session, *, on: date, target: float | None) -> dict[str, Any]:
    months = gold.history(session, months=12, target_satisfaction=target) if has_figures(session) else []
    return {
        "gold": gold.check(session, on=on, target_satisfaction=target).to_json()
        if has_figures(session)
        else None,
        "history": [m.to_json() for m in months],
        "on": on.isoformat(),
        "target": target,
        "levels": LEVEL_NAMES,
        "agents": reviews.known_agents(session),
        "typed": {},
    }


@router.get("/gold")
def gold_page(
    request: Request, session: SessionDep, viewer: ViewerDep, on: str = "", target: str = ""
) -> Response:
    day = parse_date(on) if on else today_shop()
    goal = gold.parse_target(target) if target else None
    data = gold_data(session, on=day, target=goal)
    return render(request, "gold/index.html", {**data, "error": None, "target_text": target})


def save_day(
    session: Session,
    values: Mapping[str, Any],
    *,
    user: str | None,
    seen: reviews.Seen | None = None,
    new_agent: bool = False,
) -> tuple[dict[str, int] | None, float | None]:
    """Store one day's figures as typed (the page's form, the API's JSON): the five review counts and
    the service score, each optional; ``day``, ``source`` and ``agent`` as reviews.set_day takes them."""
    counts: dict[str, int] = {}
    for level in REVIEW_LEVELS:
        raw = _typed(values.get(level))
        if raw and not raw.isdigit():
            raise InvalidValue(f"{LEVEL_NAMES[level]}的数量应为非负整数，现为“{raw}”")
        counts[level] = int(raw or 0)
    score_text = _typed(values.get("score"))
    try:
        score = float(score_text) if score_text else None
    except ValueError:
        raise InvalidValue(f"综合服务分应为数字，例如 4.2，现为“{score_text}”") from None
    has_counts = any(counts.values())
    day, source, agent = _typed(values.get("day")), _typed(values.get("source")), _typed(values.get("agent"))
    reviews.set_day(
        session,
        day=day,
        source=source,
        agent=agent,
        counts=counts if has_counts else None,
        score=score,
        user=user,
        seen=seen,
        new_agent=new_agent,
    )
    return (counts if has_counts else None), score


def _typed(value: Any) -> str:
    return "" if value is None else str(value).strip()


def import_summary(result: reviews.ImportResult) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "encoding": result.encoding,
        "review_rows": result.review_rows,
        "reviews_added": result.reviews_added,
        "reviews_replaced": result.reviews_replaced,
        "scores_added": result.scores_added,
        "scores_replaced": result.scores_replaced,
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
    }


@router.post("/gold/day")
def enter_day(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    values = {k: forms.text(form, k) for k in (*REVIEW_LEVELS, "score", "day", "source", "agent")}
    # What the person saw stored before typing over it: nothing on the first submit, the figures
    # the confirmation showed on the second.
    seen_score = forms.text(form, "seen_score").strip()
    seen = reviews.Seen(forms.version(form) or 0, float(seen_score) if seen_score else None)
    try:
        save_day(session, values, user=viewer.name, seen=seen, new_agent=forms.checked(form, "new_agent"))
        session.commit()
    except (reviews.DayAlreadyStored, StaleVersionError):
        session.rollback()
        day, source, agent = (_typed(values[k]) for k in ("day", "source", "agent"))
        stored = reviews.stored_day(session, day=day, source=source, agent=agent)
        counts = {level: int(_typed(values[level]) or 0) for level in REVIEW_LEVELS}
        score_text = _typed(values["score"])
        return _confirm_replace(
            request,
            form,
            stored,
            counts if any(counts.values()) else None,
            float(score_text) if score_text else None,
        )
    except reviews.UnknownAgent as exc:
        session.rollback()
        data = gold_data(session, on=today_shop(), target=None)
        context = {**data, "error": str(exc), "target_text": "", "typed": dict(form)}
        return render(request, "gold/index.html", context, status=exc.http_status)
    flash(request, f"已保存 {_typed(values['day'])} 的数据")
    return redirect(request, "/gold")


def _confirm_replace(
    request: Request,
    form: Any,
    stored: reviews.StoredDay,
    counts: dict[str, int] | None,
    score: float | None,
) -> Response:
    """Figures are already stored for that day/source/agent: show them beside the typed ones and ask."""
    rows = [
        {
            "label": name,
            "stored": getattr(stored.row, level) if stored.row is not None else None,
            "typed": counts.get(level, 0) if counts is not None else None,
        }
        for level, name in LEVEL_NAMES.items()
    ]
    rows.append({"label": "综合服务分", "stored": stored.score, "typed": score})
    for line in rows:
        line["differs"] = (
            line["typed"] is not None and line["stored"] is not None and line["typed"] != line["stored"]
        )
    keep = [(k, v) for k, v in form.multi_items() if k not in ("csrf_token", "version", "seen_score")]
    resubmit = [
        *keep,
        ("version", stored.version),
        ("seen_score", "" if stored.score is None else stored.score),
    ]
    row = stored.row
    context = {
        "day": forms.text(form, "day"),
        "who": reviews.who(
            reviews.source_kind(forms.text(form, "source")), forms.text(form, "agent").strip()
        ),
        "rows": rows,
        "resubmit": resubmit,
        "stored_meta": {"version": stored.version, "by": row.updated_by, "at": row.updated_at}
        if row
        else None,
        "history_url": f"/history/review/{row.id}" if row is not None else None,
    }
    return render(request, "gold/confirm.html", context, status=409)


@router.post("/gold/import")
def import_reviews(
    request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm
) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidValue("请先选择评价统计 CSV 文件")
    mode = forms.text(form, "mode") or "add"
    try:
        result = reviews.import_reviews(
            session, file_bytes(upload), source=upload.filename, mode=mode, user=viewer.name
        )
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
