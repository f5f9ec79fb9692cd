"""`replybook campaign …`: promotions (聚划算 and others) with their window and readiness thresholds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from replybook import campaigns as core
from replybook.timeutil import parse_datetime, shop_text

from .common import console, session

app = typer.Typer(help="活动（聚划算等）：名称、时间、问题文件与检查门槛。", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="活动名称，例如 聚划算"),
    start: str = typer.Option(..., "--start", help="开始时间，例如 2026-12-10T00:00:00+08:00 或 2026-12-10"),
    end: str = typer.Option(..., "--end", help="结束时间（不含），例如 2026-12-13"),
    questions: Path = typer.Option(None, "--questions", help="活动预期问题文件（覆盖率检查用）"),
    coverage_target: float = typer.Option(0.9, "--coverage-target", help="覆盖率目标，0–1"),
    min_entries: int = typer.Option(30, "--min-entries", help="活动全程生效的问答至少条数"),
    min_personal_phrases: int = typer.Option(
        10, "--min-personal-phrases", help="每位客服个人快捷短语至少条数"
    ),
    min_team_phrases: int = typer.Option(5, "--min-team-phrases", help="团队快捷短语至少条数"),
) -> None:
    """新增活动。

    Example: replybook campaign add 聚划算 --start 2026-12-10 --end 2026-12-13 --questions questions.txt
    """
    data = core.CampaignData(
        name=name,
        start=parse_datetime(start),
        end=parse_datetime(end),
        questions_path=str(questions.resolve()) if questions else None,
        coverage_target=coverage_target,
        min_entries=min_entries,
        min_personal_phrases=min_personal_phrases,
        min_team_phrases=min_team_phrases,
    )
    with session(ctx) as s:
        core.create_campaign(s, data=data, user="cli")
    console.print(f"已添加活动 {name}：{shop_text(data.start)} — {shop_text(data.end)}", markup=False)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """列出活动。

    Example: replybook campaign list
    """
    table = Table("活动", "开始", "结束", "问题文件", "覆盖率目标", "问答≥", "个人短语≥", "团队短语≥")
    with session(ctx) as s:
        for c in core.list_campaigns(s):
            table.add_row(
                c.name,
                shop_text(c.start),
                shop_text(c.end),
                c.questions_path or "—",
                f"{c.coverage_target:.0%}",
                str(c.min_entries),
                str(c.min_personal_phrases),
                str(c.min_team_phrases),
            )
    console.print(table)


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="要修改的活动名称"),
    new_name: str = typer.Option(None, "--name", help="新名称"),
    start: str = typer.Option(None, "--start", help="新的开始时间"),
    end: str = typer.Option(None, "--end", help="新的结束时间（不含）"),
    questions: Path = typer.Option(None, "--questions", help="问题文件"),
    coverage_target: float = typer.Option(None, "--coverage-target", help="覆盖率目标，0–1"),
    min_entries: int = typer.Option(None, "--min-entries"),
    min_personal_phrases: int = typer.Option(None, "--min-personal-phrases"),
    min_team_phrases: int = typer.Option(None, "--min-team-phrases"),
) -> None:
    """修改活动的名称、时间、问题文件或检查门槛。

    Example: replybook campaign edit 聚划算 --end 2026-12-14 --coverage-target 0.95
    """
    with session(ctx) as s:
        data = core.campaign_data(core.get_campaign(s, name))
        if new_name is not None:
            data.name = new_name
        if start is not None:
            data.start = parse_datetime(start)
        if end is not None:
            data.end = parse_datetime(end)
        if questions is not None:
            data.questions_path = str(questions.resolve())
        for field, value in (
            ("coverage_target", coverage_target),
            ("min_entries", min_entries),
            ("min_personal_phrases", min_personal_phrases),
            ("min_team_phrases", min_team_phrases),
        ):
            if value is not None:
                setattr(data, field, value)
        core.update_campaign(s, name=name, data=data, user="cli")
    console.print(f"已更新活动 {data.name}", markup=False)
