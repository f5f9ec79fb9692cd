"""Campaign pages (聚划算 and any other promotion): the list, the editor with the readiness thresholds
and the uploaded question file (stale save → conflict view), delete after asking (undo from history),
and the 检查 button that runs the pre-promotion readiness checklist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from replybook import campaigns
from replybook.campaigns import readiness
from replybook.store.errors import (
    ConflictError,
    InvalidValue,
    NotFoundError,
    ReplybookError,
    StaleVersionError,
)
from replybook.store.models import Campaign
from replybook.store.timeutil import iso_shop

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .campaign_cockpit import STATUS_NAMES, checklist_data, cockpit_data
from .conflict import conflict_page
from .render import render, standalone_page
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50
FIELD_LABELS = (
    ("name", "活动名称"),
    ("start", "开始"),
    ("end", "结束"),
    ("questions_file", "问题文件"),
    ("coverage_target", "覆盖率目标"),
    ("min_entries", "问答至少"),
    ("min_personal_phrases", "每位客服个人短语至少"),
    ("min_team_phrases", "团队短语至少"),
)


def campaign_public(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "start": iso_shop(c.start),
        "end": iso_shop(c.end),
        "window": campaigns.window_label(c.start, c.end),
        "questions_file": c.questions_file,
        # False with a file name: a set the 0004 migration could no longer read (upload it again)
        "questions_stored": c.questions_text is not None,
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


def _window(form: Any) -> tuple[Any, Any]:
    """Start and end as typed: a date alone is a whole day (the end day included), or a moment."""
    raw = {name: forms.text(form, name).strip() for name in ("start", "end")}
    if not raw["start"] or not raw["end"]:
        raise InvalidValue("请填写活动的开始和结束时间")
    parsed = []
    for name, label, parse in (
        ("start", "开始时间", campaigns.window_start),
        ("end", "结束时间", campaigns.window_end),
    ):
        try:
            parsed.append(parse(raw[name]))
        except InvalidValue:
            raise InvalidValue(
                f"{label}“{raw[name]}”不是有效的日期或时间，请写成 2026-12-10 或 2026-12-10 08:00"
            ) from None
    return parsed[0], parsed[1]


def uploaded_questions(form: Any) -> tuple[str, str] | None:
    """The question file chosen in the form, read and checked (None when none was chosen)."""
    upload = form.get("questions")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return campaigns.read_question_set(upload.filename, file_bytes(upload))


def campaign_form_data(form: Any, *, questions: tuple[str | None, str | None]) -> campaigns.CampaignData:
    """The editor's fields; the coverage target is typed as a percentage (90 → 0.9); ``questions`` is
    the stored set (file name, text), replaced by an upload."""
    target = forms.text(form, "coverage_target").strip().rstrip("%％")
    try:
        coverage_target = float(target) / 100
    except ValueError:
        raise InvalidValue(f"覆盖率目标“{target}”应为百分比，例如 90") from None
    start, end = _window(form)
    return campaigns.CampaignData(
        name=forms.text(form, "name"),
        start=start,
        end=end,
        questions_file=questions[0],
        questions_text=questions[1],
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
    start, end = campaigns.window_fields(c.start, c.end)
    return {
        "name": c.name,
        "start": start,
        "end": end,
        "coverage_target_pct": f"{c.coverage_target * 100:g}",
        "min_entries": c.min_entries,
        "min_personal_phrases": c.min_personal_phrases,
        "min_team_phrases": c.min_team_phrases,
        "version": version,
    }


def display(data: campaigns.CampaignData) -> dict[str, list[str]]:
    return {
        "name": [data.name],
        "start": [campaigns.window_label(data.start, data.end).split(" 至 ")[0]],
        "end": [campaigns.window_label(data.start, data.end).split(" 至 ")[1]],
        "questions_file": [data.questions_file or "未设置"],
        "coverage_target": [f"{data.coverage_target:.0%}"],
        "min_entries": [str(data.min_entries)],
        "min_personal_phrases": [str(data.min_personal_phrases)],
        "min_team_phrases": [str(data.min_team_phrases)],
    }


def _editor(
    request: Request,
    *,
    form: dict[str, Any],
    campaign: dict[str, Any] | None,
    questions: int | None = None,
    cockpit: dict[str, Any] | None = None,
    error=None,
    status=200,
):
    data = {"form": form, "campaign": campaign, "questions": questions, "error": error}
    return render(request, "campaigns/edit.html", data | (cockpit or {}), status=status)


def _question_count(c: Campaign) -> int | None:
    """How many questions the stored set has (None: none stored, or no longer readable)."""
    try:
        return len(campaigns.campaign_questions(c))
    except InvalidValue:
        return None


def campaigns_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the campaigns (PER_PAGE a page, by start), the page and GET /api/campaigns."""
    found = campaigns.page_of_campaigns(session, page=page, per_page=PER_PAGE)
    return {"campaigns": [campaign_public(c) for c in found.rows], **found.fields()}


@router.get("/campaigns")
def campaigns_page(request: Request, session: SessionDep, page: int = 1) -> Response:
    return render(request, "campaigns/list.html", campaigns_data(session, page=page))


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
def create_campaign(
    request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm
) -> Response:
    try:
        questions = uploaded_questions(form) or (None, None)
        created = campaigns.create_campaign(
            session, data=campaign_form_data(form, questions=questions), user=viewer.name
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
    return _editor(
        request,
        form=_form_of(c, c.version),
        campaign=campaign_public(c),
        questions=_question_count(c),
        cockpit=cockpit_data(session, c),
    )


@router.post("/campaigns/{campaign_id}")
def save_campaign(
    request: Request, session: SessionDep, viewer: SupervisorDep, campaign_id: int, form: PostedForm
) -> Response:
    c = get_by_id(session, campaign_id)
    public = campaign_public(c)
    try:
        questions = uploaded_questions(form) or (c.questions_file, c.questions_text)
        data = campaign_form_data(form, questions=questions)
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
        return _editor(
            request,
            form=_raw(form),
            campaign=public,
            questions=_question_count(get_by_id(session, campaign_id)),
            error=str(exc),
            status=exc.http_status,
        )
    flash(request, f"已保存活动“{data.name}”")
    return redirect(request, f"/campaigns/{campaign_id}")


@router.get("/campaigns/{campaign_id}/delete")
def confirm_delete_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, campaign_id: int
) -> Response:
    c = get_by_id(session, campaign_id)
    return render(request, "campaigns/delete.html", {"campaign": campaign_public(c)})


@router.post("/campaigns/{campaign_id}/delete")
def delete_campaign(
    request: Request, session: SessionDep, viewer: SupervisorDep, campaign_id: int, form: PostedForm
) -> Response:
    c = get_by_id(session, campaign_id)
    name = c.name
    undo = campaigns.delete_campaign(
        session, name=name, expected_version=forms.version(form), user=viewer.name
    )
    session.commit()
    flash(request, f"已删除活动“{name}”（连同问题文件）。", undo=undo)
    return redirect(request, "/campaigns")


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
        data |= checklist_data(result, c.id)
    return render(request, "campaigns/check.html", data, status=200 if error is None else 422)


@router.get("/campaigns/{campaign_id}/check/print")
def check_printable(session: SessionDep, viewer: ViewerDep, campaign_id: int) -> Response:
    """The same checklist as the printable page `replybook check --format html` writes."""
    return standalone_page(readiness.render_html(run_check(session, get_by_id(session, campaign_id))))
