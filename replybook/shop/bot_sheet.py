"""The bot settings in the whole-shop workbook (SPEC §8b, issue 16): the 机器人设置 sheet (one setting
a row: 设置项 | 值 | 说明) and the 值班安排 sheet (one shift a row: 班次 | 开始 | 结束 | 客服).

Read like every sheet: every bad cell is a problem named by sheet, row and column, and nothing is
planned until the whole workbook reads. A setting the sheet leaves out keeps its current value; a
workbook without the 值班安排 sheet keeps the shifts. The high-risk names are checked against the
library as the same import leaves it (``library/bot_section.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from replybook import bot
from replybook.library.bot_section import plan_bot_settings
from replybook.library.entries import list_categories
from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.tabular.columns import (
    Column,
    blank,
    cell_lines,
    cell_value,
    column_label,
    header_key,
    read_header,
    where,
)

SETTINGS_SHEET = "机器人设置"
SHIFT_SHEET = "值班安排"
SETTINGS_COLUMNS = (
    Column("setting", "设置项", ("设置", "项目"), required=True, help="设置的名字，见本表第一列；不要改"),
    Column("value", "值", ("设置值", "内容"), help="要改的值；列表（关键词、高风险）一格里每行一个"),
    Column("note", "说明", ("备注",), help="每项的说明，导入时不读"),
)
SHIFT_COLUMNS = (
    Column("name", "班次", ("班次名称", "名称"), required=True, help="如 白班、晚班，不能重复"),
    Column("start", "开始", ("开始时间", "上班时间"), required=True, help="时:分，如 08:30（每天）"),
    Column("end", "结束", ("结束时间", "下班时间"), required=True,
           help="时:分，如 24:00；早于开始表示跨过午夜"),
    Column("agents", "客服", ("值班客服", "人员"), multi=True, help="这个班次的客服，一格里每行一个"),
)  # fmt: skip


@dataclass(frozen=True)
class Setting:
    """One row of the 机器人设置 sheet: ``key`` of ``bot.config_from_mapping``, the row's name."""

    key: str
    name: str
    aliases: tuple[str, ...]
    help: str
    multi: bool = False


SETTINGS = (
    Setting("mode", "机器人模式", ("模式",), "半自动（机器人推荐答案，客服发送）或 全自动（机器人直接回答）"),
    Setting("transfer_keywords", "转人工关键词", ("转人工词",), "买家一说就转人工的词，每行一个", True),
    Setting("unanswered_limit", "连续答不上几次转人工", ("连续未解决转人工次数",), "1 到 20 的整数，默认 2"),
    Setting("high_risk_categories", "高风险分类", (), "全自动下总是转人工的分类（中文名），每行一个", True),
    Setting("high_risk_entries", "高风险问答", ("高风险问题",),
            "全自动下总是转人工的问答（填标准问题），每行一个", True),
    Setting("concurrency", "每位客服同时接待买家数", ("同时接待买家数",), "1 到 50 的整数，默认 3"),
    Setting("handling_minutes", "每次转人工处理分钟数", ("每次转人工处理时长",), "默认 2；用于排班预测"),
    Setting("productivity", "客服有效工作占比", ("工作效率",), "0.05 到 1，默认 0.8；用于排班预测"),
)  # fmt: skip
_BY_NAME = {header_key(alias): s for s in SETTINGS for alias in (s.name, s.key, *s.aliases)}
_CLOCK_SECONDS = re.compile(r"^(\d{1,2}:\d{2}):00$")  # a time typed into Excel reads as 08:30:00


@dataclass
class BotSheetsRead:
    """What the two sheets say: the settings rows given (key → value) and the shifts, if a sheet."""

    settings: dict[str, Any] | None = None
    shifts: list[dict[str, Any]] | None = None


def read_settings(
    rows: Iterator[tuple[int, list[str]]], *, problems: list[Problem], notes: list[str]
) -> dict[str, Any]:
    """The settings the 机器人设置 sheet gives; each value is checked on its own row."""
    header = read_header(rows, SETTINGS_SHEET, SETTINGS_COLUMNS, problems=problems, notes=notes)
    if header is None:
        return {}
    idx = header.indexes
    name_label = column_label("设置项", idx["setting"][0])
    value_label = column_label("值", idx["value"][0]) if "value" in idx else None
    found: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for number, cells in rows:
        if blank(cells):
            continue
        here = where(SETTINGS_SHEET, number)
        name = cell_value(cells, idx["setting"])
        setting = _BY_NAME.get(header_key(name))
        if setting is None:
            known = "、".join(s.name for s in SETTINGS)
            problems.append(Problem(here, f"没有设置项 {name!r}（可用：{known}）", column=name_label))
            continue
        if setting.key in seen:
            problems.append(
                Problem(here, f"{setting.name} 与第 {seen[setting.key]} 行重复", column=name_label)
            )
            continue
        seen[setting.key] = number
        value: Any = (
            cell_lines(cells, idx.get("value")) if setting.multi else cell_value(cells, idx.get("value"))
        )
        if not setting.multi and value == "":
            problems.append(Problem(here, f"{setting.name} 没有填值", column=value_label))
            continue
        try:
            bot.config_from_mapping({setting.key: value})
        except InvalidValue as exc:
            problems.append(Problem(here, str(exc), column=value_label))
            continue
        found[setting.key] = value
    return found


def _clock(text: str) -> str:
    m = _CLOCK_SECONDS.match(text)
    return m.group(1) if m else text


def read_shifts(
    rows: Iterator[tuple[int, list[str]]], *, problems: list[Problem], notes: list[str]
) -> list[dict[str, Any]]:
    """The shifts of the 值班安排 sheet, each checked on its row; the sheet is the whole 值班安排."""
    header = read_header(rows, SHIFT_SHEET, SHIFT_COLUMNS, problems=problems, notes=notes)
    if header is None:
        return []
    idx = header.indexes
    labels = {c.key: column_label(c.name, idx[c.key][0]) for c in SHIFT_COLUMNS if c.key in idx}
    found: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        if blank(cells):
            continue
        here = where(SHIFT_SHEET, number)
        name = cell_value(cells, idx["name"])
        raw: dict[str, Any] = {
            "name": name,
            "start": _clock(cell_value(cells, idx["start"])),
            "end": _clock(cell_value(cells, idx["end"])),
            "agents": cell_lines(cells, idx.get("agents")),
        }
        try:
            bot.settings.shift_from_mapping(raw, where="班次")
        except InvalidValue as exc:
            message = str(exc)
            column = next((labels.get(k) for w, k in _SHIFT_WORDS if w in message), labels["name"])
            problems.append(Problem(here, message, column=column))
            continue
        if name in seen:
            problems.append(Problem(here, f"班次 {name} 与第 {seen[name]} 行重复", column=labels["name"]))
            continue
        seen[name] = number
        found.append(raw)
    return found


_SHIFT_WORDS = (("开始", "start"), ("结束", "end"), ("客服", "agents"))


def plan_bot_sheets(
    session: Session,
    read: BotSheetsRead,
    *,
    removed: list[str],
    incoming: list[str],
    new_categories: dict[str, str],
    source: str,
) -> bot.BotConfig | None:
    """The settings the workbook leaves (None: it has neither sheet): the current settings with the
    sheets' values over them, the high-risk names checked against the library the import leaves."""
    if read.settings is None and read.shifts is None:
        return None
    raw: dict[str, Any] = bot.config_to_mapping(bot.get_bot_settings(session))
    raw.update(read.settings or {})
    if read.shifts is not None:
        raw["shifts"] = read.shifts
    try:
        return plan_bot_settings(
            session,
            raw,
            removed=removed,
            incoming=incoming,
            new_categories=new_categories,
            source=source,
        )
    except ImportFormatError as exc:
        raise ImportFormatError(
            source, [Problem(f"工作表 {SETTINGS_SHEET}", p.message) for p in exc.problems]
        ) from None


# ---------------------------------------------------------------- export


def _lines(values: Any) -> str:
    return "\n".join(map(str, values))


def settings_rows(config: bot.BotConfig, categories: Mapping[str, str]) -> list[list[str]]:
    """The 机器人设置 rows of ``config``; high-risk categories by their Chinese names."""
    data = bot.config_to_mapping(config)
    data["high_risk_categories"] = [categories.get(k, k) for k in config.high_risk_categories]
    rows = []
    for s in SETTINGS:
        value = data[s.key]
        text = _lines(value) if s.multi else f"{value:g}" if isinstance(value, float) else str(value)
        rows.append([s.name, text, s.help])
    return rows


def shift_rows(config: bot.BotConfig) -> list[list[str]]:
    return [[s.name, s.start, s.end, _lines(s.agents)] for s in config.shifts]


def bot_sheet_rows(session: Session) -> tuple[list[list[str]], list[list[str]]]:
    """The two sheets' rows for the shop's settings (its defaults when it never saved any)."""
    config = bot.get_bot_settings(session)
    categories = {c.key: c.name for c in list_categories(session)}
    return settings_rows(config, categories), shift_rows(config)


EXAMPLE_SETTINGS = settings_rows(bot.BotConfig(), {})
EXAMPLE_SHIFTS = [["白班", "08:30", "16:30", "小美\n小雨"], ["晚班", "16:00", "24:00", "小新"]]
