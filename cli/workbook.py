"""Workbooks from the command line: `replybook library import/export x.xlsx` (the whole reply
configuration), `replybook import/export team.xlsx` (one phrase library) and `replybook template`."""

from __future__ import annotations

from pathlib import Path

import typer

from replybook.shop import workbook as shop_workbook
from replybook.tabular.workbook import is_workbook_name

from .common import console, err_console, session

LISTED = 200


def is_workbook(path: Path) -> bool:
    return is_workbook_name(path.name)


def import_shop_workbook(ctx: typer.Context, file: Path, *, mode: str, dry_run: bool) -> None:
    """The body of `replybook library import x.xlsx`."""
    with session(ctx) as s:
        plan = shop_workbook.import_workbook(s, file, mode=mode, dry_run=dry_run, user="cli")
        if dry_run:
            s.rollback()
    for note in plan.notes:
        console.print(note, markup=False)
    verb = "将" if dry_run else "已"
    for kind, (added, changed, removed, unchanged) in shop_workbook.counts(plan).items():
        console.print(
            f"{kind}：{verb}添加 {added} 条，{verb}修改 {changed} 条，{verb}删除 {removed} 条，未变 {unchanged} 条",
            markup=False,
        )
    for warning in plan.warnings + (plan.library.warnings if plan.library else []):
        err_console.print(f"注意：{warning}", markup=False)
    if dry_run:
        if plan.library is not None:
            for d in plan.library.add[:LISTED]:
                console.print(f"  + [{d.category}] {d.question}", markup=False)
            for _e, d in plan.library.change[:LISTED]:
                console.print(f"  ~ [{d.category}] {d.question}", markup=False)
            for d in plan.library.removed_entries[:LISTED]:
                console.print(f"  - [{d.category}] {d.question}", markup=False)
        if plan.autoreplies is not None:
            for rule in plan.autoreplies.add:
                console.print(f"  + 自动回复 {rule.name}", markup=False)
            for _id, _v, rule in plan.autoreplies.change:
                console.print(f"  ~ 自动回复 {rule.name}", markup=False)
            for _id, name in plan.autoreplies.remove:
                console.print(f"  - 自动回复 {name}", markup=False)
        console.print("（预览，未写入）")


def export_shop_workbook(ctx: typer.Context, file: Path) -> None:
    with session(ctx) as s:
        rows = shop_workbook.export_workbook(s, file)
    shown = "，".join(f"{sheet} {count} 行" for sheet, count in rows.items())
    console.print(f"已导出到 {file}：{shown}", markup=False)


def template(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="要写入的模板，文件名即种类：library.xlsx、autoreplies.xlsx、phrases.xlsx、categories.xlsx、shop.xlsx",
    ),
    kind: str = typer.Option(
        None, help="模板种类（不填则按文件名）：library、autoreplies、phrases、categories、shop"
    ),
) -> None:
    """写一个可填写的 Excel 模板：表头、两行示例、分类和启用的下拉列表，说明工作表解释每一列。

    Example: replybook template library.xlsx
    """
    chosen = shop_workbook.template_kind(kind or file.name)
    if not file.name.lower().endswith(".xlsx"):
        file = file.with_suffix(".xlsx")
    shop_workbook.write_template(chosen, file)
    console.print(
        f"已写入模板 {file}（{chosen}），填好后用 replybook library import {file.name} 导入", markup=False
    )
