"""The scorecard page's links back to the reply configuration (issue 17 item 5): a month's chat log
uploaded (POST /scorecard/chats) is kept in the upload store under a token only its uploader can use,
and /scorecard?month=…&chats=<token> shows the uncovered questions each agent answered most, each
with the teach buttons, which come back to that same page (so a question taught drops off the list)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from replybook.scorecard.days import month_key
from replybook.scorecard.links import chat_log
from replybook.store.errors import NotFoundError, ReplybookError
from replybook.tabular.chatlog import Conversation

from . import forms
from .auth import SupervisorDep, Viewer, flash, redirect
from .uploads import PostedForm, UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)
KIND = "scorecard-chats"


def uploaded_log(request: Request, viewer: Viewer, token: str) -> tuple[str, list[Conversation]]:
    """The chat log kept under ``token``: its file name and conversations."""
    data, meta = request.app.state.uploads.get(token, user=viewer.name)
    if meta.get("kind") != KIND:
        raise NotFoundError("上传的聊天记录已失效，请重新上传")
    name = str(meta.get("filename", "聊天记录"))
    return name, chat_log(data, source=name)


def page_path(month: str, token: str | None = None) -> str:
    query = [("month", month), *([("chats", token)] if token else [])]
    return "/scorecard?" + urlencode(query)


@router.post("/scorecard/chats")
def upload_chats(request: Request, viewer: SupervisorDep, form: PostedForm) -> Response:
    month = forms.text(form, "month").strip()
    upload = form.get("file")
    try:
        month = month_key(month)
        if not isinstance(upload, UploadFile) or not upload.filename:
            flash(request, "请先选择本月的聊天记录文件。", kind="error")
            return redirect(request, page_path(month))
        data = file_bytes(upload)
        chat_log(data, source=upload.filename)  # refused now, not on every page view
    except ReplybookError as exc:
        flash(request, str(exc), kind="error")
        return redirect(request, page_path(month) if month else "/scorecard")
    token = request.app.state.uploads.put(
        data, {"user": viewer.name, "filename": upload.filename, "kind": KIND}
    )
    return redirect(request, page_path(month, token))
