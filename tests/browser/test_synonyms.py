"""Synonyms in a real Chromium (issue 13 item 1): a miss in the try box, a synonym added on the 同义词
page, the same question covered; deleting the synonym brings the miss back."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import Pages

MISS = "是行货吗"  # uncovered in the sample shop: it says 行货 where the library says 正品


def test_a_synonym_added_on_the_page_covers_the_miss_and_undo_takes_it_back(pages: Pages) -> None:
    page = pages.login("店长")
    page.goto(f"/try?q={MISS}")
    expect(page.locator("#answer .badge").first).to_have_text("未覆盖")
    page.goto("/synonyms")
    page.get_by_label("核心词").fill("正品")
    page.get_by_label("同义词").fill("行货\n真货")
    page.get_by_role("button", name="新增").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("已新增同义词“正品”")
    expect(page.get_by_role("link", name="正品", exact=True)).to_be_visible()
    page.goto(f"/try?q={MISS}")
    expect(page.locator("#answer .badge").first).to_have_text("已覆盖")
    expect(page.locator("#answer")).to_contain_text("是正品吗")
    page.goto("/synonyms")
    page.get_by_role("link", name="正品", exact=True).click()
    page.get_by_role("button", name="删除这组同义词").click()
    expect(page.get_by_role("status")).to_contain_text("已删除同义词“正品”")
    page.goto(f"/try?q={MISS}")
    expect(page.locator("#answer .badge").first).to_have_text("未覆盖")
