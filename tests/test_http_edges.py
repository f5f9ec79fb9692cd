"""The edges of the database and of HTTP (issue 12, findings 7, 9 and 10): a schema newer than this
replybook, unsupported database URLs, a busy SQLite file, bodies that are not JSON, huge numbers,
LIKE wildcards in searches, the security headers, and formulas in the coverage CSV."""

from __future__ import annotations

import base64
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook.store import db, users
from replybook.store.errors import DatabaseUnavailable, InvalidValue
from replybook.store.models import Phrase
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli

FUTURE = "0099_from_the_future"


def _stamp(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def _one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("错误："), result.output
    return lines[0]


# issue 12 finding 10
@pytest.mark.parametrize("args", [("phrases", "list"), ("init",), ("serve", "--port", "8724")])
def test_a_database_newer_than_this_replybook_says_upgrade_replybook(cli: Cli, args: tuple[str, ...]) -> None:
    engine = db.make_engine(cli.url)
    _stamp(engine, FUTURE)
    result = cli(*args)
    assert result.exit_code == 2
    line = _one_line(result)
    assert FUTURE in line and "升级 replybook" in line and "不要降级" in line, line
    assert "replybook init" not in line and "Traceback" not in result.output
    assert db.current_revision(engine) == FUTURE  # nothing touched the data
    engine.dispose()


# issue 12 finding 10
def test_the_web_app_refuses_to_start_on_a_newer_database(engine: Engine, sqlite_url: str) -> None:
    _stamp(engine, FUTURE)
    app = create_app(Settings(database_url=sqlite_url, secret_key="edges"))
    with pytest.raises(DatabaseUnavailable, match="升级 replybook"), TestClient(app):
        pass


# issue 12 finding 10
def test_an_older_database_still_says_run_init(engine: Engine) -> None:
    _stamp(engine, "0001")
    with pytest.raises(DatabaseUnavailable, match="replybook init"):
        db.ensure_current(engine)


# issue 12 finding 10
@pytest.mark.parametrize(
    "url",
    [
        "mysql://shop@127.0.0.1/replybook",
        "mysql+pymysql://shop@127.0.0.1/r",
        "oracle://u@h/d",
        "mssql://u@h/d",
        "postgresql+psycopg2://u@h/d",
        "sqlite+nosuchdriver:///x.db",
    ],
)
def test_an_unsupported_database_url_names_the_supported_ones(url: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        db.make_engine(url)
    message = str(raised.value)
    assert "SQLite" in message and "PostgreSQL" in message and "\n" not in message, message
    result = Cli(url)("phrases", "list")
    assert result.exit_code == 2
    line = _one_line(result)
    assert "SQLite" in line and "PostgreSQL" in line and "ModuleNotFoundError" not in result.output


CREATORS = 8
AUTH = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}


def _client(url: str, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(database_url=url, secret_key="edges", **settings)))


def _supervisor(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        users.add_user(s, name="店长", role="supervisor", password="demo1234")


# issue 12 finding 7
def test_concurrent_creators_through_the_api_all_succeed_with_distinct_ids(any_engine: Engine) -> None:
    _supervisor(any_engine)
    url = any_engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(CREATORS, timeout=30)
    with _client(url) as client:

        def create(i: int) -> tuple[int, int]:
            barrier.wait()
            body = {"scope": "team", "group": "并发", "code": f"c{i}", "text": f"第 {i} 条"}
            response = client.post("/api/phrases", json=body, headers=AUTH)
            return response.status_code, response.json().get("id", 0)

        with ThreadPoolExecutor(CREATORS) as pool:
            outcomes = list(pool.map(create, range(CREATORS), timeout=60))
    assert [status for status, _ in outcomes] == [201] * CREATORS, outcomes
    ids = {phrase_id for _, phrase_id in outcomes}
    assert len(ids) == CREATORS
    with Session(any_engine) as s:
        assert {p.id for p in s.exec(select(Phrase))} == ids


@contextmanager
def _write_lock_held(path: str) -> Iterator[None]:
    """Another program (a long import) holding SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


# issue 12 finding 7
def test_a_database_locked_beyond_the_busy_timeout_is_a_503_not_a_500(
    engine: Engine, sqlite_url: str
) -> None:
    _supervisor(engine)
    body = {"scope": "team", "group": "", "code": "busy", "text": "稍等"}
    with _client(sqlite_url, sqlite_busy_timeout=0.05) as client:
        assert client.get("/api/phrases", params={"library": "team"}, headers=AUTH).status_code == 200
        with _write_lock_held(sqlite_url):
            response = client.post("/api/phrases", json=body, headers=AUTH)
            assert response.status_code == 503, response.text
            assert response.json()["detail"] == "数据库正忙，请稍后重试"
            assert int(response.headers["Retry-After"]) > 0
            # Readers are not blocked by a writer (WAL).
            assert client.get("/api/phrases", params={"library": "team"}, headers=AUTH).status_code == 200
        assert client.post("/api/phrases", json=body, headers=AUTH).status_code == 201
    with Session(engine) as s:
        assert [p.code for p in s.exec(select(Phrase))] == ["busy"]


# issue 12 finding 7
def test_a_locked_database_is_one_line_on_the_cli(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLYBOOK_SQLITE_BUSY_TIMEOUT", "0.05")
    with _write_lock_held(cli.url):
        result = cli("phrases", "add", "busy", "稍等")
    assert result.exit_code == 2
    assert "数据库正忙，请稍后重试" in _one_line(result)


# issue 12 finding 7
def test_sqlite_runs_in_wal_with_the_busy_timeout_of_the_settings(sqlite_url: str) -> None:
    assert Settings().sqlite_busy_timeout == 30
    engine = db.make_engine(sqlite_url, busy_timeout=12.5)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 12500
    engine.dispose()
