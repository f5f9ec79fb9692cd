"""List pages come in pages (issue 14 goal 6): the quick-phrase page shows PER_PAGE phrases and links
to the next page in Chinese, later pages show the rest, and a search looks through every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from replybook import phrases
from replybook.store import db
from replybook.web.phrases import PER_PAGE
from tests.test_web import SUPERVISOR, Browser, _login

pytest_plugins = ["tests.test_web"]  # the app fixture: the sample shop


@pytest.fixture
def boss(app) -> Iterator[Browser]:
    yield from _login(app, SUPERVISOR)


@pytest.fixture
def many(sample_cli) -> list[str]:
    """250 of the supervisor's own phrases in two groups; their codes in page order."""
    engine: Engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        for i in range(250):
            data = phrases.PhraseData(
                scope="personal",
                owner=SUPERVISOR,
                group="乙组" if i % 2 else "甲组",
                code=f"p{i:03d}",
                text=f"第{i}号短语",
            )
            phrases.create_phrase(s, data=data, user=SUPERVISOR)
    engine.dispose()
    return sorted((f"p{i:03d}" for i in range(250)), key=lambda c: ("乙组" if int(c[1:]) % 2 else "甲组", c))


def codes(html: str) -> list[str]:
    return re.findall(r"<code>(p\d{3})</code>", html)


def test_the_first_page_shows_per_page_phrases_and_a_link_to_the_next(boss: Browser, many: list[str]) -> None:
    page = boss.get("/phrases?library=mine").text
    assert codes(page) == many[:PER_PAGE]
    assert "第 1 页 共 3 页" in page
    assert 'href="/phrases?library=mine&amp;q=&amp;page=2" rel="next">下一页' in page
    assert "上一页" not in page
    assert "共 250 条" in page


def test_later_pages_show_the_rest_and_link_back(boss: Browser, many: list[str]) -> None:
    second = boss.get("/phrases?library=mine&page=2").text
    assert codes(second) == many[PER_PAGE : 2 * PER_PAGE]
    assert "第 2 页 共 3 页" in second and "上一页" in second and "下一页" in second
    last = boss.get("/phrases?library=mine&page=3").text
    assert codes(last) == many[2 * PER_PAGE :]
    assert "下一页" not in last
    shown = codes(boss.get("/phrases?library=mine").text) + codes(second) + codes(last)
    assert sorted(shown) == sorted(many)  # every phrase on exactly one page


def test_a_search_finds_a_phrase_that_is_on_page_three(boss: Browser, many: list[str]) -> None:
    wanted = many[-1]  # the last phrase of the last page
    assert wanted not in codes(boss.get("/phrases?library=mine").text)
    found = boss.get(f"/phrases?library=mine&q=第{int(wanted[1:])}号").text
    assert codes(found) == [wanted]
    assert "共 1 条" in found and "下一页" not in found
    typed = boss.get(f"/phrases?library=mine&q={wanted}", headers={"HX-Request": "true"}).text
    assert codes(typed) == [wanted]


def test_the_api_gives_the_same_pages(boss: Browser, many: list[str]) -> None:
    data = boss.get("/api/phrases?library=mine&page=3").json()
    assert (data["page"], data["pages"], data["total"]) == (3, 3, 250)
    assert [p["code"] for g in data["groups"] for p in g["phrases"]] == many[2 * PER_PAGE :]
