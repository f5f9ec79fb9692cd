"""The stale-save page every editor shares: someone saved first, so both versions are shown side by
side and the user chooses — nothing is silently overwritten (SPEC §10)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from . import forms
from .render import render


def conflict_page(
    request: Request,
    *,
    title: str,
    current: Any,
    item_type: str,
    url: str,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    labels: Iterable[tuple[str, str]],
    form: Any,
) -> Response:
    """409 with the saved version (``theirs``, from ``current``) next to the user's (``mine``)."""
    data = {
        "title": title,
        "theirs_meta": {"version": current.version, "by": current.updated_by, "at": current.updated_at},
        "your_version": forms.version(form),
        "rows": [
            {"label": label, "mine": mine[key], "theirs": theirs[key], "differs": mine[key] != theirs[key]}
            for key, label in labels
        ],
        "action": url,
        "resubmit": forms.resubmit_fields(form, version=current.version),
        "discard_url": url,
        "history_url": f"/history/{item_type}/{current.id}",
    }
    return render(request, "conflict.html", data, status=409)
