"""Issue 12's security findings about who may do what: restore cannot lift an agent above their
rights (4), logins are throttled and cost the same for every name (6), sessions end (5)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook import phrases
from replybook.store import history
from replybook.store.errors import PermissionDenied
from replybook.store.models import Phrase
from replybook.store.settings import Settings
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
