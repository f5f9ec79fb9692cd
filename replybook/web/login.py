"""The login and logout pages (the session itself is in ``auth.py``)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from replybook.store import users

from .auth import PROTECTED, SessionDep, redirect, require_token, update_session
from .render import render

router = APIRouter()


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
async def login(request: Request, session: SessionDep) -> Response:
    form = await request.form()
    require_token(request, str(form.get("csrf_token") or ""))
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    user = users.authenticate(session, name, password) if name and password else None
    if user is None:
        error = "用户名或密码不对。请检查后重试；忘记密码请让客服主管在“用户”页重设。"
        return render(request, "login.html", {"next": target, "error": error, "name": name}, status=401)
    # A fresh CSRF token with every login, so a token seen before login is worth nothing after it.
    update_session(request, u=user.name, c=secrets.token_urlsafe(24), f=None)
    return redirect(request, target)


@router.post("/logout", include_in_schema=False, dependencies=PROTECTED)
def logout(request: Request) -> Response:
    update_session(request, u=None, c=secrets.token_urlsafe(24))
    return redirect(request, "/login")
