"""The phrases page's 使用情况 view (issue 15 item 4): upload a chat log, see the phrases used most,
the ones never used, and the replies typed by hand again and again, each with a one-click form that
makes it a team phrase; and the 备份 download of the import/export page (issue 15 item 2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from replybook.phrases import usage
from replybook.shop import backup
from replybook.store.errors import ConflictError, ImportFormatError, InvalidValue, PermissionDenied
from replybook.store.timeutil import shop_text

from . import forms
from .auth import SessionDep, Viewer, ViewerDep, flash, redirect
from .importexport import download
from .render import render
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
SHOWN = 50


def usage_data(report: usage.UsageReport | None, source: str = "") -> dict[str, Any]:
    """The three lists as the page shows them (plain data)."""
    if report is None:
        return {"report": None, "source": source}

    def use(u: usage.PhraseUse) -> dict[str, Any]:
        return {
            "library": u.library,
            "code": u.code,
            "text": u.text,
            "count": u.count,
            "last": shop_text(u.last),
        }

    return {
        "source": source,
        "report": {
            "agent_turns": report.agent_turns,
            "matched": report.matched,
            "used": [use(u) for u in report.used[:SHOWN]],
            "never": [use(u) for u in report.never[:SHOWN]],
            "never_total": len(report.never),
            "proposals": [
                {"number": p.number, "text": p.text, "count": p.count, "wordings": p.wordings[:5]}
                for p in report.proposals[:SHOWN]
            ],
        },
    }


@router.get("/phrases/usage")
def usage_page(request: Request, viewer: ViewerDep) -> Response:
    return render(request, "phrases/usage.html", usage_data(None))


@router.post("/phrases/usage")
def usage_upload(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(
            request, "phrases/usage.html", {**usage_data(None), "error": "请先选择聊天记录文件。"}, status=422
        )
    try:
        shown = usage_of_log(session, file_bytes(upload), upload.filename)
    except ImportFormatError as exc:
        return render(request, "phrases/usage.html", {**usage_data(None), "error": str(exc)}, status=422)
    return render(request, "phrases/usage.html", shown)


def usage_of_log(session: Session, data: bytes, filename: str) -> dict[str, Any]:
    """The page's data for an uploaded chat log (and its API twin's JSON)."""
    return usage_data(usage.phrase_usage(session, usage.read_chat_log(data, source=filename)), filename)


def adopt_phrase(session: Session, text: str, *, user: str) -> dict[str, Any]:
    """设为团队短语, for the page and the API: the new phrase's code, group and text."""
    phrase = usage.adopt_text(session, text, user=user)
    return {"id": phrase.id, "code": phrase.code, "group": phrase.group_name, "text": phrase.text}


def backup_zip(session: Session, viewer: Viewer) -> bytes:
    """The whole shop's archive (shop/backup.py); supervisors only."""
    if not viewer.is_supervisor:
        raise PermissionDenied("只有客服主管可以下载整个店铺的备份。")
    return backup.backup_bytes(session)[0]


@router.post("/phrases/usage/adopt")
def adopt(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    """设为团队短语: the proposal's text becomes a team phrase (supervisors only, like any team phrase)."""
    try:
        phrase = adopt_phrase(session, forms.text(form, "text"), user=viewer.name)
        session.commit()
    except (InvalidValue, ConflictError, PermissionDenied) as exc:
        session.rollback()
        return render(
            request, "phrases/usage.html", {**usage_data(None), "error": str(exc)}, status=exc.http_status
        )
    flash(request, f"已设为团队短语 {phrase['code']}（分组 {phrase['group']}）")
    return redirect(request, "/phrases?library=team")


@router.get("/export/backup.zip")
def export_backup(session: SessionDep, viewer: ViewerDep) -> Response:
    return download(backup_zip(session, viewer), "shop-backup.zip", "application/zip")
