"""One rule for telling a file's encoding (SPEC §8), shared by phrases, reviews and question files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from replybook.coverage.question_files import read_questions
from replybook.phrases.qianniu_csv import detect_encoding
from replybook.store.errors import InvalidValue
from replybook.tabular.encodings import bom_encoding, detect_and_decode

TEXT = "今天能发吗\n包邮吗😊\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("utf-8"), "utf-8"),
        ("今天能发吗\n包邮吗\n".encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
)
def test_every_reader_tells_the_same_encoding(raw: bytes, expected: str, tmp_path: Path) -> None:
    text, encoding = detect_and_decode(raw)
    assert encoding == expected and text.startswith("今天能发吗")
    assert detect_encoding(io.BytesIO(raw)) == expected
    path = tmp_path / "q.txt"
    path.write_bytes(raw)
    assert [q.text for q in read_questions(path)][0] == "今天能发吗"


def test_no_bom() -> None:
    assert bom_encoding(b"abc") is None


def test_undecodable_bytes_are_a_clear_error() -> None:
    with pytest.raises(InvalidValue, match="无法识别文件编码"):
        detect_and_decode(b"\x81\x30\xff\xff")
