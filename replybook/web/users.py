"""The users page (supervisors only): who can log in, with which role; add a user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook import users
from replybook.errors import ConflictError, InvalidValue
from replybook.timeutil import iso_shop

from . import forms
from .auth import ROLE_NAMES, SessionDep, SupervisorDep, flash, redirect
from .render import render

router = APIRouter()


def users_data(session: Session) -> dict[str, Any]:
    return {
        "users": [
            {
                "name": u.name,
                "role": u.role,
                "role_name": ROLE_NAMES.get(u.role, u.role),
                "created_at": iso_shop(u.created_at),
            }
            for u in users.list_users(session)
        ],
        "roles": ROLE_NAMES,
    }


@router.get("/users")
def users_page(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    return render(request, "users/list.html", {**users_data(session), "error": None, "form": {}})


@router.post("/users")
async def add_user(request: Request, session: SessionDep, viewer: SupervisorDep) -> Response:
    form = await request.form()
    values = {"name": forms.text(form, "name"), "role": forms.text(form, "role")}
    try:
        users.add_user(
            session, name=values["name"], role=values["role"], password=forms.text(form, "password")
        )
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        data = {**users_data(session), "error": str(exc), "form": values}
        return render(request, "users/list.html", data, status=exc.http_status)
    flash(request, f"已添加用户 {values['name']}（{ROLE_NAMES.get(values['role'])}）")
    return redirect(request, "/users")
