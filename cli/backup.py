"""`replybook backup shop.zip` / `replybook restore shop.zip`: the whole shop in one archive."""

from __future__ import annotations

from pathlib import Path

import typer

from replybook.shop import backup as core
from replybook.store import db

from .common import console, err_console, session, state

NAMES = {
    "entries": "问答",
    "synonyms": "同义词",
    "autoreplies": "自动回复",
    "campaigns": "活动",
    "phrases": "快捷短语",
    "reviews": "评价数据",
    "scores": "综合服务分",
    "users": "用户",
}


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{NAMES[k]} {n}" for k, n in counts.items())


def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="要写入的备份文件（.zip）"),
) -> None:
    """把整个店铺（问答库、分类、机器人设置、自动回复、活动及问题集、全部快捷短语、评价数据、用户）备份到一个 .zip。

    Example: replybook backup shop.zip
    """
    with session(ctx) as s:
        report = core.write_backup(s, file)
    console.print(f"已备份到 {file}（{report.created_at}）：{_counts(report.counts)}", markup=False)
    console.print("用户只备份名称和角色，不含密码", markup=False)


def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="replybook backup 写的 .zip"),
) -> None:
    """把备份恢复到一个空数据库（没有的话先创建）；全部成功或全部不写。

    Example: replybook restore shop.zip   （用 --db 指定一个新数据库）
    """
    db.upgrade(state(ctx).engine)  # a new database file is created, an old one brought up to date
    with session(ctx) as s:
        report = core.restore(s, file, user="cli")
    console.print(f"已从 {file}（备份于 {report.created_at}）恢复：{_counts(report.counts)}", markup=False)
    if report.users:
        err_console.print(
            f"注意：恢复的用户没有密码，登录前请逐个设置新密码：{'、'.join(report.users)}"
            f"（replybook user passwd {report.users[0]}）",
            markup=False,
        )
