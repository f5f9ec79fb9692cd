# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""The scorecard page and its API twin (issue 17 item 5): one data function, the month selector, the
.xlsx download, supervisors only (it shows pay)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.test_web import Browser, agent, anon, app, boss  # noqa: F401 - fixtures


def test_the_page_and_the_api_show_one_table(boss: Browser) -> None:
    api = boss.get("/api/scorecard?month=2026-11").json()
    page = boss.get("/scorecard?month=2026-11")
    assert page.status_code == 200
    assert "客服绩效考核 · 2026-11" in page.text and 'href="/scorecard"' in page.text
    assert [a["agent"] for a in api["agents"]] == ["小美", "小雨"]
    for row in api["agents"]:
        assert f"{row['total']:.2f}%" in page.text and f"{row['pay']:,.2f}" in page.text
    assert api["team"]["gold_window"]["start"] == "2026-10-30"


def test_the_download_is_the_months_workbook(boss: Browser) -> None:
    response = boss.get("/scorecard.xlsx?month=2026-11")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["2026-11"]
    assert sheet["B3"].value == "小美"


def test_a_bad_month_is_one_line(boss: Browser) -> None:
    assert "月份应写成 2026-11" in boss.get("/scorecard?month=11月").text
    api = boss.get("/api/scorecard?month=11月")
    assert api.status_code == 422 and "月份应写成 2026-11" in api.text


def test_agents_do_not_see_pay(agent: Browser) -> None:
    assert agent.get("/api/scorecard?month=2026-11").status_code == 403
