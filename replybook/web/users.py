"""The users page (supervisors only: who can log in, with which role; add a user, set a forgotten
password, log someone out everywhere) and each user's own account page (change one's password).
A new password and "log out everywhere" end every session of that user (``store/users.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.store import users
from replybook.store.errors import ConflictError, InvalidValue
from replybook.store.models import User
from replybook.store.timeutil import iso_shop

from . import forms
from . import tokens as tokens_page
from .auth import (
    ROLE_NAMES,
    SessionDep,
    SupervisorDep,
    Viewer,
    ViewerDep,
    check_login,
    flash,
    redirect,
    start_session,
)
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)


PER_PAGE = 50


def user_public(u: User) -> dict[str, Any]:
    return {
        "name": u.name,
        "role": u.role,
        "role_name": ROLE_NAMES.get(u.role, u.role),
        "created_at": iso_shop(u.created_at),
        "version": u.version,
        "history_url": f"/history/user/{u.id}",
    }


def users_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the users (PER_PAGE a page, oldest first) and the roles."""
    found = users.page_of_users(session, page=page, per_page=PER_PAGE)
    return {"users": [user_public(u) for u in found.rows], **found.fields(), "roles": ROLE_NAMES}


@router.get("/users")
def users_page(request: Request, session: SessionDep, viewer: SupervisorDep, page: int = 1) -> Response:
    return render(request, "users/list.html", {**users_data(session, page=page), "error": None, "form": {}})


@router.post("/users")
def add_user(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    values = {"name": forms.text(form, "name"), "role": forms.text(form, "role")}
    try:
        users.add_user(
            session,
            name=values["name"],
            role=values["role"],
            password=forms.text(form, "password"),
            hasher=request.app.state.hasher,
        )
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        data = {**users_data(session), "error": str(exc), "form": values}
        return render(request, "users/list.html", data, status=exc.http_status)
    flash(request, f"已添加用户 {values['name']}（{ROLE_NAMES.get(values['role'])}）")
    return redirect(request, "/users")


def reset_password_of(
    request: Request, session: Session, viewer: Viewer, *, name: str, password: str
) -> None:
    """A supervisor sets a new password for someone who forgot theirs; their sessions end (the
    supervisor's own browser stays logged in when it was their own password)."""
    user = users.set_password(session, name=name, password=password, hasher=request.app.state.hasher)
    session.commit()
    if name == viewer.name:
        start_session(request, user)


def end_sessions_of(request: Request, session: Session, viewer: Viewer, *, name: str) -> None:
    """Log ``name`` out on every browser and device (a lost phone, a shared computer)."""
    users.end_sessions(session, name=name)
    session.commit()


@router.post("/users/{name}/password")
def reset_password(
    request: Request, session: SessionDep, viewer: SupervisorDep, name: str, form: PostedForm
) -> Response:
    """A supervisor sets a new password for someone who forgot theirs."""
    try:
        reset_password_of(request, session, viewer, name=name, password=forms.text(form, "password"))
    except InvalidValue as exc:
        session.rollback()
        data = {**users_data(session), "error": f"{name}：{exc}", "form": {}}
        return render(request, "users/list.html", data, status=exc.http_status)
    flash(request, f"已为 {name} 设置新密码，请当面或私信告诉 TA，并提醒登录后自己修改。")
    return redirect(request, "/users")


def change_role_of(
    session: Session, viewer: Viewer, *, name: str, role: str, expected_version: int | None
) -> None:
    """A new role for ``name``, from the version the supervisor saw (a stale form is refused)."""
    if name == viewer.name and role != viewer.role:
        raise InvalidValue("不能修改自己的角色：请让另一位客服主管来改，店里始终要有人能管理用户。")
    users.set_role(session, name=name, role=role, expected_version=expected_version, by=viewer.name)
    session.commit()


def remove_user_of(session: Session, viewer: Viewer, *, name: str) -> None:
    """Remove ``name``; the history keeps them, restorable (with a new password)."""
    if name == viewer.name:
        raise InvalidValue("不能删除自己的账号。")
    users.remove_user(session, name=name, by=viewer.name)
    session.commit()


@router.post("/users/{name}/role")
def change_role(
    request: Request, session: SessionDep, viewer: SupervisorDep, name: str, form: PostedForm
) -> Response:
    role = forms.text(form, "role")
    try:
        change_role_of(session, viewer, name=name, role=role, expected_version=forms.version(form))
    except InvalidValue as exc:
        session.rollback()
        data = {**users_data(session), "error": f"{name}：{exc}", "form": {}}
        return render(request, "users/list.html", data, status=exc.http_status)
    flash(request, f"{name} 现在是{ROLE_NAMES.get(role, role)}")
    return redirect(request, "/users")


@router.post("/users/{name}/delete")
def delete_user(request: Request, session: SessionDep, viewer: SupervisorDep, name: str) -> Response:
    try:
        remove_user_of(session, viewer, name=name)
    except InvalidValue as exc:
        session.rollback()
        data = {**users_data(session), "error": str(exc), "form": {}}
        return render(request, "users/list.html", data, status=exc.http_status)
    flash(request, f"已删除用户 {name}；可以在“历史”中恢复（恢复后需重设密码）。")
    return redirect(request, "/users")


@router.post("/users/{name}/logout")
def end_sessions(request: Request, session: SessionDep, viewer: SupervisorDep, name: str) -> Response:
    end_sessions_of(request, session, viewer, name=name)
    flash(request, f"{name} 已在所有设备上退出登录，需要重新登录。")
    return redirect(request, "/users")


@router.get("/account")
def account_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    data = {**tokens_page.ACCOUNT_PAGE, **tokens_page.tokens_data(session, viewer)}
    return render(request, "users/account.html", data)


def change_own_password(
    request: Request, session: Session, viewer: Viewer, *, current: str, new: str, repeat: str
) -> None:
    """Anyone changes their own password, after typing the current one (and the new one twice; the
    current one is checked behind the login throttle). Every other session of theirs ends; this
    browser stays logged in."""
    if check_login(request, session, viewer.name, current) is None:
        raise InvalidValue("当前密码不对，请重新输入。")
    if new != repeat:
        raise InvalidValue("两次输入的新密码不一致，请重新输入。")
    user = users.set_password(session, name=viewer.name, password=new, hasher=request.app.state.hasher)
    session.commit()
    if not getattr(request.state, "basic_auth", False):
        start_session(request, user)


@router.post("/account/password")
def change_password(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    """Anyone changes their own password, after typing the current one."""
    try:
        change_own_password(
            request,
            session,
            viewer,
            current=forms.text(form, "current"),
            new=forms.text(form, "new"),
            repeat=forms.text(form, "repeat"),
        )
        session.commit()
    except InvalidValue as exc:
        session.rollback()
        data = {**tokens_page.ACCOUNT_PAGE, **tokens_page.tokens_data(session, viewer), "error": str(exc)}
        return render(request, "users/account.html", data, status=422)
    flash(request, "密码已修改，下次登录请用新密码。")
    return redirect(request, "/account")
