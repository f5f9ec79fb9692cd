"""Rendering: one Jinja environment (autoescape on), a page or one block of it for htmx, or JSON.

Each page has one data function returning JSON-ready values; the HTML route renders it with a
template and the API route returns it as it is, so the JSON is also the test oracle.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from replybook.store.errors import InvalidValue
from replybook.store.resources import data_dir
from replybook.store.timeutil import parse_datetime, to_shop

from .auth import csrf_token, pop_flash, save_session


def _shoptime(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as the shop reads it (Asia/Shanghai)."""
    if not value:
        return ""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else value
    except InvalidValue:
        return str(value)  # what the user typed, shown back to them with the error
    return to_shop(moment).strftime(fmt)


def _local_input(value: datetime | str | None) -> str:
    """The value of an <input type=datetime-local> in shop time."""
    return _shoptime(value, "%Y-%m-%dT%H:%M")


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() of every template per render
    )
    env.filters["shoptime"] = _shoptime
    env.filters["local_input"] = _local_input
    # Bars and charts as SVG (no inline style), for every page and every htmx fragment alike.
    env.globals["charts"] = env.get_template("_charts.html").make_module()
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    data: dict[str, Any],
    *,
    block: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render template ``name`` with ``data``; with ``block``, only that block (an htmx fragment)."""
    env: jinja2.Environment = request.app.state.jinja
    context = {
        "request": request,
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": csrf_token(request),
        "flash": None if block else pop_flash(request),
        "path": request.url.path,
        **data,
    }
    template = env.get_template(name)
    if block:
        html = "".join(template.blocks[block](template.new_context(context)))
    else:
        html = template.render(context)
    response = HTMLResponse(html, status_code=status, headers=headers)
    return save_session(request, response)


def content_security_policy(*styles: str) -> str:
    """The pages' Content-Security-Policy; ``styles`` are ``<style>`` blocks this response may use
    (allowed by their SHA-256, never by 'unsafe-inline')."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles
    )
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'{hashes}; img-src 'self' data: https:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def standalone_page(html: str) -> HTMLResponse:
    """A self-contained page (the printable checklist) served with its own style blocks allowed."""
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    return HTMLResponse(html, headers={"Content-Security-Policy": content_security_policy(*styles)})
