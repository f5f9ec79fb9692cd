"""The hand-off and load forecast of a coverage run (SPEC §8b): each question's match judged by the
bot's transfer rules (``bot.decide``), then counted per hour (``bot.forecast``)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from replybook import bot
from replybook.coverage.matching import Matcher, Outcomes
from replybook.coverage.question_files import Question


def handoff_forecast(
    config: bot.BotConfig, questions: list[Question], matcher: Matcher, outcomes: Outcomes
) -> bot.Forecast:
    """Each question is ``bot`` or ``person`` under ``config``; the hourly figures when they carry times."""

    def items():  # type: ignore[no-untyped-def]
        for i, q in enumerate(questions):
            r = matcher.result(outcomes, i)
            decision = bot.decide(
                config, question=q.text, status=r.status, category=r.category, entry=r.question
            )
            yield q.count, q.at, decision

    return bot.forecast(config, items())


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def forecast_lines(f: dict[str, Any]) -> list[str]:
    """The forecast in a few sentences (the terminal report, the campaign check's detail)."""
    lines = [
        f"预计转人工率（{f['mode']}）{pct(f['rate'])}（{f['handed_over']}/{f['total']} 个问题），"
        f"按次数加权 {pct(f['weighted_rate'])}（{f['weighted_handed_over']}/{f['weighted_total']} 次）"
    ]
    if f["reasons"]:
        lines.append("转人工原因（次数）：" + "，".join(f"{k} {v}" for k, v in f["reasons"].items()))
    peak = f.get("peak")
    if peak:
        lines.append(
            f"高峰 {peak['label']}：预计买家消息 {peak['messages']:g} 条，转人工 {peak['handoffs']:g} 个，"
            f"需要客服 {peak['needed']} 人，排班 {peak['scheduled']} 人"
            + ("" if peak["in_service"] else "（非值班时间，转人工等待上班）")
        )
    elif f["total"]:
        lines.append("问题没有时间（聊天记录的时间或 CSV 的“时间”列），无法按小时预测转人工和排班")
    return lines


def render_forecast(f: dict[str, Any]) -> RenderableType:
    """Terminal: the sentences, then hour by hour (the hours with messages) needed vs scheduled."""
    parts: list[RenderableType] = [
        Text(line, style="bold" if i == 0 else "") for i, line in enumerate(forecast_lines(f))
    ]
    hours = [h for h in f["hours"] if h["messages"] or h["scheduled"]]
    if hours:
        table = Table(title=f"每小时（活动中的一天，按 {f['days']} 天平均）", title_justify="left")
        for col in ("时段", "买家消息", "转人工", "需要客服", "排班客服", "缺口"):
            table.add_column(col, justify="left" if col == "时段" else "right")
        for h in hours:
            short = (
                f"缺 {h['short']} 人"
                if h["short"]
                else ("非值班" if not h["in_service"] and h["handoffs"] else "")
            )
            table.add_row(
                h["label"],
                f"{h['messages']:g}",
                f"{h['handoffs']:g}",
                str(h["needed"]),
                str(h["scheduled"]),
                short,
            )
        parts.append(table)
    return Group(*parts)
