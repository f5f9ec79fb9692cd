"""Telling the encoding of a CSV that came from Qianniu, Excel or a text editor (SPEC §8).

Files written on Chinese Windows (Qianniu, Excel's "CSV (逗号分隔)") are GBK; newer ones are UTF-8,
often with a BOM. The order is: a BOM says what it is; else strict UTF-8 (GBK text almost never
decodes as UTF-8 by accident); else GB18030, a superset of GBK.
"""

from __future__ import annotations

import codecs

from replybook.store.errors import InvalidValue

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with FF FE as well
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` announces, if any."""
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


class UndecodableText(InvalidValue):
    """Bytes that no encoding of the rule decodes. ``position`` counts bytes from 1, as a hex
    editor's status line and the quick-phrase CSV reader do; ``line`` counts lines from 1."""

    def __init__(self, message: str, *, encoding: str, position: int, line: int):
        self.encoding, self.position, self.line = encoding, position, line
        super().__init__(message)


def _where(raw: bytes, exc: UnicodeDecodeError, encoding: str) -> tuple[int, int, str]:
    """(byte counting from 1, line counting from 1, the codec's name as people know it)."""
    line = raw[: exc.start].decode(encoding, errors="replace").count("\n") + 1
    return exc.start + 1, line, {"gb18030": "GB18030", "utf-8": "UTF-8"}.get(encoding, encoding)


def detect_and_decode(raw: bytes) -> tuple[str, str]:
    """Decode ``raw`` and return ``(text, encoding)``; raise UndecodableText when nothing fits."""
    name = bom_encoding(raw)
    if name is not None:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError as exc:
            position, line, shown = _where(raw, exc, name)
            raise UndecodableText(
                f"文件以 {shown} 的 BOM 开头，但第 {line} 行（第 {position} 个字节起）无法按 {shown} 解码",
                encoding=name,
                position=position,
                line=line,
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        as_utf8 = exc
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        # Name the encoding that read further: that is the one the file was most likely written in.
        encoding, failed = ("gb18030", exc) if exc.start >= as_utf8.start else ("utf-8", as_utf8)
    position, line, shown = _where(raw, failed, encoding)
    raise UndecodableText(
        f"无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行，第 {position} 个字节起无法按 {shown} 解码）",
        encoding=encoding,
        position=position,
        line=line,
    )
