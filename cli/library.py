"""`replybook library …`: the bot reply library as a YAML file."""

from __future__ import annotations

from pathlib import Path

import typer

from replybook.shop import library_file as core

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
        full = core.import_library(s, file, mode=mode, dry_run=dry_run, user="cli")
        if dry_run:
            s.rollback()
    plan = full.library
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
    _print_sections(full, verb=verb, dry_run=dry_run)


def _print_sections(full: core.FullLibraryPlan, *, verb: str, dry_run: bool) -> None:
    """The synonyms', auto-replies' and campaigns' lines of a complete library file."""
    if full.synonyms is not None:
        console.print(full.synonyms.summary(verb), markup=False)
    if full.autoreplies is not None:
        a = full.autoreplies
        console.print(
            f"自动回复：{verb}添加 {len(a.add)} 条，{verb}修改 {len(a.change)} 条，{verb}删除 {len(a.remove)} 条，"
            f"未变 {a.unchanged} 条"
        )
        if dry_run:
            for rule in a.add:
                console.print(f"  + 自动回复 {rule.name}", markup=False)
            for _id, _v, rule in a.change:
                console.print(f"  ~ 自动回复 {rule.name}", markup=False)
            for _id, name in a.remove:
                console.print(f"  - 自动回复 {name}", markup=False)
    if full.campaigns is not None:
        c = full.campaigns
        console.print(
            f"活动：{verb}添加 {len(c.add)} 个，{verb}修改 {len(c.change)} 个，{verb}删除 {len(c.remove)} 个，"
            f"未变 {c.unchanged} 个"
        )
        if dry_run:
            for data in c.add:
                console.print(f"  + 活动 {data.name}", markup=False)
            for name, _data in c.change:
                console.print(f"  ~ 活动 {name}", markup=False)
            for name in c.remove:
                console.print(f"  - 活动 {name}", markup=False)


@app.command("export")
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="要写入的 YAML 文件，或 .xlsx（问答库、分类、自动回复和全部快捷短语）；- 表示输出到终端"
    ),
) -> None:
    """把整个问答库（连同分类、机器人设置、自动回复和活动）导出为 YAML 文件（顺序固定：导出 → 导入 → 再导出，文件完全相同）。

    Example: replybook library export library.yaml
    """
    if workbook.is_workbook(file):
        workbook.export_shop_workbook(ctx, file)
        return
    if str(file) == "-":  # the YAML itself on standard output, e.g. to pipe into diff
        with session(ctx) as s:
            typer.echo(core.export_text(s), nl=False)
        return
    with session(ctx) as s:
        entries, rules, found = core.export_library(s, file)
    console.print(f"已导出 {entries} 条问答、{rules} 条自动回复、{found} 个活动到 {file}")
