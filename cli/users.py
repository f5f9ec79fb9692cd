"""`replybook user …`: people who log in to the web UI."""

from __future__ import annotations

import typer

from replybook.store import users as core

from .common import console, read_secret, session

app = typer.Typer(help="用户与角色（客服主管 supervisor / 客服 agent）。", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="登录名，例如 小美"),
    role: str = typer.Option(..., "--role", help="supervisor（客服主管）或 agent（客服）"),
) -> None:
    """添加用户；密码（至少 8 个字符）在终端中输入，或在非终端时从标准输入读取。

    Example: echo 's3cret-pass' | replybook user add 小美 --role agent
    """
    password = read_secret("密码")
    with session(ctx) as s:
        core.add_user(s, name=name, role=role, password=password)
    console.print(f"已添加用户 {name}（{role}）")


@app.command("passwd")
def passwd(ctx: typer.Context, name: str = typer.Argument(..., help="登录名")) -> None:
    """设置用户密码（终端中输入，或从标准输入读取）。

    Example: echo 'new-pass' | replybook user passwd 小美
    """
    password = read_secret("新密码")
    with session(ctx) as s:
        core.set_password(s, name=name, password=password)
    console.print(f"已更新 {name} 的密码")


@app.command("role")
def role(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="登录名"),
    new_role: str = typer.Option(..., "--role", help="supervisor（客服主管）或 agent（客服）"),
) -> None:
    """修改用户的角色（记入历史，可撤销）。

    Example: replybook user role 小美 --role supervisor
    """
    with session(ctx) as s:
        core.set_role(s, name=name, role=new_role, expected_version=None, by=None)
    console.print(f"{name} 现在是{core.ROLE_NAMES[new_role]}")


@app.command("logout")
def logout(ctx: typer.Context, name: str = typer.Argument(..., help="登录名")) -> None:
    """让用户在所有浏览器和设备上退出登录（例如手机丢了、在公用电脑上忘了退出）。

    Example: replybook user logout 小美
    """
    with session(ctx) as s:
        core.end_sessions(s, name=name)
    console.print(f"{name} 已在所有设备上退出登录")


@app.command("token")
def token(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="登录名"),
    label: str = typer.Option("命令行创建", "--name", help="令牌的用途，例如 同步脚本"),
    revoke: int = typer.Option(None, "--revoke", help="吊销这个编号的令牌（编号见 --list）"),
    list_: bool = typer.Option(False, "--list", help="列出 TA 的令牌和最近使用时间"),
) -> None:
    """创建个人 API 令牌（只显示这一次），或列出、吊销。脚本用 Authorization: Bearer 令牌 访问 /api/。

    Example: replybook user token 小美 --name 同步脚本
    """
    from replybook.store import tokens
    from replybook.store.timeutil import iso_shop

    with session(ctx) as s:
        if revoke is not None:
            gone = tokens.revoke_token(s, user=name, token_id=revoke)
            console.print(f"已吊销 {name} 的令牌 {gone.id}（{gone.name}，{gone.prefix}…）", markup=False)
        elif list_:
            for t in tokens.list_tokens(s, user=name):
                used = iso_shop(t.last_used_at) or "从未使用"
                state = f"已吊销 {iso_shop(t.revoked_at)}" if t.revoked_at else "有效"
                console.print(f"{t.id}\t{t.name}\t{t.prefix}…\t最近使用 {used}\t{state}", markup=False)
        else:
            made = tokens.create_token(s, user=name, name=label)
            console.print(
                f"已为 {name} 创建令牌 {made.token.id}（{label}）；它只显示这一次，请妥善保存：", markup=False
            )
            print(made.secret)  # plain, on its own line, so a script can capture it


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """列出用户及其角色。

    Example: replybook user list
    """
    with session(ctx) as s:
        for u in core.list_users(s):
            console.print(f"{u.name}\t{u.role}", markup=False)


@app.command("rm")
def rm(ctx: typer.Context, name: str = typer.Argument(..., help="登录名")) -> None:
    """删除用户。

    Example: replybook user rm 小雨
    """
    with session(ctx) as s:
        core.remove_user(s, name=name)
    console.print(f"已删除用户 {name}")
