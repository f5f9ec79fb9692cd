"""The bot settings in the whole-shop workbook (issue 16 item 1): the 机器人设置 and 值班安排 sheets out,
edited in Excel and back in; every bad cell named by sheet, row and column, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from replybook import bot
from replybook.store import db
from tests.conftest import Cli


def _settings(url: str) -> bot.BotConfig:
    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        config = bot.get_bot_settings(s)
    engine.dispose()
    return config


def _export(cli: Cli, path: Path) -> openpyxl.Workbook:
    result = cli("library", "export", str(path))
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)


def _row(sheet, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == name)


def test_the_sample_shops_bot_settings_are_two_sheets_a_different_reader_sees(
    sample_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "shop.xlsx"
    _export(sample_cli, path)
    book = CalamineWorkbook.from_path(str(path))
    settings = {row[0]: row[1] for row in book.get_sheet_by_name("机器人设置").to_python()[1:]}
    assert settings["机器人模式"] == "全自动"
    assert settings["转人工关键词"].split("\n") == ["人工", "转人工", "投诉", "差评", "12315", "举报"]
    assert settings["高风险问答"].split("\n") == ["退款多久到账", "收到衣服有质量问题怎么办"]
    assert settings["连续答不上几次转人工"] == "2"
    assert settings["每次转人工处理分钟数"] == "4"
    shifts = book.get_sheet_by_name("值班安排").to_python()
    assert shifts[0] == ["班次", "开始", "结束", "客服"]
    assert shifts[1:] == [["白班", "08:30", "16:30", "小美"], ["晚班", "16:00", "24:00", "小雨"]]


def test_settings_edited_in_excel_import_and_an_agent_added_to_a_shift(
    sample_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "shop.xlsx"
    book = _export(sample_cli, path)
    settings = book["机器人设置"]
    settings.cell(_row(settings, "机器人模式"), 2).value = "半自动"
    settings.cell(_row(settings, "转人工关键词"), 2).value = "人工\n投诉\n退款"
    shifts = book["值班安排"]
    shifts.cell(_row(shifts, "晚班"), 4).value = "小雨\n小新"
    shifts.cell(_row(shifts, "白班"), 2).value = dt.time(9, 0)  # a time typed into Excel
    book.save(path)

    preview = sample_cli("library", "import", str(path), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "机器人设置" in preview.output
    assert _settings(sample_cli.url).mode == "full_auto"  # the dry run wrote nothing

    result = sample_cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    config = _settings(sample_cli.url)
    assert config.mode == "semi_auto"
    assert config.transfer_keywords == ("人工", "投诉", "退款")
    assert config.shift("晚班").agents == ("小雨", "小新")
    assert config.shift("白班").start == "09:00"
    assert config.handling_minutes == 4.0  # untouched rows keep their values
    shown = sample_cli("bot", "show")
    assert "机器人模式：半自动" in shown.output
    assert "晚班 16:00–24:00：小雨、小新（2 人）" in shown.output


def test_unchanged_bot_sheets_write_no_new_version(sample_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    _export(sample_cli, path)
    before = _settings(sample_cli.url).version
    result = sample_cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    assert _settings(sample_cli.url).version == before


def test_bad_bot_cells_are_named_by_sheet_row_and_column_and_nothing_is_written(
    sample_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "shop.xlsx"
    book = _export(sample_cli, path)
    settings = book["机器人设置"]
    settings.cell(_row(settings, "机器人模式"), 2).value = "半自动"  # a good change, not written either
    limit = _row(settings, "连续答不上几次转人工")
    settings.cell(limit, 2).value = "两次"
    settings.append(["机器人名字", "小蜜", ""])
    unknown = settings.max_row
    shifts = book["值班安排"]
    late = _row(shifts, "晚班")
    shifts.cell(late, 2).value = "4点"
    shifts.append(["白班", "08:00", "12:00", ""])
    repeated = shifts.max_row
    book.save(path)

    result = sample_cli("library", "import", str(path))
    assert result.exit_code != 0
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert (
        f"工作表 机器人设置 第 {limit} 行，值（B 列）：连续答不上几次转人工 '两次' 应为 1 到 20 之间的整数"
        in err
    )
    assert f"工作表 机器人设置 第 {unknown} 行，设置项（A 列）：没有设置项 '机器人名字'" in err
    assert f"工作表 值班安排 第 {late} 行，开始（B 列）：班次 晚班 的开始时间 '4点' 应为 时:分" in err
    assert f"工作表 值班安排 第 {repeated} 行，班次（A 列）：班次 白班 与第 2 行重复" in err
    assert "未写入任何内容" in err
    config = _settings(sample_cli.url)
    assert config.mode == "full_auto" and config.unanswered_limit == 2


def test_a_high_risk_entry_must_be_in_the_library_the_import_leaves(sample_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    book = _export(sample_cli, path)
    settings = book["机器人设置"]
    settings.cell(_row(settings, "高风险问答"), 2).value = "退款多久到账\n能赔钱吗"
    book.save(path)
    result = sample_cli("library", "import", str(path))
    assert result.exit_code != 0
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert "工作表 机器人设置：高风险问答 能赔钱吗 不在问答库里" in err

    entries = book["问答库"]
    entries.append(["售后", "能赔钱吗", "", "", "亲，请联系人工客服处理哦", "是", "", ""])
    book.save(path)
    result = sample_cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    assert _settings(sample_cli.url).high_risk_entries == ("退款多久到账", "能赔钱吗")


def test_the_bot_template_imports_into_an_empty_shop(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bot.xlsx"
    result = cli("template", str(path))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["机器人设置"][1]] == ["设置项", "值", "说明"]
    assert [c.value for c in book["值班安排"][1]] == ["班次", "开始", "结束", "客服"]
    result = cli("library", "import", str(path))
    assert result.exit_code == 0, result.output
    config = _settings(cli.url)
    assert [s.label for s in config.shifts] == ["白班 08:30–16:30", "晚班 16:00–24:00"]
    assert config.shift("白班").agents == ("小美", "小雨")
    assert config.mode == "full_auto" and config.version == 1
