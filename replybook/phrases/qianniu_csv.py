"""Qianniu's quick-phrase CSV (SPEC §8): encodings, header variants, legacy escapes, streaming read
and a writer whose output Qianniu and Excel read back.

The reader never holds the file: it decodes one physical line at a time, so a 100,000-row file costs
no more memory than a ten-row one, and every problem names its row and column.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from replybook.store.controls import control_problem
from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.store.normalize import fold_code
from replybook.tabular.cells import strip_text_marker
from replybook.tabular.encodings import bom_encoding
from replybook.tabular.records import csv_error

HEADER = ("快捷短语编码", "快捷短语", "快捷短语分组")
CODE, TEXT, GROUP = HEADER
# Older Wangwang/Qianniu files name the first column 快捷编码 and some the second 快捷短语内容.
HEADER_NAMES = {
    "快捷短语编码": CODE,
    "快捷编码": CODE,
    "快捷短语": TEXT,
    "快捷短语内容": TEXT,
    "快捷短语分组": GROUP,
}
# Older files escape a line break as &#13; / &#10; (often both) and a comma as &#44;.
LEGACY_ESCAPES = (("&#13;&#10;", "\n"), ("&#13;", "\n"), ("&#10;", "\n"), ("&#44;", ","))

IMPORT_ENCODINGS = ("auto", "gb18030", "utf-8-sig", "utf-8")
EXPORT_ENCODINGS = ("gb18030", "utf-8-sig")
ENCODING_NAMES = {
    "gb18030": "GB18030（兼容 GBK）",
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16（带 BOM）",
    "utf-32": "UTF-32（带 BOM）",
}
MAX_CODE_LENGTH = 100  # the column's size in the database
MAX_GROUP_LENGTH = 100
MAX_PROBLEMS = 500  # a wholly wrong file should not build an unbounded list
_CHUNK = 1 << 20
_ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "utf8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
}


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One phrase as read from the file: ``row`` is its 1-based line in the file (the header is 1)."""

    row: int
    code: str
    text: str
    group: str


def encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding)


def canonical_encoding(encoding: str, allowed: tuple[str, ...]) -> str:
    name = _ALIASES.get(encoding.strip().lower(), encoding.strip().lower())
    if name not in allowed:
        raise InvalidValue(f"不支持的编码 {encoding!r}，可用：{'、'.join(allowed)}")
    return name


def detect_encoding(stream: BinaryIO) -> str:
    """SPEC §8: a BOM says what it is; else strict UTF-8 over the whole file; else GB18030.

    Reads the stream once in chunks and puts it back where it was.
    """
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    announced = bom_encoding(head)
    if announced is not None:
        return announced
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        stream.seek(start)


def unescape(value: str) -> str:
    """Legacy escapes to characters, and every line break to ``\\n``."""
    if "&#" in value:
        for escape, char in LEGACY_ESCAPES:
            value = value.replace(escape, char)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


# ---------------------------------------------------------------- emoji lost to an "ANSI" re-save


@dataclass
class CsvReader:
    """Streams the rows of one quick-phrase CSV, collecting problems instead of stopping at the first.

    Iterate it for the good rows; after the loop, ``problems`` holds every bad row (none were yielded)
    and ``digest`` the SHA-256 of the bytes read. ``check()`` raises ImportFormatError if anything was
    wrong. Codes are folded; duplicates within the file are problems.
    """

    stream: BinaryIO
    source: str
    encoding: str = "auto"
    check_duplicates: bool = True  # off only to re-read a file already checked (same digest)
    progress: Callable[[int, int], None] | None = None  # (bytes read, file size), now and then
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    digest: str = ""
    _decode_errors: dict[int, str] = field(default_factory=dict)
    _blank_columns: int = 0  # empty header cells at the right, as Excel leaves them

    def __post_init__(self) -> None:
        wanted = canonical_encoding(self.encoding, IMPORT_ENCODINGS)
        self.detected = wanted == "auto"
        self.encoding = detect_encoding(self.stream) if self.detected else wanted
        if self.encoding == "utf-8":
            self._codec = "utf-8-sig"  # a BOM under a forced utf-8 is still just a BOM
        else:
            self._codec = self.encoding
        start = self.stream.tell()
        self.size = self.stream.seek(0, io.SEEK_END) - start
        self.stream.seek(start)

    def _problem(self, where: str, message: str, column: str | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, message, column))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem("……", f"问题超过 {MAX_PROBLEMS} 个，其余未列出"))

    def _lines(self, hasher: Any) -> Iterator[str]:
        """Decoded physical lines with their line ends, the way csv wants them (newline='')."""
        if self._codec in ("utf-16", "utf-32"):  # wide encodings: not split on b"\n"
            data = self.stream.read()
            hasher.update(data)
            try:
                text = data.decode(self._codec)
            except UnicodeDecodeError as exc:
                line = data[: exc.start].decode(self._codec, errors="replace").count("\n") + 1
                bad = data[exc.start : exc.start + 4].hex(" ").upper()
                self._decode_errors[line] = (
                    f"文件第 {exc.start + 1} 个字节起（{bad}）无法按 {encoding_name(self.encoding)} 解码"
                )
                text = data.decode(self._codec, errors="replace")
            yield from io.StringIO(text, newline="")
            return
        first = True
        done = 0
        for number, raw in enumerate(self.stream, start=1):
            hasher.update(raw)
            done += len(raw)
            if self.progress is not None and number % 2000 == 0:
                self.progress(done, self.size)
            if first and self._codec == "utf-8-sig":
                raw = raw.removeprefix(codecs.BOM_UTF8)
            first = False
            try:
                yield raw.decode(self._codec)
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 4].hex(" ").upper()
                self._decode_errors[number] = (
                    f"第 {exc.start + 1} 个字节起（{bad}）无法按 {encoding_name(self.encoding)} 解码"
                )
                yield raw.decode(self._codec, errors="replace")
        if self.progress is not None:
            self.progress(done, self.size)

    def __iter__(self) -> Iterator[CsvRow]:
        hasher = hashlib.sha256()
        reader = csv.reader(self._lines(hasher), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            header = None
            if not self._decode_errors:  # undecodable bytes are the real problem; _read_header says so
                self._problem("第 1 行", f"无法按 CSV 读取（{csv_error(exc)}）")
        columns = self._read_header(header, max(1, reader.line_num))
        if columns is None:
            self.digest = hasher.hexdigest()
            return
        seen: dict[str, int] = {}
        last_line = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self._problem(
                    f"第 {last_line + 1} 行",
                    f"无法按 CSV 读取（{csv_error(exc)}）；含逗号、引号或换行的内容要用英文双引号括起来",
                )
                break
            first_line, last_line = last_line + 1, reader.line_num
            row = self._check(record, columns, first_line, last_line, seen)
            if row is not None:
                self.rows += 1
                yield row
        self.digest = hasher.hexdigest()

    def _decode_problem(self, first_line: int, last_line: int) -> str | None:
        if not self._decode_errors:
            return None
        for line in range(first_line, last_line + 1):
            if line in self._decode_errors:
                return self._decode_errors.pop(line)
        return None

    def _read_header(self, header: list[str] | None, last_line: int = 1) -> dict[str, int] | None:
        decode = self._decode_problem(1, last_line)
        if decode:
            self._problem(
                "第 1 行", f"{decode}，这不像是千牛快捷短语 CSV（第一行应为表头 {','.join(HEADER)}）"
            )
            return None
        if header is None:
            if not self.problems:
                self._problem("第 1 行", f"文件是空的，第一行应为表头 {','.join(HEADER)}")
            return None
        columns: dict[str, int] = {}
        unknown: list[str] = []
        named = len(header)
        while named > 1 and not header[named - 1].strip():
            named -= 1
        self._blank_columns = len(header) - named
        header = header[:named]
        for index, cell in enumerate(header):
            name = HEADER_NAMES.get(cell.strip().lstrip("\ufeff"))
            if name is None or name in columns:
                unknown.append(cell.strip() or f"第 {index + 1} 列（空）")
            else:
                columns[name] = index
        if unknown or CODE not in columns or TEXT not in columns:
            shown = "、".join(unknown) if unknown else ",".join(c.strip() for c in header)
            if len(shown) > 40 or not shown.isprintable():
                shown = repr(shown[:40]) + "……"
            self._problem(
                "第 1 行",
                f"表头不对：应为 {','.join(HEADER)}（也接受 快捷编码、快捷短语内容）",
                column=shown,
            )
            return None
        return columns

    def _check(
        self, record: list[str], columns: dict[str, int], first: int, last: int, seen: dict[str, int]
    ) -> CsvRow | None:
        where = f"第 {first} 行"
        decode = self._decode_problem(first, last)
        if decode:
            self._problem(where, decode)
            return None
        if not any(cell.strip() for cell in record):
            return None  # a blank line, or the ",," rows Excel leaves at the end
        width = len(columns)
        extra = record[width:]
        if extra and len(extra) <= self._blank_columns and not any(c.strip() for c in extra):
            record = record[:width]
        if len(record) > width:
            self._problem(
                where,
                f"有 {len(record)} 列，表头只有 {width} 列（内容里的逗号要用英文双引号把整格括起来）",
                column=f"第 {width + 1} 列",
            )
            return None
        bad = False
        if len(record) < width:
            missing = [name for name, index in columns.items() if index >= len(record)]
            self._problem(where, f"只有 {len(record)} 列，缺少 {'、'.join(missing)}", column=missing[0])
            bad = True

        cells = record + [""] * (width - len(record))
        code = fold_code(strip_text_marker(unescape(cells[columns[CODE]]).strip(" ")))
        text = strip_text_marker(unescape(cells[columns[TEXT]]).strip(" ")).strip()
        group = (
            strip_text_marker(unescape(cells[columns[GROUP]]).strip(" ")).strip() if GROUP in columns else ""
        )
        if not code:
            self._problem(where, "编码不能为空", column=CODE)
            bad = True
        elif "\n" in code:
            self._problem(where, "编码里不能有换行", column=CODE)
            bad = True
        elif len(code) > MAX_CODE_LENGTH:
            self._problem(where, f"编码超过 {MAX_CODE_LENGTH} 个字符", column=CODE)
            bad = True
        elif code in seen:
            self._problem(where, f"编码 {code} 与第 {seen[code]} 行重复", column=CODE)
            bad = True
        elif self.check_duplicates:
            seen[code] = first
        if not text and len(record) > columns[TEXT]:
            self._problem(where, "短语内容不能为空", column=TEXT)
            bad = True
        if "\n" in group or len(group) > MAX_GROUP_LENGTH:
            self._problem(where, f"分组名不能有换行，最长 {MAX_GROUP_LENGTH} 个字符", column=GROUP)
            bad = True
        for column, value in ((CODE, code), (TEXT, text), (GROUP, group)):
            found = control_problem(value)
            if found:
                self._problem(where, found, column=column)
                bad = True
        return None if bad else CsvRow(first, code, text, group)

    def check(self) -> None:
        """Raise ImportFormatError when any problem was found (call after iterating)."""
        if self.problems:
            raise ImportFormatError(self.source, self.problems)


def read_rows(stream: BinaryIO, *, source: str, encoding: str = "auto") -> tuple[list[CsvRow], str]:
    """The whole file's rows and the encoding used (small files and tests); raises on any problem."""
    reader = CsvReader(stream, source, encoding)
    rows = list(reader)
    reader.check()
    return rows, reader.encoding


# ---------------------------------------------------------------- writing
