"""Writing workbooks people open in Excel and bring back (SPEC §8a): every cell a text cell (so a
code like 0001 or 12.12 is never turned into a number or a date), the header frozen, columns as wide
as their content, several values in one cell on their own lines, drop-down lists where a column takes
only a few values, and the columns explained on a 说明 sheet and in the header's comments.
"""

from __future__ import annotations

import errno
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from replybook.store.errors import InvalidValue, file_error
from replybook.tabular.columns import Column, column_letter

NOTES_SHEET = "说明"
CHOICES_SHEET = "选项"
HELPER_SHEETS = (NOTES_SHEET, CHOICES_SHEET)  # written by replybook; an import skips them
MAX_WIDTH = 60
TEXT = "@"  # Excel's "Text" number format: what a person types later stays text too


@dataclass
class SheetSpec:
    """One sheet to write: its columns (headers are their names) and rows of text, one string per
    column; a column with ``choices`` gets a drop-down list of them."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[str]]
    choices: dict[str, list[str]] = field(default_factory=dict)


def display_width(text: str) -> int:
    """How many character widths a line takes: a CJK character two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _safe(value: str) -> str:
    """openpyxl refuses the control characters XML cannot carry; none of them can be typed in a cell."""
    return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)


def build_workbook(sheets: Sequence[SheetSpec], *, notes: bool = True):  # type: ignore[no-untyped-def]
    """An openpyxl Workbook holding ``sheets`` (and the 说明 sheet when ``notes``)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    lists: list[tuple[str, list[str]]] = []
    for spec in sheets:
        sheet = book.create_sheet(spec.title)
        widths = [display_width(c.name) + 2 for c in spec.columns]
        sheet.append([c.name for c in spec.columns])
        for index, column in enumerate(spec.columns):
            cell = sheet.cell(row=1, column=index + 1)
            cell.font = bold
            cell.number_format = TEXT
            if column.help:
                cell.comment = Comment(column.help, "replybook", width=320, height=120)
        count = 1
        for row in spec.rows:
            count += 1
            for index, value in enumerate(row):
                cell = sheet.cell(row=count, column=index + 1, value=_safe(value) if value else None)
                cell.number_format = TEXT
                if "\n" in value:
                    cell.alignment = wrap
                widths[index] = max(widths[index], *(display_width(line) + 2 for line in value.split("\n")))
        for index, width in enumerate(widths):
            letter = column_letter(index)
            sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(8, width))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns):
            values = spec.choices.get(column.key)
            if not values:
                continue
            lists.append((f"{spec.title}·{column.name}", values))
            letter = column_letter(len(lists) - 1)
            rule = DataValidation(
                type="list",
                formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.name,
                error=f"{column.name}请从列表中选择",
            )
            sheet.add_data_validation(rule)
            target = column_letter(index)
            rule.add(f"{target}2:{target}{max(count, 1000)}")
    if lists:
        choices = book.create_sheet(CHOICES_SHEET)
        for index, (title, values) in enumerate(lists):
            choices.cell(row=1, column=index + 1, value=title)
            for number, value in enumerate(values, start=2):
                choices.cell(row=number, column=index + 1, value=value).number_format = TEXT
        choices.sheet_state = "hidden"
    if notes:
        sheet = book.create_sheet(NOTES_SHEET)
        sheet.append(["工作表", "列", "说明"])
        for spec in sheets:
            for column in spec.columns:
                sheet.append([spec.title, column.name, column.help])
        sheet.column_dimensions["A"].width = 12
        sheet.column_dimensions["B"].width = 14
        sheet.column_dimensions["C"].width = 90
        sheet.sheet_state = "hidden"
    return book


def write_workbook(
    target: str | Path | IO[bytes], sheets: Sequence[SheetSpec], *, notes: bool = True
) -> None:
    """Write ``sheets`` to a path (atomically: a temporary file renamed into place) or a stream."""
    book = build_workbook(sheets, notes=notes)
    if not isinstance(target, str | Path):
        book.save(target)
        return
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidValue(f"无法写入 {path}：所在文件夹不存在")
    if path.is_dir():
        raise file_error(path, IsADirectoryError(errno.EISDIR, "", str(path)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise file_error(path, exc, writing=True) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            book.save(stream)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
