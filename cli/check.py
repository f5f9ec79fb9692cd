"""`replybook check --campaign NAME`: is the customer-service setup ready for the promotion?"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from replybook.campaigns import readiness
from replybook.store.controls import terminal_safe
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import shop_text

from .common import console, err_console, session

MARK = {"pass": "[green]✔ 通过[/green]", "warn": "[yellow]! 注意[/yellow]", "fail": "[red]✘ 未通过[/red]"}


def check(
    ctx: typer.Context,
    campaign: str = typer.Option(..., "--campaign", help="活动名称，例如 聚划算"),
    questions: Path = typer.Option(None, "--questions", help="活动预期问题文件（默认用活动登记的文件）"),
    format: str = typer.Option("table", "--format", help="table、json 或 html"),
    output: Path = typer.Option(None, "--output", "-o", help="写入文件（html 默认 check-<活动>.html）"),
) -> None:
    """活动前检查：逐项检查客服配置是否就绪；全部通过退出码 0，有未通过项 1，出错 2。

    Example: replybook check --campaign 聚划算 --format html
    """
    if format not in ("table", "json", "html"):
        raise InvalidValue(f"未知格式 {format!r}，可用：table、json、html")
    with session(ctx) as s:
        with err_console.status("正在检查……") as status:
            result = readiness.run_checks(
                s,
                campaign=campaign,
                questions=questions,
                progress=lambda step: status.update(f"正在检查：{step}"),
            )
        if format == "json":
            text = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
            _emit(text, output)
        elif format == "html":
            path = output or Path(f"check-{result.campaign.name}.html")
            path.write_text(readiness.render_html(result), encoding="utf-8")
            console.print(f"已写入检查清单 {path}", markup=False)
        else:
            _table(result)
    raise typer.Exit(0 if result.ready else 1)


def _emit(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"已写入 {output}", markup=False)
    else:
        print(terminal_safe(text))  # a report quotes buyers and phrases: never raw escapes


def _table(result: readiness.Readiness) -> None:
    c = result.campaign
    console.print(f"[bold]活动 {c.name}[/bold]  {shop_text(c.start)} — {shop_text(c.end)}")
    table = Table("检查", "结果", "说明", show_lines=True)
    for check in result.checks:
        detail = check.detail
        if check.items:
            shown = check.items[:8]
            detail += "\n" + "\n".join(f"· {item}" for item in shown)
            if len(check.items) > len(shown):
                detail += f"\n…… 另有 {len(check.items) - len(shown)} 项"
        table.add_row(check.title, MARK[check.status], detail)
    console.print(table)
    fails = sum(ch.status == "fail" for ch in result.checks)
    warns = sum(ch.status == "warn" for ch in result.checks)
    if result.ready:
        console.print(f"[green bold]可以开始活动[/green bold]（{warns} 项需注意）")
    else:
        console.print(f"[red bold]尚未就绪[/red bold]：{fails} 项未通过，{warns} 项需注意")
