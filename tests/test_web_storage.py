"""The web's queries on SQLite and, when REPLYBOOK_TEST_DATABASE_URL is set, PostgreSQL: the entry
search over JSON text in Chinese, the stale-save conflict, the try box's library fingerprint."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from replybook.shop.sample import load_sample
from replybook.store import db
from replybook.store.settings import Settings
from replybook.web.app import create_app

pytestmark = pytest.mark.storage
AUTH = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}


@pytest.fixture
def client(any_engine: Engine):
    with db.session_scope(any_engine) as s:
        load_sample(s)
    url = any_engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="storage"))) as c:
        yield c


def test_search_finds_chinese_inside_similar_wordings_and_answers(client: TestClient) -> None:
    by_similar = client.get("/api/entries", params={"q": "几天能发货"}, headers=AUTH).json()
    assert [e["question"] for e in by_similar["entries"]] == ["什么时候发货"]
    by_answer = client.get("/api/entries", params={"q": "48小时"}, headers=AUTH).json()
    assert "什么时候发货" in [e["question"] for e in by_answer["entries"]]
    active = client.get(
        "/api/entries", params={"state": "active", "category": "shipping"}, headers=AUTH
    ).json()
    assert active["total"] > 0


def test_a_stale_save_is_refused_with_both_versions(client: TestClient) -> None:
    entry = client.get("/api/entries", params={"q": "几天能发货"}, headers=AUTH).json()["entries"][0]
    body = {k: entry[k] for k in ("category", "question", "answers", "similar", "keywords", "enabled")}
    first = client.put(
        f"/api/entries/{entry['id']}",
        json={**body, "answers": ["甲"], "version": entry["version"]},
        headers=AUTH,
    )
    assert first.status_code == 200
    second = client.put(
        f"/api/entries/{entry['id']}",
        json={**body, "answers": ["乙"], "version": entry["version"]},
        headers=AUTH,
    )
    assert second.status_code == 409
    assert second.json()["current"]["answers"] == ["甲"] and second.json()["yours"]["answers"] == ["乙"]


def test_the_try_box_sees_an_edit_at_once(client: TestClient) -> None:
    assert (
        client.get("/api/try", params={"q": "可以刻字吗"}, headers=AUTH).json()["result"]["status"]
        == "uncovered"
    )
    new = {"category": "custom", "question": "可以刻字吗", "answers": ["可以的亲"]}
    assert client.post("/api/entries", json=new, headers=AUTH).status_code == 201
    assert client.get("/api/try", params={"q": "可以刻字吗"}, headers=AUTH).json()["result"]["answers"] == [
        "可以的亲"
    ]
