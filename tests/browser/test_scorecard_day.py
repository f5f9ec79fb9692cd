"""Typing one agent's day on the scorecard page in a real Chromium (issue 17 item 1): 录入 → the day
is listed under the agent → 修改 → saved as the next version, and its history shows both."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import Pages


def test_a_day_is_typed_listed_edited_and_has_history(pages: Pages) -> None:
    page = pages.login("店长")
    page.goto("/scorecard?month=2026-12")
    expect(page.get_by_text("这个月还没有每日数据。")).to_be_visible()
    page.get_by_role("link", name="录入一天的数据").click()
    page.get_by_label("日期").fill("2026-12-01")
    page.get_by_label("客服").fill("小美")
    page.get_by_label("咨询人数").fill("50")
    page.get_by_label("最终付款人数").fill("11")
    page.get_by_label("销售额").fill("abc")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("销售额：销售额应为金额")
    expect(page.get_by_label("咨询人数")).to_have_value("50")  # nothing typed is lost
    page.get_by_label("销售额").fill("1234.5")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存 2026-12-01 小美 的考核数据")
    days = page.locator("#days")
    days.get_by_text("小美（1 天）").click()
    expect(days.get_by_role("cell", name="1234.50")).to_be_visible()
    days.get_by_role("link", name="修改").click()
    expect(page.get_by_label("销售额")).to_have_value("1234.50")
    page.get_by_label("销售额").fill("1500")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("（第 2 版）")
    page.locator("#days").get_by_text("小美（1 天）").click()
    page.locator("#days").get_by_role("link", name="历史").click()
    expect(page.locator("h1")).to_contain_text("考核数据")
    expect(page.get_by_text("手工修改 2026-12-01 小美 的考核数据")).to_be_visible()
    expect(page.get_by_text("手工录入 2026-12-01 小美 的考核数据")).to_be_visible()
