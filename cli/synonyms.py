"""`replybook synonyms …`: the shop's synonyms (同义词) — a core word and its similar words, which
the matcher reads as the core word on both sides of a match."""

from __future__ import annotations

from pathlib import Path

import typer

from replybook.library import synonyms as core
from replybook.store.models_synonyms import Synonym

from .common import console, session

app = typer.Typer(help="同义词：核心词和它的同义词（匹配前两边的同义词都换成核心词）。", no_args_is_help=True)


def _line(item: Synonym) -> str:
    off = "（停用）" if not item.enabled else ""
    return f"#{item.id} {item.word}：{'、'.join(item.similar_words)}{off}"


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """列出同义词。

    Example: replybook synonyms list
    """
    with session(ctx) as s:
        items = core.list_synonyms(s)
        for item in items:
            console.print(_line(item), markup=False)
    console.print(f"共 {len(items)} 组同义词", markup=False)


@app.command("add")
def add(
    ctx: typer.Context,
    word: str = typer.Argument(..., help="核心词（问答库里用的说法）"),
    similar: list[str] = typer.Argument(..., help="同义词（顾客的其他说法，可以写多个）"),
) -> None:
    """新增一组同义词。

    Example: replybook synonyms add 发票 开票 票据
    """
    with session(ctx) as s:
        item = core.add_synonym(s, word=word, similar=similar, user="cli")
        console.print(f"已新增同义词 {_line(item)}", markup=False)


@app.command("edit")
def edit(
    ctx: typer.Context,
    word: str = typer.Argument(..., help="要修改的核心词（或 #编号）"),
    similar: list[str] = typer.Argument(..., help="新的同义词（替换原来的全部）"),
    rename: str = typer.Option(None, "--word", help="新的核心词（不写则不变）"),
    disable: bool = typer.Option(False, "--disable", help="停用这一组（保留但不用于匹配）"),
) -> None:
    """修改一组同义词（同义词整组替换）。

    Example: replybook synonyms edit 快递 物流 包裹 快件
    """
    with session(ctx) as s:
        item = core.find_synonym(s, word)
        item = core.edit_synonym(
            s,
            item.id or 0,
            word=rename or item.word,
            similar=similar,
            enabled=not disable,
            expected_version=item.version,
            user="cli",
        )
        console.print(f"已修改同义词 {_line(item)}（第 {item.version} 版）", markup=False)


@app.command("remove")
def remove(ctx: typer.Context, word: str = typer.Argument(..., help="核心词（或 #编号）")) -> None:
    """删除一组同义词（历史里可以恢复）。

    Example: replybook synonyms remove 快递
    """
    with session(ctx) as s:
        item = core.find_synonym(s, word)
        core.remove_synonym(s, item.id or 0, expected_version=item.version, user="cli")
        console.print(f"已删除同义词 {item.word}", markup=False)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="同义词文件（YAML：synonyms: 每项 word 和 similar；库文件也行）"),
    mode: str = typer.Option("merge", help="merge：同一核心词更新、新的添加；replace：变成与文件完全一致"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将添加、修改、删除的数量，不写入"),
) -> None:
    """导入同义词；任何一组有问题都不写入。

    Example: replybook synonyms import synonyms.yaml --mode replace
    """
    raw = core.read_synonyms_file(file)
    with session(ctx) as s:
        groups = core.parse_groups(raw, where=f"{file.name} synonyms")
        plan = core.plan_synonyms(s, groups, mode=mode)
        if not dry_run:
            core.apply_synonyms(s, plan, user="cli")
    console.print(plan.summary("将" if dry_run else ""), markup=False)


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path = typer.Option(None, "-o", "--output", help="写到这个文件（不写则打印）"),
) -> None:
    """导出同义词（YAML，import 可读回）。

    Example: replybook synonyms export -o synonyms.yaml
    """
    with session(ctx) as s:
        text = core.export_text(s)
        count = len(core.list_synonyms(s))
    if output is None:
        console.print(text, markup=False, end="")
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"已导出同义词 {count} 组到 {output}", markup=False)
