"""Workbooks on the import/export page (issue 15): a template downloaded from the web, filled by the
test, previewed and imported; the same preview for an .xlsx of phrases; the shop workbook download."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook import bot
from replybook.store.models import Entry, Phrase
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli
from tests.test_web import Browser, _confirm, _preview, entry_by_question


@pytest.fixture
def app(sample_cli: Cli):
    return create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))


@pytest.fixture
def boss(app) -> Iterator[Browser]:
    from tests.test_web import _login

    yield from _login(app, "店长")


def _fill(body: bytes, sheet: str, rows: list[list[str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(body))
    ws = book[sheet]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c).value = value or None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_template_downloaded_from_the_web_filled_with_three_rows_imports(
    boss: Browser, sample_engine: Engine
) -> None:
    # issue 15: a template downloaded from the web, filled with 3 rows by a test, imports
    page = boss.get("/import")
    assert 'href="/export/template/library.xlsx"' in page.text
    template = boss.get("/export/template/library.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    filled = _fill(
        template.content,
        "问答库",
        [
            ["发货查件", "能寄到南极科考站吗", "南极能寄吗", "南极", "亲，顺丰需要补差价哦~", "是", "", ""],
            ["售后", "衣服起球怎么办", "", "", "亲，可以申请售后哦~", "是", "", ""],
            ["导购", "这款显瘦吗", "穿着显瘦吗", "", "亲，这款是收腰设计，很显瘦~", "否", "", ""],
        ],
    )
    preview = _preview(boss, "library", "library.xlsx", filled)
    assert preview.status_code == 200, preview.text
    assert "新增 3" in preview.text and "[问答库] 衣服起球怎么办" in preview.text
    assert "识别的列 分类、标准问题" in preview.text
    assert entry_by_question(sample_engine, "衣服起球怎么办") is None
    assert _confirm(boss, preview.text).status_code == 303
    saved = entry_by_question(sample_engine, "这款显瘦吗")
    assert saved is not None and saved.enabled is False


def test_a_bad_workbook_upload_names_sheet_row_and_column(boss: Browser, sample_engine: Engine) -> None:
    # issue 15: errors with sheet/row/column, nothing written (the web import page)
    template = boss.get("/export/template/library.xlsx").content
    bad = _fill(template, "问答库", [["没有这个分类", "问一下", "", "", "答一下", "是", "", ""]])
    with Session(sample_engine) as s:
        before = len(s.exec(select(Entry)).all())
    response = _preview(boss, "library", "bad.xlsx", bad)
    assert response.status_code == 422
    assert "工作表 问答库 第 2 行，分类（A 列）" in response.text
    with Session(sample_engine) as s:
        assert len(s.exec(select(Entry)).all()) == before


def test_a_phrase_workbook_upload_previews_and_imports(boss: Browser, sample_engine: Engine) -> None:
    # issue 15: the web import page accepts .xlsx with the same preview
    exported = boss.get("/export/team.xlsx")
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    ws = book["快捷短语"]
    ws.append(["xin", "亲，新到的短语~", "问候"])
    out = io.BytesIO()
    book.save(out)
    preview = _preview(boss, "phrases", "team.xlsx", out.getvalue(), library="team")
    assert preview.status_code == 200, preview.text
    assert "新增 1" in preview.text and "亲，新到的短语~" in preview.text and "Excel 工作簿" in preview.text
    assert _confirm(boss, preview.text).status_code == 303
    with Session(sample_engine) as s:
        assert s.exec(select(Phrase).where(Phrase.code == "xin")).first() is not None


def test_the_shop_workbook_downloads_from_page_and_api(boss: Browser) -> None:
    # issue 15: one workbook holds the whole bot configuration; the page and its /api/ twin give it
    page = boss.get("/export/shop.xlsx")
    api = boss.get("/api/export/shop.xlsx")
    assert page.status_code == api.status_code == 200
    names = openpyxl.load_workbook(io.BytesIO(page.content)).sheetnames
    assert names[:7] == ["问答库", "分类", "同义词", "自动回复", "机器人设置", "值班安排", "快捷短语"]
    assert openpyxl.load_workbook(io.BytesIO(api.content)).sheetnames == names


def test_bot_settings_edited_in_the_shop_workbook_preview_and_import(
    boss: Browser, sample_engine: Engine
) -> None:
    # issue 16: the bot settings travel in the workbook too; the preview says the settings change
    book = openpyxl.load_workbook(io.BytesIO(boss.get("/export/shop.xlsx").content))
    ws = book["机器人设置"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "机器人模式")
    ws.cell(row, 2).value = "半自动"
    out = io.BytesIO()
    book.save(out)
    preview = _preview(boss, "library", "shop.xlsx", out.getvalue())
    assert preview.status_code == 200, preview.text
    assert "[机器人设置] 半自动" in preview.text and "晚班 16:00–24:00 1 人" in preview.text
    with Session(sample_engine) as s:
        assert bot.get_bot_settings(s).mode == "full_auto"
    assert _confirm(boss, preview.text).status_code == 303
    with Session(sample_engine) as s:
        assert bot.get_bot_settings(s).mode == "semi_auto"
