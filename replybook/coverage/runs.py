"""Stored coverage runs: which one the dashboard shows, and deleting one.

The dashboard shows the latest *full* run: a campaign's check (按活动开始时间测试, whatever its size),
or a run over at least ``FULL_RUN_MIN_QUESTIONS`` questions. A smaller upload is a quick try — a
supervisor checking a few wordings — and stays in the list of runs without replacing the figure the
team reads on the dashboard.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from replybook.coverage.verdict import campaign_verdict
from replybook.store.errors import NotFoundError
from replybook.store.models import CoverageRun
from replybook.store.timeutil import iso_shop

FULL_RUN_MIN_QUESTIONS = 20
_SCAN = 200  # runs looked at for the dashboard; tries come in bursts, not by the hundred


def campaign_of(run: CoverageRun) -> dict[str, Any] | None:
    """``{"name", "coverage_target"}`` of the campaign whose check made this run, else None."""
    found = (run.report or {}).get("campaign")
    return found if isinstance(found, dict) else None


def run_public(run: CoverageRun) -> dict[str, Any]:
    """A stored run as the pages and the API show it (times in shop time), with its campaign's verdict."""
    campaign = campaign_of(run)
    return {
        "id": run.id,
        "at": iso_shop(run.at),
        "tested_at": iso_shop(run.tested_at),
        "source": run.source,
        "user": run.user,
        "total": run.total,
        "covered": run.covered,
        "ambiguous": run.ambiguous,
        "uncovered": run.uncovered,
        "coverage": run.coverage,
        "campaign": campaign["name"] if campaign else None,
        "verdict": (
            campaign_verdict(run.report["summary"], campaign["coverage_target"]).to_json()
            if campaign
            else None
        ),
    }


def is_full_run(run: CoverageRun) -> bool:
    return campaign_of(run) is not None or run.total >= FULL_RUN_MIN_QUESTIONS


def latest_full_run(session: Session) -> CoverageRun | None:
    """The newest campaign check or full run (see the module docstring), or None."""
    runs = session.exec(select(CoverageRun).order_by(col(CoverageRun.id).desc()).limit(_SCAN))
    return next((r for r in runs if is_full_run(r)), None)


def get_run(session: Session, run_id: int) -> CoverageRun:
    run = session.get(CoverageRun, run_id)
    if run is None:
        raise NotFoundError(f"没有编号为 {run_id} 的覆盖测试")
    return run


def delete_run(session: Session, *, run_id: int) -> CoverageRun:
    """Delete a stored run (its report goes with it; a run can be made again from its file)."""
    run = get_run(session, run_id)
    session.delete(run)
    session.flush()
    return run
