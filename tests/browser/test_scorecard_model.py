"""The scorecard model page in a real Chromium (issue 17 item 3): a supervisor opens it from the 考核表,
changes a weight, takes a row out with its 删除 button, saves, and the 考核表 follows."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import Pages


def test_edit_a_weight_and_save(pages: Pages) -> None:
    page = pages.login("店长")
    page.goto("/scorecard?month=2026-11")
    page.get_by_role("link", name="查看或修改方案").click()
    expect(page.get_by_role("heading", name="考核方案")).to_contain_text("示例方案，尚未保存")
    rows = page.locator("#ind-rows tr")
    expect(rows).to_have_count(9)  # the eight indicators and a blank row for a new one
    page.get_by_role("button", name="添加指标").click()
    expect(rows).to_have_count(10)

    expect(page.get_by_label("指标名称（第 3 行）")).to_have_value("销售额")
    page.get_by_label("权重（第 3 行）").fill("30")
    rows.nth(7).get_by_role("button", name="删除").click()  # 其他, 10 %
    expect(rows).to_have_count(9)
    page.get_by_role("button", name="保存为新版本").click()

    expect(page.get_by_role("status")).to_contain_text("已保存考核方案“示例考核方案”（第 1 版）")
    expect(page.get_by_label("权重（第 3 行）")).to_have_value("30")
    expect(page.locator("input[name=ind_name][value='其他']")).to_have_count(0)
    expect(page.locator("input[name=ind_name][value='自我成长提升']")).to_have_count(1)
    page.goto("/scorecard?month=2026-11")
    card = page.locator("table").first  # the 考核表; the days' and response-time tables follow it
    expect(card.locator("thead")).to_contain_text("销售额30.0%")
    expect(card.locator("tbody")).to_contain_text("77.67%")  # 小美: 81.46 − 9.42 − 8.5 + 14.14
