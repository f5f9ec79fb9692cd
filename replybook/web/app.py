"""The web UI and JSON API: create_app(settings) builds a FastAPI app on the core services.

Nothing connects to the database at import time: the engine is made here, checked in the lifespan,
and the session secret is read (or generated once and stored) there too.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from replybook.library.file import forget_setting, get_setting, set_setting
from replybook.store.db import BUSY, ensure_current, is_busy, make_engine, session_scope
from replybook.store.errors import InvalidValue, ReplybookError, TooManyAttempts
from replybook.store.passwords import VerifiedCredentials
from replybook.store.resources import static_dir
from replybook.store.settings import Settings
from replybook.store.throttle import FailureCounter, LoginThrottle
from replybook.store.timeutil import now

from . import (
    api,
    api_docs,
    auth,
    autoreplies,
    botsettings,
    campaigns,
    categories,
    coverage,
    dashboard,
    entries,
    formats,
    gold,
    history,
    importexport,
    login,
    phrase_usage,
    phrases,
    scorecard,
    scorecard_days,
    scorecard_links,
    scorecard_model,
    synonyms,
    teach,
    tokens,
    tryit,
    users,
    workbooks,
)
from .auth import PROTECTED, NotLoggedIn
from .headers import ResponseHeaders
from .render import is_htmx, make_environment, render
from .route_index import index_routes, router_keys
from .uploads import UploadStore

log = logging.getLogger("replybook.web")
NOT_JSON = "请求内容不是有效的 JSON"
FASTAPI_UNPARSABLE_BODY = "There was an error parsing the body"
NOT_LOGGED_IN = (
    "请先登录：用网页登录，或在 Authorization 头里带个人 API 令牌（Bearer rb_…，在“我的账号”页创建），"
    "或用 HTTP Basic 认证（用户名和密码，较慢）"
)
BUSY_RETRY_AFTER = 5  # seconds: a busy database is a long import's write phase

# The page modules, in menu order; each has a ``router`` of pages that need a login.
PAGES = (
    dashboard,
    categories,
    synonyms,
    entries,
    autoreplies,
    phrase_usage,
    phrases,
    importexport,
    workbooks,
    tryit,
    teach,
    coverage,
    campaigns,
    botsettings,
    gold,
    scorecard,
    scorecard_days,
    scorecard_model,
    scorecard_links,
    history,
    users,
    tokens,
    formats,
)


def secret_key(settings: Settings, engine) -> str:
    """The configured secret, else the one stored in the database (generated on first start). A
    configured one is never stored, and one stored earlier is removed: no copy of the database then
    carries what signs the cookies."""
    with session_scope(engine) as session:
        if settings.secret_key:
            forget_setting(session, "secret_key")
            return settings.secret_key
        stored = get_setting(session, "secret_key")
        if not stored:
            stored = secrets.token_urlsafe(48)
            set_setting(session, "secret_key", stored)
    return stored


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = now) -> FastAPI:
    """Build the web app for ``settings`` (the database URL, the secret). ``clock`` is what session
    idle times and the login throttle count by (tests pass their own)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_current(engine)
        app.state.signer = auth.signer(secret_key(settings, engine))
        app.state.uploads = UploadStore(Path(settings.upload_dir) if settings.upload_dir else None)
        yield
        app.state.uploads.close()
        engine.dispose()

    app = FastAPI(
        title="replybook API",
        description="客服回复配置（千牛问答库、自动回复、快捷短语）的 JSON 接口。"
        "用个人 API 令牌（Authorization: Bearer rb_…，在“我的账号”页或用 `replybook user token` 创建）、"
        "网页登录后的会话（写操作带 X-CSRF-Token 头）或 HTTP Basic 认证（每次校验密码，较慢）访问。"
        "列表接口（问答、快捷短语、自动回复、活动、分类、覆盖测试、历史、用户、忽略的问题）每次返回一页："
        "用 ?page=N 翻页（从 1 开始，超过末页返回末页），响应里有 total（全部条数）、page、pages（页数）"
        "和 per_page（每页条数）。",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    app.state.hasher = settings.password_hasher()
    app.state.login_throttle = LoginThrottle(
        per_user=settings.login_failures_per_user,
        per_address=settings.login_failures_per_address,
        window=settings.login_lockout_minutes * 60,
        clock=clock,
    )
    app.state.verified_credentials = VerifiedCredentials(ttl=60, clock=clock)
    app.state.basic_auth_checks = FailureCounter(
        limit=settings.basic_auth_checks_per_minute, window=60, clock=clock
    )
    app.state.jinja = make_environment()
    app.state.matchers = tryit.MatcherCache()
    app.mount("/static", StaticFiles(directory=str(static_dir())), name="static")

    keys: dict[int, frozenset[str]] = {}  # the route index's groups of each included router

    def include(router: APIRouter, prefix: str = "", **options: Any) -> None:
        before = len(app.router.routes)
        app.include_router(router, prefix=prefix, **options)
        for entry in app.router.routes[before:]:
            if getattr(entry, "path", None) is None:  # FastAPI ≥ 0.137: one node for the router
                keys[id(entry)] = router_keys(router, prefix)

    include(login.router)
    for module in PAGES:
        # HTML pages and form posts: not part of the JSON API's OpenAPI document.
        include(module.router, dependencies=PROTECTED, include_in_schema=False)
    for router in api.ROUTERS:
        include(router, prefix="/api", dependencies=PROTECTED)

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=PROTECTED)
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False, dependencies=PROTECTED)
    def openapi_page(request: Request, viewer: auth.ViewerDep) -> Response:
        data = api_docs.docs_data(app.openapi(), base=str(request.base_url), user=viewer.name)
        return render(request, "api/docs.html", data)

    _install_error_handlers(app)
    index_routes(app, keys)

    app.add_middleware(ResponseHeaders)

    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": NOT_LOGGED_IN},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="replybook", Bearer realm="replybook"'},
            )
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login?next=" + quote(wanted, safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(ReplybookError)
    async def replybook_error(request: Request, exc: ReplybookError) -> Response:
        response = (
            JSONResponse({"detail": str(exc)}, status_code=exc.http_status)
            if _is_api(request)
            else _error_page(request, exc.http_status, str(exc))
        )
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            if any(e.get("type") == "json_invalid" for e in exc.errors()):
                return JSONResponse({"detail": NOT_JSON}, status_code=422)
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return _error_page(request, 422, f"提交的内容不完整或格式不对（{fields}）。请返回检查后再试。")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "服务器出错了，这次的修改没有保存。请刷新页面后重试；如果一直出错，请把出错的时间和操作告诉管理员。"
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=500)
        return _error_page(request, 500, message)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> Response:
        # A number the database cannot hold (SQLite and PostgreSQL integers are 64-bit at most):
        # as an id in the address there is no such item; anywhere else it is a bad value.
        if isinstance(exc, DataError) and "out of range" not in str(exc):
            return await unexpected(request, exc)
        if request.path_params:
            return await http_error(request, StarletteHTTPException(404, "找不到：没有这个编号"))
        return await replybook_error(request, InvalidValue("数字太大，请检查后再试"))

    @app.exception_handler(OperationalError)
    async def busy(request: Request, exc: Exception) -> Response:
        # Another writer (a long import) kept SQLite's lock past the busy timeout: nothing was
        # written, and the same request will work once it is done.
        if not is_busy(exc):
            return await unexpected(request, exc)
        headers = {"Retry-After": str(BUSY_RETRY_AFTER)}
        if _is_api(request):
            return JSONResponse({"detail": BUSY}, status_code=503, headers=headers)
        response = _error_page(request, 503, BUSY)
        response.headers.update(headers)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == FASTAPI_UNPARSABLE_BODY:  # bytes that are not text
            return JSONResponse({"detail": NOT_JSON}, status_code=422)
        if _is_api(request) or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = "没有这个页面。请从上方菜单进入。" if exc.status_code == 404 else str(exc.detail)
        return _error_page(request, exc.status_code, message)


def app_from_environment() -> FastAPI:
    """One worker's app under `replybook serve --workers N` (uvicorn's factory, imported by each
    worker process): the settings come from the ``REPLYBOOK_`` environment the server set, and each
    answer names the worker process that gave it (``X-Replybook-Worker``)."""
    app = create_app(Settings())
    app.state.worker = str(os.getpid())
    return app


def _error_page(request: Request, status: int, message: str) -> Response:
    titles = {
        403: "没有权限",
        429: "请稍后再试",
        404: "找不到",
        409: "有冲突",
        422: "内容有误",
        503: "数据库不可用",
    }
    data = {"status": status, "title": titles.get(status, "出错了"), "message": message}
    if is_htmx(request):
        return render(
            request, "error.html", data, block="message", status=status, headers={"HX-Reswap": "none"}
        )
    return render(request, "error.html", data, status=status)
