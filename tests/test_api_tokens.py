"""Personal API tokens (issue 14 goal 3): made on the account page, by the API and by `replybook user
token`, shown once, stored as a sha256, listed with their last use, revocable, acting with their
user's role; basic auth stays, limited in the password checks it may cause."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from replybook.store import db
from replybook.store.models_tokens import ApiToken
from tests.conftest import Cli
from tests.test_auth_security import AGENT, PASSWORD, SUPERVISOR, Clock, basic, csrf_of, login, make_app

ENTRY = {"category": "shipping", "question": "令牌能发货吗", "answers": ["亲，能的~"]}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def made_on_the_account_page(client: TestClient, name: str) -> str:
    page = client.get("/account")
    made = client.post("/account/tokens", data={"name": name, "csrf_token": csrf_of(page.text)})
    assert made.status_code == 200 and "这是唯一一次显示它" in made.text
    found = re.search(r'class="secret" readonly value="(rb_[^"]+)"', made.text)
    assert found, "the new token is not on the page"
    return found.group(1)


def test_a_token_made_on_the_account_page_works_until_it_is_revoked(sample_cli: Cli) -> None:
    clock = Clock()
    app = make_app(sample_cli.url, clock)
    with TestClient(app) as browser, TestClient(app) as script:
        assert login(browser, AGENT).status_code == 303
        secret = made_on_the_account_page(browser, "同步脚本")
        assert secret not in browser.get("/account").text  # shown once, never again
        me = script.get("/api/me", headers=bearer(secret))
        assert me.status_code == 200 and me.json()["name"] == AGENT
        listed = browser.get("/api/account/tokens").json()["tokens"]
        assert [(t["name"], t["prefix"], t["last_used_at"]) for t in listed] == [
            ("同步脚本", secret[:10], "2026-12-02T12:00:00+08:00")
        ]
        page = browser.get("/account")
        assert "同步脚本" in page.text and "2026-12-02 12:00" in page.text
        revoked = browser.post(
            f"/account/tokens/{listed[0]['id']}/revoke", data={"csrf_token": csrf_of(page.text)}
        )
        assert "已吊销令牌“同步脚本”" in revoked.text
        refused = script.get("/api/me", headers=bearer(secret))
        assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]


def test_the_cli_makes_lists_and_revokes_tokens(sample_cli: Cli) -> None:
    made = sample_cli("user", "token", AGENT, "--name", "报表脚本")
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("rb_") and len(secret) > 40
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        assert client.get("/api/me", headers=bearer(secret)).json()["role"] == "agent"
        listed = sample_cli("user", "token", AGENT, "--list")
        token_id, *shown = listed.output.split()
        assert shown == ["报表脚本", f"{secret[:10]}…", "最近使用", "2026-12-02T12:00:00+08:00", "有效"]
        revoked = sample_cli("user", "token", AGENT, "--revoke", token_id)
        assert f"已吊销 {AGENT} 的令牌 {token_id}" in revoked.output
        assert client.get("/api/me", headers=bearer(secret)).status_code == 401
        assert "已吊销" in sample_cli("user", "token", AGENT, "--list").output


def test_only_the_secrets_sha256_is_stored(sample_cli: Cli) -> None:
    secret = sample_cli("user", "token", SUPERVISOR).output.strip().splitlines()[-1]
    engine = db.make_engine(sample_cli.url)
    with Session(engine) as s:
        (stored,) = s.exec(select(ApiToken)).all()
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in repr(stored.model_dump())
    engine.dispose()


@pytest.mark.parametrize(
    ("who", "create"),
    [
        (SUPERVISOR, 201),
        (AGENT, 403),  # an agent's token can do what an agent can, and no more
    ],
)
def test_a_token_has_its_users_role_and_needs_no_csrf_token(sample_cli: Cli, who: str, create: int) -> None:
    secret = sample_cli("user", "token", who).output.strip().splitlines()[-1]
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        assert client.get("/api/entries", headers=bearer(secret)).status_code == 200
        assert client.post("/api/entries", json=ENTRY, headers=bearer(secret)).status_code == create
        category = {"key": "token_made", "name": "令牌建的分类"}
        assert client.post("/api/categories", json=category, headers=bearer(secret)).status_code == create
        # the agent's own phrases stay theirs to write
        phrase = {"scope": "personal", "group": "", "code": "lp", "text": "令牌写的短语"}
        assert client.post("/api/phrases", json=phrase, headers=bearer(secret)).status_code == 201


def test_a_role_change_applies_to_tokens_already_made(sample_cli: Cli) -> None:
    secret = sample_cli("user", "token", AGENT).output.strip().splitlines()[-1]
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        assert client.post("/api/entries", json=ENTRY, headers=bearer(secret)).status_code == 403
        assert sample_cli("user", "role", AGENT, "--role", "supervisor").exit_code == 0
        assert client.post("/api/entries", json=ENTRY, headers=bearer(secret)).status_code == 201


def test_a_removed_users_tokens_go_with_them(sample_cli: Cli) -> None:
    secret = sample_cli("user", "token", AGENT).output.strip().splitlines()[-1]
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        assert client.get("/api/me", headers=bearer(secret)).status_code == 200
        assert sample_cli("user", "rm", AGENT).exit_code == 0
        assert client.get("/api/me", headers=bearer(secret)).status_code == 401


def test_a_token_cannot_make_another_and_a_bad_token_does_not_fall_back_to_the_cookie(
    sample_cli: Cli,
) -> None:
    secret = sample_cli("user", "token", SUPERVISOR).output.strip().splitlines()[-1]
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        more = client.post("/api/account/tokens", json={"name": "再来一个"}, headers=bearer(secret))
        assert more.status_code == 403 and "用令牌不能再创建令牌" in more.json()["detail"]
        assert login(client, SUPERVISOR).status_code == 303
        assert client.get("/api/me").status_code == 200  # the cookie alone
        assert client.get("/api/me", headers=bearer("rb_not-a-token")).status_code == 401
        made = client.post(
            "/api/account/tokens",
            json={"name": "  "},
            headers={"X-CSRF-Token": csrf_of(client.get("/account").text)},
        )
        assert made.status_code == 422 and "请给令牌起个名字" in made.json()["detail"]


def test_wrong_tokens_count_against_the_address_like_failed_logins(sample_cli: Cli) -> None:
    secret = sample_cli("user", "token", SUPERVISOR).output.strip().splitlines()[-1]
    clock = Clock()
    with TestClient(make_app(sample_cli.url, clock, login_failures_per_address=3)) as client:
        for i in range(3):
            assert client.get("/api/me", headers=bearer(f"rb_guess{i}")).status_code == 401
        assert client.get("/api/me", headers=bearer(secret)).status_code == 429
        clock.advance(minutes=16)
        assert client.get("/api/me", headers=bearer(secret)).status_code == 200


def test_basic_auth_stays_but_its_password_checks_are_limited_per_address(sample_cli: Cli) -> None:
    clock = Clock()
    with TestClient(make_app(sample_cli.url, clock, basic_auth_checks_per_minute=2)) as client:
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 200
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 200  # remembered: no check
        assert client.get("/api/me", headers=basic(SUPERVISOR)).status_code == 200
        refused = client.get("/api/me", headers=basic(SUPERVISOR, PASSWORD + "x"))
        assert refused.status_code == 429 and "个人 API 令牌" in refused.json()["detail"]
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 200  # still remembered
        clock.advance(seconds=61)
        assert client.get("/api/me", headers=basic(SUPERVISOR, PASSWORD + "x")).status_code == 401
