"""`replybook bot …`: the bot's mode, transfer rules, shifts and staffing figures (SPEC §8b)."""

from __future__ import annotations

from typing import Any

import typer

from replybook import bot as core

from .common import console, session

app = typer.Typer(
    help="机器人设置：模式（半自动/全自动）、转人工规则、值班班次与排班参数。", no_args_is_help=True
)


def print_settings(config: core.BotConfig) -> None:
    lines = [
        f"机器人模式：{config.mode_name}",
        f"转人工关键词：{'、'.join(config.transfer_keywords) or '无'}",
        f"连续答不上 {config.unanswered_limit} 次转人工",
        f"高风险分类：{'、'.join(config.high_risk_categories) or '无'}",
        f"高风险问答：{'、'.join(config.high_risk_entries) or '无'}",
        "值班班次：" + ("无" if not config.shifts else ""),
    ]
    lines += [
        f"  {s.label}：{'、'.join(s.agents) or '没有客服'}（{len(s.agents)} 人）" for s in config.shifts
    ]
    lines.append(
        f"排班参数：每位客服同时接待 {config.concurrency} 位买家，每次转人工处理 {config.handling_minutes:g} 分钟，"
        f"有效工作占比 {config.productivity:g}"
    )
    lines.append("（默认设置，尚未保存）" if config.version is None else f"（第 {config.version} 版）")
    for line in lines:
        console.print(line, markup=False)


@app.command("show")
def show(ctx: typer.Context) -> None:
    """显示机器人设置。

    Example: replybook bot show
    """
    with session(ctx) as s:
        print_settings(core.get_bot_settings(s))


@app.command("set")
def set_(
    ctx: typer.Context,
    mode: str = typer.Option(
        None, "--mode", help="半自动（机器人提示、客服发送）或 全自动（机器人独立回答）"
    ),
    keywords: str = typer.Option(None, "--keywords", help="转人工关键词，逗号分隔，例如 人工,投诉,差评"),
    unanswered: int = typer.Option(None, "--unanswered", help="连续答不上几次转人工（默认 2）"),
    high_risk_category: list[str] = typer.Option(
        None, "--high-risk-category", help="高风险分类（键或名称，可多次）：全自动下也转人工"
    ),
    high_risk_entry: list[str] = typer.Option(
        None, "--high-risk-entry", help="高风险问答的标准问题（可多次）"
    ),
    shift: list[str] = typer.Option(
        None,
        "--shift",
        help="班次（可多次，替换全部班次）：名称=开始-结束:客服1,客服2，例如 晚班=16:00-24:00:小美,小雨",
    ),
    concurrency: int = typer.Option(None, "--concurrency", help="每位客服同时接待的买家数（默认 3）"),
    handling_minutes: float = typer.Option(
        None, "--handling-minutes", help="每次转人工的处理时长，分钟（默认 2）"
    ),
    productivity: float = typer.Option(None, "--productivity", help="客服有效工作占比，0–1（默认 0.8）"),
) -> None:
    """修改机器人设置（只改给出的项）。

    Example: replybook bot set --mode 全自动 --shift 白班=08:30-16:30:小美 --shift 晚班=16:00-24:00:小雨
    """
    changes: dict[str, Any] = {}
    if mode is not None:
        changes["mode"] = mode
    if keywords is not None:
        changes["transfer_keywords"] = keywords
    if unanswered is not None:
        changes["unanswered_limit"] = unanswered
    if high_risk_category:
        changes["high_risk_categories"] = list(high_risk_category)
    if high_risk_entry:
        changes["high_risk_entries"] = list(high_risk_entry)
    if shift:
        changes["shifts"] = [core.parse_shift(text) for text in shift]
    for key, value in (
        ("concurrency", concurrency),
        ("handling_minutes", handling_minutes),
        ("productivity", productivity),
    ):
        if value is not None:
            changes[key] = value
    with session(ctx) as s:
        current = core.get_bot_settings(s)
        config = core.config_from_mapping(changes, base=current)
        saved = core.save_bot_settings(s, config=config, expected_version=current.version, user="cli")
        console.print("已保存机器人设置", markup=False)
        print_settings(saved)


@app.command("shift")
def shift_(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="班次名称，例如 晚班"),
    add_agent: list[str] = typer.Option(None, "--add-agent", help="加到这个班次的客服（可多次）"),
    remove_agent: list[str] = typer.Option(None, "--remove-agent", help="从这个班次去掉的客服（可多次）"),
) -> None:
    """给一个班次加减客服。

    Example: replybook bot shift 晚班 --add-agent 小新
    """
    with session(ctx) as s:
        saved = core.set_shift_agents(
            s, shift=name, add=add_agent or [], remove=remove_agent or [], user="cli"
        )
        on = saved.shift(name)
        console.print(
            f"{on.label}：{'、'.join(on.agents) or '没有客服'}（{len(on.agents)} 人）", markup=False
        )
