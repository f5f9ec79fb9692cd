"""Figures per agent per day from a Qianniu/赤兔-style performance report (issue 17 item 1): CSV
(the one encoding rule) or .xlsx/.xls, the header variants people write, every problem named by
sheet, row and column before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.store.timeutil import parse_date
from replybook.tabular.columns import Column, blank, cell_value, column_label, header_notes, map_header
from replybook.tabular.encodings import detect_and_decode
from replybook.tabular.records import read_records
from replybook.tabular.workbook import looks_like_workbook, open_workbook
from replybook.tabular.xlsx_writer import HELPER_SHEETS

COLUMNS = (
    Column("day", "日期", ("统计日期", "date", "日期时间"), required=True),
    Column("agent", "客服", ("客服昵称", "客服名称", "旺旺", "客服旺旺", "子账号", "旺旺名"), required=True),
    Column("consultations", "咨询人数", ("接待人数", "咨询数", "咨询量")),
    Column("inquiries", "询单人数", ("询单数", "询单量")),
    Column("orders", "下单人数", ("下单数", "询单下单人数", "下单订单数")),
    Column("payers", "最终付款人数", ("付款人数", "询单最终付款人数", "付款订单数", "询单付款人数")),
    Column("sales", "销售额", ("销售金额", "客服销售额", "询单付款金额", "付款金额")),
    Column(
        "avg_response_seconds",
        "平均响应时间（秒）",
        ("平均响应时间", "平均响应时长", "平均响应", "平均响应秒数"),
    ),
    Column(
        "first_response_seconds", "首次响应时间（秒）", ("首次响应时间", "首响时间", "首次响应", "首响时长")
    ),
    Column("reply_rate", "回复率", ("回复率%",)),
    Column("rate_3min", "3分钟响应率", ("三分钟响应率", "3分钟回复率", "3分钟响应")),
    Column("praise", "表扬", ("表扬数", "表扬次数")),
    Column("complaints", "投诉", ("投诉数", "投诉次数")),
)
COUNTS = ("consultations", "inquiries", "orders", "payers", "praise", "complaints")
SECONDS = ("avg_response_seconds", "first_response_seconds")
RATES = ("reply_rate", "rate_3min")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


@dataclass
class DayRow:
    row: int
    day: date
    agent: str
    values: dict[str, int | float | None]


@dataclass
class FiguresFile:
    encoding: str
    rows: list[DayRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # which columns were recognised


def agent_name(text: str) -> str:
    """An agent as reports and chat logs write them: 店铺名:子账号 is the sub-account."""
    return re.split(r"[:：]", text.strip())[-1].strip()


def read_figures_file(data: bytes, *, source: str) -> FiguresFile:
    if looks_like_workbook(data[:8]):
        with open_workbook(data, name=source) as book:
            sheet = next((n for n in book.sheet_names if n not in HELPER_SHEETS), None)
            if sheet is None:
                raise ImportFormatError(source, [Problem("文件", "工作簿里没有工作表")])
            rows = list(book.rows(sheet))
        return _parse(rows, source=source, sheet=sheet, encoding="xlsx")
    try:
        text, encoding = detect_and_decode(data)
    except InvalidValue as exc:
        raise ImportFormatError(source, [Problem("文件", str(exc))]) from None
    records = read_records(text, source=source)
    return _parse(list(enumerate(records, start=1)), source=source, sheet="", encoding=encoding)


def _where(sheet: str, row: int) -> str:
    return f"工作表 {sheet} 第 {row} 行" if sheet else f"第 {row} 行"


def _parse(rows: list[tuple[int, list[str]]], *, source: str, sheet: str, encoding: str) -> FiguresFile:
    if not rows or blank(rows[0][1]):
        raise ImportFormatError(
            source, [Problem(_where(sheet, 1), "缺少表头：" + "、".join(c.name for c in COLUMNS))]
        )
    header = map_header(rows[0][1], COLUMNS)
    out = FiguresFile(encoding=encoding, notes=header_notes(sheet or "1", header))
    problems = [
        Problem(_where(sheet, 1), f"缺少“{c.name}”列（也接受：{'、'.join(c.aliases)}）", c.name)
        for c in COLUMNS
        if c.required and c.key not in header.indexes
    ]
    if problems:
        raise ImportFormatError(source, problems)
    seen: dict[tuple[date, str], int] = {}
    for number, cells in rows[1:]:
        if blank(cells):
            continue
        where = _where(sheet, number)
        before = len(problems)

        def label(key: str) -> str:
            column = next(c for c in COLUMNS if c.key == key)
            return column_label(column.name, header.indexes[key][0])

        day_text = cell_value(cells, header.indexes["day"])
        day: date | None = None
        try:
            day = parse_date(day_text)
        except InvalidValue:
            problems.append(
                Problem(where, f"无法识别的日期 {day_text!r}，应为 2026-11-01 或 2026/11/1", label("day"))
            )
        agent = agent_name(cell_value(cells, header.indexes["agent"]))
        if not agent:
            problems.append(Problem(where, "客服不能为空", label("agent")))
        elif len(agent) > 64:
            problems.append(Problem(where, "客服名称超过 64 个字", label("agent")))
        values: dict[str, int | float | None] = {}
        for column in COLUMNS[2:]:
            if column.key not in header.indexes:
                continue
            cell = cell_value(cells, header.indexes[column.key])
            value, problem = figure_value(column.key, cell)
            if problem:
                problems.append(Problem(where, problem, label(column.key)))
            values[column.key] = value
        if len(problems) > before or day is None:
            continue
        if (day, agent) in seen:
            problems.append(
                Problem(where, f"与第 {seen[(day, agent)]} 行重复（同一天、同一客服）", label("day"))
            )
            continue
        seen[(day, agent)] = number
        out.rows.append(DayRow(number, day, agent, values))
    if not problems and not out.rows:
        problems.append(Problem(_where(sheet, 2), "文件没有数据行"))
    if problems:
        raise ImportFormatError(source, problems)
    return out


def figure_value(key: str, cell: str) -> tuple[int | float | None, str]:
    """A cell as the figure it holds (sales in cents, rates as fractions); the problem, if any."""
    text = cell.replace(",", "").replace("，", "").strip()
    if not text or text in ("-", "—"):
        return None, ""
    if key == "sales":
        text = text.lstrip("¥￥").removesuffix("元")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, f"销售额应为金额（如 12345.60），现为 {cell!r}"
        if not amount.is_finite() or amount < 0 or amount >= 10**11:
            return None, f"销售额应为非负金额，现为 {cell!r}"
        return int((amount * 100).to_integral_value()), ""
    if key in SECONDS:
        text = text.removesuffix("秒").strip()
        if not _NUMBER.fullmatch(text):
            return None, f"应为秒数（如 25 或 25.5），现为 {cell!r}"
        return float(text), ""
    if key in RATES:
        percent = text.endswith("%")
        text = text.rstrip("%").strip()
        if not _NUMBER.fullmatch(text):
            return None, f"应为百分数（如 95.5% 或 0.955），现为 {cell!r}"
        rate = float(text) / 100 if percent or float(text) > 1 else float(text)
        if rate > 1:
            return None, f"比率不能超过 100%，现为 {cell!r}"
        return rate, ""
    if not re.fullmatch(r"[0-9]{1,9}", text):
        return None, f"应为非负整数，现为 {cell!r}"
    return int(text), ""
