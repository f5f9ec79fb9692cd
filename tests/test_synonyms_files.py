"""The shop's synonyms (issue 13 item 1) in every file that carries a whole shop: the complete library
file (``synonyms:``), the workbook (the 同义词 sheet) and the backup; each round trip keeps them, and
a bad group refuses the whole file with one line naming where."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.library import synonyms as syn
from replybook.store import db
from tests.conftest import Cli


def _groups(url: str) -> list[dict]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as s:
            return syn.export_synonyms(s)
    finally:
        engine.dispose()


def _shop(sample_cli: Cli) -> list[dict]:
    """The sample shop with one group of its own, one edited and one starter group removed."""
    assert sample_cli("synonyms", "add", "发票", "开票", "收据").exit_code == 0
    assert sample_cli("synonyms", "edit", "顺丰", "sf", "顺丰快递", "--disable").exit_code == 0
    assert sample_cli("synonyms", "remove", "再见").exit_code == 0
    return _groups(sample_cli.url)


def _fresh(tmp_path: Path, name: str) -> Cli:
    fresh = Cli(f"sqlite:///{tmp_path / name}")
    assert fresh("init").exit_code == 0  # a new shop: the starter synonyms
    return fresh


def test_the_library_file_carries_the_synonyms_and_a_replace_import_restores_them(
    sample_cli: Cli, tmp_path: Path
) -> None:
    wanted = _shop(sample_cli)
    out = tmp_path / "library.yaml"
    assert sample_cli("library", "export", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "synonyms:\n- word: 快递\n  similar: [物流, 包裹, 件, 快件]\n" in text
    assert "- word: 顺丰\n  similar: [sf, 顺丰快递]\n  enabled: false\n" in text
    fresh = _fresh(tmp_path, "fresh.db")
    done = fresh("library", "import", str(out), "--mode", "replace")
    assert done.exit_code == 0, done.output
    assert "同义词：已添加 1 组，已修改 1 组，已删除 1 组，未变 23 组" in done.output
    assert _groups(fresh.url) == wanted


def test_a_bad_synonym_group_in_the_library_file_refuses_the_whole_file(cli: Cli, tmp_path: Path) -> None:
    before = _groups(cli.url)
    bad = tmp_path / "library.yaml"
    bad.write_text(
        "library:\n  - category: shipping\n    question: 什么时候发货\n    answers: [48小时内]\n"
        "synonyms:\n  - word: 发票\n    similar: [开票]\n  - word: ''\n    similar: [收据]\n",
        encoding="utf-8",
    )
    refused = cli("library", "import", str(bad))
    assert refused.exit_code != 0
    assert "synonyms：第 2 组：核心词不能为空" in refused.output
    assert _groups(cli.url) == before
    printed = cli("library", "export", "-").output
    assert "synonyms:" in printed  # the YAML itself, on standard output
    assert "什么时候发货" not in printed


def test_the_workbook_has_a_synonym_sheet_and_a_round_trip_keeps_it(sample_cli: Cli, tmp_path: Path) -> None:
    wanted = _shop(sample_cli)
    book = tmp_path / "shop.xlsx"
    exported = sample_cli("library", "export", str(book))
    assert "同义词 25 行" in exported.output, exported.output
    sheet = openpyxl.load_workbook(book)["同义词"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("核心词", "同义词", "启用")
    assert rows[1][:3] == ("快递", "物流\n包裹\n件\n快件", "是")
    assert ("顺丰", "sf\n顺丰快递", "否") in [r[:3] for r in rows]
    whole = openpyxl.load_workbook(book)
    for name in [n for n in whole.sheetnames if n.startswith("个人短语-")]:
        del whole[name]  # their agents are no users of the new shop
    whole.save(book)
    fresh = _fresh(tmp_path, "fresh.db")
    done = fresh("library", "import", str(book), "--mode", "replace")
    assert done.exit_code == 0, done.output
    assert "同义词：已添加 1 条，已修改 1 条，已删除 1 条，未变 23 条" in done.output
    assert _groups(fresh.url) == wanted


def test_a_bad_row_of_the_synonym_sheet_names_its_row_and_column(cli: Cli, tmp_path: Path) -> None:
    book = tmp_path / "synonyms.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "同义词"
    ws.append(["核心词", "同义词", "启用"])
    ws.append(["发票", "开票\n收据", "是"])
    ws.append(["单据", "收据", "是"])
    ws.append(["", "票据", "是"])
    wb.save(book)
    before = _groups(cli.url)
    refused = cli("library", "import", str(book))
    assert refused.exit_code != 0
    assert "工作表 同义词 第 4 行，核心词（A 列）：核心词不能为空" in refused.output
    assert "同义词“收据”同时在 第 2 行 发票 和 第 3 行 单据 里" in refused.output
    assert _groups(cli.url) == before


def test_backup_and_restore_keep_the_shop_synonyms(sample_cli: Cli, tmp_path: Path) -> None:
    wanted = _shop(sample_cli)
    archive = tmp_path / "shop.zip"
    made = sample_cli("backup", str(archive))
    assert "同义词 25" in made.output, made.output
    fresh = _fresh(tmp_path, "restored.db")
    restored = fresh("restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "同义词 25" in restored.output
    assert _groups(fresh.url) == wanted  # the backup's list, not the starter one it replaced


def test_the_sample_shop_starts_with_the_starter_lexicon(sample_engine: Engine) -> None:
    with Session(sample_engine) as s:
        assert syn.export_synonyms(s) == syn.starter_lexicon()
