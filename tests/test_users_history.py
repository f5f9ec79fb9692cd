"""Users are a versioned kind like every other (issue 11: one mechanism for every kind, users
included), and the mechanism checks who may change what on every write, not only on restore
(issue 11: permission checked once, through a hook each kind declares)."""

from __future__ import annotations

import inspect as pyinspect
import re

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook import phrases
from replybook.store import history, users
from replybook.store.errors import PermissionDenied
from replybook.store.models import Phrase
from replybook.store.passwords import PasswordHasher
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli, app_routes

SUPERVISOR, AGENT = "店长", "小美"
FAST = PasswordHasher(cost=4)  # history, not the KDF, is under test


# issue 11: users go through the one versioned-item mechanism (history for add, role, password, delete)
def test_every_change_to_a_user_is_a_version_with_history_and_no_secret_in_it(engine: Engine) -> None:
    with Session(engine) as s:
        user = users.add_user(s, name="小雨", role="agent", password="first-pass", hasher=FAST, by=SUPERVISOR)
        users.set_role(s, name="小雨", role="supervisor", expected_version=1, by=SUPERVISOR)
        users.set_password(s, name="小雨", password="second-pass", hasher=FAST, by=SUPERVISOR)
        user_id = user.id or 0
        users.remove_user(s, name="小雨", by=SUPERVISOR)
        s.commit()
        revs = history.revisions(s, "user", user_id)
    assert [(r.version, r.action, r.user) for r in revs] == [
        (4, "delete", SUPERVISOR),
        (3, "update", SUPERVISOR),
        (2, "update", SUPERVISOR),
        (1, "create", SUPERVISOR),
    ]
    assert [r.summary for r in revs][1:3] == ["修改密码", "角色改为 客服主管"]
    for rev in revs:  # the history never keeps a password hash, not even an old one
        assert "password_hash" not in rev.data
        assert "second-pass" not in str(rev.data) and "scrypt" not in str(rev.data)
    assert revs[2].data["role"] == "supervisor" and revs[3].data["role"] == "agent"


# issue 11: a deleted user can be restored, but no old password or old session comes back with them
def test_a_restored_user_needs_a_new_password_and_old_sessions_stay_ended(engine: Engine) -> None:
    with Session(engine) as s:
        users.add_user(s, name="小雨", role="agent", password="first-pass", hasher=FAST)
        users.end_sessions(s, name="小雨")
        before = users.get_user(s, "小雨")
        user_id, generation = before.id or 0, before.session_generation
        users.remove_user(s, name="小雨", by=SUPERVISOR)
        s.commit()
        deleted = history.revisions(s, "user", user_id)[0]
        history.restore(s, deleted.id or 0, user=SUPERVISOR)
        s.commit()
        back = users.get_user(s, "小雨")
        assert back.role == "agent" and back.id == user_id
        assert back.session_generation > generation  # a cookie issued before the deletion stays refused
        assert users.authenticate(s, "小雨", "first-pass", hasher=FAST) is None
        users.set_password(s, name="小雨", password="new-pass-1", hasher=FAST, by=SUPERVISOR)
        assert users.authenticate(s, "小雨", "new-pass-1", hasher=FAST) is not None


# issue 11: the kind's permission hook — an agent may change their own account but never lift its role
def test_an_agent_cannot_make_themselves_supervisor_by_edit_or_by_restore(sample_engine: Engine) -> None:
    with Session(sample_engine) as s:
        users.set_role(s, name=AGENT, role="supervisor", expected_version=None, by=SUPERVISOR)
        s.commit()
        promoted = history.revisions(s, "user", users.get_user(s, AGENT).id or 0)[0]
        users.set_role(s, name=AGENT, role="agent", expected_version=None, by=SUPERVISOR)
        s.commit()
        with pytest.raises(PermissionDenied):
            history.restore(s, promoted.id or 0, user=AGENT)
        s.rollback()
        with pytest.raises(PermissionDenied):
            users.set_role(s, name=AGENT, role="supervisor", expected_version=None, by=AGENT)
        s.rollback()
        with pytest.raises(PermissionDenied):
            users.set_password(s, name=SUPERVISOR, password="taken-over", hasher=FAST, by=AGENT)
        s.rollback()
        users.set_password(s, name=AGENT, password="my-own-new", hasher=FAST, by=AGENT)  # their own: fine
        s.commit()
        assert users.get_user(s, AGENT).role == "agent"


# issue 11: permission is checked by the mechanism on create, update and delete, not only on restore
def test_the_mechanism_refuses_an_agent_on_create_update_and_delete(sample_engine: Engine) -> None:
    with Session(sample_engine) as s:
        with pytest.raises(PermissionDenied):
            history.create(s, Phrase(scope="team", owner="", code="zz1", text="团队的"), user=AGENT)
        s.rollback()
        with pytest.raises(PermissionDenied):  # someone else's personal phrase
            history.create(s, Phrase(scope="personal", owner="小王", code="zz2", text="别人的"), user=AGENT)
        s.rollback()
        mine = history.create(s, Phrase(scope="personal", owner=AGENT, code="zz3", text="我的"), user=AGENT)
        s.commit()
        with pytest.raises(PermissionDenied):  # moving it into the team library
            history.update(s, mine, {"scope": "team", "owner": ""}, expected_version=None, user=AGENT)
        s.rollback()
        team = s.get(
            Phrase, history.create(s, Phrase(scope="team", code="zz4", text="团队"), user=SUPERVISOR).id
        )
        s.commit()
        with pytest.raises(PermissionDenied):
            history.delete(s, team, user=AGENT)  # type: ignore[arg-type]
        s.rollback()
        mine = s.get(Phrase, mine.id)
        history.update(s, mine, {"text": "我的，改过"}, expected_version=None, user=AGENT)  # type: ignore[arg-type]
        s.commit()
        assert phrases.phrase_data(s.get(Phrase, mine.id)).text == "我的，改过"  # type: ignore[arg-type, union-attr]


# issue 11: the CLI changes a role through the same mechanism
def test_the_cli_changes_a_role_and_the_history_shows_it(sample_cli: Cli, sample_engine: Engine) -> None:
    result = sample_cli("user", "role", AGENT, "--role", "supervisor")
    assert result.exit_code == 0, result.output
    assert "客服主管" in result.output
    with Session(sample_engine) as s:
        user = users.get_user(s, AGENT)
        assert user.role == "supervisor"
        assert history.revisions(s, "user", user.id or 0)[0].summary == "角色改为 客服主管"
    assert "未知角色" in sample_cli("user", "role", AGENT, "--role", "boss").output


# issue 12 finding 2: the login and user pages hash passwords (scrypt, ~0.4 s) in a worker thread,
# never on the event loop; every POST reads its body through the size-limited upload route
def test_password_routes_run_in_worker_threads_behind_the_upload_limit(sample_cli: Cli) -> None:
    from replybook.web.uploads import UploadRoute

    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    hashing = {
        ("POST", "/login"),
        ("POST", "/users"),
        ("POST", "/users/{name}/password"),
        ("POST", "/account/password"),
        ("POST", "/api/users"),
        ("POST", "/api/users/{name}/password"),
        ("POST", "/api/account/password"),
    }
    found = set()
    for method, path, route in app_routes(app):
        if method == "POST":  # every body is read within the limit, whatever the route
            assert isinstance(route, UploadRoute), path
        if (method, path) in hashing:
            found.add((method, path))
            assert not pyinspect.iscoroutinefunction(route.endpoint), path
    assert found == hashing


# issue 11: the users page changes a role from the version shown (a stale form is refused, not applied)
# and removes a user; both are in the history, and nobody can demote or remove themselves
def test_the_users_page_changes_roles_from_the_version_shown_and_removes_users(sample_cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from tests.test_auth_security import csrf_of, login

    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    with TestClient(app) as client:
        assert login(client, SUPERVISOR).status_code == 303
        page = client.get("/users")
        token = csrf_of(page.text)
        assert f'action="/users/{AGENT}/role"' in page.text.replace("%E5%B0%8F%E7%BE%8E", AGENT)
        ok = client.post(
            f"/users/{AGENT}/role", data={"csrf_token": token, "role": "supervisor", "version": "1"}
        )
        assert ok.status_code == 200 and f"{AGENT} 现在是客服主管" in ok.text
        stale = client.post(
            f"/users/{AGENT}/role", data={"csrf_token": token, "role": "agent", "version": "1"}
        )
        assert stale.status_code == 409
        own = client.post(f"/users/{SUPERVISOR}/role", data={"csrf_token": token, "role": "agent"})
        assert own.status_code == 422 and "不能修改自己的角色" in own.text
        gone = client.post(f"/users/{AGENT}/delete", data={"csrf_token": token})
        assert gone.status_code == 200 and "已删除用户" in gone.text
        assert AGENT not in client.get("/users").text.split("添加用户")[0]
        history_page = client.get("/history?type=user").text
        assert re.search(
            r"删除</span> 用户</td>\s*<td[^>]*><a href=\"/history/user/\d+\">小美</a>", history_page
        )
        assert "撤销删除" in history_page
        api = client.delete(f"/api/users/{SUPERVISOR}", headers={"X-CSRF-Token": token})
        assert api.status_code == 422 and "不能删除自己的账号" in api.json()["detail"]
