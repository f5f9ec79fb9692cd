"""The dashboard: entries per category, the last coverage run, the gold-team status, recent changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from replybook.coverage import runs as coverage_runs
from replybook.library import entries
from replybook.library.file import get_shop_name
from replybook.store.models import AutoReply, Entry, Phrase

from . import gold
from .auth import SessionDep
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


def dashboard_data(session: Session) -> dict[str, Any]:
    counts = entries.entry_counts(session)
    return {
        "shop": get_shop_name(session),
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
