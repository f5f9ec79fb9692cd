"""Every importer, given anything, answers with a result or one ReplybookError — never a traceback —
and a rejected file leaves the database exactly as it was (issue 12 findings 3 and 8).

The property tests run a bounded, fixed-seed number of examples per importer in CI; set
REPLYBOOK_FUZZ_EXAMPLES (e.g. 20000) for a long run: see DEVELOPERS.md.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from replybook import library, phrases
from replybook.coverage.question_files import MAX_QUESTION, parse_questions, truncation_warning
from replybook.gold import reviews
from replybook.gold.review_csv import parse_review_file
from replybook.library.strict_yaml import MAX_DEPTH
from replybook.store import db
from replybook.store.errors import ImportFormatError, ReplybookError
from replybook.tabular.encodings import detect_and_decode
from tests.conftest import Cli
from tests.test_web import Browser, _preview, app, boss  # noqa: F401, F811  (fixtures)

EXAMPLES = int(os.environ.get("REPLYBOOK_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run: a CI failure reproduces locally
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

REVIEW_HEADER = "日期,来源,客服,很满意,满意,一般,不满意,很不满意,综合服务分\n"
PHRASE_HEADER = "快捷短语编码,快捷短语,快捷短语分组\n"
QUESTION_HEADER = "问题,标准问题,分类,次数\n"
ENTRY = "  - category: shipping\n    question: {q}\n    answers: [{a}]\n"

# A few hundred bytes of nested aliases (billion laughs): nine levels of nine aliases, 9^9 strings.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join(['*' + p] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True)
)


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: the strictest export there is."""
    with engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
            for t in SQLModel.metadata.sorted_tables
        }


class _Accepted(Exception):
    """Raised after an accepted import so its writes roll back and the next example starts alike."""


def outcome(engine: Engine, run: Callable[[Session], object]) -> str:
    """Run one import in a unit of work as the edges do: "ok", or "refused" with the database unchanged."""
    before = dump(engine)
    try:
        with db.session_scope(engine) as s:
            run(s)
            s.flush()
            raise _Accepted
    except _Accepted:
        return "ok"
    except ReplybookError as exc:
        assert str(exc).strip(), "an error with no message"
        assert dump(engine) == before, "a refused import changed the database"
        return "refused"


# ---------------------------------------------------------------- finding 3: the library YAML


def read(text: str) -> Any:
    return library.read_library(text, source="库.yaml", known_categories={"shipping"})


# issue 12 finding 3
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (BOMB + "entries: []\n", "第 1 行：不支持 YAML 的锚点（&）和别名（*）"),
        ("entries:\n  - &e {category: shipping, question: q, answers: [a]}\n", "第 2 行：不支持 YAML 的锚点"),
        (
            "base: {category: shipping}\nentries:\n  - {<<: {category: shipping}, question: q, answers: [a]}\n",
            "第 3 行：不支持 YAML 的合并键（<<）",
        ),
        ("entries: " + "[" * 500 + "]" * 500 + "\n", f"第 1 行：嵌套超过 {MAX_DEPTH} 层"),
        ("entries:\n" + "  " * 0 + "".join("  " * i + "- \n" for i in range(1, 600)), "嵌套超过"),
        ("entries: []\nentries: []\n", "第 2 行：键 entries 重复（第 1 行已有）"),
        (
            "entries:\n" + ENTRY.format(q="q", a="a") + ENTRY.format(q="r", a="b") + "entries: []\n",
            "第 8 行：键 entries 重复",
        ),
        (
            "entries:\n  - category: shipping\n    question: q\n    answers: [a]\n    answers: [b]\n",
            "第 5 行：键 answers 重复",
        ),
        ("entries: []\n---\nentries: []\n", "不止一个 YAML 文档"),
        ("entries: !!set {a: null}\n", "第 1 行：不支持的 YAML 标签 !!set"),
        ("entries:\n" + ENTRY.format(q="!!binary aGk=", a="a"), "第 3 行：不支持的 YAML 标签 !!binary"),
        (
            "entries: !!python/object/apply:os.system [ls]\n",
            "不支持的 YAML 标签 !!python/object/apply:os.system",
        ),
        ("entries: !mine []\n", "不支持的 YAML 标签 !mine"),
        (
            "entries:\n" + ENTRY.format(q=".nan", a="a"),
            "第 1 条（无标准问题），标准问题（question）：应为文字，现为数字 nan",
        ),
        (
            "entries:\n  - {category: [a], question: q, answers: [a]}\n",
            "第 1 条（q），分类（category）：应为文字，现为列表",
        ),
        (
            "entries:\n" + ENTRY.format(q="q", a="12"),
            "第 1 条（q），答案（answers）：列表里每项应为文字，有一项是数字 12",
        ),
        ("entries:\n" + ENTRY.format(q="yes", a="a"), "现为true/false（true）"),
        ("entries:\n" + ENTRY.format(q='"a\\0b"', a="a"), "空字符（NUL）"),
        ("entries:\n" + ENTRY.format(q='"a\\eb"', a="a"), "控制字符 U+001B"),
        ("entries: []\x00\n", "第 1 行：含有不可见的空字符（NUL）"),
        ("shop: [1]\nentries: []\n", "店铺名应为文字"),
    ],
)
def test_a_library_file_is_plain_yaml(document: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        read(document)
    assert message in str(caught.value)
    assert all("Error" not in line and "line" not in line for line in str(caught.value).splitlines())


# issue 12 finding 3
def test_the_bomb_is_small_and_plain_data_still_reads() -> None:
    assert len(BOMB.encode()) < 500
    _, _, entries = read("entries:\n" + ENTRY.format(q="'12'", a="'=', '24小时'"))
    assert entries[0].question == "12" and entries[0].answers == ["=", "24小时"]


# issue 12 finding 3
def test_a_huge_library_file_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(ImportFormatError, match="文件超过 20 MB"):
        library.decode_library(b"#" * (20 * 1024 * 1024 + 1), source="库.yaml")
    with pytest.raises(ImportFormatError, match="一项内容超过 100,000 个字"):
        read("entries:\n" + ENTRY.format(q="q", a="x" * 100_001))


# issue 12 finding 3
def test_the_cli_refuses_the_bomb_in_one_chinese_line(cli: Cli, tmp_path: Path, engine: Engine) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB + "entries: []\n", encoding="utf-8")
    before = dump(engine)
    result = cli("library", "import", str(bomb))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "不支持 YAML 的锚点（&）和别名（*）" in result.output
    assert dump(engine) == before


# issue 12 finding 3
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (BOMB + "entries: []\n", "不支持 YAML 的锚点（&amp;）和别名（*）"),
        ("entries: " + "[" * 500 + "]" * 500, "嵌套超过"),
        ("entries: []\nentries: []\n", "键 entries 重复"),
        ("entries: !!binary aGk=\n", "不支持的 YAML 标签 !!binary"),
        ("entries:\n" + ENTRY.format(q=".nan", a="a"), "应为文字，现为数字 nan"),
    ],
)
def test_the_web_import_preview_refuses_the_same_in_chinese(
    boss: Browser,  # noqa: F811
    document: str,
    message: str,
) -> None:
    preview = _preview(boss, "library", "library.yaml", document.encode())
    assert preview.status_code in (200, 400, 422), preview.text
    assert message in preview.text and "Traceback" not in preview.text


# ---------------------------------------------------------------- finding 8: never a traceback


# issue 12 finding 8
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (QUESTION_HEADER + '"' + "x" * 200_000 + '"\n', "第 2 行：无法按 CSV 读取（有一格内容太长"),
        (QUESTION_HEADER + "还有货吗,,,1e400\n", "次数 '1e400' 应为 1 到 1,000,000,000 之间的整数"),
        (QUESTION_HEADER + "还有货吗,,," + "9" * 30 + "\n", "应为 1 到 1,000,000,000 之间的整数"),
        (QUESTION_HEADER + "还有货吗,,,nan\n", "次数 'nan'"),
        (QUESTION_HEADER + "还有\x00货吗\n", "第 2 行，问题：含有不可见的空字符（NUL）"),
        (QUESTION_HEADER + "还有\x1b[2J货吗\n", "第 2 行，问题：含有不可见的控制字符 U+001B"),
    ],
)
def test_a_bad_question_csv_is_one_problem_naming_its_row(text: str, message: str) -> None:
    with pytest.raises(ReplybookError) as caught:
        parse_questions(text, "问题.csv")
    assert message in str(caught.value)


# issue 12 finding 8
def test_bare_cr_line_ends_and_long_questions_read() -> None:
    questions = parse_questions("问题,次数\r还有货吗,3\r" + "长" * 600 + "\r", "问题.csv")
    assert [q.text for q in questions] == ["还有货吗", "长" * MAX_QUESTION] and questions[0].count == 3
    assert (
        truncation_warning(questions)
        == f"第 3 行的问题超过 {MAX_QUESTION} 个字，已截取前 {MAX_QUESTION} 个字（与试问框一致）"
    )


# issue 12 finding 8
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-10-01,人工,小美," + "9" * 30 + ",0,0,0,0,\n", "第 2 行，很满意：评价数超过 1,000,000,000"),
        ("2026-10-01,人工,小\x00美,1,0,0,0,0,\n", "第 2 行，客服：客服名称含有不可见的空字符（NUL）"),
        ("2026-10-01,人工,小美,1,0,0,0,0,1e400\n", "综合服务分应在 0 到 5 之间"),
        ('2026-10-01,人工,"' + "x" * 200_000 + '",1,0,0,0,0,\n', "第 2 行：无法按 CSV 读取（有一格内容太长"),
        ("2026-10-01,人工,小美,1,0,0,0,0," + "5" * 300 + "\n", "第 2 行，综合服务分：超过 200 个字"),
    ],
)
def test_a_bad_review_row_is_one_problem_naming_it(row: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_review_file((REVIEW_HEADER + row).encode(), source="评价.csv")
    assert message in str(caught.value)


# issue 12 finding 8
def test_bare_cr_review_rows_read() -> None:
    parsed = parse_review_file(
        REVIEW_HEADER.replace("\n", "\r").encode() + "2026-10-01,人工,小美,1,0,0,0,0,\r".encode(), source="r"
    )
    assert parsed.reviews[0].counts["very_satisfied"] == 1


# issue 12 finding 8
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a,好的\x00,问候\n", "第 2 行，快捷短语：含有不可见的空字符（NUL）"),
        ("a,\x1b]0;你被黑了\x07好的,问候\n", "第 2 行，快捷短语：含有不可见的控制字符 U+001B"),
        ("a,好的,问\x9b候\n", "第 2 行，快捷短语分组：含有不可见的控制字符 U+009B"),
    ],
)
def test_control_characters_in_a_phrase_csv_are_refused_on_every_backend(
    any_engine: Engine, body: str, message: str
) -> None:
    before = dump(any_engine)
    with pytest.raises(ImportFormatError) as caught, db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO((PHRASE_HEADER + body).encode()), scope="team", user="fuzz")
    assert message in str(caught.value)
    assert dump(any_engine) == before


# issue 12 finding 8
def test_a_nul_never_reaches_the_database_of_any_backend(any_engine: Engine) -> None:
    refused = [
        lambda s: library.plan_import(
            s, "entries:\n" + ENTRY.format(q='"有\\0货吗"', a="有"), source="库.yaml"
        ),
        lambda s: reviews.import_reviews(
            s, (REVIEW_HEADER + "2026-10-01,人工,小\x00美,1,0,0,0,0,\n").encode(), source="r"
        ),
        lambda s: phrases.create_phrase(
            s, data=phrases.PhraseData(scope="team", owner="", code="a", text="有\x00货", group=""), user=None
        ),
    ]
    for run in refused:
        assert outcome(any_engine, run) == "refused"


# issue 12 finding 8
def test_the_cli_never_prints_a_terminal_escape(cli: Cli, tmp_path: Path) -> None:
    questions = tmp_path / "问题.csv"
    questions.write_text("\x1b]0;pwned\x07\x1b[2J,x\n还有货吗,y\n", encoding="utf-8")
    result = cli("test", str(questions))
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\\x1b]0;pwned" in result.output


# ---------------------------------------------------------------- the properties


def any_bytes_and(*headers: str) -> st.SearchStrategy[bytes]:
    """Any bytes, and a valid header followed by rows of random cells (quotes, CRs, NULs, numbers)."""
    cell = st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "",
                '"',
                '""',
                "\r",
                "\r\n",
                "\x00",
                "1e400",
                "9" * 30,
                "-1",
                "nan",
                "2026-10-01",
                "人工",
                "机器人",
                "=1+1",
                "&#13;",
            ]
        ),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
    )
    row = st.lists(cell, max_size=10).map(lambda cells: ",".join(cells))
    rows = st.lists(row, max_size=6).map(lambda rs: "".join(r + "\n" for r in rs))
    structured = st.tuples(
        st.sampled_from(headers), rows, st.sampled_from(["utf-8", "gb18030", "utf-16"])
    ).map(lambda t: (t[0] + t[1]).encode(t[2], errors="replace"))
    return st.one_of(st.binary(max_size=400), structured)


def yaml_documents() -> st.SearchStrategy[bytes]:
    scalar = st.one_of(
        st.text(max_size=10),
        st.sampled_from(
            [
                ".nan",
                "~",
                "yes",
                "2026-10-01",
                "*a",
                "&a x",
                "!!binary aGk=",
                "<<",
                "'q'",
                '"\\0"',
                "[",
                "{",
                "- ",
                ": ",
            ]
        ),
        st.integers().map(str),
    )
    key = st.sampled_from(
        [
            "category",
            "question",
            "answers",
            "similar",
            "keywords",
            "enabled",
            "active",
            "entries",
            "shop",
            "categories",
            "<<",
        ]
    )
    line = st.tuples(st.integers(0, 6), key, scalar).map(
        lambda t: "  " * t[0] + ("- " if t[0] % 2 else "") + f"{t[1]}: {t[2]}\n"
    )
    docs = st.lists(line, max_size=12).map(lambda ls: "entries:\n" + "".join(ls))
    return st.one_of(st.binary(max_size=400), docs.map(str.encode))


# issue 12 finding 8
@FUZZ
@given(raw=yaml_documents())
def test_fuzz_library_yaml(engine: Engine, raw: bytes) -> None:
    def run(s: Session) -> None:
        plan = library.plan_import(s, library.decode_library(raw, source="库.yaml"), source="库.yaml")
        library.apply_import(s, plan, user="fuzz")

    outcome(engine, run)


# issue 12 finding 8
@FUZZ
@given(raw=any_bytes_and(PHRASE_HEADER, "快捷编码,快捷短语内容\n", "快捷短语编码,快捷短语,快捷短语分组,,\n"))
def test_fuzz_phrase_csv(engine: Engine, raw: bytes) -> None:
    outcome(engine, lambda s: phrases.import_phrases(s, io.BytesIO(raw), scope="team", user="fuzz"))


# issue 12 finding 8
@FUZZ
@given(
    raw=any_bytes_and(
        REVIEW_HEADER, "日期,综合服务分\n", "日期,来源,客服,非常满意,满意,一般,不满意,非常不满意\n"
    )
)
def test_fuzz_review_csv(engine: Engine, raw: bytes) -> None:
    outcome(engine, lambda s: reviews.import_reviews(s, raw, source="评价.csv", mode="replace", user="fuzz"))


# issue 12 finding 8
@FUZZ
@given(
    raw=any_bytes_and(QUESTION_HEADER, "内容,角色\n", "question,count\n"),
    suffix=st.sampled_from([".csv", ".txt"]),
)
def test_fuzz_question_files(raw: bytes, suffix: str) -> None:
    try:
        parse_questions(detect_and_decode(raw)[0], "问题" + suffix)
    except ReplybookError as exc:
        assert str(exc).strip()
