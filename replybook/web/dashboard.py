"""The dashboard: the next campaign (the cockpit card), entries per category, the last coverage run, the gold-team status, recent changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from replybook import campaigns
from replybook.coverage import runs as coverage_runs
from replybook.library import entries
from replybook.library.file import get_shop_name
from replybook.store.errors import ReplybookError
from replybook.store.models import AutoReply, Entry, Phrase
from replybook.store.timeutil import now, to_shop, today_shop

from . import campaigns as campaign_pages
from . import gold
from .auth import SessionDep
from .campaign_cockpit import fix_url
from .history import recent_data
from .render import render
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


def _count(session: Session, stmt: Any) -> int:
    return int(session.exec(stmt).one())


def last_coverage_run(session: Session) -> dict[str, Any] | None:
    """The latest campaign check or full run (``coverage_runs.latest_full_run``), not a quick try."""
    run = coverage_runs.latest_full_run(session)
    if run is None:
        return None
    return coverage_runs.run_public(run)


def gold_status(session: Session) -> dict[str, Any] | None:
    """Today's gold-team check, or None before any figures are stored."""
    return gold.summary(session)


def next_campaign(session: Session) -> dict[str, Any] | None:
    """The campaign cockpit's card: the first campaign not yet over — its days left, the readiness
    verdict with what fails (each with where to fix it) and the peak hour's staffing."""
    at = now()
    upcoming = [c for c in campaigns.list_campaigns(session) if c.end > at]
    if not upcoming:
        return None
    c = upcoming[0]
    days = (to_shop(c.start).date() - today_shop()).days
    card: dict[str, Any] = {
        **campaign_pages.campaign_public(c),
        "days_left": max(days, 0),
        "running": c.start <= at,
    }
    try:
        result = campaign_pages.run_check(session, c)
    except ReplybookError as exc:
        return {**card, "error": str(exc)}
    forecast = result.handoff or {}
    card |= {
        "ready": result.ready,
        "failing": [
            {
                "name": ch.name,
                "title": ch.title,
                "detail": ch.detail,
                "fix_url": fix_url(ch.name, c.id),
            }
            for ch in result.failing
        ],
        "warns": sum(ch.status == "warn" for ch in result.checks),
        "peak": forecast.get("peak"),
        "understaffed": forecast.get("understaffed", []),
        "handoff_rate": forecast.get("weighted_rate"),
    }
    return card


def dashboard_data(session: Session) -> dict[str, Any]:
    counts = entries.entry_counts(session)
    return {
        "shop": get_shop_name(session),
        "next_campaign": next_campaign(session),
        "categories": [
            {"key": c.key, "name": c.name, "count": counts.get(c.key, 0)}
            for c in entries.list_categories(session)
        ],
        "entries": _count(session, select(func.count(col(Entry.id)))),
        "enabled": _count(session, select(func.count(col(Entry.id))).where(col(Entry.enabled).is_(True))),
        "autoreplies": _count(session, select(func.count(col(AutoReply.id)))),
        "phrases": _count(session, select(func.count(col(Phrase.id)))),
        "last_coverage_run": last_coverage_run(session),
        "full_run_min": coverage_runs.FULL_RUN_MIN_QUESTIONS,
        "gold": gold_status(session),
        "recent": recent_data(session, limit=10)["revisions"],
    }


@router.get("/")
def dashboard_page(request: Request, session: SessionDep) -> Response:
    return render(request, "dashboard.html", dashboard_data(session))
