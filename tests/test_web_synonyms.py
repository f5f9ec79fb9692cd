"""The 同义词 page and /api/synonyms (issue 13 item 1) as a user meets them: the list, add, edit with
the stale-save page, delete and undo, history; the API with its 409 on a stale version."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.library import synonyms as syn
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli
from tests.test_web import SUPERVISOR, Browser

AUTH = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}


@pytest.fixture
def app(sample_cli: Cli):
    return create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))


@pytest.fixture
def boss(app) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client, SUPERVISOR)


@pytest.fixture
def api(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _id(engine: Engine, word: str) -> int:
    with Session(engine) as s:
        return syn.find_synonym(s, word).id or 0


def test_the_page_lists_the_groups_the_api_returns_and_is_in_the_menu(boss: Browser, api: TestClient) -> None:
    page = unescape(boss.get("/synonyms").text)
    data = api.get("/api/synonyms", headers=AUTH).json()
    assert data["total"] == 25 and f'同义词 <small class="muted">{data["total"]} 组</small>' in page
    for group in data["synonyms"]:
        assert f">{group['word']}</a>" in page and "、".join(group["similar"]) in page
    assert '<a href="/synonyms" aria-current="page">同义词</a>' in page


def test_add_edit_conflict_delete_and_undo_through_the_page(boss: Browser, sample_engine: Engine) -> None:
    added = boss.post("/synonyms", {"word": "发票", "similar": "开票\n票据", "enabled": "on"})
    assert added.status_code == 303
    assert "已新增同义词“发票”" in unescape(boss.get("/synonyms").text)
    refused = boss.post("/synonyms", {"word": "单据", "similar": "票据", "enabled": "on"})
    assert refused.status_code == 409
    assert "同义词“票据”同时在 #26 发票 和 新的一组 单据 里" in unescape(refused.text)
    assert 'value="单据"' in refused.text  # what was typed is kept
    item_id = _id(sample_engine, "发票")
    page = boss.get(f"/synonyms/{item_id}").text
    assert f'href="/history/synonym/{item_id}"' in page
    assert (
        boss.post(
            f"/synonyms/{item_id}", {"word": "发票", "similar": "开票\n收据", "enabled": "on", "version": "1"}
        ).status_code
        == 303
    )
    stale = boss.post(
        f"/synonyms/{item_id}", {"word": "发票", "similar": "开票\n单子", "enabled": "on", "version": "1"}
    )
    assert stale.status_code == 409
    text = unescape(stale.text)
    assert '<td class="theirs"><div>开票</div><div>收据</div></td>' in text
    assert '<td class="mine"><div>开票</div><div>单子</div></td>' in text  # theirs and mine side by side
    history_page = unescape(boss.get(f"/history/synonym/{item_id}").text)
    assert "同义词" in history_page and "收据" in history_page
    gone = boss.post(f"/synonyms/{item_id}/delete", {"version": "2"})
    assert gone.status_code == 303
    listing = unescape(boss.get("/synonyms").text)
    assert "已删除同义词“发票”" in listing and ">发票</a>" not in listing
    with Session(sample_engine) as s:
        assert [i.word for i in syn.list_synonyms(s)][-1] == "实体"


def test_an_agent_reads_the_page_but_cannot_change_it(app) -> None:
    with TestClient(app) as client:
        agent = Browser(client, "小美")
        page = agent.get("/synonyms").text
        assert "新增同义词" not in page
        assert agent.post("/synonyms", {"word": "发票", "similar": "开票"}).status_code == 403


def test_the_api_adds_edits_refuses_a_stale_version_and_deletes(api: TestClient) -> None:
    made = api.post("/api/synonyms", json={"word": "发票", "similar": ["开票"]}, headers=AUTH)
    assert made.status_code == 201, made.text
    item = made.json()
    assert (item["word"], item["similar"], item["version"]) == ("发票", ["开票"], 1)
    bad = api.post("/api/synonyms", json={"word": "", "similar": ["开票"]}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["detail"] == "核心词不能为空"
    path = f"/api/synonyms/{item['id']}"
    body = {"word": "发票", "similar": ["开票", "收据"], "version": 1}
    assert api.put(path, json=body, headers=AUTH).json()["version"] == 2
    stale = api.put(path, json={**body, "similar": ["单子"]}, headers=AUTH)
    assert stale.status_code == 409
    assert stale.json()["current"]["similar"] == ["开票", "收据"] and stale.json()["yours"]["similar"] == [
        "单子"
    ]
    assert api.delete(path, params={"version": 1}, headers=AUTH).status_code == 409
    deleted = api.delete(path, params={"version": 2}, headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["deleted"] == item["id"]
    assert api.get(path, headers=AUTH).status_code == 404
    undo = api.post(f"/api/history/{deleted.json()['undo_revision']}/restore", headers=AUTH)
    assert undo.status_code == 200
    assert api.get(path, headers=AUTH).json()["similar"] == ["开票", "收据"]


@pytest.mark.parametrize(
    ("question", "fired"),
    [
        ("我的包裹到哪了", [{"similar": "包裹", "word": "快递"}]),
        ("衣服不合适怎么寄回去", [{"similar": "寄回去", "word": "退货"}]),  # 寄 / 回去 to the segmenter
        ("什么时候发货", []),
    ],
)
def test_the_try_box_names_the_synonyms_that_fired(
    boss: Browser, api: TestClient, question: str, fired: list[dict[str, str]]
) -> None:
    tried = api.get("/api/try", params={"q": question, "at": "2026-12-10T10:00"}, headers=AUTH).json()
    # the question's own first, then any of the wording matched (both sides are read with them)
    assert tried["synonyms"][: len(fired)] == fired and bool(tried["synonyms"]) == bool(fired)
    fired = tried["synonyms"]
    fragment = unescape(
        boss.get(
            "/try", params={"q": question, "at": "2026-12-10T10:00"}, headers={"HX-Request": "true"}
        ).text
    )
    shown = "同义词：" + "，".join(f"{f['similar']} → {f['word']}" for f in fired) + "（"
    assert (shown in fragment) == bool(fired) and ('id="synonyms-fired"' in fragment) == bool(fired)
    page = unescape(boss.get("/try", params={"q": question, "at": "2026-12-10T10:00"}).text)
    assert (shown in page) == bool(fired)


def test_the_try_box_says_a_keyword_matched_and_reads_it_literally(boss: Browser, api: TestClient) -> None:
    # the sample entry 我的快递到哪了 has the keyword 物流; 快递 is 物流's core word
    literal = api.get("/api/try", params={"q": "物流信息一直不动"}, headers=AUTH).json()
    assert literal["matches"][0]["keyword"] is True and literal["matches"][0]["matched"] == "物流"
    assert "命中关键词：物流" in boss.get("/try", params={"q": "物流信息一直不动"}).text
    other = api.get("/api/try", params={"q": "快递信息一直不动"}, headers=AUTH).json()
    assert not any(m["keyword"] for m in other["matches"])
