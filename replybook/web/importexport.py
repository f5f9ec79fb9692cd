"""Import and export: upload a Qianniu quick-phrase CSV or a library YAML, see the dry-run preview of
what would be added, changed and removed, then confirm; download team.csv and library.yaml."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from replybook import library, phrases
from replybook.phrases import workbook as phrase_workbook
from replybook.phrases.qianniu_csv import CsvReader, encoding_name
from replybook.shop import library_file
from replybook.shop import workbook as shop_workbook
from replybook.store.errors import ConflictError, ImportFormatError, InvalidValue, PermissionDenied
from replybook.store.models import PhraseScope
from replybook.store.permissions import can_edit

from . import forms, library_preview, workbooks
from .auth import SessionDep, Viewer, ViewerDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute, UploadStore, file_bytes

router = APIRouter(route_class=UploadRoute)
PREVIEW_LIMIT = 200  # items listed per section; the counts are always complete
MODES = {
    "merge": "合并（同编码/同问题则更新，新的则新增）",
    "replace": "替换（导入后与文件完全一致，多出的会删除）",
}
CHANGED_SINCE_PREVIEW = (
    "预览之后库里的内容有变化（可能有人刚刚修改过），下面是按现在的内容重新算出的结果，请再确认一次。"
)
# ---------------------------------------------------------------- the page


def transfer_data(session: Session, viewer: Viewer) -> dict[str, Any]:
    """What the import/export page offers this user, and what an export of team.csv would warn about."""
    probe = phrases.export_phrases(session, io.BytesIO(), scope=PhraseScope.TEAM)
    return {
        "modes": MODES,
        "libraries": _libraries(viewer),
        "team_phrases": probe.count,
        "team_warnings": probe.warnings,
    }


def _libraries(viewer: Viewer) -> list[dict[str, str]]:
    """The phrase libraries this user may import into."""
    mine = {"value": "personal", "label": f"我的个人短语（{viewer.name}）"}
    team = {"value": "team", "label": "团队短语"}
    return [team, mine] if viewer.is_supervisor else [mine]


@router.get("/import")
def transfer_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    return render(request, "importexport/index.html", {**transfer_data(session, viewer), "error": None})


# ---------------------------------------------------------------- preview and confirm


def _plan(session: Session, data: bytes, meta: dict[str, Any]) -> Any:
    if workbooks.is_workbook_upload(data, meta["filename"]):
        return workbooks.plan_upload(session, data, meta)
    if meta["kind"] == "library":
        text = library.decode_library(data, source=meta["filename"])
        return library_file.plan_import(session, text, source=meta["filename"], mode=meta["mode"])
    stream = io.BytesIO(data)
    stream.name = meta["filename"]  # type: ignore[attr-defined]
    return phrases.plan_phrase_import(
        session, stream, scope=meta["scope"], owner=meta["owner"], mode=meta["mode"], encoding="auto"
    )


def counts_of(plan: Any) -> str:
    if isinstance(plan, shop_workbook.WorkbookPlan):
        return workbooks.workbook_counts(plan)
    if isinstance(plan, phrase_workbook.PhraseWorkbookPlan):
        plan = plan.plan
    if isinstance(plan, library_file.FullLibraryPlan):
        return library_preview.counts(plan)
    return f"{len(plan.added)},{len(plan.changed)},{len(plan.removed)}"


def phrase_preview(plan: phrases.PhraseImportPlan, notes: list[str] | None = None) -> dict[str, Any]:
    wanted = {item.row for item in plan.added[:PREVIEW_LIMIT] + plan.changed[:PREVIEW_LIMIT]}
    stream, start = plan._origin  # the upload as planned (a workbook's sheet as its CSV)
    stream.seek(start)
    rows = {r.row: r for r in CsvReader(stream, plan.source, plan.encoding) if r.row in wanted}

    def item(it: phrases.PlanItem, *, show_fields: bool = False) -> dict[str, Any]:
        row = rows.get(it.row)
        detail = f"{row.group or '未分组'} · {row.text}" if row else ""
        changed = "、".join({"text": "内容", "group": "分组"}.get(f, f) for f in it.fields)
        return {"title": it.code, "detail": detail, "row": it.row, "changed": changed if show_fields else ""}

    return {
        "kind": "phrases",
        "what": plan.library,
        "encoding": encoding_name(plan.encoding) + ("（自动识别）" if plan.detected else ""),
        "rows": plan.rows,
        "added": [item(it) for it in plan.added[:PREVIEW_LIMIT]],
        "changed": [item(it, show_fields=True) for it in plan.changed[:PREVIEW_LIMIT]],
        "removed": [{"title": it.code, "detail": ""} for it in plan.removed[:PREVIEW_LIMIT]],
        "counts": {"added": len(plan.added), "changed": len(plan.changed), "removed": len(plan.removed)},
        "unchanged": plan.unchanged,
        "warnings": (notes or []) + list(plan.warnings),
    }


def preview_data(session: Session, data: bytes, meta: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    plan = _plan(session, data, meta)
    if isinstance(plan, shop_workbook.WorkbookPlan):
        shown = workbooks.workbook_preview(plan)
    elif isinstance(plan, phrase_workbook.PhraseWorkbookPlan):
        shown = phrase_preview(plan.plan, plan.notes) | {"encoding": "Excel 工作簿"}
    elif meta["kind"] == "library":
        shown = library_preview.preview(session, plan)
    else:
        shown = phrase_preview(plan)
    return plan, {
        **shown,
        "filename": meta["filename"],
        "mode": meta["mode"],
        "mode_name": MODES[meta["mode"]],
    }


def _check_allowed(viewer: Viewer, meta: dict[str, Any]) -> None:
    if meta["kind"] == "library":
        allowed = can_edit(viewer.role, viewer.name, "entry")
    else:
        allowed = can_edit(
            viewer.role, viewer.name, "phrase", {"scope": meta["scope"], "owner": meta["owner"]}
        )
    if not allowed:
        raise PermissionDenied("只有客服主管可以导入问答库和团队短语；客服可以导入自己的个人短语。")


def upload_meta(viewer: Viewer, *, kind: str, mode: str, library: str, filename: str) -> dict[str, Any]:
    """What an upload is to become (the page's form, the API's fields), checked against the viewer."""
    if kind not in ("library", "phrases") or (mode or "merge") not in MODES:
        raise InvalidValue("请选择导入的内容和方式。")
    scope = library or "personal"
    meta = {
        "kind": kind,
        "mode": mode or "merge",
        "filename": filename,
        "scope": scope,
        "owner": viewer.name if scope == "personal" else "",
        "user": viewer.name,
    }
    _check_allowed(viewer, meta)
    return meta


def confirm_import(
    session: Session, viewer: Viewer, uploads: UploadStore, *, token: str, expected: str
) -> tuple[bool, dict[str, Any], dict[str, Any], str]:
    """Apply a previewed upload if the library still gives the counts the user saw.

    Returns (applied, meta, preview, counts); not applied means the plan changed since the preview and
    ``preview``/``counts`` are the fresh dry run to confirm again."""
    data, meta = uploads.get(token, user=viewer.name)
    _check_allowed(viewer, meta)
    plan, shown = preview_data(session, data, meta)
    if counts_of(plan) != expected:
        return False, meta, shown, counts_of(plan)
    if isinstance(plan, shop_workbook.WorkbookPlan | phrase_workbook.PhraseWorkbookPlan):
        workbooks.apply_upload(session, plan, user=viewer.name)
    elif meta["kind"] == "library":
        library_file.apply_import(session, plan, user=viewer.name)
    else:
        phrases.apply_phrase_import(session, plan, user=viewer.name)
    session.commit()
    uploads.drop(token)
    return True, meta, shown, counts_of(plan)


@router.post("/import/preview")
def preview(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page_error(request, session, viewer, "请先选择要导入的文件。")
    try:
        meta = upload_meta(
            viewer,
            kind=forms.text(form, "kind"),
            mode=forms.text(form, "mode"),
            library=forms.text(form, "library"),
            filename=upload.filename,
        )
    except InvalidValue as exc:
        return _page_error(request, session, viewer, str(exc))
    data = file_bytes(upload)
    try:
        plan, shown = preview_data(session, data, meta)
    except (ImportFormatError, InvalidValue, ConflictError) as exc:
        return _page_error(request, session, viewer, str(exc))
    token = request.app.state.uploads.put(data, meta)
    return render(
        request,
        "importexport/preview.html",
        {"preview": shown, "token": token, "expected": counts_of(plan), "notice": None},
    )


def _page_error(request: Request, session: Session, viewer: Viewer, message: str) -> Response:
    return render(
        request, "importexport/index.html", {**transfer_data(session, viewer), "error": message}, status=422
    )


@router.post("/import/confirm")
def confirm(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    token = forms.text(form, "token")
    applied, meta, shown, counts = confirm_import(
        session, viewer, request.app.state.uploads, token=token, expected=forms.text(form, "expected")
    )
    if not applied:
        return render(
            request,
            "importexport/preview.html",
            {"preview": shown, "token": token, "expected": counts, "notice": CHANGED_SINCE_PREVIEW},
            status=409,
        )
    c = shown["counts"]
    flash(
        request,
        f"已导入 {meta['filename']} 到{shown['what']}：新增 {c['added']}，修改 {c['changed']}，删除 {c['removed']}。可在历史里查看和恢复。",
    )
    return redirect(request, "/entries" if meta["kind"] == "library" else "/phrases")


# ---------------------------------------------------------------- export


def download(body: bytes, filename: str, media_type: str, *, shown_as: str | None = None) -> Response:
    disposition = f'attachment; filename="{filename}"'
    if shown_as:
        disposition += "; filename*=UTF-8''" + quote(shown_as)
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


def library_yaml(session: Session) -> bytes:
    return library_file.export_text(session).encode("utf-8")  # the complete file, as the CLI's


def phrases_csv(
    session: Session, *, owner: str = "", encoding: str = "gb18030", neutralise: bool = False
) -> bytes:
    """The team library (no ``owner``) or one agent's personal phrases as a Qianniu CSV."""
    out = io.BytesIO()
    phrases.export_phrases(
        session,
        out,
        scope=PhraseScope.PERSONAL if owner else PhraseScope.TEAM,
        owner=owner,
        encoding=encoding,
        neutralise_formulas=neutralise,
    )
    return out.getvalue()


@router.get("/export/library.yaml")
def export_library(session: SessionDep) -> Response:
    return download(library_yaml(session), "library.yaml", "application/yaml; charset=utf-8")


@router.get("/export/team.csv")
def export_team(session: SessionDep, encoding: str = "gb18030", neutralise: bool = False) -> Response:
    return download(phrases_csv(session, encoding=encoding, neutralise=neutralise), "team.csv", "text/csv")


@router.get("/export/personal.csv")
def export_personal(
    session: SessionDep, viewer: ViewerDep, encoding: str = "gb18030", neutralise: bool = False
) -> Response:
    body = phrases_csv(session, owner=viewer.name, encoding=encoding, neutralise=neutralise)
    return download(body, "personal.csv", "text/csv", shown_as=f"{viewer.name}.csv")
