"""Reading the rows of a decoded CSV so that no file can make ``csv`` raise past the importer."""

from __future__ import annotations

import csv
import io

from replybook.store.errors import ImportFormatError, Problem


def csv_error(exc: csv.Error) -> str:
    """csv's complaint in the user's words where we know it."""
    message = str(exc)
    if "new-line character seen in unquoted field" in message:
        return (
            "没有引号的内容里有单独的回车符；若整个文件只用回车（CR）换行，请用 Excel 另存为“CSV（逗号分隔）”"
        )
    if "unexpected end of data" in message:
        return "引号没有闭合，一直到文件末尾"
    if "expected after" in message:
        return "右引号后面应紧跟逗号或换行，内容里的引号要写成两个"
    if "field larger than field limit" in message:
        return "有一格内容太长（多半是引号没有闭合）"
    return message


def read_records(text: str, *, source: str) -> list[list[str]]:
    """Every row of ``text``; a file csv cannot read is one problem naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""))  # newline="": a bare CR ends a line, as in Excel
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise ImportFormatError(
            source, [Problem(f"第 {reader.line_num} 行", f"无法按 CSV 读取（{csv_error(exc)}）")]
        ) from None
    return rows
