"""Coverage pages: upload the questions customers ask, run the coverage test as of a moment (e.g. the
campaign's start), and read the stored report with its charts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from replybook import campaigns, coverage
from replybook.coverage import runs as coverage_runs
from replybook.coverage import teach
from replybook.coverage.question_files import COLUMNS_HINT
from replybook.coverage.report import STATUS_NAMES
from replybook.coverage.verdict import COVERAGE_LABEL, WEIGHTED_LABEL, campaign_verdict
from replybook.store import paging, users
from replybook.store.errors import ImportFormatError, InvalidValue
from replybook.store.models import Campaign, CoverageRun
from replybook.store.timeutil import iso_shop, now

from . import forms
from .auth import SessionDep, SupervisorDep, Viewer, ViewerDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50
QUESTION_SUFFIXES = {".txt", ".csv", ".log", ".zip", ".xlsx", ".xls"}
NO_FILE = "请先选择问题文件（每行一个问题的 .txt，或带“问题”列的 .csv，或聊天记录导出）。"


def runs_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the stored runs (PER_PAGE a page, newest first), the column hint and the campaigns
    whose question set can be run."""
    stmt = select(CoverageRun).order_by(col(CoverageRun.id).desc())
    found = paging.fetch(session, stmt, page=page, per_page=PER_PAGE)
    return {
        "runs": [coverage_runs.run_public(r) for r in found.rows],
        **found.fields(),
        "columns_hint": COLUMNS_HINT,
        "campaigns": [
            {
                "name": c.name,
                "start": iso_shop(c.start),
                "target": c.coverage_target,
                "questions": c.questions_file if c.questions_text is not None else None,
            }
            for c in _latest_campaigns(session)
        ],
    }


def _latest_campaigns(session: Session, count: int = 50) -> list[Campaign]:
    """The ``count`` campaigns that start last, in start order: the coverage page offers their
    start times and question sets (all of them in a shop with fewer)."""
    stmt = select(Campaign).order_by(col(Campaign.start).desc(), col(Campaign.id).desc()).limit(count)
    return list(reversed(session.exec(stmt).all()))


def report_data(session: Session, run_id: int) -> dict[str, Any]:
    run = coverage_runs.get_run(session, run_id)
    report = run.report or {}
    summary = report.get("summary", {})
    campaign = coverage_runs.campaign_of(run)
    names = report.get("categories", {})
    by_category = [
        {"key": key, "name": names.get(key, "未匹配" if key == "none" else key), **figures}
        for key, figures in sorted(summary.get("by_category", {}).items(), key=lambda kv: -kv[1]["total"])
    ]
    results = report.get("results", [])
    # What to fix: uncovered, ambiguous, and covered by the wrong entry (a labelled run).
    problems = [
        r for r in results if r.get("status") in ("uncovered", "ambiguous") or r.get("correct") is False
    ]
    problems = problems[:500]
    return {
        "run": coverage_runs.run_public(run),
        "summary": summary,
        "by_category": by_category,
        "histogram": summary.get("score_histogram", []),
        "clusters": report.get("clusters", [])[:50],
        "dead_entries": report.get("dead_entries", []),
        "problems": problems,
        "entry_ids": teach.entry_choices(session, _named_entries(problems)),
        "nearest": {r["question"]: r.get("entry") for r in problems if r.get("entry")},
        "back": f"/coverage/{run_id}",
        "results_truncated": bool(report.get("results_truncated")),
        "status_names": STATUS_NAMES,
        "category_names": names,
        "labels": {"coverage": COVERAGE_LABEL, "weighted_coverage": WEIGHTED_LABEL},
        # a campaign's check: the one verdict the campaign check (readiness) gives too
        "verdict": campaign_verdict(summary, campaign["coverage_target"]).to_json() if campaign else None,
    }


def _named_entries(problems: list[dict[str, Any]]) -> list[str]:
    """The entries a report's teach buttons offer: each problem's nearest and runner-up."""
    named = [r.get("entry") for r in problems] + [(r.get("runner_up") or {}).get("entry") for r in problems]
    named += [r.get("expected") for r in problems]
    return [n for n in named if n]


@router.get("/coverage")
def runs_page(request: Request, session: SessionDep, viewer: ViewerDep, page: int = 1) -> Response:
    return render(request, "coverage/runs.html", {**runs_data(session, page=page), "error": None})


def run_uploaded(
    session: Session, *, filename: str, data: bytes, column: str | None, at: datetime, user: str
) -> CoverageRun:
    """Run the coverage test on an uploaded question file as of ``at`` and store the run (the page and
    the API): .txt, .csv or a chat log (the upload limit is the route's); errors name the uploaded
    file, not the temp one."""
    suffix = Path(filename).suffix.lower()
    if suffix not in QUESTION_SUFFIXES:
        raise InvalidValue(
            f"不支持 {suffix or '无扩展名'} 文件：请上传 .txt、.csv、.xlsx 或聊天记录（.log、千牛聊天记录 .zip）"
        )
    agents = [u.name for u in users.list_users(session)]
    found = coverage.read_question_file(data, column or None, name=filename, agents=agents)
    report = coverage.run_coverage(session, found.questions, at=at, source=filename)
    if found.chat is not None:
        report.summary["chat"] = found.chat.as_dict()
    return coverage.save_run(session, report, source=filename, user=user)


def run_campaign_questions(session: Session, *, campaign: str, user: str) -> tuple[CoverageRun, Campaign]:
    """The pre-promotion check: the campaign's own question file, against the library at its start."""
    found = campaigns.get_campaign(session, campaign)
    source = found.questions_file or ""
    report = coverage.run_coverage(
        session, campaigns.campaign_questions(found), at=found.start, source=source
    )
    run = coverage.save_run(session, report, source=source, user=user, campaign=found)
    return run, found


@router.post("/coverage")
def run_page(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _error(request, session, viewer, NO_FILE)
    try:
        run = run_uploaded(
            session,
            filename=upload.filename,
            data=file_bytes(upload),
            column=forms.text(form, "column").strip() or None,
            at=forms.moment(form, "at", "测试时间") or now(),
            user=viewer.name,
        )
        session.commit()
    except (InvalidValue, ImportFormatError) as exc:
        session.rollback()
        return _error(request, session, viewer, str(exc))
    flash(request, f"覆盖测试完成：{run.total} 个问题，覆盖率 {run.coverage:.1%}")
    return redirect(request, f"/coverage/{run.id}")


@router.post("/coverage/campaign")
def run_campaign(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    """The pre-promotion check: the campaign's own question file, against the library at its start."""
    try:
        run, campaign = run_campaign_questions(
            session, campaign=forms.text(form, "campaign"), user=viewer.name
        )
        session.commit()
    except (InvalidValue, ImportFormatError) as exc:
        session.rollback()
        return _error(request, session, viewer, str(exc))
    verdict = campaign_verdict(run.report["summary"], campaign.coverage_target)
    flash(request, f"按“{campaign.name}”开始时的问答库测试：{verdict.describe()}")
    return redirect(request, f"/coverage/{run.id}")


def _error(request: Request, session: Session, viewer: Viewer, message: str) -> Response:
    return render(request, "coverage/runs.html", {**runs_data(session), "error": message}, status=422)


@router.get("/coverage/{run_id}")
def report_page(request: Request, session: SessionDep, run_id: int) -> Response:
    return render(request, "coverage/run.html", report_data(session, run_id))


@router.get("/coverage/{run_id}/delete")
def confirm_delete_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, run_id: int
) -> Response:
    return render(
        request,
        "coverage/delete.html",
        {"run": coverage_runs.run_public(coverage_runs.get_run(session, run_id))},
    )


@router.post("/coverage/{run_id}/delete")
def delete_run(request: Request, session: SessionDep, viewer: SupervisorDep, run_id: int) -> Response:
    run = coverage_runs.delete_run(session, run_id=run_id)
    session.commit()
    flash(request, f"已删除覆盖测试 #{run_id}（{run.source}）")
    return redirect(request, "/coverage")
