"""The library file (SPEC §4): round trip, validation, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from replybook import db, library
from replybook.errors import ImportFormatError
from replybook.models import Entry
from tests.conftest import SAMPLE

GOOD = """\
shop: 测试店
entries:
  - category: shipping
    question: 什么时候发货
    similar: [几天能发货, 今天能发吗, 多久发货]
    keywords: [发货]
    answers:
      - 亲，付款后48小时内发货哦~
    enabled: true
    active: {start: 2026-12-10T00:00:00+08:00, end: 2026-12-13T00:00:00+08:00}
  - category: after_sales
    question: '怎么退货: 流程'
    similar: ['[官方] 退货', 有"运费险"吗]
    keywords: []
    answers:
      - "第一行\\n第二行"
      - 'yes: 可以'
    enabled: false
"""


def test_round_trip_is_byte_identical(engine, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    with db.session_scope(engine) as s:
        library.import_library(s, src)
    with db.session_scope(engine) as s:
        first = library.export_text(s)
    assert first == GOOD
    other = db.make_engine(str(tmp_path / "other.db"))
    db.upgrade(other)
    out = tmp_path / "out.yaml"
    out.write_text(first, encoding="utf-8")
    with db.session_scope(other) as s:
        library.import_library(s, out)
    with db.session_scope(other) as s:
        assert library.export_text(s) == first


def test_sample_library_round_trips(engine, tmp_path: Path) -> None:
    with db.session_scope(engine) as s:
        plan = library.import_library(s, SAMPLE / "library.yaml")
    assert len(plan.add) >= 30
    with db.session_scope(engine) as s:
        text = library.export_text(s)
        cats = {e.category_id for e in s.exec(select(Entry))}
    assert len(cats) == 6
    assert text == (SAMPLE / "library.yaml").read_text(encoding="utf-8")


# issue 10 item 15: each problem names its field in Chinese, with the key the file uses.
BAD_CASES = [
    ("  - category: nope\n    question: 在吗\n    answers: [在的]\n", "分类（category）", "未知分类"),
    (
        "  - category: greeting\n    question: ''\n    answers: [在的]\n",
        "标准问题（question）",
        "标准问题不能为空",
    ),
    ("  - category: greeting\n    question: 在吗\n    answers: []\n", "答案（answers）", "至少需要一个答案"),
    (
        "  - category: greeting\n    question: 在吗\n    answers: [a]\n    active: {start: 明天}\n",
        "生效时间（active）",
        "无法识别的时间",
    ),
    (
        "  - category: greeting\n    question: 在吗\n    answers: [a]\n    active: {start: 2026-12-13, end: 2026-12-10}\n",
        "生效时间（active）",
        "结束必须晚于开始",
    ),
    (
        "  - category: greeting\n    question: 在吗\n    answers: [a]\n  - category: greeting\n    question: 在吗？\n    answers: [b]\n",
        "第 3 条（在吗？），标准问题（question）",
        "与第 2 条（在吗）重复",
    ),
    (
        "  - category: greeting\n    question: 在吗\n    answers: [a]\n  - category: greeting\n    question: 有人吗\n    similar: [在吗！]\n    answers: [b]\n",
        "第 3 条（有人吗），相似问法（similar）",
        "与第 2 条（在吗）重复",
    ),
    ("  - category: greeting\n    question: 在吗\n    answers: [a]\n    colour: red\n", "colour", "未知字段"),
]


@pytest.mark.parametrize(("body", "column", "message"), BAD_CASES)
def test_bad_entry_is_reported_and_nothing_written(engine, tmp_path: Path, body, column, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("entries:\n  - category: shipping\n    question: 包邮吗\n    answers: [包邮]\n" + body)
    with pytest.raises(ImportFormatError) as err, db.session_scope(engine) as s:
        library.import_library(s, path)
    text = str(err.value)
    assert str(path) in text and message in text and column in text
    with db.session_scope(engine) as s:
        assert s.exec(select(Entry)).all() == []


def test_every_problem_is_listed(engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("entries:\n" + "".join(body for body, _, _ in BAD_CASES[:3]))
    with pytest.raises(ImportFormatError) as err, db.session_scope(engine) as s:
        library.import_library(s, path)
    # unknown category, empty question, no answer, and 在吗 twice: every one reported
    assert len(err.value.problems) == 4
    assert "第 3 条（在吗），答案（answers）" in str(err.value)  # issue 10 item 15: Chinese field names


def test_not_yaml_names_the_line(engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("entries:\n  - category: [\n")
    with pytest.raises(ImportFormatError, match="第 3 行"), db.session_scope(engine) as s:
        library.import_library(s, path)


def test_replace_mode_removes_and_history_keeps_it(engine, tmp_path: Path) -> None:
    from replybook import history

    path = tmp_path / "lib.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with db.session_scope(engine) as s:
        library.import_library(s, path)
    only_one = GOOD.split("  - category: after_sales")[0]
    path.write_text(only_one, encoding="utf-8")
    with db.session_scope(engine) as s:
        plan = library.import_library(s, path, mode="replace")
    assert [e.question for e in plan.remove] == ["怎么退货: 流程"]
    with db.session_scope(engine) as s:
        deleted = history.recent(s, item_type="entry", limit=1)[0]
        assert deleted.action == "delete"
        history.restore(s, deleted.id, user="test")
    with db.session_scope(engine) as s:
        assert library.export_text(s) == GOOD


SHOP_CATEGORY = """\
categories:
  - key: shop_figures
    name: 店铺数字问题
entries:
  - category: shop_figures
    question: 店铺有多少粉丝
    similar: []
    keywords: []
    answers:
      - 亲，我们有十万粉丝哦~
    enabled: true
"""


def test_a_shop_category_travels_with_the_file(engine, tmp_path: Path) -> None:
    # SPEC §3: shops add their own categories (店铺数字问题); a backup must restore into an empty database.
    from replybook import entries

    with db.session_scope(engine) as s:
        entries.ensure_builtin_categories(s)
        entries.add_category(s, key="shop_figures", name="店铺数字问题", user="test")
    src = tmp_path / "in.yaml"
    src.write_text(SHOP_CATEGORY.split("entries:\n")[1].join(["entries:\n", ""]), encoding="utf-8")
    with db.session_scope(engine) as s:
        library.import_library(s, src)
    with db.session_scope(engine) as s:
        first = library.export_text(s)
    assert first == SHOP_CATEGORY
    other = db.make_engine(str(tmp_path / "other.db"))
    db.upgrade(other)
    out = tmp_path / "out.yaml"
    out.write_text(first, encoding="utf-8")
    with db.session_scope(other) as s:
        plan = library.import_library(s, out, dry_run=True)
        assert plan.new_categories == [("shop_figures", "店铺数字问题")]
        s.rollback()
    with db.session_scope(other) as s:
        assert "shop_figures" not in {c.key for c in entries.list_categories(s)}
        library.import_library(s, out)
    with db.session_scope(other) as s:
        assert library.export_text(s) == first
        assert {c.key: c.name for c in entries.list_categories(s)}["shop_figures"] == "店铺数字问题"


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ("categories: shop_figures\n", "应为列表"),
        ("categories:\n  - shop_figures\n", "应为 {key: shop_figures, name: 店铺数字问题}"),
        ("categories:\n  - {key: 店铺, name: 店铺数字问题}\n", "分类标识只能用英文字母"),
        ("categories:\n  - {key: shop_figures, name: ''}\n", "分类名称不能为空"),
        ("categories:\n  - {key: a, name: x}\n  - {key: a, name: y}\n", "与第 1 项重复"),
    ],
)
def test_bad_categories_are_reported_and_nothing_written(engine, tmp_path: Path, categories, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        categories + "entries:\n  - category: shipping\n    question: 包邮吗\n    answers: [包邮]\n"
    )
    with pytest.raises(ImportFormatError) as err, db.session_scope(engine) as s:
        library.import_library(s, path)
    assert message in str(err.value) and "categories" in str(err.value)
    with db.session_scope(engine) as s:
        assert s.exec(select(Entry)).all() == []


def test_a_non_utf8_file_names_the_first_bad_byte_counting_from_one(engine, tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("entries:\n  - question: 发货\n".encode("gbk"))  # 发 starts at byte 24, counting from 1
    with pytest.raises(ImportFormatError) as err, db.session_scope(engine) as s:
        library.import_library(s, path)
    assert "第 24 个字节起" in str(err.value) and "UTF-8" in str(err.value)


def test_an_empty_file_does_not_empty_the_library(engine, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    with db.session_scope(engine) as s:
        library.import_library(s, src)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="文件是空的"), db.session_scope(engine) as s:
        library.import_library(s, empty, mode="replace")
    empty.write_text("entries: []\n", encoding="utf-8")
    with db.session_scope(engine) as s:
        plan = library.import_library(s, empty, mode="replace")
    assert len(plan.remove) == 2
