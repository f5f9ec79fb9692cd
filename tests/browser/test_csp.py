"""The Content-Security-Policy in a real Chromium: no page breaks it, and what used to be inline
handlers (moved to app.js) still works (issue 12 finding 9)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import Pages

PAGES = [
    "/",
    "/categories",
    "/synonyms",
    "/synonyms/1",
    "/entries",
    "/entries/new",
    "/autoreplies",
    "/autoreplies/new",
    "/phrases",
    "/phrases/new",
    "/import",
    "/try?q=几天能发货",
    "/coverage",
    "/campaigns",
    "/gold",
    "/scorecard?month=2026-11",
    "/scorecard/days/new",
    "/scorecard/model",
    "/history",
    "/users",
    "/account",
    "/help/formats",
    "/api/docs",
]


def _watch(page) -> list[str]:
    """Collect every CSP complaint: the console's and the DOM's own violation events."""
    seen: list[str] = []
    page.on(
        "console",
        lambda msg: (
            seen.append(msg.text) if "Content Security Policy" in msg.text or "CSP" in msg.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return seen


# issue 12 finding 9
def test_no_page_logs_a_csp_violation(pages: Pages) -> None:
    page = pages.login("店长")
    seen = _watch(page)
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    assert seen == []


# issue 12 finding 9
def test_the_handlers_moved_out_of_the_pages_still_work(pages: Pages) -> None:
    page = pages.login("店长")
    seen = _watch(page)
    page.goto("/history")
    select = page.locator("select[name=type]")
    value = select.locator("option").nth(1).get_attribute("value") or ""
    select.select_option(value)
    expect(page).to_have_url(re.compile(r"type=" + re.escape(value)))
    page.goto("/coverage")
    button = page.locator("[data-fill=cov-at]").first
    wanted = button.get_attribute("data-value")
    button.click()
    expect(page.locator("#cov-at")).to_have_value(wanted or "")
    assert seen == []
