"""The campaign check's item "staffed for the peak" (SPEC §8b): from the hand-off forecast of the
campaign's question set, every hour of a campaign day has at least the agents it needs."""

from __future__ import annotations

from typing import Any

from replybook import bot
from replybook.campaigns.readiness_types import FAIL, PASS, WARN, CheckResult

NAME, TITLE = "staffing", "高峰时段排班"


def _rate(f: dict[str, Any]) -> str:
    return f"预计转人工率（{f['mode']}）{f['rate'] * 100:.1f}%，按次数加权 {f['weighted_rate'] * 100:.1f}%"


def _shifts_of(config: bot.BotConfig, hour: int) -> str:
    on = [s for s in config.shifts if s.minutes_in_hour(hour) >= bot.staffing.HALF_HOUR]
    return "、".join(f"{s.label}：{'、'.join(s.agents) or '没有客服'}" for s in on) or "没有班次"


def check_staffing(forecast: dict[str, Any] | None, config: bot.BotConfig) -> CheckResult:
    if forecast is None:
        return CheckResult(NAME, TITLE, WARN, "没有可读的活动问题，无法预测转人工和排班")
    peak = forecast.get("peak")
    if not peak:
        return CheckResult(
            NAME,
            TITLE,
            WARN,
            f"{_rate(forecast)}；问题没有时间（聊天记录的时间或 CSV 的“时间”列），无法按小时预测排班",
        )
    detail = (
        f"{_rate(forecast)}；高峰 {peak['label']}：买家消息约 {peak['messages']:g} 条，转人工约 "
        f"{peak['handoffs']:g} 个，需要客服 {peak['needed']} 人，排班 {peak['scheduled']} 人"
    )
    if not config.shifts:
        detail += "；还没有值班安排：replybook bot set --shift 名称=开始-结束:客服1,客服2"
    items = [
        f"{h['label']} 缺 {h['short']} 人：需要 {h['needed']} 人，排班 {h['scheduled']} 人（{_shifts_of(config, h['hour'])}）"
        for h in forecast["understaffed"]
    ]
    if forecast.get("waiting"):
        items.append(f"非值班时间每天约 {forecast['waiting']:g} 个转人工要等客服上班")
    if forecast["understaffed"]:
        hours = "、".join(f"{h['label']} 缺 {h['short']} 人" for h in forecast["understaffed"])
        first = forecast["understaffed"][0]["hour"]
        on = [s.name for s in config.shifts if s.minutes_in_hour(first) >= bot.staffing.HALF_HOUR]
        hint = f"replybook bot shift {on[0] if on else '班次'} --add-agent 客服名"
        return CheckResult(NAME, TITLE, FAIL, detail + f"；人手不足：{hours}（加人：{hint}）", items)
    return CheckResult(NAME, TITLE, PASS, detail + "；每个值班小时的客服都够", items)
