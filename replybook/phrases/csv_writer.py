"""Writing Qianniu's quick-phrase CSV: the header, the encoding, formula cells neutralised with a TAB."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from replybook.phrases.qianniu_csv import EXPORT_ENCODINGS, HEADER, canonical_encoding
from replybook.tabular.cells import formula_cell


def neutralise(value: str) -> str:
    """Make a formula-looking cell plain text for Excel the way Qianniu tools do: a TAB before it.

    Unlike an apostrophe, the TAB is stripped on import by every reader of this format, so the file
    re-imports as the same phrases (issue 10 item 8)."""
    return "\t" + value if formula_cell(value) else value


@dataclass
class CsvWriter:
    """Writes the exact header, CRLF line ends, and CSV quoting for commas, quotes and line breaks
    (a line break inside a phrase stays a bare LF inside the quotes, as Excel on Windows writes an
    Alt+Enter break, so the row ends are the only CRLFs in the file)."""

    stream: IO[bytes]
    encoding: str = "gb18030"
    neutralise_formulas: bool = False
    rows: int = 0
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.encoding = canonical_encoding(self.encoding, EXPORT_ENCODINGS)
        self._text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="", write_through=False)
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow(HEADER)

    def write(self, code: str, text: str, group: str) -> None:
        self.rows += 1
        cells = [code, text, group]
        for name, value in zip(HEADER, cells, strict=True):
            if formula_cell(value):
                action = (
                    "已在前面加 TAB 使其成为文字（导入时自动去掉）"
                    if self.neutralise_formulas
                    else "Excel 会把它当作公式"
                )
                self.warnings.append(f"第 {self.rows + 1} 行（{code}），{name} 以 {value[0]} 开头：{action}")
        if self.neutralise_formulas:
            cells = [neutralise(c) for c in cells]
        self._csv.writerow(cells)

    def write_all(self, rows: Iterable[tuple[str, str, str]]) -> None:
        for code, text, group in rows:
            self.write(code, text, group)

    def close(self) -> None:
        """Flush and detach, leaving the underlying stream open for its owner."""
        self._text.flush()
        self._text.detach()
