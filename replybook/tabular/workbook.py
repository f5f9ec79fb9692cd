"""Reading the workbooks shops keep (SPEC §8a): .xlsx through openpyxl's read-only mode, which streams
one row at a time, and the old .xls through python-calamine. Every cell comes back as text, the way
the importers want it, and any file neither library can read is one ImportFormatError.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from replybook.store.errors import ImportFormatError, Problem, file_error

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx is a zip of XML parts
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF in an OLE compound file)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_workbook_name(name: str) -> bool:
    """Whether a file name says it is an Excel workbook."""
    return name.lower().endswith(WORKBOOK_SUFFIXES)


def looks_like_workbook(head: bytes) -> bool:
    """Whether the first bytes of a file are those of an .xlsx or an .xls."""
    return head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)


def cell_text(value: Any) -> str:
    """A cell as the text a person sees in it: numbers without a trailing .0 (calamine gives every
    number of an .xls as a float), dates as ISO text, booleans as TRUE/FALSE as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


class WorkbookImportError(ImportFormatError):
    """A workbook with problems; ``notes`` say what its headers were read as, so the user sees which
    columns were recognised next to what is wrong."""

    def __init__(self, source: str, problems: list[Problem], notes: list[str]):
        self.notes = notes
        super().__init__(source, problems)

    def render(self, limit: int = 50) -> str:
        first, *rest = super().render(limit).split("\n")
        return "\n".join([first, *(f"  {n}" for n in getattr(self, "notes", [])), *rest])


def _unreadable(source: str, exc: BaseException | None = None) -> ImportFormatError:
    why = f"（{type(exc).__name__}）" if exc is not None else ""
    return ImportFormatError(
        source, [Problem("文件", f"无法按 Excel 工作簿读取{why}：应为 .xlsx 或 .xls，或文件已损坏")]
    )


class Workbook:
    """An open workbook: its sheet names in order and, for one sheet, its rows as text.

    ``rows(name)`` yields ``(row number from 1, cells)``; blank rows are yielded too (as cells that
    are all empty) so row numbers are the ones Excel shows."""

    def __init__(self, stream: IO[bytes], *, source: str, owns_stream: bool = False):
        self.source = source
        self._stream = stream
        self._owns = owns_stream
        head = stream.read(8)
        stream.seek(0)
        self.kind = "xlsx" if head.startswith(ZIP_MAGIC) else "xls" if head.startswith(OLE_MAGIC) else ""
        if not self.kind:
            self._close_stream()
            raise _unreadable(source)
        try:
            if self.kind == "xlsx":
                import openpyxl

                self._book: Any = openpyxl.load_workbook(stream, read_only=True, data_only=True)
                self.sheet_names: list[str] = list(self._book.sheetnames)
            else:
                from python_calamine import CalamineWorkbook

                self._book = CalamineWorkbook.from_filelike(stream)
                self.sheet_names = list(self._book.sheet_names)
        except Exception as exc:  # noqa: BLE001 - a broken file makes either library raise anything
            self._close_stream()
            raise _unreadable(source, exc) from None

    def rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        try:
            if self.kind == "xlsx":
                values: Any = self._book[name].iter_rows(values_only=True)
            else:
                values = self._book.get_sheet_by_name(name).iter_rows()
            for number, row in enumerate(values, start=1):
                yield number, [cell_text(v) for v in row]
        except ImportFormatError:
            raise
        except Exception as exc:  # noqa: BLE001 - parts of an .xlsx are parsed lazily, while iterating
            raise _unreadable(f"{self.source} 工作表 {name}", exc) from None

    def _close_stream(self) -> None:
        if self._owns:
            self._stream.close()

    def close(self) -> None:
        close = getattr(self._book, "close", None)
        if close is not None:
            close()
        self._close_stream()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workbook(source: str | Path | bytes | IO[bytes], *, name: str | None = None) -> Workbook:
    """Open a workbook from a path, its bytes, or a seekable binary stream."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise file_error(path, exc) from None
        return Workbook(stream, source=name or str(path), owns_stream=True)
    if isinstance(source, bytes):
        return Workbook(io.BytesIO(source), source=name or "上传的文件")
    return Workbook(source, source=name or str(getattr(source, "name", "") or "上传的文件"))
