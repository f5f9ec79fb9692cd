"""Issue 12's security findings about who may do what: restore cannot lift an agent above their
rights (4), logins are throttled and cost the same for every name (6), sessions end (5)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook import phrases
from replybook.library.file import get_setting
from replybook.store import history, users
from replybook.store.errors import PermissionDenied
from replybook.store.models import Phrase, User
from replybook.store.passwords import DEFAULT_COST, PasswordHasher, VerifiedCredentials
from replybook.store.settings import Settings
from replybook.store.throttle import FailureCounter
from replybook.web.app import create_app
from tests.conftest import Cli

PASSWORD = "demo1234"
SUPERVISOR, AGENT = "店长", "小美"


@pytest.fixture
def app(sample_cli: Cli):
    return create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page carries no csrf_token field"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )


@pytest.fixture
def agent(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        assert login(client, AGENT).status_code == 303
        yield client


def _moved_to_team(engine: Engine) -> tuple[int, int]:
    """小美 writes a personal phrase; the supervisor moves it to the team library. Returns the
    phrase's id and the revision of its personal version."""
    with Session(engine) as s:
        mine = phrases.create_phrase(
            s,
            data=phrases.PhraseData(scope="personal", owner=AGENT, group="", code="zzq", text="我的话"),
            user=AGENT,
        )
        s.commit()
        data = phrases.phrase_data(mine)
        data.scope, data.owner = "team", ""
        phrases.update_phrase(s, phrase_id=mine.id or 0, data=data, expected_version=None, user=SUPERVISOR)
        s.commit()
        personal = history.revisions(s, "phrase", mine.id or 0)[-1]
        assert personal.data["scope"] == "personal"
        return mine.id or 0, personal.id or 0


# issue 12 finding 4
def test_an_agent_cannot_restore_a_team_phrase_back_into_their_own_library(agent, sample_engine) -> None:
    phrase_id, personal_rev = _moved_to_team(sample_engine)
    token = csrf_of(agent.get("/phrases").text)
    page = agent.post(f"/history/{personal_rev}/restore", data={"csrf_token": token}, follow_redirects=False)
    assert page.status_code == 403
    api = agent.post(f"/api/history/{personal_rev}/restore", headers={"X-CSRF-Token": token})
    assert api.status_code == 403
    with Session(sample_engine) as s:
        phrase = s.get(Phrase, phrase_id)
        assert phrase is not None and (phrase.scope, phrase.owner) == ("team", "")


# issue 12 finding 4
def test_restore_checks_the_item_as_it_is_and_as_it_would_become(sample_engine) -> None:
    phrase_id, personal_rev = _moved_to_team(sample_engine)
    with Session(sample_engine) as s:
        with pytest.raises(PermissionDenied):
            history.restore(s, personal_rev, user=AGENT)
        s.rollback()
        # the other way round: a team version may not be restored over the agent's own phrase either
        data = phrases.phrase_data(s.get(Phrase, phrase_id))  # type: ignore[arg-type]
        data.scope, data.owner = "personal", AGENT
        phrases.update_phrase(s, phrase_id=phrase_id, data=data, expected_version=None, user=SUPERVISOR)
        s.commit()
        team_rev = next(r for r in history.revisions(s, "phrase", phrase_id) if r.data["scope"] == "team")
        with pytest.raises(PermissionDenied):
            history.restore(s, team_rev.id or 0, user=AGENT)
        s.rollback()
        # their own personal version over their own phrase: allowed; the supervisor may do anything
        history.restore(s, personal_rev, user=AGENT)
        history.restore(s, team_rev.id or 0, user=SUPERVISOR)
        s.commit()
        phrase = s.get(Phrase, phrase_id)
        assert phrase is not None and phrase.scope == "team"


# ---------------------------------------------------------------- finding 6: brute force, enumeration


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def make_app(url: str, clock: Clock, **settings):
    return create_app(Settings(database_url=url, secret_key="test-secret", **settings), clock=clock)


# issue 12 finding 6
def test_failed_logins_for_a_name_are_refused_with_429_and_a_retry_time(sample_cli: Cli) -> None:
    clock = Clock()
    app = make_app(sample_cli.url, clock, login_failures_per_user=3, login_lockout_minutes=15)
    with TestClient(app) as client:
        for _ in range(3):
            assert login(client, AGENT, "wrong-guess").status_code == 401
        refused = login(client, AGENT)  # even the right password, while locked
        assert refused.status_code == 429
        assert "登录失败次数太多" in refused.text and "15 分钟后再试" in refused.text
        assert refused.headers["Retry-After"] == str(15 * 60)
        api = client.get("/api/me", headers=basic(AGENT))  # basic auth meets the same lock
        assert api.status_code == 429 and int(api.headers["Retry-After"]) == 15 * 60
        assert "登录失败次数太多" in api.json()["detail"]
        assert login(client, SUPERVISOR).status_code == 303  # another name is not locked
        clock.advance(minutes=15, seconds=1)
        assert login(client, AGENT).status_code == 303


# issue 12 finding 6
def test_failed_logins_from_one_address_are_refused_whatever_the_name(sample_cli: Cli) -> None:
    clock = Clock()
    app = make_app(sample_cli.url, clock, login_failures_per_user=100, login_failures_per_address=4)
    with TestClient(app) as client:
        for i in range(4):
            assert client.get("/api/me", headers=basic(f"guess{i}", "x" * 8)).status_code == 401
        assert client.get("/api/me", headers=basic(SUPERVISOR)).status_code == 429
        assert login(client, AGENT).status_code == 429
        clock.advance(minutes=16)
        assert client.get("/api/me", headers=basic(SUPERVISOR)).status_code == 200


# issue 12 finding 6
def test_the_failure_counter_stays_bounded() -> None:
    clock = Clock()
    counter = FailureCounter(limit=3, window=60, clock=clock, max_keys=50)
    for _ in range(1000):
        counter.fail("小美")
    assert counter.retry_after("小美") == 60
    assert len(counter._failures["小美"]) == 3
    for i in range(500):
        counter.fail(f"name{i}")
    assert len(counter) == 50
    clock.advance(seconds=61)
    assert counter.retry_after("name499") == 0


class CountingHasher(PasswordHasher):
    """The test suite's hasher, counting how often scrypt runs."""

    def __init__(self) -> None:
        super().__init__(cost=4)
        object.__setattr__(self, "runs", [])

    def kdf(self, password: str, salt: bytes, *, n: int, r: int, p: int, dklen: int = 32) -> bytes:
        self.runs.append(n)  # type: ignore[attr-defined]
        return super().kdf(password, salt, n=n, r=r, p=p, dklen=dklen)


# issue 12 finding 6
def test_an_unknown_name_runs_the_same_kdf_as_a_known_one(sample_engine: Engine) -> None:
    hasher = CountingHasher()
    hasher.spend("warm-up")  # the dummy hash is made once per hasher
    with Session(sample_engine) as s:
        hasher.runs.clear()  # type: ignore[attr-defined]
        assert users.authenticate(s, "没有这个人", "guess-123", hasher=hasher) is None
        unknown = list(hasher.runs)  # type: ignore[attr-defined]
        hasher.runs.clear()  # type: ignore[attr-defined]
        assert users.authenticate(s, AGENT, "guess-123", hasher=hasher) is None
        known = list(hasher.runs)  # type: ignore[attr-defined]
    assert unknown == known == [2**4]


# issue 12 finding 6
def test_the_default_is_owasps_scrypt_and_older_hashes_are_remade_at_login(
    sample_cli: Cli, sample_engine
) -> None:
    default = PasswordHasher()
    assert (DEFAULT_COST, default.n, default.r, default.p) == (17, 2**17, 8, 1)
    assert Settings.model_fields["password_hash_cost"].default == 17
    stored = default.hash("correct horse")  # OWASP's parameters fit in scrypt's memory limit
    assert stored.startswith("scrypt$131072$8$1$") and default.verify("correct horse", stored)
    assert not default.needs_rehash(stored) and default.needs_rehash(PasswordHasher(cost=4).hash("x"))

    with Session(sample_engine) as s:
        old = s.exec(select_user(AGENT)).one().password_hash
    assert old.startswith("scrypt$16$")  # the sample shop, made at the test suite's cost
    with TestClient(make_app(sample_cli.url, Clock(), password_hash_cost=5)) as client:
        assert login(client, AGENT).status_code == 303
    with Session(sample_engine) as s:
        new = s.exec(select_user(AGENT)).one().password_hash
    assert new.startswith("scrypt$32$8$1$") and new != old
    with TestClient(make_app(sample_cli.url, Clock(), password_hash_cost=5)) as client:
        assert login(client, AGENT).status_code == 303


def select_user(name: str):
    from sqlmodel import select

    return select(User).where(User.name == name)


# issue 12 finding 6
def test_passwords_are_at_least_8_characters_everywhere(sample_cli: Cli, app) -> None:
    short = sample_cli("user", "add", "阿强", "--role", "agent", input="seven77\n")
    assert short.exit_code == 2 and "密码至少 8 个字符" in short.output
    assert sample_cli("user", "passwd", AGENT, input="seven77\n").exit_code == 2
    with TestClient(app) as client:
        assert login(client, SUPERVISOR).status_code == 303
        token = csrf_of(client.get("/users").text)
        page = client.post(
            "/users", data={"csrf_token": token, "name": "阿强", "role": "agent", "password": "seven77"}
        )
        assert page.status_code == 422 and "密码至少 8 个字符" in page.text
    with TestClient(app) as client:
        api = client.post(
            "/api/users",
            json={"name": "阿强", "role": "agent", "password": "seven77"},
            headers=basic(SUPERVISOR),
        )
        assert api.status_code == 422 and "密码至少 8 个字符" in api.json()["detail"]
        own = client.post(
            "/api/account/password", json={"current": PASSWORD, "new": "seven77"}, headers=basic(AGENT)
        )
        assert own.status_code == 422
        assert (
            client.post(
                "/api/users",
                json={"name": "阿强", "role": "agent", "password": "eight888"},
                headers=basic(SUPERVISOR),
            ).status_code
            == 201
        )


# issue 12 finding 6
def test_a_remembered_basic_auth_check_ends_with_a_new_password(sample_cli: Cli) -> None:
    clock = Clock()
    cache = VerifiedCredentials(ttl=60, clock=clock)
    cache.add(AGENT, PASSWORD, "scrypt$old")
    assert (AGENT, PASSWORD, "scrypt$old") in cache
    assert (AGENT, PASSWORD, "scrypt$new") not in cache and (AGENT, "other", "scrypt$old") not in cache
    clock.advance(seconds=61)
    assert (AGENT, PASSWORD, "scrypt$old") not in cache
    with TestClient(make_app(sample_cli.url, clock)) as client:
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 200
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 200  # remembered
        body = {"password": "a-new-one-9"}
        assert (
            client.post(f"/api/users/{AGENT}/password", json=body, headers=basic(SUPERVISOR)).status_code
            == 200
        )
        assert client.get("/api/me", headers=basic(AGENT)).status_code == 401
        assert client.get("/api/me", headers=basic(AGENT, "a-new-one-9")).status_code == 200


# ---------------------------------------------------------------- finding 5: sessions that end


def _copied(client: TestClient) -> dict[str, str]:
    return {"replybook_session": client.cookies["replybook_session"]}


def _replay(app, cookies: dict[str, str]) -> tuple[int, int]:
    """A page and an API call with a copied cookie: (page status, API status)."""
    with TestClient(app, cookies=cookies) as thief:
        return thief.get("/", follow_redirects=False).status_code, thief.get("/api/me").status_code


# issue 12 finding 5
def test_a_copied_cookie_is_refused_after_logout_password_change_and_log_out_everywhere(
    sample_cli: Cli,
) -> None:
    app = make_app(sample_cli.url, Clock())
    with TestClient(app) as client:
        assert login(client, AGENT).status_code == 303
        copy = _copied(client)
        assert _replay(app, copy) == (200, 200)
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
        assert _replay(app, copy) == (303, 401)

        assert login(client, AGENT).status_code == 303
        copy = _copied(client)
        token = csrf_of(client.get("/account").text)
        form = {"csrf_token": token, "current": PASSWORD, "new": "new-pass-1", "repeat": "new-pass-1"}
        assert client.post("/account/password", data=form, follow_redirects=False).status_code == 303
        assert _replay(app, copy) == (303, 401)
        assert client.get("/", follow_redirects=False).status_code == 200  # this browser stays in

        copy = _copied(client)
        with TestClient(app) as boss:
            assert login(boss, SUPERVISOR).status_code == 303
            token = csrf_of(boss.get("/users").text)
            assert "在所有设备上退出登录" in boss.get("/users").text
            assert boss.post(f"/users/{AGENT}/logout", data={"csrf_token": token}).status_code == 200
        assert _replay(app, copy) == (303, 401)

        assert login(client, AGENT, "new-pass-1").status_code == 303
        copy = _copied(client)
        with TestClient(app) as script:
            assert script.post(f"/api/users/{AGENT}/logout", headers=basic(SUPERVISOR)).status_code == 200
        assert _replay(app, copy) == (303, 401)

        assert login(client, AGENT, "new-pass-1").status_code == 303
        copy = _copied(client)
        assert sample_cli("user", "logout", AGENT).exit_code == 0
        assert _replay(app, copy) == (303, 401)


# issue 12 finding 5
def test_an_idle_session_ends(sample_cli: Cli) -> None:
    clock = Clock()
    app = make_app(sample_cli.url, clock)  # the default: 12 hours
    assert Settings.model_fields["session_idle_minutes"].default == 12 * 60
    with TestClient(app) as client:
        assert login(client, AGENT).status_code == 303
        clock.advance(hours=11)
        assert client.get("/", follow_redirects=False).status_code == 200  # used: the idle time restarts
        clock.advance(hours=11)
        assert client.get("/", follow_redirects=False).status_code == 200
        clock.advance(hours=12, minutes=1)
        assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
        assert client.get("/api/me").status_code == 401


# issue 12 finding 5: a session kept busy through the JSON API alone (a script, the try box's calls)
# is in use too — the idle time restarts on any response, not only on pages
def test_json_requests_keep_a_session_alive_too(sample_cli: Cli) -> None:
    clock = Clock()
    app = make_app(sample_cli.url, clock)
    with TestClient(app) as client:
        assert login(client, AGENT).status_code == 303
        for _ in range(3):
            clock.advance(hours=11)
            assert client.get("/api/me").status_code == 200
        clock.advance(hours=12, minutes=1)
        assert client.get("/api/me").status_code == 401


# issue 12 finding 5
def test_cookies_are_secure_over_https_and_a_configured_secret_is_not_stored(
    sample_cli: Cli, sample_engine
) -> None:
    with TestClient(create_app(Settings(database_url=sample_cli.url))) as client:  # a secret stored once
        login(client, AGENT)
    with Session(sample_engine) as s:
        assert get_setting(s, "secret_key")
    with TestClient(make_app(sample_cli.url, Clock(), https=True)) as client:
        response = login(client, AGENT)
        assert "secure" in response.headers["set-cookie"].lower()
    with Session(sample_engine) as s:
        assert (
            get_setting(s, "secret_key") is None
        )  # REPLYBOOK_SECRET_KEY set: no copy of the database has it
    with TestClient(make_app(sample_cli.url, Clock())) as client:
        assert "secure" not in login(client, AGENT).headers["set-cookie"].lower()


# issue 12 finding 6: the per-address throttle counts the real client. X-Forwarded-For is believed
# only from the proxies the shop names; by default nobody can forge an address to dodge the limit
def test_forwarded_addresses_count_only_from_a_named_proxy(sample_cli: Cli, monkeypatch) -> None:
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from cli.setup import server_config

    def layers(config) -> list[type]:
        config.load()
        found, app = [], config.loaded_app
        while app is not None:
            found.append(type(app))
            app = getattr(app, "app", None)
        return found

    app = make_app(sample_cli.url, Clock())
    default = server_config(app, Settings(database_url=sample_cli.url), host="127.0.0.1", port=1)
    assert ProxyHeadersMiddleware not in layers(default)
    monkeypatch.setenv("REPLYBOOK_TRUSTED_PROXIES", "10.0.0.2")
    behind = server_config(app, Settings(database_url=sample_cli.url), host="127.0.0.1", port=1)
    assert ProxyHeadersMiddleware in layers(behind)
    assert behind.forwarded_allow_ips == "10.0.0.2"
