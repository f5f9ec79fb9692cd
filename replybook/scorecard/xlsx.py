"""The 考核表 as the workbook a supervisor hands out (issue 17 item 4): one sheet per month, each
indicator's score, weight and contribution, the contribution left as the formula Excel users expect
(= 得分 × 权重 / 100), the totals, commission and pay as figures (so any reader sees them), printable
on one page width."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from replybook.scorecard.compute import cents
from replybook.scorecard.sheet import Scorecard
from replybook.scorecard.xlsx_links import links_sheet
from replybook.tabular.columns import column_letter


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build_scorecard_workbook(cards: Sequence[Scorecard], *, site: str = ""):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for card in cards:
        sheet = book.create_sheet(card.month)
        sheet.append([f"{card.month} 客服考核表（{card.model.name}）"])
        sheet["A1"].font = Font(bold=True, size=14)
        header = ["排名", "客服"]
        for indicator in card.model.indicators:
            header += [f"{indicator.name}得分", f"{indicator.name}权重%", f"{indicator.name}贡献%"]
        header += ["加减分", "总分%", "上月总分%", "销售额", "提成比例", "提成", "底薪", "工龄", "工资"]
        sheet.append(header)
        for index in range(len(header)):
            cell = sheet.cell(row=2, column=index + 1)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for number, row in enumerate(card.rows, start=3):
            values: list[object] = [row.rank, row.agent]
            for item in row.indicators:
                score_cell = f"{column_letter(len(values))}{number}"
                weight_cell = f"{column_letter(len(values) + 1)}{number}"
                values += [_number(item.score), _number(item.weight), f"={score_cell}*{weight_cell}/100"]
            before = card.previous.get(row.agent)
            values += [
                _number(row.points_total),
                _number(cents(row.total)),
                _number(cents(before) if before is not None else None),
                _number(row.sales),
                _number(row.commission_rate),
                _number(row.commission),
                _number(row.base),
                row.years,
                _number(row.pay),
            ]
            sheet.append(values)
        last_row = max(2, len(card.rows) + 2)
        for index in range(len(header)):
            sheet.column_dimensions[column_letter(index)].width = 8 if index == 0 else 11
        sheet.freeze_panes = "C3"
        sheet.print_area = f"A1:{column_letter(len(header) - 1)}{last_row}"
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        links_sheet(book.create_sheet(f"{card.month} 回复配置"), card, site=site.rstrip("/"))
    return book


def write_scorecard_xlsx(
    target: str | Path | IO[bytes], cards: Sequence[Scorecard], *, site: str = ""
) -> None:
    """Write the 考核表 of ``cards`` (one sheet each, and its 回复配置 sheet) to a path or a stream."""
    build_scorecard_workbook(cards, site=site).save(target)
