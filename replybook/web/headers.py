"""What every response carries, added as its headers go out: the security headers, ``no-store`` on
pages and JSON, the session cookie when the request changed the session, and (``serve --workers``) the
worker that answered.

A plain ASGI middleware, not ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware`` runs
each request in a task group of its own and copies the response through a stream, which cost more
than a whole ``/api/me`` (see benchmarks/README.md, "The shared request path")."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import auth
from .render import content_security_policy

# Every response: only our own scripts and stylesheets apply (no inline script, handler or style
# attribute in any page: bars are SVG shapes), no framing, no guessing of types, no page addresses
# sent to other sites. A page with a style block of its own allows exactly that block by its hash.
SECURITY_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
WORKER_HEADER = "X-Replybook-Worker"


class ResponseHeaders:
    """Adds SECURITY_HEADERS (unless the response set its own), ``Cache-Control: no-store`` outside
    ``/static/``, a session cookie the response did not write itself (JSON or a file: the idle time
    restarting on an API call), and ``X-Replybook-Worker`` when the app's state names a worker."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                request = Request(scope)
                carrier = auth.save_session(request, Response())
                for cookie in carrier.headers.getlist("set-cookie"):
                    headers.append("set-cookie", cookie)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers["Cache-Control"] = "no-store"  # pages and JSON carry the shop's data
                worker = getattr(request.app.state, "worker", None)
                if worker:
                    headers[WORKER_HEADER] = worker
            await send(message)

        await self.app(scope, receive, send_with_headers)
