"""The scorecard's days on the web (issue 17 items 1 and 2): one agent's day typed by hand (add, edit
with its version, the stale-save page, delete with undo, history), and the upload of a figures file
or a chat-log export — preview (a dry run), then confirm, all or nothing. The /api/ twins are in
api_scorecard_days.py, on the same functions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from replybook.scorecard import day_uploads, hand_days
from replybook.scorecard.chat_times import ResponseRule, import_chatlog_bytes, parse_rule
from replybook.scorecard.days import IMPORT_MODES, import_days
from replybook.store.errors import (
    ConflictError,
    ImportFormatError,
    InvalidValue,
    NotFoundError,
    StaleVersionError,
)

from . import forms
from .auth import SessionDep, SupervisorDep, Viewer, flash, redirect
from .conflict import conflict_page
from .render import render
from .scorecard import page_context, scorecard_data
from .uploads import PostedForm, UploadRoute, UploadStore, file_bytes

router = APIRouter(route_class=UploadRoute)
FIELDS = [("day", "日期"), ("agent", "客服"), *((c.key, c.name) for c in hand_days.FIGURE_COLUMNS)]
KINDS = {"figures": "每日考核数据", "chatlog": "聊天记录"}
CHANGED_SINCE_PREVIEW = "预览之后考核数据有了变化，下面是重新算出的预览，请再确认一次。"


def typed_day(form: FormData) -> dict[str, str]:
    return {key: forms.text(form, key) for key, _ in FIELDS}


def day_data(session: Session, day_id: int) -> dict[str, Any]:
    """One stored day as the editor and GET /api/scorecard/days/{id} show it."""
    row = hand_days.get_day(session, day_id)
    return {
        "id": row.id,
        "version": row.version,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "figures": hand_days.day_text(row),
    }


def month_of(day: str) -> str:
    return day[:7] if len(day) >= 7 and day[4] == "-" else ""


def _editor(
    request: Request,
    *,
    typed: dict[str, str],
    day_id: int | None = None,
    version: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "fields": FIELDS,
        "typed": typed,
        "day_id": day_id,
        "version": version,
        "error": error,
        "back_url": f"/scorecard?month={month_of(typed.get('day', ''))}#days"
        if month_of(typed.get("day", ""))
        else "/scorecard#days",
    }
    return render(request, "scorecard/day_edit.html", context, status=status)


@router.get("/scorecard/days/new")
def new_day_page(request: Request, viewer: SupervisorDep, day: str = "", agent: str = "") -> Response:
    return _editor(request, typed={"day": day, "agent": agent})


@router.post("/scorecard/days/new")
def create_day(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    typed = typed_day(form)
    try:
        row = hand_days.create_day(session, hand_days.parse_day(typed), user=viewer.name)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(request, typed=typed, error=str(exc), status=exc.http_status)
    flash(request, f"已保存 {row.day} {row.agent} 的考核数据")
    return redirect(request, f"/scorecard?month={row.day:%Y-%m}#days")


@router.get("/scorecard/days/{day_id}")
def edit_day_page(request: Request, session: SessionDep, viewer: SupervisorDep, day_id: int) -> Response:
    data = day_data(session, day_id)
    return _editor(request, typed=data["figures"], day_id=day_id, version=data["version"])


@router.post("/scorecard/days/{day_id}")
def save_day(
    request: Request, session: SessionDep, viewer: SupervisorDep, day_id: int, form: PostedForm
) -> Response:
    typed = typed_day(form)
    try:
        data = hand_days.parse_day(typed)
        row = hand_days.update_day(
            session, day_id, data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        current = hand_days.get_day(session, day_id)
        return conflict_page(
            request,
            title=f"{current.day} {current.agent} 的考核数据",
            current=current,
            item_type="agentday",
            url=f"/scorecard/days/{day_id}",
            mine=_lines(typed),
            theirs=_lines(hand_days.day_text(current)),
            labels=FIELDS,
            form=form,
        )
    except NotFoundError:
        session.rollback()  # deleted meanwhile: what was typed can still be saved as a new day
        message = f"这一天的数据已被别人删除（可在历史 /history/agentday/{day_id} 里恢复）；你输入的内容还在，可以另存为新的一天。"
        return _editor(request, typed=typed, error=message, status=409)
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        version = forms.version(form)
        return _editor(
            request, typed=typed, day_id=day_id, version=version, error=str(exc), status=exc.http_status
        )
    before = hand_days.previous_revision(session, day_id)  # 撤销: back to the version edited
    flash(request, f"已保存 {row.day} {row.agent} 的考核数据（第 {row.version} 版）", undo=before)
    return redirect(request, f"/scorecard?month={row.day:%Y-%m}#days")


def _lines(values: dict[str, str]) -> dict[str, list[str]]:
    return {key: [values[key].strip()] if values.get(key, "").strip() else [] for key, _ in FIELDS}


@router.get("/scorecard/days/{day_id}/delete")
def delete_day_page(request: Request, session: SessionDep, viewer: SupervisorDep, day_id: int) -> Response:
    row = hand_days.get_day(session, day_id)
    context = {
        "row": row,
        "version": row.version,
        "delete_title": "删除考核数据",
        "delete_action": f"/scorecard/days/{day_id}/delete",
        "back_url": f"/scorecard/days/{day_id}",
    }
    return render(request, "scorecard/day_delete.html", context)


@router.post("/scorecard/days/{day_id}/delete")
def delete_day(
    request: Request, session: SessionDep, viewer: SupervisorDep, day_id: int, form: PostedForm
) -> Response:
    row = hand_days.get_day(session, day_id)
    what, month = f"{row.day} {row.agent}", f"{row.day:%Y-%m}"
    undo = hand_days.delete_day(session, day_id, expected_version=forms.version(form), user=viewer.name)
    session.commit()
    flash(request, f"已删除 {what} 的考核数据。", undo=undo)
    return redirect(request, f"/scorecard?month={month}#days")


# ---------------------------------------------------------------- uploads


def upload_preview(session: Session, data: bytes, meta: dict[str, Any]) -> day_uploads.UploadPlan:
    """The dry run of an upload (``meta``: kind, mode, filename)."""
    if meta["kind"] == "chatlog":
        return day_uploads.plan_chatlog(session, data, source=meta["filename"], rule=_rule(meta))
    return day_uploads.plan_figures(
        session,
        data,
        source=meta["filename"],
        mode=meta["mode"],
        overwrite_hand_days=bool(meta.get("overwrite_hand_days")),
    )


def upload_meta(
    viewer: Viewer,
    *,
    kind: str,
    mode: str,
    filename: str,
    window: str = "",
    limit: str = "",
    overwrite_hand_days: bool = False,
) -> dict[str, Any]:
    """What the preview and the confirm read the upload by; a chat log's counting rule (time limit,
    window of the day) checked here, so a bad one is refused before the file is read."""
    if kind not in KINDS:
        raise InvalidValue("请选择上传的是每日考核数据还是聊天记录")
    if (mode or "merge") not in IMPORT_MODES:
        raise InvalidValue("导入方式应为 merge（合并）或 replace（替换）")
    meta: dict[str, Any] = {"kind": kind, "mode": mode or "merge", "filename": filename, "user": viewer.name}
    if kind == "figures":  # a day typed by hand is left as typed unless the shop asks
        meta["overwrite_hand_days"] = overwrite_hand_days
    if kind == "chatlog":
        rule = parse_rule(window, limit)
        start, end = rule.window
        meta["window"] = f"{start:%H:%M}-{'24:00' if end is None else f'{end:%H:%M}'}"
        meta["limit"] = rule.limit_seconds
        meta["rule"] = rule.label
    return meta


def _rule(meta: dict[str, Any]) -> ResponseRule:
    return parse_rule(str(meta.get("window") or ""), str(meta.get("limit") or ""))


def confirm_upload(
    session: Session, viewer: Viewer, uploads: UploadStore, *, token: str, expected: str
) -> tuple[bool, dict[str, Any], day_uploads.UploadPlan]:
    """Write a previewed upload if it still makes the changes the preview showed; else (False, the
    fresh preview) to confirm again. All or nothing: one transaction."""
    data, meta = uploads.get(token, user=viewer.name)
    plan = upload_preview(session, data, meta)
    if plan.fingerprint() != expected:
        return False, meta, plan
    if meta["kind"] == "chatlog":
        import_chatlog_bytes(session, data, source=meta["filename"], user=viewer.name, rule=_rule(meta))
    else:
        import_days(
            session,
            data,
            source=meta["filename"],
            mode=meta["mode"],
            user=viewer.name,
            overwrite_hand_days=bool(meta.get("overwrite_hand_days")),
        )
    session.commit()
    uploads.drop(token)
    return True, meta, plan


def _preview_page(
    request: Request, plan: day_uploads.UploadPlan, meta: dict[str, Any], token: str, notice: str | None
) -> Response:
    context = {
        "plan": plan.to_json(),
        "meta": meta,
        "kind_name": KINDS[meta["kind"]],
        "columns": [(c.key, c.name) for c in hand_days.FIGURE_COLUMNS],
        "token": token,
        "expected": plan.fingerprint(),
        "notice": notice,
    }
    return render(request, "scorecard/upload_preview.html", context, status=409 if notice else 200)


@router.post("/scorecard/upload/preview")
def preview(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    upload = form.get("file")
    kind = forms.text(form, "kind")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidValue(f"请先选择要上传的{KINDS.get(kind, '文件')}")
        meta = upload_meta(
            viewer,
            kind=kind,
            mode=forms.text(form, "mode"),
            filename=upload.filename,
            window=forms.text(form, "window"),
            limit=forms.text(form, "limit"),
            overwrite_hand_days=bool(forms.text(form, "overwrite_hand_days")),
        )
        data = file_bytes(upload)
        plan = upload_preview(session, data, meta)
    except (ImportFormatError, InvalidValue) as exc:  # every problem by file, row and column
        return _scorecard_error(request, session, forms.text(form, "month"), str(exc))
    token = request.app.state.uploads.put(data, meta)
    return _preview_page(request, plan, meta, token, None)


def _scorecard_error(request: Request, session: Session, month: str, message: str) -> Response:
    """The refused upload: the scorecard page again with one message (every problem by row)."""
    try:
        data = scorecard_data(session, month or None)
    except InvalidValue:
        data = scorecard_data(session, None)
    return render(request, "scorecard/index.html", page_context(session, data, message), status=422)


@router.post("/scorecard/upload/confirm")
def confirm(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    token = forms.text(form, "token")
    applied, meta, plan = confirm_upload(
        session, viewer, request.app.state.uploads, token=token, expected=forms.text(form, "expected")
    )
    if not applied:
        return _preview_page(request, plan, meta, token, CHANGED_SINCE_PREVIEW)
    c = plan.counts()
    flash(
        request,
        f"已导入{KINDS[meta['kind']]} {meta['filename']}：新增 {c['add']} 天，修改 {c['change']} 天，"
        f"删除 {c['remove']} 天"
        + (f"，保留手工录入的 {c['keep']} 天" if c["keep"] else "")
        + "。可在历史里查看和恢复。",
    )
    first = min((d.day for d in plan.days), default=None)
    return redirect(request, f"/scorecard?month={first:%Y-%m}" if first else "/scorecard")
