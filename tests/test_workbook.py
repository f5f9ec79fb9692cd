"""Excel workbooks (issue 15 item 1): the whole reply configuration out and back in, header variants,
problems by sheet/row/column, quick phrases in .xlsx and .xls, merge/replace/dry run, templates."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlmodel import select

from replybook import library, phrases
from replybook.autoreplies.rules import list_rules
from replybook.autoreplies.transfer import rule_data
from replybook.shop import workbook as shop_workbook
from replybook.store import db, users
from replybook.store.errors import ImportFormatError
from replybook.store.models import Entry, Phrase, User
from tests.conftest import Cli

HEADER = ["分类", "标准问题", "相似问法", "关键词", "答案", "启用", "生效开始", "生效结束"]


def _book(sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def _save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def _calamine(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _shop_state(url: str) -> dict:
    """Everything a workbook carries, as plain data: library file, auto-replies, every phrase."""
    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        state = {
            "library": library.export_text(s).replace(f"shop: {library.get_shop_name(s)}\n", ""),
            "autoreplies": [rule_data(r) for r in list_rules(s)],
            "phrases": sorted(
                (p.scope, p.owner, p.group_name, p.code, p.text) for p in s.exec(select(Phrase))
            ),
        }
    engine.dispose()
    return state


def test_sample_shop_round_trips_through_one_workbook(sample_cli: Cli, tmp_path: Path) -> None:
    # issue 15: the sample shop exported to one .xlsx, opened by a test with a different reader,
    # re-imported into an empty database: identical library, auto-replies and phrases
    out = tmp_path / "shop.xlsx"
    result = sample_cli("library", "export", str(out))
    assert result.exit_code == 0, result.output
    assert "问答库 45 行" in result.output

    seen = _calamine(out)
    assert {"问答库", "分类", "自动回复", "快捷短语", "个人短语-小美", "个人短语-小雨"} <= set(seen)
    assert seen["问答库"][0] == HEADER
    before = _shop_state(sample_cli.url)
    engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        first = s.exec(select(Entry).order_by(Entry.id)).first()
        assert first is not None
        row = seen["问答库"][1]
        assert row[1] == first.question and row[4].split("\n") == first.answers
        team_codes = [r[0] for r in seen["快捷短语"][1:]]
        stored = sorted(p.code for p in s.exec(select(Phrase).where(Phrase.scope == "team")))
        assert sorted(team_codes) == stored
        names = [(u.name, u.role) for u in s.exec(select(User))]
    engine.dispose()

    target = Cli(str(tmp_path / "empty.db"))
    assert target("init").exit_code == 0
    engine = db.make_engine(target.url)
    with db.session_scope(engine) as s:
        for name, role in names:  # personal phrases belong to existing users; users travel in backups
            users.add_user(s, name=name, role=role, password="password-123")
    engine.dispose()
    result = target("library", "import", str(out))
    assert result.exit_code == 0, result.output
    assert _shop_state(target.url) == before


def test_export_writes_text_cells_frozen_header_and_wide_columns(cli: Cli, tmp_path: Path) -> None:
    # issue 15: export writes cells as text (0001, 12.12 stay text), freezes the header, widens columns
    cli("phrases", "add", "0001", "双12.12活动价")
    cli("phrases", "add", "12.12", "亲，12.12当天0点开抢哦~这是一条比较长的短语内容，用来看列宽")
    out = tmp_path / "team.xlsx"
    result = cli("export", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    sheet = book["快捷短语"]
    assert sheet.freeze_panes == "A2"
    cells = [sheet.cell(row=r, column=1) for r in (2, 3)]
    assert {c.value for c in cells} == {"0001", "12.12"}
    assert all(c.data_type == "s" and c.number_format == "@" for c in cells)
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width > 8
    assert _calamine(out)["快捷短语"][1][0] in ("0001", "12.12")  # a string to another reader too


def test_header_variants_tab_bad_category_and_empty_answer_are_all_reported(cli: Cli, tmp_path: Path) -> None:
    # issue 15: a workbook with a header variant, a TAB-prefixed cell, a bad category and an empty
    # answer: the recognised columns named, every problem listed with sheet, row and column, nothing written
    path = _save(
        _book(
            {
                "问答库": [
                    ["分类", "标准问法", "相似问题", "回复1", "回复2", "是否启用", "备注"],
                    ["发货查件", "\t什么时候发货", "几天发货", "亲，48小时内发货", "", "是", "老板定的"],
                    ["不存在的分类", "能便宜点吗", "", "亲，已经是最低价了", "", "是", ""],
                    ["售后", "怎么退货", "", "", "", "是", ""],
                ]
            }
        ),
        tmp_path / "bad.xlsx",
    )
    result = cli("library", "import", str(path))
    assert result.exit_code != 0
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert "识别的列 分类、标准问法→标准问题、相似问题→相似问法、回复1→答案、回复2→答案、是否启用→启用" in err
    assert "未识别的列 备注（第 7 列）" in err
    assert "工作表 问答库 第 3 行，分类（A 列）：未知分类 '不存在的分类'" in err
    assert "工作表 问答库 第 4 行，答案（D 列）：至少需要一个答案" in err
    assert "发现 2 个问题，未写入任何内容" in err
    engine = db.make_engine(cli.url)
    with db.session_scope(engine) as s:
        assert s.exec(select(Entry)).first() is None
    engine.dispose()


def test_header_variants_import_with_tabs_stripped_and_lines_split(cli: Cli, tmp_path: Path) -> None:
    # issue 15: header variants accepted, a leading TAB or ' stripped, one value per line in a cell
    path = _save(
        _book(
            {
                "问答库": [
                    ["分类", "问题", "相似问", "关键词", "答案1", "答案2", "是否启用", "开始时间", "结束时间"],
                    ["shipping", "\t什么时候发货", "几天发货\n今天能发吗", "发货", "亲，48小时内\n发出哦", "'0元包邮", "否",
                     "2026-12-10 00:00", "2026-12-13 00:00"],
                ]
            }
        ),
        tmp_path / "variants.xlsx",
    )  # fmt: skip
    result = cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    engine = db.make_engine(cli.url)
    with db.session_scope(engine) as s:
        entry = s.exec(select(Entry)).one()
        assert entry.question == "什么时候发货"
        assert entry.similar == ["几天发货", "今天能发吗"]
        assert entry.answers == ["亲，48小时内\n发出哦", "0元包邮"]  # Excel's text apostrophe dropped
        assert entry.enabled is False
        assert entry.active_start is not None
    engine.dispose()
    # an answer with its own line breaks is exported as 答案1…N, so the round trip stays exact
    out = tmp_path / "again.xlsx"
    assert cli("library", "export", str(out)).exit_code == 0
    assert _calamine(out)["问答库"][0][4:6] == ["答案1", "答案2"]
    result = cli("library", "import", str(out), "--dry-run")
    assert "问答库：将添加 0 条，将修改 0 条，将删除 0 条，未变 1 条" in result.output


def test_workbook_merge_replace_and_dry_run(sample_cli: Cli, tmp_path: Path) -> None:
    # issue 15: merge, replace and dry run as for the other imports
    path = _save(
        _book(
            {
                "问答库": [HEADER, ["发货查件", "什么时候发货", "", "", "亲，今天就发~", "是", "", ""]],
                "自动回复": [["名称", "触发方式", "回复内容"], ["客服离线", "离线/挂起", "亲，马上回来~"]],
            }
        ),
        tmp_path / "some.xlsx",
    )
    dry = sample_cli("library", "import", str(path), "--mode", "replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "问答库：将添加 0 条，将修改 1 条，将删除 44 条" in dry.output
    assert "自动回复：将添加 0 条，将修改 1 条，将删除 8 条" in dry.output
    assert "（预览，未写入）" in dry.output
    engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        assert len(s.exec(select(Entry)).all()) == 45
    merged = sample_cli("library", "import", str(path))
    assert "问答库：已添加 0 条，已修改 1 条，已删除 0 条，未变 0 条" in merged.output
    with db.session_scope(engine) as s:
        assert len(s.exec(select(Entry)).all()) == 45
        assert {r.name: r.text for r in list_rules(s)}["客服离线"] == "亲，马上回来~"
        team = len(s.exec(select(Phrase).where(Phrase.scope == "team")).all())
    replaced = sample_cli("library", "import", str(path), "--mode", "replace")
    assert replaced.exit_code == 0, replaced.output
    with db.session_scope(engine) as s:
        assert len(s.exec(select(Entry)).all()) == 1
        assert len(list_rules(s)) == 1
        # no phrase sheet in the workbook: replace leaves the phrases alone
        assert len(s.exec(select(Phrase).where(Phrase.scope == "team")).all()) == team
    engine.dispose()


def test_team_phrases_xlsx_round_trip_and_xls(cli: Cli, tmp_path: Path) -> None:
    # issue 15: quick phrases as 快捷短语编码, 快捷短语, 快捷短语分组 in .xlsx, and the old .xls template
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(
        [
            ["快捷编码", "快捷短语内容", "快捷短语分组"],
            ["HI", "亲，您好~\n欢迎光临", "问候"],
            ["\tfh", "亲，48小时内发货", "未分组"],
        ]
    ):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    xls = tmp_path / "快捷短语模版.xls"
    book.save(str(xls))
    result = cli("import", str(xls))
    assert result.exit_code == 0, result.output
    assert "已添加 2 条" in result.output
    out = tmp_path / "team.xlsx"
    assert cli("export", str(out)).exit_code == 0
    again = cli("import", str(out), "--mode", "replace", "--dry-run")
    assert "将添加 0 条，将修改 0 条，将删除 0 条，未变 2 条" in again.output
    engine = db.make_engine(cli.url)
    with db.session_scope(engine) as s:
        got = {p.code: (p.text, p.group_name) for p in s.exec(select(Phrase))}
    engine.dispose()
    assert got == {"hi": ("亲，您好~\n欢迎光临", "问候"), "fh": ("亲，48小时内发货", "")}


def test_a_bad_phrase_row_names_sheet_row_and_column(cli: Cli, tmp_path: Path) -> None:
    # issue 15: errors with sheet, row and column; nothing written
    path = _save(
        _book(
            {
                "快捷短语": [
                    ["快捷短语编码", "快捷短语", "快捷短语分组"],
                    ["hi", "你好", ""],
                    ["", "没有编码", ""],
                ]
            }
        ),
        tmp_path / "team.xlsx",
    )
    result = cli("import", str(path))
    assert result.exit_code != 0
    assert "工作表 快捷短语 第 3 行，快捷短语编码：编码不能为空" in result.output


@pytest.mark.parametrize(
    "data", [b"", b"PK\x03\x04not a zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk", b"hello"]
)
def test_a_file_that_is_not_a_workbook_is_one_problem(engine, data: bytes) -> None:
    # issue 15: any bytes → a result or one ReplybookError
    with db.session_scope(engine) as s, pytest.raises(ImportFormatError) as caught:
        shop_workbook.plan_workbook(s, data, name="x.xlsx")
    assert "无法按 Excel 工作簿读取" in str(caught.value)


def test_template_filled_with_three_rows_imports(cli: Cli, tmp_path: Path) -> None:
    # issue 15: a template (header, two example rows, 说明 sheet, drop-down lists) filled with 3 rows imports
    path = tmp_path / "library.xlsx"
    result = cli("template", str(path))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    sheet = book["问答库"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.max_row == 3  # the header and two examples
    assert book["说明"].sheet_state == "hidden" and book["说明"].max_row > len(HEADER)
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert set(lists) == {"A2", "F2"}  # 分类 and 启用
    rows = [
        ["发货查件", "发什么快递", "用什么快递", "快递", "亲，默认中通~", "是", "", ""],
        ["售后", "怎么退货", "", "", "亲，七天无理由退货~", "否", "", ""],
        ["问候语", "在吗", "有人吗", "", "亲，在的~", "是", "", ""],
    ]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c).value = value or None
    book.save(path)
    result = cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    engine = db.make_engine(cli.url)
    with db.session_scope(engine) as s:
        assert sorted(e.question for e in s.exec(select(Entry))) == ["发什么快递", "在吗", "怎么退货"]
    engine.dispose()


def test_phrase_workbook_from_bytes(engine) -> None:
    # issue 15: the same reader for uploads (bytes) as for files
    out = io.BytesIO()
    book = _book({"快捷短语": [["快捷短语编码", "快捷短语"], ["a1", "你好"]]})
    book.save(out)
    with db.session_scope(engine) as s:
        found = phrases.workbook.import_phrase_workbook(s, out.getvalue(), name="up.xlsx", dry_run=True)
    assert len(found.plan.added) == 1
