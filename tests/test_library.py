"""The library file (SPEC §4): round trip, validation, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from replybook import library
from replybook.store import db
from replybook.store.errors import ImportFormatError
from replybook.store.models import Entry
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
    from replybook.store import history

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
    from replybook.library import entries

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


REDUNDANT = """\
entries:
  - category: greeting
    question: 有人在吗
    similar: [有人在吗呀, 在不在, 亲，在不在？, 客服在吗]
    keywords: []
    answers:
      - 在的亲~
    enabled: true
  - category: shipping
    question: 什么时候发货
    similar: [几天能发货]
    keywords: []
    answers:
      - 48小时内发货
    enabled: true
"""


# issue 10 item 4
def test_a_similar_wording_equal_to_its_own_question_after_normalisation_imports_with_a_warning(
    engine, tmp_path: Path
) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(REDUNDANT, encoding="utf-8")
    with db.session_scope(engine) as s:
        plan = library.import_library(s, src)
    assert len(plan.add) == 2
    # One warning per entry, naming it and both redundant wordings; the clean entry has none.
    assert len(plan.warnings) == 1
    warning = plan.warnings[0]
    assert warning.startswith("第 1 条（有人在吗）")
    assert "“有人在吗呀”" in warning and "“亲，在不在？”" in warning and "“在不在”" in warning
    with db.session_scope(engine) as s:
        entry = s.exec(select(Entry).where(Entry.question == "有人在吗")).one()
        assert entry.similar == ["有人在吗呀", "在不在", "亲，在不在？", "客服在吗"]  # as typed
        first = library.export_text(s)
    assert first == REDUNDANT
    # import → export → import gives the same library
    other = db.make_engine(str(tmp_path / "other.db"))
    db.upgrade(other)
    out = tmp_path / "out.yaml"
    out.write_text(first, encoding="utf-8")
    with db.session_scope(other) as s:
        again = library.import_library(s, out)
        assert len(again.warnings) == 1
    with db.session_scope(other) as s:
        assert library.export_text(s) == first
    with db.session_scope(engine) as s:  # importing it again changes nothing and still warns
        same = library.import_library(s, out)
        assert (len(same.add), len(same.change), same.unchanged, len(same.warnings)) == (0, 0, 2, 1)


# issue 10 item 4
def test_a_wording_of_two_different_entries_is_still_an_error(engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(REDUNDANT.replace("[几天能发货]", "[几天能发货, 有人在吗呀]"), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="与第 1 条（有人在吗）重复"), db.session_scope(engine) as s:
        library.import_library(s, path)
    with db.session_scope(engine) as s:
        assert s.exec(select(Entry)).all() == []


# issue 10 item 4
def test_the_editor_core_saves_a_redundant_wording_and_says_so(session) -> None:
    from replybook.library import entries

    data = entries.EntryData(
        category="greeting", question="有人在吗", answers=["在的"], similar=["有人在吗呀", "在不在"]
    )
    entry = entries.create_entry(session, data=data, user="test")
    assert entry.similar == ["有人在吗呀", "在不在"]
    assert "“有人在吗呀”" in (entries.redundancy_warning(data) or "")
    assert entries.redundancy_warning(entries.entry_data(entry, "greeting")) is not None
    assert entries.redundancy_warning(data.__class__(**{**data.__dict__, "similar": ["在不在"]})) is None


# issue 10 item 5
def test_a_replace_dry_run_lists_what_it_would_remove_and_changes_nothing(engine, tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with db.session_scope(engine) as s:
        library.import_library(s, path)
    path.write_text(GOOD.split("  - category: after_sales")[0], encoding="utf-8")
    with db.session_scope(engine) as s:
        plan = library.import_library(s, path, mode="replace", dry_run=True)
        s.rollback()
    # The plan stays readable after the dry run's session is rolled back and closed.
    assert [(d.category, d.question) for d in plan.removed_entries] == [("after_sales", "怎么退货: 流程")]
    with db.session_scope(engine) as s:
        assert library.export_text(s) == GOOD


# issue 10 item 6
@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_a_gbk_library_file_imports_like_every_other_file(engine, tmp_path: Path, codec: str) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode(codec))
    with db.session_scope(engine) as s:
        library.import_library(s, path)
    with db.session_scope(engine) as s:
        assert library.export_text(s) == GOOD  # exported as UTF-8


# issue 10 item 6
def test_an_undecodable_library_file_names_the_first_bad_byte_counting_from_one(
    engine, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"entries:\n  - question: \xff\xfe\n")  # 0xFF is byte 24, counting from 1
    with pytest.raises(ImportFormatError) as err, db.session_scope(engine) as s:
        library.import_library(s, path)
    assert "第 24 个字节起" in str(err.value) and "GB18030" in str(err.value) and "第 2 行" in str(err.value)
