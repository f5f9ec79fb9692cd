"""The teach loop in a real Chromium (issue 13 item 5): a miss in the try box → 加为相似问法 → the same
question is covered; 撤销 brings the miss back."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import Pages

MISS = "可以发到台湾吗"  # uncovered in the sample shop


def test_a_miss_in_the_try_box_is_taught_in_one_click_and_undone(pages: Pages) -> None:
    page = pages.login("店长")
    page.goto(f"/try?q={MISS}")
    answer = page.locator("#answer")
    expect(answer.locator(".badge").first).to_have_text("未覆盖")
    choice = answer.get_by_label("加到哪条问答")
    best = choice.locator("option:checked").inner_text().removeprefix("问答 ").split("（")[0]
    answer.get_by_role("button", name="加为相似问法").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"已把“{MISS}”加为问答“{best}”的相似问法")
    expect(page.get_by_label("顾客的问题")).to_have_value(MISS)
    expect(answer.locator(".badge").first).to_have_text("已覆盖")
    expect(answer).to_contain_text(f"命中问答 “{best}”")
    status.get_by_role("button", name="撤销").click()
    expect(page.get_by_role("status")).to_contain_text("已撤销")
    expect(answer.locator(".badge").first).to_have_text("未覆盖")


def test_an_ignored_question_is_listed_and_can_be_un_ignored(pages: Pages) -> None:
    page = pages.login("店长")
    page.goto("/try?q=你们老板的电话号码多少")
    page.locator("#answer").get_by_role("button", name="忽略").click()
    expect(page.get_by_role("status")).to_contain_text("已忽略“你们老板的电话号码多少”")
    expect(page.locator("#ignored-note")).to_contain_text("忽略列表")
    page.goto("/ignored")
    expect(page.get_by_role("cell", name="你们老板的电话号码多少")).to_be_visible()
    page.get_by_role("button", name="取消忽略").click()
    expect(page.get_by_role("status")).to_contain_text("已取消忽略")
    expect(page.get_by_text("还没有忽略的问题。")).to_be_visible()
