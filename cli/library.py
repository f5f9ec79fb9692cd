"""`replybook library …`: the bot reply library as a YAML file."""

from __future__ import annotations

from pathlib import Path

import typer

from replybook import library as core

from . import workbook
from .common import console, session

app = typer.Typer(help="问答库文件（YAML）的导入与导出。", no_args_is_help=True)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="库文件（YAML）或 Excel 工作簿（.xlsx/.xls：问答库、分类、自动回复、快捷短语工作表），格式见 docs/formats.md",
    ),
    mode: str = typer.Option(
        "merge", help="merge：同一标准问题更新、新的添加；replace：库变成与文件完全一致"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将添加、修改、删除的内容，不写入"),
) -> None:
    """导入问答库文件；任何一条有问题都不写入。

    Example: replybook library import sample_data/library.yaml
    """
    if workbook.is_workbook(file):
        workbook.import_shop_workbook(ctx, file, mode=mode, dry_run=dry_run)
        return
    with session(ctx) as s:
        plan = core.import_library(s, file, mode=mode, dry_run=dry_run, user="cli")
        if dry_run:
            s.rollback()
    verb = "将" if dry_run else "已"
    if plan.new_categories:
        names = "、".join(f"{name}（{key}）" for key, name in plan.new_categories)
        console.print(f"{verb}新增分类 {len(plan.new_categories)} 个：{names}", markup=False)
    console.print(
        f"{verb}添加 {len(plan.add)} 条，{verb}修改 {len(plan.change)} 条，{verb}删除 {len(plan.remove)} 条，"
        f"未变 {plan.unchanged} 条"
    )
    for warning in plan.warnings:
        console.print(f"提醒：{warning}", markup=False)
    if dry_run:
        for d in plan.add:
            console.print(f"  + [{d.category}] {d.question}", markup=False)
        for _e, d in plan.change:
            console.print(f"  ~ [{d.category}] {d.question}", markup=False)
        for d in plan.removed_entries:  # plain data: the entries themselves went with the rollback
            console.print(f"  - [{d.category}] {d.question}", markup=False)


@app.command("export")
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="要写入的 YAML 文件，或 .xlsx（问答库、分类、自动回复和全部快捷短语）"
    ),
) -> None:
    """把整个问答库导出为 YAML 文件（顺序固定：导出 → 导入 → 再导出，文件完全相同）。

    Example: replybook library export library.yaml
    """
    if workbook.is_workbook(file):
        workbook.export_shop_workbook(ctx, file)
        return
    with session(ctx) as s:
        count = core.export_library(s, file)
    console.print(f"已导出 {count} 条问答到 {file}")
