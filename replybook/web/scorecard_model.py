"""The scorecard model page (/scorecard/model, issue 17 item 3): the shop's indicators, points rules,
commission tiers and pay formula in one form, saved as a new version (history and undo); the model
file (the CLI's export) downloaded, or uploaded with a dry-run preview before it is saved. A save
from an old version shows the stale-save page; a model the core refuses is shown again as typed,
with the problem in one line. GET/PUT /api/scorecard/model are its twins on the same functions."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from replybook import scorecard
from replybook.store import history
from replybook.store.errors import ImportFormatError, InvalidValue, StaleVersionError
from replybook.store.models_scorecard import ScorecardModel

from . import forms
from .auth import SessionDep, SupervisorDep, flash, redirect
from .conflict import conflict_page
from .importexport import download
from .render import render
from .scorecard_model_form import LOWER, SOURCE, error_lines, model_of_rows, one_line, posted_rows, rows_of
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
URL = "/scorecard/model"
MODEL_ID = 1
PARTS = (
    ("name", "方案名称"),
    ("indicators", "指标"),
    ("points", "加减分"),
    ("commission", "提成"),
    ("pay", "工资"),
)


def model_lines(model: scorecard.Model) -> dict[str, list[str]]:
    """Each part of a model as lines people compare (the preview, the stale-save page)."""
    parts = scorecard.describe(model)
    return {key: [line for line in parts[key].split("；") if line] for key, _ in PARTS}


def model_data(session: Session) -> dict[str, Any]:
    """The model as the page and GET /api/scorecard/model show it: the file's shape and the version
    an edit starts from (``version`` null: the default model, never saved)."""
    model = scorecard.get_model(session)
    return {
        "model": scorecard.model_to_mapping(model),
        "version": model.version,
        "summary": model_lines(model),
        "figures": dict(scorecard.FIGURES),
    }


def model_preview(session: Session, model: scorecard.Model) -> dict[str, Any]:
    """What saving ``model`` would change, part by part (the upload's dry run, PUT ?dry_run=true)."""
    current = scorecard.get_model(session)
    old, new = model_lines(current), model_lines(model)
    changes = [
        {"part": label, "current": old[key], "new": new[key], "differs": old[key] != new[key]}
        for key, label in PARTS
    ]
    return {
        "model": scorecard.model_to_mapping(model),
        "version": current.version,
        "changes": changes,
        "changed": any(c["differs"] for c in changes),
    }


def _editor(
    request: Request,
    session: Session,
    *,
    rows: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    error: str | None = None,
    version: int | None = None,
    status: int = 200,
) -> Response:
    data = model_data(session)
    context = {
        **data,
        "rows": rows if rows is not None else rows_of(data["model"]),
        "error": error,
        "errors": errors if errors and len(errors) > 1 else [],
        "form_version": version if version is not None else data["version"] or 0,
        "choices": scorecard.formula_choices(),
        "lower": LOWER,
    }
    return render(request, "scorecard/model.html", context, status=status)


@router.get(URL)  # base pay per agent: the supervisors' page, as the 考核表
def model_page(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    return _editor(request, session, rows=rows_of(model_data(session)["model"]))


def _posted_model(form: FormData) -> scorecard.Model:
    """The model of a post: the confirmed upload's file text, else the form's rows."""
    text = forms.text(form, "model_yaml")
    if text.strip():
        return scorecard.parse_model(text, source=SOURCE)
    return model_of_rows(posted_rows(form))


def _conflict(request: Request, session: Session, mine: scorecard.Model, form: FormData) -> Response:
    row = session.get(ScorecardModel, MODEL_ID)  # None: the model was taken back to the default
    current = row or SimpleNamespace(id=MODEL_ID, version=0, updated_by=None, updated_at=None)
    return conflict_page(
        request,
        title="考核方案",
        current=current,
        item_type="scoremodel",
        url=URL,
        mine=model_lines(mine),
        theirs=model_lines(scorecard.get_model(session)),
        labels=PARTS,
        form=form,
    )


@router.post(URL)
def save_model_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm
) -> Response:
    expected = forms.version(form) or 0  # 0: the edit started from the default model
    try:
        model = _posted_model(form)
        saved = scorecard.save_model(session, model, expected_version=expected, user=viewer.name)
        session.commit()
    except StaleVersionError:
        session.rollback()
        return _conflict(request, session, model, form)
    except (ImportFormatError, InvalidValue) as exc:
        session.rollback()
        from_file = bool(forms.text(form, "model_yaml").strip())
        return _editor(
            request,
            session,
            rows=None if from_file else posted_rows(form),
            error=one_line(exc),
            errors=error_lines(exc),
            version=expected,
            status=422,
        )
    # 撤销 restores the version before this save (a first save has none: the history page shows it).
    before = history.revisions(session, "scoremodel", MODEL_ID)[1:2]
    flash(
        request,
        f"已保存考核方案“{saved.name}”（第 {saved.version} 版）",
        undo=before[0].id if before else None,
    )
    return redirect(request, URL)


@router.get(f"{URL}.yaml")
def model_file(session: SessionDep, viewer: SupervisorDep) -> Response:
    """The model file, as ``replybook score model export`` writes it."""
    body = scorecard.model_yaml(scorecard.get_model(session)).encode("utf-8")
    return download(body, "scorecard-model.yaml", "application/yaml; charset=utf-8", shown_as="考核方案.yaml")


@router.post(f"{URL}/preview")
def preview_file(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    """An uploaded model file checked in full and compared with the saved model; nothing is saved
    until the preview's button posts it (with the version it was compared with)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _editor(request, session, error="请先选择一个考核方案文件（.yaml）", status=422)
    name = upload.filename
    try:
        text = file_bytes(upload).decode("utf-8-sig")
        model = scorecard.parse_model(text, source=name)
    except UnicodeDecodeError:
        return _editor(request, session, error=f"{name}：考核方案应为 UTF-8 编码的 YAML 文件", status=422)
    except (ImportFormatError, InvalidValue) as exc:
        lines = error_lines(exc, page=False)
        more = f"（另有 {len(lines) - 1} 个问题）" if len(lines) > 1 else ""
        headline = f"{name} 有误，没有保存：{lines[0]}{more}"
        return _editor(request, session, error=headline, errors=lines, status=422)
    data = model_preview(session, model)
    context = {
        **data,
        "file": name,
        "model_yaml": scorecard.model_yaml(model),
        "form_version": data["version"] or 0,
    }
    return render(request, "scorecard/model_preview.html", context)
