"""Personal API tokens on the account page: make one (its secret shown once, on the page that made
it, never in a cookie or a redirect), see each one's last use, revoke one. The API twins are in
``api_users.py``; both call the functions here, which call ``store/tokens.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.store import tokens
from replybook.store.errors import InvalidValue, PermissionDenied
from replybook.store.models_tokens import ApiToken
from replybook.store.timeutil import iso_shop

from . import forms
from .auth import SessionDep, Viewer, ViewerDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)


def token_public(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": iso_shop(token.created_at),
        "last_used_at": iso_shop(token.last_used_at),
        "revoked_at": iso_shop(token.revoked_at),
        "active": token.revoked_at is None,
    }


def tokens_data(session: Session, viewer: Viewer) -> dict[str, Any]:
    """The viewer's tokens, newest first (revoked ones say when)."""
    return {"tokens": [token_public(t) for t in tokens.list_tokens(session, user=viewer.name)]}


def create_token_of(request: Request, session: Session, viewer: Viewer, *, name: str) -> dict[str, Any]:
    """A new token for the viewer; the answer carries its secret, the only time it is shown. A
    request made with a token may not make another (a leaked token must not outlive its revocation)."""
    if getattr(request.state, "token_auth", False):
        raise PermissionDenied("用令牌不能再创建令牌：请在网页上登录后，在“我的账号”页创建。")
    made = tokens.create_token(
        session, user=viewer.name, name=name, by=viewer.name, at=request.app.state.clock()
    )
    session.commit()
    return {**token_public(made.token), "secret": made.secret}


def revoke_token_of(request: Request, session: Session, viewer: Viewer, *, token_id: int) -> dict[str, Any]:
    token = tokens.revoke_token(session, user=viewer.name, token_id=token_id, at=request.app.state.clock())
    session.commit()
    return token_public(token)


# What the account page shows besides the tokens (no error, no token just made).
ACCOUNT_PAGE = {"error": None, "token_error": None, "new_token": None}


@router.post("/account/tokens")
def create_token(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    try:
        made = create_token_of(request, session, viewer, name=forms.text(form, "name"))
    except InvalidValue as exc:
        session.rollback()
        data = {**ACCOUNT_PAGE, **tokens_data(session, viewer), "token_error": str(exc)}
        return render(request, "users/account.html", data, status=exc.http_status)
    # Rendered, not redirected: the secret must not travel through the session cookie.
    data = {**ACCOUNT_PAGE, **tokens_data(session, viewer), "new_token": made}
    return render(request, "users/account.html", data)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: SessionDep, viewer: ViewerDep, token_id: int) -> Response:
    revoked = revoke_token_of(request, session, viewer, token_id=token_id)
    flash(request, f"已吊销令牌“{revoked['name']}”（{revoked['prefix']}…），用它的脚本从现在起会收到 401。")
    return redirect(request, "/account")
