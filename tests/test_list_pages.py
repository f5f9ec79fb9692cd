"""List pages come in pages (issue 14 goal 6): the quick-phrase page shows PER_PAGE phrases and links
to the next page in Chinese, later pages show the rest, and a search looks through every page; every
other list that grows with the shop (auto-replies, campaigns, categories, coverage runs, history,
users, ignored questions) and its /api/ twin come in pages the same way (store/paging.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from replybook import phrases
from replybook.store import db
from replybook.store.models import AutoReply, Campaign, Category, CoverageRun, Revision, User
from replybook.store.models_ignored import IgnoredQuestion
from replybook.store.paging import MAX_PER_PAGE
from replybook.store.timeutil import parse_datetime
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


# ---------------------------------------------------------------- every other list page


MARKS = [f"列表{i:03d}" for i in range(120)]  # 120 rows added to each list, in the list's order
LATER = parse_datetime("2030-01-01T10:00:00+08:00")


def _rows(kind: str) -> list[Any]:
    if kind == "autoreplies":  # disabled: none of them fires now, so each name shows once
        return [AutoReply(name=m, trigger="keyword", keywords=[m], text="回复", enabled=False) for m in MARKS]
    if kind == "campaigns":
        days = [LATER + timedelta(days=i) for i in range(len(MARKS))]
        return [
            Campaign(name=m, start=d, end=d + timedelta(days=1)) for m, d in zip(MARKS, days, strict=True)
        ]
    if kind == "categories":
        return [Category(key=f"k{i:03d}", name=m, position=1000 + i) for i, m in enumerate(MARKS)]
    if kind == "coverage":  # newest first: the last added is on page 1
        return [CoverageRun(tested_at=LATER, source=m, total=1) for m in reversed(MARKS)]
    if kind == "history":  # newest first
        return [
            Revision(item_type="campaign", item_id=9000 + i, version=1, action="create", data={"name": m})
            for i, m in reversed(list(enumerate(MARKS)))
        ]
    if kind == "users":
        return [User(name=m, role="agent", password_hash="-") for m in MARKS]
    return [IgnoredQuestion(question=m, question_norm=f"m{i:03d}") for i, m in enumerate(MARKS)]


# the page, its API twin, the key of the rows in the JSON, the field that names a row, rows a page
LISTS = [
    ("autoreplies", "/autoreplies", "/api/autoreplies", "rules", "name", 50),
    ("campaigns", "/campaigns", "/api/campaigns", "campaigns", "name", 50),
    ("categories", "/categories", "/api/categories", "categories", "name", 100),
    ("coverage", "/coverage", "/api/coverage", "runs", "source", 50),
    ("history", "/history", "/api/history", "revisions", "title", 50),
    ("users", "/users", "/api/users", "users", "name", 50),
    ("ignored", "/ignored", "/api/ignored", "ignored", "question", 50),
]


def marks_in(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"列表\d{3}", text)))  # in order, each once


@pytest.fixture(params=LISTS, ids=[case[0] for case in LISTS])
def listed(request, sample_cli) -> tuple[str, str, str, str, int]:
    kind, page, api, key, name, per_page = request.param
    engine: Engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        s.add_all(_rows(kind))
    engine.dispose()
    return page, api, key, name, per_page


def test_each_list_comes_in_pages_with_every_row_on_exactly_one(
    boss: Browser, listed: tuple[str, str, str, str, int]
) -> None:
    page, api, key, name, per_page = listed
    first = boss.get(api).json()
    total, pages = first["total"], first["pages"]
    assert (first["page"], first["per_page"]) == (1, per_page)
    assert total >= len(MARKS) and pages == -(-total // per_page) >= 2
    shown: list[str] = []
    for n in range(1, pages + 1):
        rows = boss.get(f"{api}?page={n}").json()[key]
        assert len(rows) == (per_page if n < pages else total - per_page * (pages - 1))
        shown += [str(r[name]) for r in rows]
    assert len(shown) == total and [s for s in shown if s in MARKS] == MARKS  # once each, in order
    past = boss.get(f"{api}?page=99").json()
    assert past["page"] == pages and marks_in(str(past[key])) == marks_in(" ".join(shown[-len(past[key]) :]))


def test_page_two_of_each_list_shows_the_api_s_page_two(
    boss: Browser, listed: tuple[str, str, str, str, int]
) -> None:
    page, api, key, name, per_page = listed
    data = boss.get(f"{api}?page=2").json()
    html = boss.get(f"{page}?page=2").text
    assert marks_in(html) == marks_in(" ".join(str(r[name]) for r in data[key]))
    assert f"第 2 页 共 {data['pages']} 页" in html and "上一页" in html
    assert f'href="{page}?page=1" rel="prev"' in html or f'href="{page}?type=&amp;page=1" rel="prev"' in html
    first = boss.get(page).text
    assert not set(marks_in(first)) & set(marks_in(html))


def test_the_history_api_keeps_its_limit_as_a_bounded_page_size(boss: Browser, sample_cli) -> None:
    engine: Engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        s.add_all(_rows("history") * 1)
    engine.dispose()
    assert boss.get("/api/history?limit=7").json()["per_page"] == 7
    many = boss.get("/api/history?limit=100000").json()
    assert many["per_page"] == MAX_PER_PAGE and len(many["revisions"]) == min(many["total"], MAX_PER_PAGE)
    assert boss.get("/api/history?limit=0").json()["per_page"] == 1


@pytest.fixture
def agents_30(sample_cli) -> list[str]:
    """30 more agents (a shop with many): their names in menu order."""
    engine: Engine = db.make_engine(sample_cli.url)
    names = [f"客服{i:02d}" for i in range(30)]
    with db.session_scope(engine) as s:
        for name in names:
            s.add(
                User(
                    name=name,
                    role="agent",
                    password_hash="-",
                    created_at=parse_datetime("2026-12-01T00:00:00Z"),
                )
            )
    engine.dispose()
    return names


def _menu(html: str) -> list[str]:
    nav = html.split('<nav class="tabs" aria-label="短语库">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<]+)</a>", nav)[2:]  # after 团队短语 and 我的短语


def test_the_whose_library_menu_names_at_most_twenty_agents_and_finds_the_others_by_name(
    boss: Browser, agents_30: list[str]
) -> None:
    page = boss.get("/phrases?library=team").text
    shown = _menu(page)
    assert len(shown) == 20 and shown == sorted(shown)
    assert "按名字找其他客服" in page and 'name="who"' in page
    found = boss.get("/phrases?library=team&who=客服2").text
    assert _menu(found) == [f"客服2{i}" for i in range(10)]
    assert 'value="客服2"' in found
    # the library looked at stays in the menu, even past the first twenty
    last = boss.get("/phrases?library=客服29").text
    assert "客服29" in _menu(last) and 'aria-current="page">客服29' in last
    api = boss.get("/api/phrases?library=team&who=客服0").json()
    assert (api["agents"], api["agents_more"]) == ([f"客服0{i}" for i in range(10)], False)
    assert boss.get("/api/phrases?library=team").json()["agents_more"] is True


def test_a_shop_with_few_agents_lists_them_all_without_a_search(boss: Browser) -> None:
    page = boss.get("/phrases?library=team").text
    assert _menu(page) and 'name="who"' not in page
    assert boss.get("/api/phrases?library=team").json()["agents_more"] is False
