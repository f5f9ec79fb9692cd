"""The columns of a sheet people fill in by hand: the header variants they write, cells with the
marks Excel leaves, several values in one cell one per line (Alt+Enter).

A kind of item describes its columns once (``Column``); ``map_header`` reads a header row against
them, naming what it recognised and what it did not, so an unknown column is reported, never
silently dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from replybook.store.errors import Problem
from replybook.store.timeutil import to_shop
from replybook.tabular.cells import strip_text_marker


@dataclass(frozen=True)
class Column:
    """One column of a kind: ``key`` for the code, ``name`` as the template writes it, ``aliases``
    the other headers accepted; ``numbered``: also 答案1 … 答案N as separate columns (values joined)."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    multi: bool = False
    numbered: bool = False
    required: bool = False
    help: str = ""


@dataclass
class HeaderMap:
    """Where each column is: key → the indexes of its cells (several for 答案1…N)."""

    indexes: dict[str, list[int]] = field(default_factory=dict)
    recognised: list[str] = field(default_factory=list)  # "标准问法→标准问题", or the name itself
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (column number from 1, header)
    repeated: list[tuple[int, str]] = field(default_factory=list)
    width: int = 0
    whole: set[int] = field(default_factory=set)  # 答案1…N cells: one value each, line breaks kept


_NOTE = re.compile(r"[（(【\[].*?[）)】\]]$")


def header_key(text: str) -> str:
    """A header cell compared loosely: NFKC, no blanks, no required-mark ``*`` and no trailing note
    such as （必填）, lower case for the English keys."""
    value = unicodedata.normalize("NFKC", strip_text_marker(text)).strip().strip("*").strip()
    value = _NOTE.sub("", value).strip()
    return re.sub(r"\s+", "", value).lower()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def map_header(cells: list[str], columns: tuple[Column, ...]) -> HeaderMap:
    """Read a header row against a kind's columns."""
    names: dict[str, Column] = {}
    for c in columns:
        for alias in (c.name, c.key, *c.aliases):
            names[header_key(alias)] = c
    numbered = [(c, [header_key(a) for a in (c.name, *c.aliases)]) for c in columns if c.numbered]
    found = HeaderMap()
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    found.width = len(cells)
    for index, raw in enumerate(cells):
        key = header_key(raw)
        if not key:
            found.unknown.append((index + 1, f"{column_letter(index)} 列（表头为空）"))
            continue
        column = names.get(key)
        if column is None:
            for candidate, stems in numbered:
                if any(re.fullmatch(re.escape(stem) + r"\d{1,3}", key) for stem in stems):
                    column = candidate
                    found.whole.add(index)
                    break
        if column is None:
            found.unknown.append((index + 1, raw.strip()))
            continue
        if column.key in found.indexes and not column.numbered:
            found.repeated.append((index + 1, raw.strip()))
            continue
        found.indexes.setdefault(column.key, []).append(index)
        shown = raw.strip()
        found.recognised.append(
            shown if header_key(shown) == header_key(column.name) else f"{shown}→{column.name}"
        )
    return found


def cell_value(cells: list[str], indexes: list[int] | None) -> str:
    """One cell's text with the marks taken off (TAB, a text apostrophe), trimmed."""
    if not indexes:
        return ""
    index = indexes[0]
    return clean(cells[index]) if index < len(cells) else ""


def cell_lines(cells: list[str], indexes: list[int] | None, whole: set[int] | None = None) -> list[str]:
    """The values of a one-per-line column, in order, blanks dropped; a cell of 答案1…N (in
    ``whole``) is one value, its line breaks kept."""
    values: list[str] = []
    for index in indexes or []:
        if index < len(cells):
            text = cells[index].replace("\r\n", "\n").replace("\r", "\n")
            if whole and index in whole:
                value = clean(text)
                if value:
                    values.append(value)
                continue
            for line in text.split("\n"):
                line = clean(line)
                if line:
                    values.append(line)
    return values


def clean(value: str) -> str:
    return strip_text_marker(value.strip(" ")).strip()


def blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


TRUE_WORDS = ("是", "启用", "开启", "开", "有效", "true", "yes", "y", "1", "√")
FALSE_WORDS = ("否", "停用", "禁用", "关闭", "关", "无效", "false", "no", "n", "0", "×")


def parse_flag(text: str) -> bool | None:
    """是/否 (and the other ways people write yes and no) as a bool; empty → True; None if unknown."""
    value = text.strip().lower()
    if not value or value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def where(sheet: str, row: int) -> str:
    """A row as a problem names it."""
    return f"工作表 {sheet} 第 {row} 行"


def column_label(name: str, index: int) -> str:
    """A column as a problem names it: 答案（E 列）."""
    return f"{name}（{column_letter(index)} 列）"


def missing_columns(sheet: str, header: HeaderMap, columns: tuple[Column, ...]) -> list[Problem]:
    """The required columns a header lacks, one problem each."""
    return [
        Problem(
            f"工作表 {sheet} 第 1 行", f"缺少“{c.name}”列（也接受：{'、'.join(c.aliases)}）", column=c.name
        )
        for c in columns
        if c.required and c.key not in header.indexes
    ]


def read_header(
    rows: Iterator[tuple[int, list[str]]],
    sheet: str,
    columns: tuple[Column, ...],
    *,
    problems: list[Problem],
    notes: list[str],
    required: bool = False,
) -> HeaderMap | None:
    """A sheet's first row read as its header: what was recognised goes to ``notes``; None (with the
    problems added) when a required column is missing, or when the sheet is empty (a problem only if
    the sheet is ``required`` to have rows)."""
    first = next(rows, None)
    if first is None:
        if required:
            names = "、".join(c.name for c in columns)
            problems.append(Problem(f"工作表 {sheet}", f"工作表是空的，第一行应为表头 {names}"))
        return None
    header = map_header(first[1], columns)
    notes += header_notes(sheet, header)
    lacking = missing_columns(sheet, header, columns)
    if lacking:
        problems += lacking
        return None
    return header


def header_notes(sheet: str, header: HeaderMap) -> list[str]:
    """What a header was read as, and the columns that will not be imported (reported, never dropped
    without a word)."""
    notes = [f"工作表 {sheet}：识别的列 {'、'.join(header.recognised)}"]
    if header.unknown:
        shown = "、".join(f"{name}（第 {number} 列）" for number, name in header.unknown)
        notes.append(f"工作表 {sheet}：未识别的列 {shown}，这些列不会导入")
    if header.repeated:
        shown = "、".join(f"{name}（第 {number} 列）" for number, name in header.repeated)
        notes.append(f"工作表 {sheet}：重复的列 {shown}，只导入第一列")
    return notes


def moment_text(value: datetime | None) -> str:
    """A moment as a cell: shop time, to the minute unless it has seconds."""
    if value is None:
        return ""
    local = to_shop(value)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M")
