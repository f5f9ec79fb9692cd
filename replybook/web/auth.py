"""Who is asking: signed session cookies, roles, CSRF, and the login/logout pages.

The session is one signed cookie (itsdangerous) holding the user's name, their session generation,
when it was last used, a CSRF token and a pending flash message. A cookie is accepted only while its
generation is the user's current one (logout, a new password and "log out everywhere" bump it, so a
copied cookie is worth nothing afterwards) and it was used within the idle time
(``session_idle_minutes``); it is ``Secure`` when the settings say the site is served over HTTPS.
Failed logins (the form and basic auth alike) are throttled per name and per address (429). Every state-changing request from a browser must carry that token, in the hidden
``csrf_token`` form field or the ``X-CSRF-Token`` header (htmx sends it from ``<body hx-headers>``).
The API also accepts a personal API token (``Authorization: Bearer rb_…``, ``store/tokens.py``: one
indexed sha256 lookup) and HTTP basic auth (a scrypt, remembered for a minute, and rate-limited per
address); neither needs a CSRF token because no cookie is involved.
The login and logout pages are in ``login.py``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from replybook.store import tokens, users
from replybook.store.errors import PermissionDenied, TooManyAttempts, TooManyPasswordChecks
from replybook.store.models import Role, User

SESSION_COOKIE = "replybook_session"
SESSION_MAX_AGE = 14 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLE_NAMES = users.ROLE_NAMES


class NotLoggedIn(Exception):
    """No valid session or credentials; pages redirect to /login, the API answers 401."""


class CsrfRefused(PermissionDenied):
    """A state-changing request without the session's CSRF token."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the web layer sees them."""

    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR.value

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def signer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="replybook-session")


# ---------------------------------------------------------------- the session cookie


def read_session(request: Request) -> dict[str, Any]:
    """The decoded session (cached on the request); empty when missing, tampered with or expired."""
    cached = getattr(request.state, "rb_session", None)
    if cached is not None:
        return cached
    data: Any = {}
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            data = request.app.state.signer.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            data = {}
    if not isinstance(data, dict):
        data = {}
    request.state.rb_session = data
    request.state.rb_session_dirty = False
    return data


def update_session(request: Request, **changes: Any) -> dict[str, Any]:
    data = read_session(request)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    request.state.rb_session_dirty = True
    return data


def save_session(request: Request, response: Response) -> Response:
    """Write the session cookie on ``response`` if this request changed it."""
    if getattr(request.state, "rb_session_dirty", False):
        response.set_cookie(
            SESSION_COOKIE,
            request.app.state.signer.dumps(read_session(request)),
            max_age=SESSION_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.https or request.url.scheme == "https",
        )
        request.state.rb_session_dirty = False
    return response


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = read_session(request).get("c")
    if not token:
        token = secrets.token_urlsafe(24)
        update_session(request, c=token)
    return str(token)


def flash(
    request: Request,
    text: str,
    *,
    undo: int | None = None,
    kind: str = "ok",
    undo_changes: list[int] | None = None,
    next: str | None = None,
) -> None:
    """A message shown once on the next page; ``undo`` is a revision that restores what was done,
    ``undo_changes`` the revisions a teach action made (撤销 takes them back: ``/teach/undo``)."""
    message: dict[str, Any] = {"text": text, "undo": undo, "kind": kind}
    if undo_changes:
        message["undo_changes"] = undo_changes
        message["next"] = next  # where the undo returns to (the page the action came from)
    update_session(request, f=message)


def pop_flash(request: Request) -> dict[str, Any] | None:
    message = read_session(request).get("f")
    if message:
        update_session(request, f=None)
    return message


def redirect(request: Request, url: str) -> Response:
    """A 303 See Other after a successful form post, carrying any session change (a flash)."""
    return save_session(request, RedirectResponse(url, status_code=303))


# ---------------------------------------------------------------- dependencies


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A database session per request; routes that write commit explicitly before responding.

    Made on the event loop (it connects only when first used, in the route's worker thread) rather
    than by a ``def`` dependency, which costs two thread hand-offs per request. Closing it gives its
    connection back: in a worker thread where that is a round trip to a server (PostgreSQL's
    rollback of a read), on the loop when nothing is open or it is SQLite's local file."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction() and session.get_bind().dialect.name != "sqlite":
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        name, sep, password = base64.b64decode(value).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (name, password) if sep else None


def _bearer_secret(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _token_user(request: Request, session: Session, secret: str) -> User | None:
    """A personal API token's user. Tokens are too long to guess, but a wrong one still counts
    against the client's address in the login throttle, so a scanner is stopped like a guesser."""
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else "?"
    wait = throttle.addresses.retry_after(address)
    if wait:
        raise TooManyAttempts(wait)
    user = tokens.token_user(session, secret, at=request.app.state.clock())
    if user is None:
        throttle.addresses.fail(address)
        return None
    session.commit()  # the token's last use (written at most once a minute)
    return user


def _now(request: Request) -> float:
    return float(request.app.state.clock().timestamp())


def start_session(request: Request, user: User) -> None:
    """This browser is ``user``'s now (after a login, or a password change that ended the others)."""
    update_session(request, u=user.name, g=user.session_generation, t=_now(request))


def _session_user(request: Request, session: Session, data: dict[str, Any]) -> User | None:
    """The cookie's user while the cookie is still good: their current generation, not idle too long."""
    user = session.exec(select(User).where(User.name == data["u"])).first()
    idle = _now(request) - float(data.get("t") or 0)
    if user is None or data.get("g") != user.session_generation:
        return None
    if idle > request.app.state.settings.session_idle_minutes * 60:
        return None
    if idle > 60:  # refreshed at most once a minute, so a page view rarely rewrites the cookie
        update_session(request, t=_now(request))
    return user


def check_login(request: Request, session: Session, name: str, password: str) -> User | None:
    """``authenticate`` behind the throttle: a name or address that failed too often is refused
    (``TooManyAttempts``, 429) before any password is checked; the login form, basic auth and the
    current-password check all come through here."""
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else "?"
    throttle.check(name, address)
    user = users.authenticate(session, name, password, hasher=request.app.state.hasher) if name else None
    if user is None:
        throttle.failed(name, address)
        return None
    throttle.succeeded(name)
    session.commit()  # a hash re-made with today's parameters
    return user


def _basic_user(request: Request, session: Session, name: str, password: str) -> User | None:
    """Basic auth, with a verification remembered briefly (a scrypt per API request would be slow).
    Each scrypt it does run counts against the client's address (``basic_auth_checks_per_minute``):
    a script that keeps changing credentials is refused (429) and told to use a token."""
    verified = request.app.state.verified_credentials
    user = session.exec(select(User).where(User.name == name)).first()
    if user is not None and (name, password, user.password_hash) in verified:
        return user
    checks = request.app.state.basic_auth_checks
    address = request.client.host if request.client else "?"
    wait = checks.retry_after(address)
    if wait:
        raise TooManyPasswordChecks(wait)
    user = check_login(request, session, name, password)
    checks.fail(address)  # one scrypt spent (a throttled attempt raised before any)
    if user is not None:
        verified.add(name, password, user.password_hash)
    return user


def current_viewer(request: Request, session: SessionDep) -> Viewer:
    """The logged-in user: on the API a personal token (``Authorization: Bearer``) first, else the
    session cookie, else (API only) HTTP basic auth."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    user: User | None = None
    data = read_session(request)
    is_api = request.url.path.startswith("/api/")
    secret = _bearer_secret(request) if is_api else None
    if secret is not None:
        user = _token_user(request, session, secret)
        request.state.token_auth = user is not None
    elif data.get("u"):
        user = _session_user(request, session, data)
    elif is_api:
        creds = _basic_credentials(request)
        if creds:
            user = _basic_user(request, session, *creds)
            request.state.basic_auth = user is not None
    if user is None:
        raise NotLoggedIn()
    viewer = Viewer(name=user.name, role=user.role)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


async def check_csrf(request: Request, viewer: ViewerDep) -> None:
    """Refuse a state-changing request that does not carry this session's CSRF token."""
    if request.method in SAFE_METHODS or getattr(request.state, "token_auth", False):
        return  # a browser never sends a bearer token on its own, so another site cannot forge one
    if getattr(request.state, "basic_auth", False):
        # Scripts send no Origin; a browser that cached basic credentials does, from the other site.
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.url.netloc:
            raise CsrfRefused(
                "拒绝来自其他网站的请求：请在 replybook 自己的页面里操作，或从脚本直接调用 API。"
            )
        return
    require_token(request, await _sent_token(request))


async def _sent_token(request: Request) -> str:
    sent = request.headers.get("x-csrf-token", "")
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else ""
    return sent


def require_token(request: Request, sent: str) -> None:
    expected = read_session(request).get("c")
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise CsrfRefused("表单缺少有效的安全令牌（CSRF），可能页面已过期。请刷新页面后再提交一次。")


def require_supervisor(viewer: ViewerDep) -> Viewer:
    if not viewer.is_supervisor:
        raise PermissionDenied(
            "这项操作只有客服主管可以做。你可以查看这里的内容，并管理自己的快捷短语；如需修改，请联系客服主管。"
        )
    return viewer


SupervisorDep = Annotated[Viewer, Depends(require_supervisor)]

# Every page router: logged in, and CSRF-checked on anything but GET/HEAD/OPTIONS.
PROTECTED = [Depends(current_viewer), Depends(check_csrf)]
