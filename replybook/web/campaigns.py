"""Campaign pages (聚划算 and any other promotion): the list, the editor with the readiness thresholds
(stale save → conflict view), and the 检查 button that runs the pre-promotion readiness checklist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from replybook import campaigns, readiness
from replybook.errors import ConflictError, InvalidValue, NotFoundError, ReplybookError, StaleVersionError
from replybook.models import Campaign
from replybook.timeutil import iso_shop

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .conflict import conflict_page
from .render import render

router = APIRouter()
FIELD_LABELS = (
    ("name", "活动名称"),
    ("start", "开始"),
    ("end", "结束"),
    ("coverage_target", "覆盖率目标"),
    ("min_entries", "问答至少"),
    ("min_personal_phrases", "每位客服个人短语至少"),
    ("min_team_phrases", "团队短语至少"),
)
STATUS_NAMES = {readiness.PASS: "通过", readiness.WARN: "注意", readiness.FAIL: "未通过"}


def campaign_public(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "start": iso_shop(c.start),
        "end": iso_shop(c.end),
        "questions_path": c.questions_path,
        "coverage_target": c.coverage_target,
        "min_entries": c.min_entries,
        "min_personal_phrases": c.min_personal_phrases,
        "min_team_phrases": c.min_team_phrases,
        "version": c.version,
        "updated_at": iso_shop(c.updated_at),
        "updated_by": c.updated_by,
    }


def get_by_id(session: Session, campaign_id: int) -> Campaign:
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise NotFoundError(f"没有编号为 {campaign_id} 的活动（可能已被删除），请从活动列表进入")
    return found


def _count(form: Any, name: str, label: str) -> int:
    raw = forms.text(form, name).strip()
    if not raw.isdigit():
        raise InvalidValue(f"{label}应为不小于 0 的整数，例如 10")
    return int(raw)


def campaign_form_data(form: Any, *, questions_path: str | None) -> campaigns.CampaignData:
    """The editor's fields; the coverage target is typed as a percentage (90 → 0.9)."""
    target = forms.text(form, "coverage_target").strip().rstrip("%％")
    try:
        coverage_target = float(target) / 100
    except ValueError:
        raise InvalidValue(f"覆盖率目标“{target}”应为百分比，例如 90") from None
    start = forms.moment(form, "start", "开始时间")
    end = forms.moment(form, "end", "结束时间")
    if start is None or end is None:
        raise InvalidValue("请填写活动的开始和结束时间")
    return campaigns.CampaignData(
        name=forms.text(form, "name"),
        start=start,
        end=end,
        questions_path=questions_path,
        coverage_target=coverage_target,
        min_entries=_count(form, "min_entries", "问答数量门槛"),
        min_personal_phrases=_count(form, "min_personal_phrases", "个人短语门槛"),
        min_team_phrases=_count(form, "min_team_phrases", "团队短语门槛"),
    )


def _raw(form: Any) -> dict[str, Any]:
    """What was typed, to show again with an error."""
    fields = ("name", "start", "end", "min_entries", "min_personal_phrases", "min_team_phrases")
    raw: dict[str, Any] = {k: forms.text(form, k) or None for k in fields}
    raw["coverage_target_pct"] = forms.text(form, "coverage_target")
    raw["version"] = forms.version(form)
    return raw


def _form_of(c: Campaign | campaigns.CampaignData, version: int | None) -> dict[str, Any]:
    return {
        "name": c.name,
        "start": c.start,
        "end": c.end,
        "coverage_target_pct": f"{c.coverage_target * 100:g}",
        "min_entries": c.min_entries,
        "min_personal_phrases": c.min_personal_phrases,
        "min_team_phrases": c.min_team_phrases,
        "version": version,
    }


def display(data: campaigns.CampaignData) -> dict[str, list[str]]:
    return {
        "name": [data.name],
        "start": [(iso_shop(data.start) or "")[:16].replace("T", " ")],
        "end": [(iso_shop(data.end) or "")[:16].replace("T", " ")],
        "coverage_target": [f"{data.coverage_target:.0%}"],
        "min_entries": [str(data.min_entries)],
        "min_personal_phrases": [str(data.min_personal_phrases)],
        "min_team_phrases": [str(data.min_team_phrases)],
    }


def _editor(
    request: Request, *, form: dict[str, Any], campaign: dict[str, Any] | None, error=None, status=200
):
    return render(
        request, "campaigns/edit.html", {"form": form, "campaign": campaign, "error": error}, status=status
    )


@router.get("/campaigns")
def campaigns_page(request: Request, session: SessionDep) -> Response:
    listed = [campaign_public(c) for c in campaigns.list_campaigns(session)]
    return render(request, "campaigns/list.html", {"campaigns": listed})


@router.get("/campaigns/new")
def new_campaign_page(request: Request, viewer: SupervisorDep) -> Response:
    blank = {
        "name": "",
        "start": None,
        "end": None,
        "coverage_target_pct": "90",
        "min_entries": 30,
        "min_personal_phrases": 10,
        "min_team_phrases": 5,
        "version": None,
    }
    return _editor(request, form=blank, campaign=None)


@router.post("/campaigns/new")
async def create_campaign(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    form = await request.form()
    try:
        created = campaigns.create_campaign(
            session, data=campaign_form_data(form, questions_path=None), user=viewer.name
        )
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(request, form=_raw(form), campaign=None, error=str(exc), status=exc.http_status)
    flash(request, f"已新增活动“{created.name}”")
    return redirect(request, f"/campaigns/{created.id}")


@router.get("/campaigns/{campaign_id}")
def edit_campaign_page(
    request: Request, session: SessionDep, viewer: ViewerDep, campaign_id: int
) -> Response:
    c = get_by_id(session, campaign_id)
    return _editor(request, form=_form_of(c, c.version), campaign=campaign_public(c))


@router.post("/campaigns/{campaign_id}")
async def save_campaign(
    request: Request, session: SessionDep, viewer: SupervisorDep, campaign_id: int
) -> Response:
    form = await request.form()
    c = get_by_id(session, campaign_id)
    public = campaign_public(c)
    try:
        data = campaign_form_data(form, questions_path=c.questions_path)
        campaigns.update_campaign(
            session, name=c.name, data=data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        current = get_by_id(session, campaign_id)
        return conflict_page(
            request,
            title=f"活动“{current.name}”",
            current=current,
            item_type="campaign",
            url=f"/campaigns/{campaign_id}",
            mine=display(data),
            theirs=display(campaigns.campaign_data(current)),
            labels=FIELD_LABELS,
            form=form,
        )
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(request, form=_raw(form), campaign=public, error=str(exc), status=exc.http_status)
    flash(request, f"已保存活动“{data.name}”")
    return redirect(request, f"/campaigns/{campaign_id}")


def run_check(session: Session, c: Campaign) -> readiness.Readiness:
    """The readiness checklist of campaign ``c`` (the page, the printable page and the API)."""
    return readiness.run_checks(session, campaign=c.name)


@router.get("/campaigns/{campaign_id}/check")
def check_page(request: Request, session: SessionDep, viewer: ViewerDep, campaign_id: int) -> Response:
    """The readiness checklist (`replybook check --campaign NAME`), as of the campaign's window."""
    c = get_by_id(session, campaign_id)
    try:
        result, error = run_check(session, c), None
    except ReplybookError as exc:
        result, error = None, str(exc)
    data: dict[str, Any] = {"campaign": campaign_public(c), "error": error, "statuses": STATUS_NAMES}
    if result is not None:
        data |= {
            "ready": result.ready,
            "checks": result.checks,
            "fails": sum(ch.status == readiness.FAIL for ch in result.checks),
            "warns": sum(ch.status == readiness.WARN for ch in result.checks),
        }
    return render(request, "campaigns/check.html", data, status=200 if error is None else 422)


@router.get("/campaigns/{campaign_id}/check/print")
def check_printable(session: SessionDep, viewer: ViewerDep, campaign_id: int) -> Response:
    """The same checklist as the printable page `replybook check --format html` writes."""
    return HTMLResponse(readiness.render_html(run_check(session, get_by_id(session, campaign_id))))
