"""`replybook teach …` and `replybook ignore …`: teach the bot what it missed (issue 13 item 5) — a
question as a similar wording of an entry, a new entry, or an ignored question; `teach undo` takes
an action back (its revisions are printed with it)."""

from __future__ import annotations

from datetime import datetime

import typer

from replybook.coverage import ignored as ignoring
from replybook.coverage import teach as core
from replybook.store.timeutil import now, parse_datetime

from .common import console, session

app = typer.Typer(help="教机器人：把问题加为相似问法、新建问答、忽略，或撤销。", no_args_is_help=True)
ignore_app = typer.Typer(
    help="忽略的问题：机器人不该回答的问题（覆盖测试算作正确的未覆盖）。", no_args_is_help=True
)


def _print(result: core.TeachResult) -> None:
    console.print(result.text, markup=False)
    revisions = " ".join(str(r) for r in result.revisions)
    console.print(f"撤销：replybook teach undo {revisions}", markup=False)


@app.command("wording")
def wording(
    ctx: typer.Context,
    questions: list[str] = typer.Argument(..., help="顾客的问题（可以写多个）"),
    entry: str = typer.Option(..., "--entry", help="问答编号（12 或 #12）或它的标准问题"),
) -> None:
    """把问题加为某条问答的相似问法。

    Example: replybook teach wording "可以寄到国外吗" --entry 偏远地区能发吗
    """
    with session(ctx) as s:
        result = core.teach_wording(s, questions=questions, entry=entry, user="cli")
    _print(result)


@app.command("entry")
def entry(
    ctx: typer.Context,
    questions: list[str] = typer.Argument(..., help="顾客的问题（一组说法：第一句做标准问题）"),
    answer: list[str] = typer.Option([], "--answer", help="答案（可以多个）；不写则只显示草稿"),
    category: str = typer.Option(None, "--category", help="分类编码；不写则由最接近的问答投票"),
    at: str = typer.Option(None, "--at", help="按这个时间生效的问答投票（默认现在）"),
) -> None:
    """用问题新建问答：去掉“亲，在吗”等寒暄，分类由最接近的几条问答按分数投票。

    Example: replybook teach entry "亲，可以寄到国外吗" "能发海外吗" --answer "亲，暂时只发国内哦"
    """
    moment: datetime = parse_datetime(at) if at else now()
    with session(ctx) as s:
        if not answer:
            draft = core.entry_draft(s, questions=questions, at=moment)
            console.print(
                f"草稿（加 --answer 才会新建）：标准问题 {draft.question}，分类 {draft.category}",
                markup=False,
            )
            for w in draft.similar:
                console.print(f"  相似问法：{w}", markup=False)
            return
        result = core.teach_entry(
            s, questions=questions, answers=answer, at=moment, category=category, user="cli"
        )
    _print(result)


@app.command("undo")
def undo(
    ctx: typer.Context, revisions: list[int] = typer.Argument(..., help="教机器人时打印的修改编号")
) -> None:
    """撤销一次教机器人的操作。

    Example: replybook teach undo 42
    """
    with session(ctx) as s:
        text = core.undo_changes(s, revisions=revisions, user="cli")
    console.print(text, markup=False)


@ignore_app.command("add")
def ignore_add(
    ctx: typer.Context,
    questions: list[str] = typer.Argument(..., help="机器人不该回答的问题"),
) -> None:
    """忽略问题：之后的覆盖测试把它算作已忽略（正确的未覆盖）。

    Example: replybook ignore add "你们老板的电话号码多少"
    """
    with session(ctx) as s:
        result = core.teach_ignore(s, questions=questions, user="cli")
    _print(result)


@ignore_app.command("list")
def ignore_list(ctx: typer.Context) -> None:
    """列出忽略的问题。

    Example: replybook ignore list
    """
    with session(ctx) as s:
        items = ignoring.list_ignored(s)
        for i in items:
            console.print(f"#{i.id} {i.question}" + (f"（{i.note}）" if i.note else ""), markup=False)
    console.print(f"共 {len(items)} 个忽略的问题", markup=False)


@ignore_app.command("remove")
def ignore_remove(ctx: typer.Context, question: str = typer.Argument(..., help="问题（或 #编号）")) -> None:
    """取消忽略。

    Example: replybook ignore remove "你们老板的电话号码多少"
    """
    text = question.strip()
    with session(ctx) as s:
        if text.startswith("#") and text[1:].isdigit():
            item = ignoring.remove_ignored(s, ignored_id=int(text[1:]), user="cli")
        else:
            item = ignoring.remove_ignored(s, question=text, user="cli")
    console.print(f"已取消忽略“{item.question}”", markup=False)
