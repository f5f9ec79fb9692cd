"""Telling the encoding of a CSV that came from Qianniu, Excel or a text editor (SPEC §8).

Files written on Chinese Windows (Qianniu, Excel's "CSV (逗号分隔)") are GBK; newer ones are UTF-8,
often with a BOM. The order is: a BOM says what it is; else strict UTF-8 (GBK text almost never
decodes as UTF-8 by accident); else GB18030, a superset of GBK.
"""

from __future__ import annotations

import codecs

from .errors import InvalidValue

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


def detect_and_decode(raw: bytes) -> tuple[str, str]:
    """Decode ``raw`` and return ``(text, encoding)``; raise InvalidValue when nothing fits."""
    name = bom_encoding(raw)
    if name is not None:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError as exc:
            raise InvalidValue(
                f"文件以 {name} 的 BOM 开头，但第 {exc.start} 字节起无法按 {name} 解码"
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InvalidValue(
            f"无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030（第 {exc.start} 字节起无法解码）"
        ) from None
