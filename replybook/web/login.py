"""The login and logout pages (the session itself is in ``auth.py``)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from replybook.store import users
from replybook.store.errors import TooManyAttempts

from .auth import (
    PROTECTED,
    SessionDep,
    ViewerDep,
    check_login,
    redirect,
    require_token,
    start_session,
    update_session,
)
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)


def _safe_next(value: str | None) -> str:
    """Only a local path: never redirect a login to another site."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "name": ""})


@router.post("/login", include_in_schema=False)
def login(request: Request, session: SessionDep, form: PostedForm) -> Response:
    """Checking a password costs a scrypt (~0.1–0.4 s): a plain ``def``, so it runs in a worker
    thread and the event loop keeps serving everyone else."""
    require_token(request, str(form.get("csrf_token") or ""))
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    try:
        user = check_login(request, session, name, password) if name and password else None
    except TooManyAttempts as exc:
        data = {"next": target, "error": str(exc), "name": name}
        return render(request, "login.html", data, status=429, headers={"Retry-After": str(exc.retry_after)})
    if user is None:
        error = "用户名或密码不对。请检查后重试；忘记密码请让客服主管在“用户”页重设。"
        return render(request, "login.html", {"next": target, "error": error, "name": name}, status=401)
    # A fresh CSRF token with every login, so a token seen before login is worth nothing after it.
    start_session(request, user)
    update_session(request, c=secrets.token_urlsafe(24), f=None)
    return redirect(request, target)


@router.post("/logout", include_in_schema=False, dependencies=PROTECTED)
def logout(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    """Logging out ends the session everywhere: a copy of this cookie is refused from now on."""
    users.end_sessions(session, name=viewer.name)
    session.commit()
    update_session(request, u=None, g=None, t=None, c=secrets.token_urlsafe(24))
    return redirect(request, "/login")
