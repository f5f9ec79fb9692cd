"""The bot library in a workbook (SPEC §8a): the 问答库 sheet (one entry a row, several similar
wordings, keywords or answers in one cell one per line) and the 分类 sheet (the shop's categories).

Reading checks every row and names each problem by sheet, row and column; the entries then go
through the same plan as the library file (``file.plan_entries``), so merge, replace and the dry run
behave exactly as for YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlmodel import Session, col, select

from replybook.library.entries import (
    BUILTIN_CATEGORIES,
    EntryData,
    category_problems,
    list_categories,
    problems_in,
    wordings,
)
from replybook.library.entry_spool import EntrySpool, WordingClaims
from replybook.store.errors import InvalidValue, Problem
from replybook.store.models import Entry
from replybook.store.normalize import normalise
from replybook.store.timeutil import parse_datetime
from replybook.tabular.columns import (
    Column,
    blank,
    cell_lines,
    cell_value,
    column_label,
    moment_text,
    parse_flag,
    read_header,
    where,
)

ENTRY_SHEET = "问答库"
CATEGORY_SHEET = "分类"
ENTRY_COLUMNS = (
    Column("category", "分类", ("意图分类", "问题分类", "类目"), required=True,
           help="分类的中文名（如 发货查件）或标识（如 shipping）；分类表里的自定义分类也可以用"),
    Column("question", "标准问题", ("标准问法", "问题", "主问题"), required=True,
           help="买家最常用的问法；同一店铺内不能重复"),
    Column("similar", "相似问法", ("相似问题", "相似问", "扩展问法"), multi=True,
           help="其他问法，一格里每行一个（Excel 里按 Alt+Enter 换行）"),
    Column("keywords", "关键词", ("关键字",), multi=True, help="单独出现就能触发本条的词，每行一个"),
    Column("answers", "答案", ("回复", "回答", "答案内容"), multi=True, numbered=True, required=True,
           help="至少一个答案；多个答案每行一个，也可以分成 答案1、答案2…… 多列"),
    Column("enabled", "启用", ("是否启用", "状态"), help="是 或 否；不填为 是"),
    Column("active_start", "生效开始", ("开始时间", "生效开始时间"),
           help="可不填；如 2026-12-10 00:00（北京时间）"),
    Column("active_end", "生效结束", ("结束时间", "生效结束时间"), help="可不填；须晚于生效开始"),
)  # fmt: skip
CATEGORY_COLUMNS = (
    Column("key", "标识", ("分类标识",), required=True, help="英文字母、数字和下划线，如 shop_figures"),
    Column("name", "名称", ("分类名称", "分类"), required=True, help="页面上显示的中文名，如 店铺数字问题"),
)
BUILTIN_KEYS = {key for key, _ in BUILTIN_CATEGORIES}


def read_categories(
    rows: Iterator[tuple[int, list[str]]], *, problems: list[Problem], notes: list[str]
) -> list[tuple[str, str]]:
    """The 分类 sheet: (key, name) of each row, the built-in six included or not."""
    header = read_header(rows, CATEGORY_SHEET, CATEGORY_COLUMNS, problems=problems, notes=notes)
    if header is None:
        return []
    found: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        if blank(cells):
            continue
        key = cell_value(cells, header.indexes["key"])
        name = cell_value(cells, header.indexes["name"])
        here = where(CATEGORY_SHEET, number)
        bad = category_problems(key, name)
        problems += [
            Problem(here, message, column="标识" if "标识" in message else "名称") for message in bad
        ]
        if key in seen:
            problems.append(Problem(here, f"分类 {key} 与第 {seen[key]} 行重复", column="标识"))
        elif not bad:
            seen[key] = number
            found.append((key, name))
    return found


def read_entries(
    rows: Iterator[tuple[int, list[str]]],
    *,
    categories: dict[str, str],
    problems: list[Problem],
    notes: list[str],
    sheet: str = ENTRY_SHEET,
) -> EntrySpool:
    """The 问答库 sheet: each row's entry with its label (on disk, not in memory: ``entry_spool.py``).
    ``categories`` maps every key and name a row may use to the category's key."""
    header = read_header(rows, sheet, ENTRY_COLUMNS, problems=problems, notes=notes, required=True)
    if header is None:
        return EntrySpool()
    idx = header.indexes
    labels = {c.key: column_label(c.name, idx[c.key][0]) for c in ENTRY_COLUMNS if c.key in idx}
    found = EntrySpool()
    seen = WordingClaims()
    for number, cells in rows:
        if blank(cells):
            continue
        here = where(sheet, number)
        row_problems: list[tuple[str, str]] = []
        category_text = cell_value(cells, idx.get("category"))
        category = categories.get(category_text) or categories.get(category_text.lower(), category_text)
        enabled = parse_flag(cell_value(cells, idx.get("enabled")))
        if enabled is None:
            row_problems.append(
                ("enabled", f"应为 是 或 否，而不是 {cell_value(cells, idx.get('enabled'))!r}")
            )
        active: dict[str, datetime | None] = {}
        for key in ("active_start", "active_end"):
            text = cell_value(cells, idx.get(key))
            try:
                active[key] = parse_datetime(text) if text else None
            except InvalidValue as exc:
                row_problems.append((key, str(exc)))
                active[key] = None
        data = EntryData(
            category=category,
            question=cell_value(cells, idx.get("question")),
            answers=cell_lines(cells, idx.get("answers"), header.whole),
            similar=cell_lines(cells, idx.get("similar")),
            keywords=cell_lines(cells, idx.get("keywords")),
            enabled=bool(enabled) if enabled is not None else True,
            active_start=active["active_start"],
            active_end=active["active_end"],
        ).cleaned()
        for field_key, message in problems_in(data, set(categories.values())):
            if field_key == "category":
                message = f"未知分类 {category_text!r}，可用：{'、'.join(sorted(_names(categories)))}"
            row_problems.append((field_key or "question", message))
        for position, wording in enumerate(wordings(data)):
            norm = normalise(wording)
            if not norm:
                continue
            other, other_q = seen.claim(norm, number, data.question)
            if other != number:
                row_problems.append(
                    (
                        "question" if position == 0 else "similar",
                        f"问法 {wording!r} 与第 {other} 行（{other_q}）重复",
                    )
                )
        problems += [
            Problem(here, m, column=labels.get(k, labels["question"] if k == "active" else None))
            for k, m in row_problems
        ]
        if not row_problems:
            found.append(data, here)
    return found


def _names(categories: dict[str, str]) -> set[str]:
    return {name for name, key in categories.items() if name != key}


def category_lookup(session: Session, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Every way a row may name a category (its key, its name) → the key."""
    lookup: dict[str, str] = {}
    pairs = [(c.key, c.name) for c in list_categories(session)] + list(extra)
    names = [name for _, name in pairs]
    for key, name in pairs:
        lookup[key] = key
        if names.count(name) == 1:  # a name two categories share says neither
            lookup.setdefault(name, key)
    return lookup


# ---------------------------------------------------------------- export


def entry_columns(session: Session) -> tuple[Column, ...]:
    """The 问答库 columns an export writes: one 答案 column, one per line, unless an answer has line
    breaks of its own; then 答案1 … 答案N, one answer a cell, so the round trip stays exact."""
    widest = 0
    multiline = False
    for entry_answers in session.exec(select(Entry.answers)):
        widest = max(widest, len(entry_answers))
        multiline = multiline or any("\n" in a for a in entry_answers)
    if not multiline:
        return ENTRY_COLUMNS
    position = [c.key for c in ENTRY_COLUMNS].index("answers")
    base = ENTRY_COLUMNS[position]
    numbered = tuple(
        Column("answers", f"答案{n}", multi=True, numbered=True, help=base.help) for n in range(1, widest + 1)
    )
    return ENTRY_COLUMNS[:position] + numbered + ENTRY_COLUMNS[position + 1 :]


def entry_rows(session: Session, columns: tuple[Column, ...] = ENTRY_COLUMNS) -> Iterator[list[str]]:
    """The library as rows of the 问答库 sheet (``columns`` from ``entry_columns``), in library
    order; categories by their Chinese name unless two share one."""
    cats = list_categories(session)
    names = [c.name for c in cats]
    shown = {c.id: c.name if names.count(c.name) == 1 else c.key for c in cats}
    numbered = sum(1 for c in columns if c.key == "answers") > 1
    width = sum(1 for c in columns if c.key == "answers")
    for e in session.exec(select(Entry).order_by(col(Entry.id))):
        answers = list(e.answers) + [""] * (width - len(e.answers)) if numbered else ["\n".join(e.answers)]
        yield [
            shown[e.category_id],
            e.question,
            "\n".join(e.similar),
            "\n".join(e.keywords),
            *answers,
            "是" if e.enabled else "否",
            moment_text(e.active_start),
            moment_text(e.active_end),
        ]


def category_rows(session: Session) -> Iterator[list[str]]:
    for c in list_categories(session):
        yield [c.key, c.name]


def category_choices(session: Session) -> list[str]:
    return [c.name for c in list_categories(session)]
