"""Response times from a chat log (issue 17 item 2), reproduced by hand: the 3-minute response rate
counts buyer turns starting 08:00–24:00 answered by an agent or the bot within 3 minutes."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest

from replybook import scorecard
from replybook.scorecard.chat_times import read_conversations
from replybook.store.errors import InvalidValue

LOG = """客户ID: 买家A

2026-11-03 07:50:00
买家A: 在吗

2026-11-03 07:55:00
毛菇小象:小美: 在的亲

2026-11-03 09:00:00
买家A: 什么时候发货

2026-11-03 09:02:00
店小蜜: 48小时内发货哦

2026-11-03 10:00:00
买家A: 能便宜点吗

2026-11-03 10:00:05
买家A: 我多买两件

2026-11-03 10:03:55
毛菇小象:小美: 亲，可以领券

2026-11-03 23:59:00
买家A: 还在吗

客户ID: 买家B

2026-11-03 20:00:00
买家B: 有货吗

2026-11-03 20:01:30
毛菇小象:小雨: 有的
"""


def test_the_three_minute_rate_by_hand() -> None:
    """小美: four buyer turns; 07:50 is before the window (not counted, but it is her first answer:
    300 s). In the window: 09:00 answered by the bot after 120 s (within), 10:00–10:00:05 answered
    after 235 s (late), 23:59 never answered. Rate 1/3; average (120 + 235) / 2 = 177.5 s.
    小雨: one turn answered after 90 s: rate 1, first response 90 s."""
    days = scorecard.response_days(read_conversations(LOG.encode(), source="log.txt"))
    mei = days[("小美", __import__("datetime").date(2026, 11, 3))]
    assert (mei.turns, mei.within, mei.rate, mei.average, mei.first) == (
        3,
        1,
        pytest.approx(1 / 3),
        177.5,
        300.0,
    )
    yu = next(d for (agent, _), d in days.items() if agent == "小雨")
    assert (yu.turns, yu.within, yu.rate, yu.first) == (1, 1, 1.0, 90.0)


@pytest.mark.parametrize(("start", "turns"), [(time(8), 3), (time(0), 4), (time(9, 30), 2)])
def test_the_window_is_configurable(start: time, turns: int) -> None:
    days = scorecard.response_days(read_conversations(LOG.encode(), source="log.txt"), window=(start, None))
    assert next(d for (agent, _), d in days.items() if agent == "小美").turns == turns


def test_report_and_chat_log_both_shown(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "r.csv"
    report.write_text("日期,客服,咨询人数,平均响应时间（秒）\n2026-11-03,小美,20,30\n", encoding="utf-8")
    log = tmp_path / "log.txt"
    log.write_text(LOG, encoding="utf-8")
    assert cli("score", "import", str(report)).exit_code == 0
    result = cli("score", "chatlog", str(log))
    assert result.exit_code == 0, result.output
    assert "2026-11-03 小美：买家 3 轮，时限内回复 1 轮（33.33%）" in result.output
    data = json.loads(cli("score", "--month", "2026-11", "--format", "json").output)
    mei = next(a for a in data["agents"] if a["agent"] == "小美")
    assert mei["figures"]["avg_response_seconds"] == 30 and mei["sources"]["avg_response_seconds"] == "report"
    assert mei["other_source"]["avg_response_seconds"] == 177.5
    assert mei["sources"]["rate_3min"] == "chatlog"
    table = cli("score", "--month", "2026-11").output
    assert "平均响应时间（秒） 30.00（报表），聊天记录 177.50（未采用）" in table
    assert "个人快捷短语 0 条，聊天记录中快捷短语占 0%（0 条 / 手打 2 条）" in table


def test_quick_phrases_against_typed_by_hand() -> None:
    """小美 wrote 在的亲 by hand and inserted 亲，可以领券 (one of her phrases): one each. 小雨's 有的
    is 小美's personal phrase, not one 小雨 can insert: typed by hand."""
    from replybook.phrases.usage import PhraseMatcher
    from replybook.store.models import Phrase

    mine = [
        Phrase(id=1, scope="personal", owner="小美", code="q", text="亲，可以领券"),
        Phrase(id=2, scope="personal", owner="小美", code="y", text="有的"),
    ]
    days = scorecard.response_days(
        read_conversations(LOG.encode(), source="log.txt"), phrases=PhraseMatcher(mine)
    )
    mei = next(d for (agent, _), d in days.items() if agent == "小美")
    assert (mei.phrase_messages, mei.typed_messages) == (1, 1)
    yu = next(d for (agent, _), d in days.items() if agent == "小雨")
    assert (yu.phrase_messages, yu.typed_messages) == (0, 1)


def test_the_counting_rule_is_read_from_what_a_user_types() -> None:
    assert scorecard.parse_rule() == scorecard.ResponseRule()  # the platform's: 180 s, 08:00–24:00
    rule = scorecard.parse_rule("09:00–23:30", "60")
    assert (rule.limit_seconds, rule.window) == (60, (time(9), time(23, 30)))
    assert rule.label == "60 秒内回复，09:00–23:30"
    assert scorecard.parse_rule("0:00-24:00", "").window == (time(0), None)
    for window, limit, expected in [
        ("8点-12点", "", "统计时段：“8点-12点”应写成 开始-结束"),
        ("12:00-08:00", "", "结束晚于开始"),
        ("08:00-25:00", "", "统计时段"),
        ("", "三分钟", "回复时限：“三分钟”应为 1 到 86400 之间的整数秒"),
        ("", "0", "回复时限"),
    ]:
        with pytest.raises(InvalidValue) as refused:
            scorecard.parse_rule(window, limit)
        assert expected in str(refused.value)


def test_the_cli_counts_by_the_rule_it_is_given(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """小美's 10:00 turn was answered after 235 s: late at 180 s, within at 240 s (2 of 3)."""
    log = tmp_path / "log.txt"
    log.write_text(LOG, encoding="utf-8")
    refused = cli("score", "chatlog", str(log), "--window", "8点以后")
    assert refused.exit_code != 0 and "统计时段" in refused.output
    assert "没有考核数据" in cli("score", "--month", "2026-11").output  # nothing stored
    result = cli("score", "chatlog", str(log), "--limit", "240")
    assert result.exit_code == 0, result.output
    assert "240 秒内回复，08:00–24:00" in result.output
    assert "2026-11-03 小美：买家 3 轮，时限内回复 2 轮（66.67%）" in result.output
