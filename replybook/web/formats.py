"""The file-format help page: docs/formats.md as shipped with replybook, so the formats the pages
and ``--help`` point to are readable wherever replybook runs (issue 10 item 18)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from replybook.store.resources import formats_doc

from .render import render
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


@router.get("/help/formats")
def formats_page(request: Request) -> Response:
    return render(request, "help/formats.html", {"text": formats_doc().read_text(encoding="utf-8")})
