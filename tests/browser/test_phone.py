"""On a phone (issue 16 item 6): every table page of the sample shop at 390×844 and at 1280 wide,
with a screenshot of each and no element past the right edge of the viewport; tables become labelled
cards, the top menu a 菜单 button, the entry list's filters a 筛选 line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from replybook.store import timeutil

from .conftest import Pages

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
# Every page whose body is a table, and the pages a supervisor opens on campaign day.
TABLE_PAGES = [
    ("dashboard", "/"),
    ("autoreplies", "/autoreplies"),
    ("campaigns", "/campaigns"),
    ("campaign", "/campaigns/1"),
    ("campaign-check", "/campaigns/1/check"),
    ("history", "/history"),
    ("phrases", "/phrases"),
    ("my-phrases", "/phrases?library=mine"),
    ("entries", "/entries"),
    ("users", "/users"),
    ("categories", "/categories"),
    ("gold", "/gold"),
    ("coverage-runs", "/coverage"),
    ("bot", "/bot"),
    ("scorecard-model", "/scorecard/model"),
]

# Every rendered element whose right edge is past the viewport (and the page's own scroll width).
OVERFLOWING = """() => {
  const width = window.innerWidth, found = [];
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width) found.push(`document.documentElement.scrollWidth ${scroll} > ${width}`);
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().replace(/\\s+/g, ".") : "");
      found.push(`${name} ends at ${Math.round(box.right)}px: ${(el.textContent || "").trim().slice(0, 30)}`);
    }
  }
  return found.slice(0, 8);
}"""


@pytest.fixture(scope="module", autouse=True)
def a_week_before_the_campaign() -> Iterator[None]:
    """The server's "now": 2026-12-03, a week before the sample shop's 聚划算 (12-10 to 12-12)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(timeutil.TEST_NOW_ENV, "2026-12-03T10:00:00+08:00")
        yield


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $REPLYBOOK_SCREENSHOTS if set (to look at them), else a temporary dir."""
    wanted = os.environ.get("REPLYBOOK_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_every_table_page_fits_the_screen(pages: Pages, shots: Path, viewport: dict[str, int]) -> None:
    page = pages.login("店长", **viewport)
    problems = {}
    for name, path in TABLE_PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.screenshot(path=str(shots / f"{name}-{viewport['width']}.png"), full_page=True)
        found = page.evaluate(OVERFLOWING)
        if found:
            problems[path] = found
    assert not problems, f"wider than {viewport['width']}px: {problems}"


def test_on_a_phone_tables_are_labelled_cards(pages: Pages) -> None:
    page = pages.login("店长", **PHONE)
    page.goto("/autoreplies")
    expect(page.locator("table.cards thead")).not_to_be_in_viewport()
    first = page.locator("table.cards tbody tr").first
    trigger = first.locator("td[data-label=触发]")
    label = trigger.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"触发"'
    row_box, cell_box = first.bounding_box(), trigger.bounding_box()
    assert row_box and cell_box and cell_box["x"] >= row_box["x"] and cell_box["width"] < row_box["width"]
    # each cell on its own line inside the card, not side by side
    cells = [c.bounding_box() for c in first.locator("td[data-label]").all()]
    tops = [box["y"] for box in cells if box and box["height"]]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)


def test_the_menu_is_a_button_on_a_phone(pages: Pages) -> None:
    page = pages.login("店长", **PHONE)
    nav = page.get_by_role("navigation", name="主菜单")
    expect(nav).to_be_hidden()
    page.locator("details.menu > summary").click()
    expect(nav).to_be_visible()
    assert page.evaluate(OVERFLOWING) == []  # the open panel fits too
    nav.get_by_role("link", name="活动", exact=True).click()
    expect(page).to_have_url(re.compile(r"/campaigns$"))
    expect(nav).to_be_hidden()  # a new page starts with the menu closed


def test_the_menu_is_a_row_of_links_on_a_laptop(pages: Pages) -> None:
    page = pages.login("店长", **LAPTOP)
    expect(page.locator("details.menu > summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="主菜单").get_by_role("link", name="问答库")).to_be_visible()


@pytest.mark.parametrize("width", [740, 900, 1000])
def test_on_a_tablet_every_menu_link_shows_without_scrolling(pages: Pages, width: int) -> None:
    # between phone and laptop the menu's links wrap onto a second row instead of scrolling sideways
    page = pages.login("店长", width=width, height=800)
    nav = page.get_by_role("navigation", name="主菜单")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    for link in nav.get_by_role("link").all():
        expect(link).to_be_in_viewport()
    assert page.evaluate(OVERFLOWING) == []


def test_the_entry_filters_fold_away_on_a_phone(pages: Pages) -> None:
    page = pages.login("店长", **PHONE)
    page.goto("/entries")
    expect(page.get_by_label("搜索")).to_be_visible()
    expect(page.get_by_label("分类")).to_be_hidden()
    page.get_by_text("筛选：分类、状态").click()
    page.get_by_label("分类").select_option(value="after_sales")
    expect(page.locator("#results tbody tr").first).to_contain_text("售后")
    page.goto("/entries?category=after_sales")  # a filter in use stays unfolded
    expect(page.get_by_label("分类")).to_be_visible()


def test_the_entry_filters_are_open_on_a_laptop(pages: Pages) -> None:
    page = pages.login("店长", **LAPTOP)
    page.goto("/entries")
    expect(page.get_by_label("分类")).to_be_visible()
    expect(page.get_by_text("筛选：分类、状态")).to_be_hidden()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_dashboard_opens_with_the_campaign_card(pages: Pages, viewport: dict[str, int]) -> None:
    page = pages.login("店长", **viewport)
    card = page.locator(".grid > .card").first
    expect(card).to_have_id("next-campaign")
    expect(card.get_by_role("heading")).to_contain_text("聚划算")
    expect(card).to_contain_text("还有 7 天")
    expect(card).to_contain_text("未就绪")
    expect(card.get_by_role("link", name="高峰时段排班")).to_be_visible()
    expect(card).to_contain_text("21:00–22:00 缺 1 人")
    card.get_by_role("link", name="聚划算").click()
    expect(page).to_have_url(re.compile(r"/campaigns/1$"))
    chart = page.locator("#readiness svg#chart-staffing")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 48  # needed and scheduled, for each of the 24 hours
    expect(page.locator("#campaign-autoreplies")).to_contain_text("聚划算首次接待")
