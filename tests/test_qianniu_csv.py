"""The Qianniu quick-phrase CSV dialect (SPEC §8): CSV bytes → rows, bad files → one problem per row."""

from __future__ import annotations

import io

import pytest

from replybook.phrases.csv_writer import CsvWriter
from replybook.phrases.emoji import emoji_lost
from replybook.phrases.qianniu_csv import CsvReader, detect_encoding, read_rows
from replybook.store.errors import ImportFormatError, InvalidValue

HEADER = "快捷短语编码,快捷短语,快捷短语分组\r\n"


def rows_of(data: bytes, encoding: str = "auto") -> tuple[list[tuple[str, str, str]], str]:
    rows, used = read_rows(io.BytesIO(data), source="t.csv", encoding=encoding)
    return [(r.code, r.text, r.group) for r in rows], used


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(ImportFormatError) as caught:
        read_rows(io.BytesIO(data), source="t.csv")
    assert caught.value.source == "t.csv"
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("hi,亲，您好~,问候\r\n", [("hi", "亲，您好~", "问候")], id="plain"),
        pytest.param('kd,"中通, 韵达",物流\r\n', [("kd", "中通, 韵达", "物流")], id="quoted comma"),
        pytest.param('q,"他说""好的""",\r\n', [("q", '他说"好的"', "")], id="quoted quotes, empty group"),
        pytest.param(
            'jhs,"第一行\r\n第二行",活动\r\n', [("jhs", "第一行\n第二行", "活动")], id="quoted CRLF"
        ),
        pytest.param('jhs,"第一行\n第二行",活动\r\n', [("jhs", "第一行\n第二行", "活动")], id="quoted LF"),
        pytest.param("a,第一行&#13;&#10;第二行,\r\n", [("a", "第一行\n第二行", "")], id="legacy CR LF"),
        pytest.param("a,第一行&#13;第二行,\r\n", [("a", "第一行\n第二行", "")], id="legacy CR"),
        pytest.param("a,第一行&#10;第二行,\r\n", [("a", "第一行\n第二行", "")], id="legacy LF"),
        pytest.param("kd,中通&#44;韵达,物流\r\n", [("kd", "中通,韵达", "物流")], id="legacy comma"),
        pytest.param("ＦＨ,发货,物流\r\n", [("fh", "发货", "物流")], id="full-width code folded"),
        pytest.param(" Hi ,  你好  , 问候 \r\n", [("hi", "你好", "问候")], id="blanks trimmed"),
        pytest.param(
            "a,x,g\r\n\r\n,,\r\nb,y,g", [("a", "x", "g"), ("b", "y", "g")], id="blank rows, no last EOL"
        ),
        pytest.param("a,x,g\nb,y,g\n", [("a", "x", "g"), ("b", "y", "g")], id="LF line ends"),
    ],
)
def test_rows(body: str, expected: list[tuple[str, str, str]]) -> None:
    assert rows_of((HEADER + body).encode("gb18030"))[0] == expected


@pytest.mark.parametrize(
    "header",
    [
        "快捷短语编码,快捷短语,快捷短语分组",
        "快捷编码,快捷短语,快捷短语分组",
        "快捷编码,快捷短语内容,快捷短语分组",
        "快捷短语编码,快捷短语内容,快捷短语分组",
        " 快捷编码 , 快捷短语内容 , 快捷短语分组 ",
    ],
)
def test_header_variants(header: str) -> None:
    assert rows_of(f"{header}\r\nhi,你好,问候\r\n".encode())[0] == [("hi", "你好", "问候")]


def test_columns_in_another_order_and_no_group_column() -> None:
    assert rows_of("快捷短语,快捷编码\r\n你好,hi\r\n".encode())[0] == [("hi", "你好", "")]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param((HEADER + "hi,你好😊,问候\r\n").encode("utf-8-sig"), "utf-8-sig", id="BOM"),
        pytest.param((HEADER + "hi,你好😊,问候\r\n").encode("utf-8"), "utf-8", id="strict UTF-8"),
        pytest.param((HEADER + "hi,你好,问候\r\n").encode("gbk"), "gb18030", id="GBK"),
        pytest.param((HEADER + "hi,你好😊,问候\r\n").encode("gb18030"), "gb18030", id="GB18030 emoji"),
        pytest.param((HEADER + "hi,你好,问候\r\n").encode("utf-16"), "utf-16", id="UTF-16 BOM"),
        pytest.param(b"a,b\r\n", "utf-8", id="ASCII"),
    ],
)
def test_encoding_detection(data: bytes, encoding: str) -> None:
    assert detect_encoding(io.BytesIO(data)) == encoding
    if data.startswith(b"a,b"):
        return
    rows, used = rows_of(data)
    assert used == encoding and rows[0][0] == "hi" and rows[0][1].startswith("你好")


def test_gbk_with_a_late_non_utf8_byte_is_gbk() -> None:
    # Detection reads the whole file: ASCII for a megabyte, then one GBK character.
    data = (HEADER + "a,x,g\r\n" * 200_000).encode() + "z,中,g\r\n".encode("gbk")
    assert detect_encoding(io.BytesIO(data)) == "gb18030"


def test_forced_encoding() -> None:
    data = (HEADER + "hi,你好,问候\r\n").encode("utf-8-sig")
    assert rows_of(data, "utf-8")[0] == [("hi", "你好", "问候")]  # the BOM is still only a BOM
    with pytest.raises(InvalidValue, match="不支持的编码"):
        rows_of(data, "latin-1")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", ["第 1 行：文件是空的"], id="empty file"),
        pytest.param(
            "编码,内容,分组\r\nhi,x,g\r\n".encode(),
            ["第 1 行，编码、内容、分组：表头不对"],
            id="wrong header",
        ),
        pytest.param(
            "快捷短语编码,快捷短语,备注\r\n".encode(), ["第 1 行，备注：表头不对"], id="unknown column"
        ),
        pytest.param(
            (HEADER + ",你好,问候\r\n").encode(), ["第 2 行，快捷短语编码：编码不能为空"], id="empty code"
        ),
        pytest.param(
            (HEADER + "hi,,问候\r\n").encode(), ["第 2 行，快捷短语：短语内容不能为空"], id="missing text"
        ),
        pytest.param(
            (HEADER + "hi,你好\r\n").encode(),
            ["第 2 行，快捷短语分组：只有 2 列，缺少 快捷短语分组"],
            id="short row",
        ),
        pytest.param(
            (HEADER + "hi,你好,问候,多余\r\n").encode(),
            ["第 2 行，第 4 列：有 4 列，表头只有 3 列"],
            id="too many columns",
        ),
        pytest.param(
            (HEADER + "hi,你好,问候\r\nHI,又一个,问候\r\n").encode(),
            ["第 3 行，快捷短语编码：编码 hi 与第 2 行重复"],
            id="duplicate code after folding",
        ),
        pytest.param(
            (HEADER + 'a,"两行\r\n内容",g\r\na,x,g\r\n').encode(),
            ["第 4 行，快捷短语编码：编码 a 与第 2 行重复"],
            id="row numbers count physical lines",
        ),
        pytest.param(
            HEADER.encode("gbk") + b"hi,\x81\x20bad,g\r\n",
            ["第 2 行：第 4 个字节起（81 20 62 61）无法按 GB18030（兼容 GBK） 解码"],
            id="undecodable bytes",
        ),
        pytest.param(
            (HEADER + 'a,"no end\r\n').encode(), ["第 2 行：无法按 CSV 读取"], id="unterminated quote"
        ),
    ],
)
def test_problems(data: bytes, expected: list[str]) -> None:
    found = problems_of(data)
    assert len(found) == len(expected), found
    for got, want in zip(found, expected, strict=True):
        assert got.startswith(want), got


def test_every_bad_row_is_reported_and_none_yielded() -> None:
    data = (HEADER + "a,x,g\r\n,y,g\r\nb,,g\r\nc,z\r\nd,w,g\r\n").encode()
    reader = CsvReader(io.BytesIO(data), "t.csv")
    good = [r.code for r in reader]
    assert good == ["a", "d"]
    assert [p.where for p in reader.problems] == ["第 3 行", "第 4 行", "第 5 行"]


def test_random_bytes_give_a_short_answer() -> None:
    import random

    noise = bytes(random.Random(3).randrange(256) for _ in range(20_000))
    found = problems_of(noise)
    assert len(found) <= 2 and any("表头不对" in p or "无法按" in p for p in found)


def test_empty_columns_excel_leaves_at_the_right_are_ignored() -> None:
    # A sheet whose column D/E once held something: Excel writes ",," on the header and every row.
    data = "快捷短语编码,快捷短语,快捷短语分组,,\r\nhi,你好,问候,,\r\nbye,再见,,,\r\n,,,,\r\n".encode("gbk")
    rows, _ = rows_of(data)
    assert rows == [("hi", "你好", "问候"), ("bye", "再见", "")]


def test_a_value_in_an_unnamed_column_is_still_too_many_columns() -> None:
    data = "快捷短语编码,快捷短语,快捷短语分组,\r\nhi,你好,世界,问候\r\nbye,再见,,,,\r\n".encode()
    assert problems_of(data) == [
        "第 2 行，第 4 列：有 4 列，表头只有 3 列（内容里的逗号要用英文双引号把整格括起来）",
        "第 3 行，第 4 列：有 6 列，表头只有 3 列（内容里的逗号要用英文双引号把整格括起来）",
    ]


def test_undecodable_header_with_a_stray_carriage_return_is_one_problem() -> None:
    # Random bytes often hold a bare CR: the decoding problem is the answer, not csv's own complaint.
    found = problems_of(b"\xff\r\xfe\x36,abc\r\n")
    assert len(found) == 1, found
    assert found[0].startswith("第 1 行：第 1 个字节起（FF 0D FE 36）无法按 GB18030（兼容 GBK） 解码")


def test_carriage_return_only_line_ends_get_a_chinese_message() -> None:
    # Old Mac "CSV" files end lines with a bare CR; say so in the user's words, not csv's English.
    found = problems_of((HEADER.replace("\r\n", "\r") + "hi,x,g\r").encode())
    assert len(found) == 1, found
    assert found[0].startswith("第 1 行：无法按 CSV 读取"), found[0]
    assert "回车" in found[0] and "new-line" not in found[0], found[0]


# ---------------------------------------------------------------- writing


def written(rows: list[tuple[str, str, str]], **options) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    writer = CsvWriter(out, **options)
    writer.write_all(rows)
    writer.close()
    return out.getvalue(), writer.warnings


def test_writer_format() -> None:
    data, warnings = written(
        [("kd", "中通, 韵达", "物流"), ("jhs", '第一行\n"第二行"', ""), ("nh", "你好😊", "问候")]
    )
    assert data.startswith("快捷短语编码,快捷短语,快捷短语分组\r\n".encode("gbk"))
    assert data.decode("gb18030") == (
        "快捷短语编码,快捷短语,快捷短语分组\r\n"
        'kd,"中通, 韵达",物流\r\n'
        'jhs,"第一行\n""第二行""",\r\n'
        "nh,你好😊,问候\r\n"
    )
    assert warnings == []
    assert rows_of(data)[0] == [
        ("kd", "中通, 韵达", "物流"),
        ("jhs", '第一行\n"第二行"', ""),
        ("nh", "你好😊", "问候"),
    ]


def test_writer_utf8_sig() -> None:
    data, _ = written([("hi", "你好", "")], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf" + "快捷短语编码,快捷短语,快捷短语分组\r\n".encode())


@pytest.mark.parametrize("text", ["=1+1", "+86 电话", "-5元", "@客服"])
def test_formula_cells_warn_and_can_be_neutralised(text: str) -> None:
    data, warnings = written([("f", text, "")])
    assert len(warnings) == 1 and "公式" in warnings[0] and "第 2 行" in warnings[0]
    assert f"f,{text},".encode("gb18030") in data
    data, warnings = written([("f", text, "")], neutralise_formulas=True)
    assert f"f,\t{text},".encode("gb18030") in data and len(warnings) == 1
    assert "TAB" in warnings[0]


# issue 10 item 8
def test_neutralised_cells_read_back_as_written() -> None:
    rows = [("-a", "=1+1", "@组"), ("b", "+86 电话", ""), ("c", "-5元", "=g"), ("d", "普通", "物流")]
    data, _ = written(rows, neutralise_formulas=True)
    assert "d,普通,物流\r\n".encode("gb18030") in data  # only the cells Excel would take for formulas
    assert rows_of(data)[0] == rows


# issue 10 item 8
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("\thi,\t=1+1,\t问候\r\n", ("hi", "=1+1", "问候"), id="TAB before each cell"),
        pytest.param("hi,'=1+1,'@组\r\n", ("hi", "=1+1", "@组"), id="apostrophe before a formula"),
        pytest.param("'-hi,'+86 电话,\r\n", ("-hi", "+86 电话", ""), id="apostrophe before + and -"),
        pytest.param("'001,'12月大促,\r\n", ("001", "12月大促", ""), id="apostrophe before a number"),
        pytest.param("\t'=1,\t'-5元,\r\n", ("=1", "-5元", ""), id="TAB then apostrophe"),
        pytest.param("q,'好的'您说,\r\n", ("q", "'好的'您说", ""), id="an apostrophe that is text"),
    ],
)
def test_excel_text_markers_are_stripped_on_import(body: str, expected: tuple[str, str, str]) -> None:
    assert rows_of((HEADER + body).encode("gb18030"))[0] == [expected]


# issue 10 item 8
@pytest.mark.parametrize(
    ("text", "stored", "lost"),
    [
        pytest.param("亲，欢迎光临~?", "亲，欢迎光临~😊", True, id="emoji became ?"),
        pytest.param("你好??欢迎", "你好❤️欢迎", True, id="emoji and selector became ??"),
        pytest.param("亲?在吗?", "亲🌸在吗😊", True, id="two emoji"),
        pytest.param("好的?", "好的😊", True, id="after a word, where the stored phrase has an emoji"),
        pytest.param("好的?", "好的呀😊", False, id="after a word, and the text changed too"),
        pytest.param("亲，欢迎光临~?", "亲，欢迎~😊", True, id="changed, but ? after punctuation"),
        pytest.param("在吗?", "在吗?", False, id="same text"),
        pytest.param("在吗?", None, False, id="a question after a word"),
        pytest.param("亲，欢迎光临~?", None, True, id="? after punctuation in Chinese text"),
        pytest.param("?欢迎光临", None, True, id="? at the start"),
        pytest.param("What? OK", None, False, id="not Chinese"),
        pytest.param("SKU 是 A12?", None, False, id="after an ASCII word"),
    ],
)
def test_question_marks_that_were_emoji(text: str, stored: str | None, lost: bool) -> None:
    assert emoji_lost(text, stored) is lost


def test_writer_rejects_other_encodings() -> None:
    with pytest.raises(InvalidValue):
        CsvWriter(io.BytesIO(), encoding="utf-16")


# issue 12 finding 8: a bad byte in a UTF-16 file is named like any other: its line, its position
# counted from 1, the bytes themselves
def test_a_bad_byte_in_a_utf16_file_names_its_line_and_its_position_from_one() -> None:
    good = (HEADER + "hi,您好,问候\r\n").encode("utf-16")  # BOM, then little-endian text
    lone_surrogate = b"\x00\xd8"  # a high surrogate followed by an ordinary character: invalid
    data = good + lone_surrogate + "x,y,z\r\n".encode("utf-16-le")
    found = problems_of(data)
    assert len(found) == 1, found
    assert found[0].startswith(
        f"第 3 行：文件第 {len(good) + 1} 个字节起（00 D8 78 00）无法按 UTF-16（带 BOM） 解码"
    ), found
