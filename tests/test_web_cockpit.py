"""The campaign cockpit (issue 16 item 5) and the bot settings page over HTTP, on the sample shop at
a fixed "now" a week before its 聚划算 (2026-12-10 to 12-12)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from replybook.store import timeutil
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli
from tests.test_web import Browser, _login

NOW = "2026-12-03T10:00:00+08:00"


@pytest.fixture
def app(sample_cli: Cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(timeutil.TEST_NOW_ENV, NOW)
    return create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))


@pytest.fixture
def boss(app) -> Iterator[Browser]:
    yield from _login(app, "店长")


@pytest.fixture
def agent(app) -> Iterator[Browser]:
    yield from _login(app, "小美")


def _section(html: str, element_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    assert found, f"no section #{element_id}"
    return found.group(0)


def test_the_dashboard_opens_with_the_next_campaign(boss: Browser, sample_cli: Cli) -> None:
    page = boss.get("/").text
    assert page.index('id="next-campaign"') < page.index("上次覆盖测试")  # the first card
    card = _section(page, "next-campaign")
    assert "聚划算" in card and "还有 7 天" in card
    assert "未就绪" in card and "1 项未通过" in card and '<a href="/bot">高峰时段排班</a>' in card
    assert "21:00–22:00 缺 1 人" in card
    assert sample_cli("bot", "shift", "晚班", "--add-agent", "小新").exit_code == 0
    card = _section(boss.get("/").text, "next-campaign")
    assert "就绪" in card and "未就绪" not in card and "缺 1 人" not in card


def test_the_campaign_page_holds_window_questions_checklist_forecast_and_autoreplies(
    boss: Browser,
) -> None:
    page = boss.get("/campaigns/1")
    assert page.status_code == 200
    html = page.text
    assert 'value="2026-12-10"' in html and 'value="2026-12-12"' in html  # the window
    assert 'id="questions"' in html and 'type="file" name="questions"' in html  # the question set
    readiness = _section(html, "readiness")
    assert "1 项未通过" in readiness and '<a class="small" href="/bot">去修改 →</a>' in readiness
    assert 'id="chart-staffing"' in html and "21:00–22:00 缺 1 人" in html
    assert 'href="/campaigns/1/check/print"' in readiness
    rules = _section(html, "campaign-autoreplies")
    for name in ("聚划算首次接待", "聚划算排队较多"):
        assert name in rules
    assert "双11预售" not in rules  # a rule whose window is over does not belong to this campaign
    assert "首次接待" in rules and "2026-12-10 00:00" in rules


def test_the_printed_checklist_has_a_sign_off_line(boss: Browser) -> None:
    printed = boss.get("/campaigns/1/check/print").text
    assert re.search(r'id="signoff".*负责人：.*日期：', printed, re.S)


def test_the_bot_settings_page_shows_the_sample_settings(agent: Browser) -> None:
    page = agent.get("/bot")
    assert page.status_code == 200
    html = page.text
    assert "<option selected>全自动</option>" in html
    for keyword in ("人工", "转人工", "投诉", "差评", "12315", "举报"):
        assert keyword in html
    assert "白班=08:30-16:30:" in html and "晚班=16:00-24:00:" in html
    assert "只有客服主管可以修改" in html


def _bot_form(**changes: str) -> dict[str, str]:
    form = {
        "version": "1",
        "mode": "全自动",
        "transfer_keywords": "人工，投诉",
        "unanswered_limit": "2",
        "high_risk_entries": "",
        "shifts": "白班=08:30-16:30:小美\n晚班=16:00-24:00:小雨",
        "concurrency": "3",
        "handling_minutes": "2",
        "productivity": "0.8",
    }
    return form | changes


def test_a_supervisor_saves_the_bot_settings(boss: Browser) -> None:
    version = re.search(r'name="version" value="(\d*)"', boss.get("/bot").text)
    assert version
    saved = boss.post("/bot", _bot_form(version=version.group(1), mode="半自动", concurrency="4"))
    assert saved.status_code == 303
    page = boss.get("/bot").text
    assert "已保存机器人设置" in page and "<option selected>半自动</option>" in page
    assert 'name="concurrency" min="1" max="50" value="4"' in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"mode": "自动"}, "模式"),
        ({"shifts": "白班=8点到下午:小美"}, "班次"),
        ({"concurrency": "零"}, "同时接待"),
    ],
)
def test_bad_bot_settings_are_refused_in_one_line(boss: Browser, changes, message) -> None:
    version = re.search(r'name="version" value="(\d*)"', boss.get("/bot").text)
    assert version
    refused = boss.post("/bot", _bot_form(version=version.group(1), **changes))
    assert refused.status_code == 422
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', refused.text)
    assert error and message in error.group(1)


def test_a_stale_bot_save_is_refused_with_the_latest_settings(boss: Browser) -> None:
    version = re.search(r'name="version" value="(\d*)"', boss.get("/bot").text)
    assert version
    assert boss.post("/bot", _bot_form(version=version.group(1))).status_code == 303
    stale = boss.post("/bot", _bot_form(version=version.group(1), mode="半自动"))
    assert stale.status_code == 409
    assert "有人在你之后保存了机器人设置" in stale.text


def test_an_agent_cannot_save_the_bot_settings(agent: Browser) -> None:
    assert agent.post("/bot", _bot_form()).status_code == 403
