"""Bot mode, hand-off rules, the load forecast and staffing (issue 16, SPEC §8b)."""

from __future__ import annotations

import json
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest
from sqlmodel import select

from replybook import bot
from replybook.library.file import export_text
from replybook.store import db, history
from replybook.store.errors import InvalidValue, StaleVersionError
from replybook.store.models import BotSettings, Revision
from replybook.store.timeutil import SHOP_TZ
from tests.conftest import Cli

LIBRARY = """\
entries:
  - category: shipping
    question: 什么时候发货
    similar: [几天能发货]
    answers: [亲，付款后48小时内发货哦~]
  - category: after_sales
    question: 怎么申请退款
    similar: [如何退款]
    answers: [亲，在订单里点申请售后就可以哦~]
"""

# A 3-hour question set: when each was asked and how often.
THREE_HOURS = """\
时间,问题,次数
2026-09-10 20:05,什么时候发货,100
2026-09-10 20:10,怎么申请退款,30
2026-09-10 20:20,我要投诉,10
2026-09-10 21:00,什么时候发货,200
2026-09-10 21:30,老板的私人电话多少,150
2026-09-10 22:15,什么时候发货,60
2026-09-10 22:40,转人工,12
"""


@pytest.fixture
def shop(cli: Cli, tmp_path: Path) -> Cli:
    lib = tmp_path / "lib.yaml"
    lib.write_text(LIBRARY, encoding="utf-8")
    assert cli("library", "import", str(lib)).exit_code == 0
    return cli


def _settings(cli: Cli) -> bot.BotConfig:
    with db.session_scope(db.make_engine(cli.url)) as s:
        return bot.get_bot_settings(s)


# issue 16: bot settings — defaults, show / set, versioned with history
def test_defaults_then_set_and_show(shop: Cli) -> None:
    shown = shop("bot", "show")
    assert shown.exit_code == 0
    assert "机器人模式：全自动" in shown.output
    assert "转人工关键词：人工、转人工、投诉、差评、12315、举报" in shown.output
    assert "连续答不上 2 次转人工" in shown.output and "尚未保存" in shown.output
    done = shop(
        "bot", "set", "--mode", "半自动", "--unanswered", "3", "--high-risk-category", "售后",
        "--high-risk-entry", "怎么申请退款", "--shift", "白班=08:30-16:30:小美",
        "--shift", "晚班=16:00-24:00:小雨,小丽", "--concurrency", "4", "--handling-minutes", "1.5",
        "--productivity", "0.9",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    config = _settings(shop)
    assert config.mode == "semi_auto" and config.unanswered_limit == 3
    assert config.high_risk_categories == ("after_sales",)  # a name is stored as its key
    assert config.high_risk_entries == ("怎么申请退款",)
    assert [(s.name, s.start, s.end, s.agents) for s in config.shifts] == [
        ("白班", "08:30", "16:30", ("小美",)),
        ("晚班", "16:00", "24:00", ("小雨", "小丽")),
    ]
    assert (config.concurrency, config.handling_minutes, config.productivity) == (4, 1.5, 0.9)
    assert "晚班 16:00–24:00：小雨、小丽（2 人）" in shop("bot", "show").output
    assert shop("bot", "shift", "晚班", "--add-agent", "小新").exit_code == 0
    assert _settings(shop).shift("晚班").agents == ("小雨", "小丽", "小新")
    with db.session_scope(db.make_engine(shop.url)) as s:
        revs = history.revisions(s, "bot", 1)
        assert [r.action for r in revs] == ["update", "create"] and revs[0].data["shifts"][1]["agents"][
            -1
        ] == "小新"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "自动"], "机器人模式 '自动' 应为 半自动 或 全自动"),
        (["--shift", "晚班=16:00"], "应写成 名称=开始-结束:客服1,客服2"),
        (["--shift", "晚班=16:00-25:00"], "应为 时:分"),
        (["--high-risk-entry", "没有这条"], "高风险问答 没有这条 不在问答库里"),
        (["--high-risk-category", "nope"], "高风险分类 'nope' 不存在"),
        (["--productivity", "1.5"], "客服有效工作占比 1.5 应为 0.05 到 1 之间"),
        (["--unanswered", "0"], "连续答不上几次转人工 0 应为 1 到 20 之间的整数"),
    ],
)
def test_bad_settings_are_one_line_and_change_nothing(shop: Cli, args: list[str], message: str) -> None:
    # issue 16: bad input is one clear line, nothing written
    result = shop("bot", "set", *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert _settings(shop).version is None


def test_a_stale_save_is_refused(shop: Cli) -> None:
    # issue 16: the version check in the write, like every versioned kind
    engine = db.make_engine(shop.url)
    with db.session_scope(engine) as s:
        bot.save_bot_settings(s, config=bot.BotConfig())
    with db.session_scope(engine) as s:
        bot.save_bot_settings(s, config=bot.BotConfig(unanswered_limit=3), expected_version=1)
    with db.session_scope(engine) as s, pytest.raises(StaleVersionError):
        bot.save_bot_settings(s, config=bot.BotConfig(unanswered_limit=4), expected_version=1)


# issue 16: the settings travel in the library file, all-or-nothing
def test_bot_settings_in_the_library_file(shop: Cli, tmp_path: Path) -> None:
    shop("bot", "set", "--high-risk-entry", "怎么申请退款", "--shift", "白班=08:30-16:30:小美")
    with db.session_scope(db.make_engine(shop.url)) as s:
        text = export_text(s)
    assert "bot:\n  mode: 全自动\n" in text
    assert "    - {name: 白班, start: '08:30', end: '16:30', agents: [小美]}" in text
    other = Cli(str(tmp_path / "other.db"))
    assert other("init").exit_code == 0
    path = tmp_path / "lib.yaml"
    path.write_text(text, encoding="utf-8")
    assert other("library", "import", str(path)).exit_code == 0
    with db.session_scope(db.make_engine(other.url)) as s:
        assert export_text(s) == text
    # unquoted times (YAML reads 16:30 as 990) and a bad section
    bad = text.replace("high_risk_entries: [怎么申请退款]", "high_risk_entries: [没有这条]")
    path.write_text(bad.replace("'16:30'", "16:30"), encoding="utf-8")
    third = Cli(str(tmp_path / "third.db"))
    assert third("init").exit_code == 0
    with db.session_scope(db.make_engine(third.url)) as s:  # init's starter synonyms have history
        revisions = len(s.exec(select(Revision)).all())
    result = third("library", "import", str(path))
    assert result.exit_code != 0 and "bot" in result.output and "没有这条" in result.output
    with db.session_scope(db.make_engine(third.url)) as s:
        assert s.exec(select(BotSettings)).first() is None
        assert len(s.exec(select(Revision)).all()) == revisions


# issue 16: `replybook ask` says whether the question would be handed over, and why
@pytest.mark.parametrize(
    ("question", "at", "expected"),
    [
        (
            "我要投诉",
            "2026-12-10T10:00:00+08:00",
            "转人工：转人工（转人工关键词）——问题里有转人工关键词“投诉”",
        ),
        (
            "如何退款",
            "2026-12-10T10:00:00+08:00",
            "转人工：转人工（高风险）——命中的问答“怎么申请退款”标为高风险",
        ),
        ("几天能发货", "2026-12-10T10:00:00+08:00", "转人工：机器人回答，不转人工"),
        (
            "老板的私人电话多少",
            "2026-12-10T10:00:00+08:00",
            "转人工：转人工（未覆盖）——机器人答不上；连续 2 次答不上就转人工",
        ),
        ("我要投诉", "2026-12-10T03:00:00+08:00", "非值班时间：等到 12-10 08:30 客服上班"),
        ("我要投诉", "2026-12-10T23:59:00+08:00", "非值班时间：等到 12-11 08:30 客服上班"),
    ],
)
def test_ask_shows_the_handoff(shop: Cli, question: str, at: str, expected: str) -> None:
    shop("bot", "set", "--high-risk-entry", "怎么申请退款", "--shift", "白班=08:30-16:30:小美",
         "--shift", "晚班=16:00-23:30:小雨")  # fmt: skip
    result = shop("ask", question, "--at", at)
    assert result.exit_code == 0 and expected in result.output, result.output


def test_semi_auto_hands_everything_over(shop: Cli) -> None:
    # issue 16: 半自动 — the bot suggests, an agent sends
    shop("bot", "set", "--mode", "半自动")
    assert "转人工（半自动）" in shop("ask", "几天能发货").output


# issue 16: a test reproduces the staffing figures by hand from a 3-hour question set
def test_staffing_figures_by_hand(shop: Cli, tmp_path: Path) -> None:
    shop("bot", "set", "--high-risk-entry", "怎么申请退款", "--shift", "晚班=16:00-24:00:小雨,小丽")
    questions = tmp_path / "three_hours.csv"
    questions.write_text(THREE_HOURS, encoding="utf-8")
    result = shop("test", str(questions), "--format", "json", "--no-save")
    f = json.loads(result.stdout)["handoff"]
    # Hand-offs: 怎么申请退款 (high-risk) 30, 我要投诉 (keyword) 10, 老板… (uncovered) 150, 转人工 (keyword) 12.
    assert (f["handed_over"], f["total"]) == (4, 7) and f["rate"] == round(4 / 7, 4)
    assert (f["weighted_handed_over"], f["weighted_total"]) == (202, 562)
    assert f["weighted_rate"] == round(202 / 562, 4)
    assert f["reasons"] == {"未覆盖": 150, "高风险": 30, "转人工关键词": 22}
    hours = {h["hour"]: h for h in f["hours"]}
    # messages per hour: 20h 100+30+10, 21h 200+150, 22h 60+12 (one day)
    assert [hours[h]["messages"] for h in (20, 21, 22)] == [140, 350, 72]
    assert [hours[h]["handoffs"] for h in (20, 21, 22)] == [40, 150, 12]
    # needed = ⌈hand-offs × 2 ÷ (60 × 3 × 0.8)⌉ = ⌈hand-offs ÷ 72⌉
    assert [hours[h]["needed"] for h in (20, 21, 22)] == [1, 3, 1]
    assert [hours[h]["scheduled"] for h in (20, 21, 22)] == [2, 2, 2]
    assert f["peak"]["label"] == "21:00–22:00"
    assert [(h["label"], h["short"]) for h in f["understaffed"]] == [("21:00–22:00", 1)]
    table = shop("test", str(questions), "--no-save").output
    assert "预计转人工率（全自动）57.1%（4/7 个问题），按次数加权 35.9%（202/562 次）" in table
    assert "高峰 21:00–22:00：预计买家消息 350 条，转人工 150 个，需要客服 3 人，排班 2 人" in table


def test_the_staffing_rule_is_exact() -> None:
    # issue 16: agents needed = ⌈hand-offs × handling ÷ (60 × concurrency × productivity)⌉, no float drift
    config = bot.BotConfig()
    assert bot.agents_needed(72, config) == 1 and bot.agents_needed(73, config) == 2
    assert bot.agents_needed(Fraction(144), config) == 2 and bot.agents_needed(0, config) == 0
    other = bot.BotConfig(concurrency=2, handling_minutes=3, productivity=0.75)
    assert (
        bot.agents_needed(30, other) == 1 and bot.agents_needed(31, other) == 2
    )  # 30 × 3 = 60 × 2 × 0.75 × … = 90


def test_scheduled_agents_count_shifts_working_half_the_hour() -> None:
    # issue 16: a shift counts for an hour it works at least 30 minutes of; past midnight too
    config = bot.config_from_mapping(
        {
            "shifts": [
                {"name": "白班", "start": "08:30", "end": "16:30", "agents": ["小美", "小雨"]},
                {"name": "晚班", "start": "16:00", "end": "24:00", "agents": ["小丽"]},
                {"name": "夜班", "start": "23:00", "end": "01:00", "agents": ["小夜"]},
            ]
        }
    )
    assert [bot.scheduled_agents(config, h) for h in (7, 8, 15, 16, 17, 23, 0, 1)] == [0, 2, 2, 3, 1, 2, 1, 0]
    assert bot.next_shift_start(config, datetime(2026, 12, 10, 2, 0, tzinfo=SHOP_TZ)) == datetime(
        2026, 12, 10, 8, 30, tzinfo=SHOP_TZ
    )


def test_a_set_without_times_gives_rates_only(shop: Cli, tmp_path: Path) -> None:
    # issue 16: without times there is no hourly forecast, and the report says why
    questions = tmp_path / "q.txt"
    questions.write_text("什么时候发货\n我要投诉\n", encoding="utf-8")
    out = shop("test", str(questions), "--no-save").output
    assert "预计转人工率（全自动）50.0%（1/2 个问题）" in out and "问题没有时间" in out


def test_a_bad_time_names_the_row(shop: Cli, tmp_path: Path) -> None:
    questions = tmp_path / "q.csv"
    questions.write_text("时间,问题\n2026-09-10 20:05,在吗\n昨天晚上,发货吗\n", encoding="utf-8")
    result = shop("test", str(questions), "--no-save")
    assert (
        result.exit_code != 0
        and "第 3 行" in result.output
        and "时间 '昨天晚上' 应为日期和时间" in result.output
    )


def test_config_mapping_refuses_unknown_keys() -> None:
    with pytest.raises(InvalidValue, match="机器人设置没有这些项：speed"):
        bot.config_from_mapping({"speed": 3})
