"""`replybook campaign …`: promotions (聚划算 and others) with their window and readiness thresholds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from replybook import campaigns as core

from .common import console, session

app = typer.Typer(help="活动（聚划算等）：名称、时间、问题文件与检查门槛。", no_args_is_help=True)
START_HELP = "开始日期，例如 2026-12-10（当天 00:00 起，北京时间），或精确时间 2026-12-10T20:00"
END_HELP = "结束日期（含当天，到 24:00），例如 2026-12-12；或精确时间 2026-12-12T22:00（到此为止）"
QUESTIONS_HELP = "活动预期问题文件（.txt/.csv/.log，覆盖率检查用；格式见 docs/formats.md）：读入数据库，之后不再需要这个文件"


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="活动名称，例如 聚划算"),
    start: str = typer.Option(..., "--start", help=START_HELP),
    end: str = typer.Option(..., "--end", help=END_HELP),
    questions: Path = typer.Option(None, "--questions", help=QUESTIONS_HELP),
    coverage_target: float = typer.Option(0.9, "--coverage-target", help="覆盖率目标，0–1"),
    min_entries: int = typer.Option(30, "--min-entries", help="活动全程生效的问答至少条数"),
    min_personal_phrases: int = typer.Option(
        10, "--min-personal-phrases", help="每位客服个人快捷短语至少条数"
    ),
    min_team_phrases: int = typer.Option(5, "--min-team-phrases", help="团队快捷短语至少条数"),
) -> None:
    """新增活动。

    Example: replybook campaign add 聚划算 --start 2026-12-10 --end 2026-12-12 --questions questions.txt
    """
    questions_file, questions_text = core.read_question_path(questions) if questions else (None, None)
    data = core.CampaignData(
        name=name,
        start=core.window_start(start),
        end=core.window_end(end),
        questions_file=questions_file,
        questions_text=questions_text,
        coverage_target=coverage_target,
        min_entries=min_entries,
        min_personal_phrases=min_personal_phrases,
        min_team_phrases=min_team_phrases,
    )
    with session(ctx) as s:
        core.create_campaign(s, data=data, user="cli")
    console.print(f"已添加活动 {name}：{core.window_label(data.start, data.end)}（北京时间）", markup=False)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """列出活动。

    Example: replybook campaign list
    """
    table = Table("活动", "时间（北京时间）", "问题文件", "检查门槛")
    for column in table.columns:
        column.overflow = "fold"  # never cut a file name short on a narrow terminal
    with session(ctx) as s:
        for c in core.list_campaigns(s):
            questions = c.questions_file or "—"
            if c.questions_file and c.questions_text is None:
                questions += "（未存入，请重新上传）"
            table.add_row(
                c.name,
                core.window_label(c.start, c.end),
                questions,
                f"覆盖率 {c.coverage_target:.0%}，问答 ≥ {c.min_entries}，"
                f"个人短语 ≥ {c.min_personal_phrases}，团队短语 ≥ {c.min_team_phrases}",
            )
    console.print(table)


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="要修改的活动名称"),
    new_name: str = typer.Option(None, "--name", help="新名称"),
    start: str = typer.Option(None, "--start", help=START_HELP),
    end: str = typer.Option(None, "--end", help=END_HELP),
    questions: Path = typer.Option(None, "--questions", help=QUESTIONS_HELP),
    coverage_target: float = typer.Option(None, "--coverage-target", help="覆盖率目标，0–1"),
    min_entries: int = typer.Option(None, "--min-entries"),
    min_personal_phrases: int = typer.Option(None, "--min-personal-phrases"),
    min_team_phrases: int = typer.Option(None, "--min-team-phrases"),
) -> None:
    """修改活动的名称、时间、问题文件或检查门槛。

    Example: replybook campaign edit 聚划算 --end 2026-12-13 --coverage-target 0.95
    """
    questions_set = core.read_question_path(questions) if questions is not None else None
    with session(ctx) as s:
        data = core.campaign_data(core.get_campaign(s, name))
        if new_name is not None:
            data.name = new_name
        if start is not None:
            data.start = core.window_start(start)
        if end is not None:
            data.end = core.window_end(end)
        if questions_set is not None:
            data.questions_file, data.questions_text = questions_set
        for field, value in (
            ("coverage_target", coverage_target),
            ("min_entries", min_entries),
            ("min_personal_phrases", min_personal_phrases),
            ("min_team_phrases", min_team_phrases),
        ):
            if value is not None:
                setattr(data, field, value)
        core.update_campaign(s, name=name, data=data, user="cli")
    console.print(
        f"已更新活动 {data.name}：{core.window_label(data.start, data.end)}（北京时间）", markup=False
    )


@app.command("delete")
def delete(ctx: typer.Context, name: str = typer.Argument(..., help="要删除的活动名称")) -> None:
    """删除活动（连同它的问题文件；历史记录中保留，可在网页“历史”里恢复）。

    Example: replybook campaign delete 双11
    """
    with session(ctx) as s:
        core.delete_campaign(s, name=name, user="cli")
    console.print(f"已删除活动 {name}；要恢复，在网页“历史”里找到这次删除，点“恢复”", markup=False)
