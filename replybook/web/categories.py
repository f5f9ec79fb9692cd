"""The categories page: the intent categories with their entry counts; supervisors add new ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.library import entries
from replybook.store.errors import ConflictError, InvalidValue

from . import forms
from .auth import SessionDep, SupervisorDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)


def categories_data(session: Session) -> dict[str, Any]:
    counts = entries.entry_counts(session)
    return {
        "categories": [
            {"key": c.key, "name": c.name, "builtin": c.builtin, "count": counts.get(c.key, 0)}
            for c in entries.list_categories(session)
        ]
    }


@router.get("/categories")
def categories_page(request: Request, session: SessionDep) -> Response:
    return render(request, "categories/list.html", {**categories_data(session), "error": None, "form": {}})


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
