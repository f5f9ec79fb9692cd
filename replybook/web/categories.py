"""The categories page: the intent categories with their entry counts; supervisors add new ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.library import entries
from replybook.store import paging
from replybook.store.errors import ConflictError, InvalidValue

from . import forms
from .auth import SessionDep, SupervisorDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 100  # categories are few; a shop with hundreds still gets pages


def categories_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the categories (PER_PAGE a page, in the library's order) with their entry counts."""
    counts = entries.entry_counts(session)
    found = paging.of_list(entries.list_categories(session), page=page, per_page=PER_PAGE)
    return {
        "categories": [
            {"key": c.key, "name": c.name, "builtin": c.builtin, "count": counts.get(c.key, 0)}
            for c in found.rows
        ],
        **found.fields(),
    }


@router.get("/categories")
def categories_page(request: Request, session: SessionDep, page: int = 1) -> Response:
    data = {**categories_data(session, page=page), "error": None, "form": {}}
    return render(request, "categories/list.html", data)


@router.post("/categories")
def add_category(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    values = {"key": forms.text(form, "key"), "name": forms.text(form, "name")}
    try:
        entries.add_category(session, key=values["key"], name=values["name"], user=viewer.name)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        data = {**categories_data(session), "error": str(exc), "form": values}
        return render(request, "categories/list.html", data, status=exc.http_status)
    flash(request, f"已新增分类“{values['name'].strip()}”")
    return redirect(request, "/categories")
