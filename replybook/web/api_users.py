"""JSON API twins of the users and account pages: add a user, set a forgotten password, log a user
out everywhere, change one's own password, one's personal API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from replybook.store import users

from . import tokens as tokens_page
from . import users as users_page
from .auth import ROLE_NAMES, SessionDep, SupervisorDep, ViewerDep
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class UserIn(BaseModel):
    name: str = Field(examples=["小美"])
    role: str = Field(examples=["agent"], description="supervisor | agent")
    password: str = Field(description="至少 8 个字符")


class PasswordIn(BaseModel):
    password: str = Field(description="至少 8 个字符")


class RoleIn(BaseModel):
    role: str = Field(examples=["supervisor"], description="supervisor | agent")
    version: int | None = Field(default=None, description="读到的版本；他人已改过则 409")


class TokenIn(BaseModel):
    name: str = Field(examples=["同步脚本"], description="令牌的用途，最多 64 个字符")


class OwnPasswordIn(BaseModel):
    current: str
    new: str = Field(description="至少 8 个字符")


@router.post("/users", status_code=201, summary="添加用户（客服主管）")
def api_add_user(
    request: Request, session: SessionDep, viewer: SupervisorDep, body: UserIn
) -> dict[str, Any]:
    added = users.add_user(
        session, name=body.name, role=body.role, password=body.password, hasher=request.app.state.hasher
    )
    session.commit()
    return users_page.user_public(added)


@router.post(
    "/users/{name}/password", summary="为忘记密码的用户设置新密码（客服主管；TA 的所有会话随之结束）"
)
def api_reset_password(
    request: Request, session: SessionDep, viewer: SupervisorDep, name: str, body: PasswordIn
) -> dict[str, Any]:
    users_page.reset_password_of(request, session, viewer, name=name, password=body.password)
    return {"name": name, "password_set": True}


@router.post("/users/{name}/role", summary="修改用户的角色（客服主管；记入历史，可撤销）")
def api_change_role(session: SessionDep, viewer: SupervisorDep, name: str, body: RoleIn) -> dict[str, Any]:
    users_page.change_role_of(session, viewer, name=name, role=body.role, expected_version=body.version)
    return users_page.user_public(users.get_user(session, name))


@router.delete("/users/{name}", summary="删除用户（客服主管；可在历史中恢复，恢复后需重设密码）")
def api_delete_user(session: SessionDep, viewer: SupervisorDep, name: str) -> dict[str, Any]:
    users_page.remove_user_of(session, viewer, name=name)
    return {"name": name, "deleted": True}


@router.post("/users/{name}/logout", summary="让这个用户在所有设备上退出登录（客服主管）")
def api_end_sessions(
    request: Request, session: SessionDep, viewer: SupervisorDep, name: str
) -> dict[str, Any]:
    users_page.end_sessions_of(request, session, viewer, name=name)
    return {"name": name, "logged_out": True}


@router.post("/account/password", summary="修改自己的密码（需当前密码；其他设备上的会话随之结束）")
def api_change_own_password(
    request: Request, session: SessionDep, viewer: ViewerDep, body: OwnPasswordIn
) -> dict[str, Any]:
    users_page.change_own_password(
        request, session, viewer, current=body.current, new=body.new, repeat=body.new
    )
    return {"name": viewer.name, "role_name": ROLE_NAMES.get(viewer.role, viewer.role), "password_set": True}


@router.get("/account/tokens", summary="我的个人 API 令牌（不含密钥；含最近使用时间）")
def api_tokens(session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    return tokens_page.tokens_data(session, viewer)


@router.post(
    "/account/tokens",
    status_code=201,
    summary="创建个人 API 令牌（secret 只在这次回答里出现；用令牌本身不能再创建令牌）",
)
def api_create_token(
    request: Request, session: SessionDep, viewer: ViewerDep, body: TokenIn
) -> dict[str, Any]:
    return tokens_page.create_token_of(request, session, viewer, name=body.name)


@router.delete("/account/tokens/{token_id}", summary="吊销我的一个令牌（之后用它的请求得到 401）")
def api_revoke_token(
    request: Request, session: SessionDep, viewer: ViewerDep, token_id: int
) -> dict[str, Any]:
    return tokens_page.revoke_token_of(request, session, viewer, token_id=token_id)
