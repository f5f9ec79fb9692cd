"""The shop's synonyms in a workbook (issue 13 item 1): the 同义词 sheet, one group a row —
核心词 | 同义词 (one per line in the cell, Alt+Enter in Excel) | 启用.

Read like every sheet: each bad cell is a problem named by sheet, row and column, and the rows are
then checked as one list (a word in two groups names both rows) before anything is planned.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session

from replybook.library.synonyms import Group, check_groups, list_synonyms, make_group
from replybook.store.errors import Problem, ReplybookError
from replybook.tabular.columns import (
    Column,
    blank,
    cell_lines,
    cell_value,
    column_label,
    parse_flag,
    read_header,
    where,
)

SHEET = "同义词"
COLUMNS = (
    Column("word", "核心词", ("核心", "标准词"), required=True, help="问答库里用的说法，如 快递；不能重复"),
    Column("similar", "同义词", ("相似词", "相似值", "近义词"), multi=True, required=True,
           help="顾客的其他说法，一格里每行一个（Excel 里按 Alt+Enter 换行）；一个词只能在一组里"),
    Column("enabled", "启用", ("是否启用", "状态"), help="是 或 否；不填为 是"),
)  # fmt: skip
EXAMPLES = [["快递", "物流\n包裹\n快件", "是"], ["尺码", "码数\n尺寸", "是"]]


def read_sheet(
    rows: Iterator[tuple[int, list[str]]], *, problems: list[Problem], notes: list[str]
) -> list[Group]:
    """The 同义词 sheet's groups; problems (sheet, row, column) go to ``problems``."""
    header = read_header(rows, SHEET, COLUMNS, problems=problems, notes=notes)
    if header is None:
        return []
    idx = header.indexes
    labels = {c.key: column_label(c.name, idx[c.key][0]) for c in COLUMNS if c.key in idx}
    found: list[tuple[str, Group]] = []
    for number, cells in rows:
        if blank(cells):
            continue
        here = where(SHEET, number)
        enabled = parse_flag(cell_value(cells, idx.get("enabled")))
        if enabled is None:
            problems.append(
                Problem(
                    here,
                    f"应为 是 或 否，而不是 {cell_value(cells, idx.get('enabled'))!r}",
                    column=labels.get("enabled"),
                )
            )
            continue
        word = cell_value(cells, idx.get("word"))
        try:
            group = make_group(word, cell_lines(cells, idx.get("similar")), enabled=enabled)
        except ReplybookError as exc:
            column = (
                labels["word"] if "核心词" in str(exc) and "同义词“" not in str(exc) else labels["similar"]
            )
            problems.append(Problem(here, str(exc), column=column))
            continue
        found.append((f"第 {number} 行 {group.word}", group))
    try:
        check_groups(found)
    except ReplybookError as exc:
        problems.append(Problem(f"工作表 {SHEET}", str(exc)))
    return [g for _, g in found]


def sheet_rows(session: Session) -> Iterator[list[str]]:
    for item in list_synonyms(session):
        yield [item.word, "\n".join(item.similar_words), "是" if item.enabled else "否"]
