"""Quick phrases in a workbook (SPEC §8a): a sheet with Qianniu's three columns (快捷短语编码,
快捷短语, 快捷短语分组) — the old Qianniu tools' template 快捷短语模版.xls among them.

A sheet is turned into the Qianniu CSV on a spooled temporary file, one line per row (a line break
in a phrase written as the legacy ``&#10;`` escape the CSV reader understands), and goes through the
very same plan as a CSV import: the same checks, merge/replace/dry run, and row numbers that are the
sheet's own.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlmodel import Session

from replybook.phrases.core import library_name
from replybook.phrases.export import export_rows
from replybook.phrases.plan import PhraseImportPlan, plan_phrase_import
from replybook.phrases.qianniu_csv import HEADER
from replybook.phrases.transfer import apply_phrase_import
from replybook.store.errors import ImportFormatError, Problem
from replybook.store.models import PhraseScope
from replybook.tabular.columns import Column, blank, header_notes, map_header, missing_columns
from replybook.tabular.workbook import Workbook, open_workbook
from replybook.tabular.xlsx_writer import HELPER_SHEETS, SheetSpec, write_workbook

SHEET = "快捷短语"
PERSONAL_PREFIX = "个人短语-"
UNGROUPED = "未分组"
COLUMNS = (
    Column("code", HEADER[0], ("快捷编码", "编码"), required=True,
           help="客服输入的快捷编码（导入时转成半角小写），同一短语库内不能重复"),
    Column("text", HEADER[1], ("快捷短语内容", "短语内容", "内容"), required=True, help="短语的文字，可以换行"),
    Column("group", HEADER[2], ("分组",), help="一级分组；不填或写 未分组 为未分组"),
)  # fmt: skip
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class PhraseWorkbookPlan:
    """The plan of one phrase sheet, with what its header was read as."""

    sheet: str
    plan: PhraseImportPlan
    notes: list[str] = field(default_factory=list)


def personal_sheet(owner: str) -> str:
    """The sheet a whole-shop workbook keeps one agent's personal phrases on."""
    return (PERSONAL_PREFIX + _BAD_TITLE.sub("_", owner))[:31]


def phrase_sheets(book: Workbook) -> list[tuple[str, str, str]]:
    """(sheet, scope, owner) of every phrase sheet in a whole-shop workbook."""
    found = []
    for name in book.sheet_names:
        if name == SHEET:
            found.append((name, PhraseScope.TEAM.value, ""))
        elif name.startswith(PERSONAL_PREFIX) and name[len(PERSONAL_PREFIX) :]:
            found.append((name, PhraseScope.PERSONAL.value, name[len(PERSONAL_PREFIX) :]))
    return found


def _escaped(value: str) -> str:
    return value.replace("\r\n", "&#10;").replace("\r", "&#10;").replace("\n", "&#10;")


def sheet_as_csv(rows: Iterator[tuple[int, list[str]]], *, sheet: str) -> tuple[IO[bytes], list[str]]:
    """The sheet as a UTF-8 Qianniu CSV whose line N is the sheet's row N, and the header notes.
    A header without the code or text column is an ImportFormatError naming the sheet."""
    first = next(rows, None)
    if first is None:
        raise ImportFormatError(
            f"工作表 {sheet}", [Problem("第 1 行", f"工作表是空的，第一行应为表头 {','.join(HEADER)}")]
        )
    header = map_header(first[1], COLUMNS)
    notes = header_notes(sheet, header)
    lacking = missing_columns(sheet, header, COLUMNS)
    if lacking:
        raise ImportFormatError(f"工作表 {sheet}", lacking)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - the plan reads it twice
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
    out = csv.writer(text, lineterminator="\n")
    out.writerow(HEADER if "group" in header.indexes else HEADER[:2])
    keys = [k for k in ("code", "text", "group") if k in header.indexes]
    for _number, cells in rows:
        if blank(cells):
            out.writerow([""] * len(keys))
            continue
        values = {k: _cell(cells, header.indexes[k][0]) for k in keys}
        if values.get("group", "").strip() == UNGROUPED:  # SPEC §8: 未分组 is the empty group
            values["group"] = ""
        out.writerow([_escaped(values[k]) for k in keys])
    text.flush()
    text.detach()
    spool.seek(0)
    return spool, notes


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def plan_sheet(
    session: Session, book: Workbook, sheet: str, *, scope: str, owner: str = "", mode: str = "merge"
) -> PhraseWorkbookPlan:
    """Plan importing one sheet into the (scope, owner) library; problems name the sheet's rows."""
    stream, notes = sheet_as_csv(book.rows(sheet), sheet=sheet)
    source = f"{book.source} 工作表 {sheet}"
    try:
        plan = plan_phrase_import(session, stream, scope=scope, owner=owner, mode=mode, encoding="utf-8")
    except ImportFormatError as exc:
        raise ImportFormatError(
            book.source, [Problem(f"工作表 {sheet} {p.where}", p.message, p.column) for p in exc.problems]
        ) from None
    plan.source = source
    return PhraseWorkbookPlan(sheet, plan, notes)


def first_phrase_sheet(book: Workbook) -> str:
    """The sheet a phrase workbook keeps its phrases on: 快捷短语, else its first sheet (the old
    template's Sheet1)."""
    if SHEET in book.sheet_names:
        return SHEET
    names = [n for n in book.sheet_names if n not in HELPER_SHEETS]
    if not names:
        raise ImportFormatError(book.source, [Problem("文件", "工作簿里没有工作表")])
    return names[0]


def import_phrase_workbook(
    session: Session,
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    scope: str = PhraseScope.TEAM,
    owner: str = "",
    mode: str = "merge",
    dry_run: bool = False,
    user: str | None = None,
) -> PhraseWorkbookPlan:
    """`replybook import team.xlsx`: one library from the workbook's phrase sheet."""
    with open_workbook(source, name=name) as book:
        found = plan_sheet(session, book, first_phrase_sheet(book), scope=scope, owner=owner, mode=mode)
    if not dry_run:
        apply_phrase_import(session, found.plan, user=user)
    return found


def phrase_sheet_spec(session: Session, *, scope: str, owner: str = "", title: str = SHEET) -> SheetSpec:
    rows = ([code, text, group] for code, text, group in export_rows(session, scope=scope, owner=owner))
    return SheetSpec(title, COLUMNS, rows)


def export_phrase_workbook(
    session: Session, target: str | Path | IO[bytes], *, scope: str = PhraseScope.TEAM, owner: str = ""
) -> int:
    """`replybook export team.xlsx`: one library as a workbook with the Qianniu columns."""
    spec = phrase_sheet_spec(session, scope=scope, owner=owner)
    rows = list(spec.rows)
    write_workbook(target, [SheetSpec(spec.title, spec.columns, rows)])
    return len(rows)


def describe(found: PhraseWorkbookPlan) -> str:
    return f"工作表 {found.sheet}，共 {found.plan.rows} 条，导入到{library_name(found.plan.scope, found.plan.owner)}"
