"""The edges of the database and of HTTP (issue 12, findings 7, 9 and 10): a schema newer than this
replybook, unsupported database URLs, a busy SQLite file, bodies that are not JSON, huge numbers,
LIKE wildcards in searches, the security headers, and formulas in the coverage CSV."""

from __future__ import annotations

import base64
import csv
import io
import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook import phrases
from replybook.coverage.report import write_csv
from replybook.library import entries
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


@pytest.fixture
def api(any_engine: Engine) -> Iterator[TestClient]:
    _supervisor(any_engine)
    with _client(any_engine.url.render_as_string(hide_password=False)) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"name": "店长", "password": "demo1234", "csrf_token": token, "next": "/"}
        assert client.post("/login", data=form, follow_redirects=False).status_code == 303
        yield client


# issue 12 finding 9
@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe\x00", b'{"scope": "team",'])
def test_a_body_that_is_not_json_is_a_422_in_chinese(api: TestClient, body: bytes) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = api.post("/api/phrases", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": "请求内容不是有效的 JSON"}


BIG = str(2**63)


# issue 12 finding 9
@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (f"/api/phrases/{BIG}", {}, 404),
        (f"/api/entries/{BIG}", {}, 404),
        (f"/api/autoreplies/{BIG}", {}, 404),
        (f"/api/phrases/{2**64}", {}, 404),
        (f"/entries/{BIG}", {}, 404),
        ("/api/entries", {"page": BIG}, 200),  # a page past the end shows the last (store/paging.py)
        ("/entries", {"page": BIG}, 200),
        ("/api/history", {"page": BIG, "limit": BIG}, 200),
    ],
)
def test_numbers_too_big_for_the_database_are_404_or_422_not_500(
    api: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    response = api.get(path, params=params, headers=AUTH)
    assert response.status_code == status, response.text


# issue 12 finding 9
@pytest.mark.parametrize("typed", ["%", "_", "50%", "a_b"])
def test_a_percent_or_underscore_in_a_search_is_the_character_typed(
    api: TestClient, any_engine: Engine, typed: str
) -> None:
    with db.session_scope(any_engine) as s:
        entries.create_entry(
            s, data=entries.EntryData(category="shipping", question="什么时候发货", answers=["48小时内"])
        )
        phrases.create_phrase(
            s, data=phrases.PhraseData(scope="team", owner="", group="", code="fh", text="亲，48小时内发货")
        )
    assert len(api.get("/api/entries", params={"q": "发货"}, headers=AUTH).json()["entries"]) == 1
    assert api.get("/api/entries", params={"q": typed}, headers=AUTH).json()["entries"] == []
    found = api.get("/api/phrases", params={"library": "team", "q": typed}, headers=AUTH).json()
    assert found["groups"] == [] or all(not g["phrases"] for g in found["groups"]), found


# issue 12 finding 9
@pytest.mark.parametrize("path", ["/login", "/", "/entries", "/api/entries", "/static/app.js", "/nowhere"])
def test_every_response_carries_the_security_headers(api: TestClient, path: str) -> None:
    response = api.get(path, headers=AUTH)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp  # neither inline script nor inline style
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if not path.startswith("/static/"):
        assert response.headers["Cache-Control"] == "no-store"


# issue 12 finding 9
def test_no_template_has_an_inline_script_or_handler() -> None:
    from replybook.store.resources import data_dir

    for page in data_dir("templates").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert not re.search(r"\son[a-z]+\s*=", html), page
        if page.name != "report.html" or page.parent.name != "coverage":  # a file for disk, never served
            assert not re.search(r"\sstyle\s*=", html), page  # sizes are SVG attributes (_charts.html)


# issue 12 finding 9: the printable checklist keeps its own stylesheet, allowed by its hash alone
def test_the_printable_checklist_allows_only_its_own_style_block(api: TestClient, any_engine: Engine) -> None:
    import base64
    import hashlib
    from datetime import UTC, datetime

    from replybook import campaigns

    with Session(any_engine) as s:
        start, end = datetime(2026, 12, 11, 12, tzinfo=UTC), datetime(2026, 12, 12, 16, tzinfo=UTC)
        made = campaigns.create_campaign(s, data=campaigns.CampaignData(name="双12", start=start, end=end))
        s.commit()
        campaign_id = made.id
    page = api.get(f"/campaigns/{campaign_id}/check/print", headers=AUTH)
    assert page.status_code == 200
    styles = re.findall(r"<style>(.*?)</style>", page.text, flags=re.S)
    assert styles
    csp = page.headers["Content-Security-Policy"]
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp


# issue 12 finding 9
@pytest.mark.parametrize("formula", ["=1+1", "\t=cmd|' /C calc'!A0", "\r+1", "@SUM(A1)", "-2+3"])
def test_the_coverage_csv_neutralises_a_formula_in_every_text_column(formula: str) -> None:
    report = SimpleNamespace(  # write_csv reads only the result rows
        results=[
            {
                "question": formula,
                "status": "covered",
                "category": formula,
                "entry": formula,
                "matched": formula,
                "score": 90.0,
                "count": 1,
                "expected": formula,
                "correct": True,
            }
        ]
    )
    out = io.StringIO()
    write_csv(report, out)  # type: ignore[arg-type]
    row = list(csv.reader(io.StringIO(out.getvalue())))[1]
    for index in (0, 2, 3, 4, 7):
        assert row[index] == "'" + formula, (index, row)
    assert row[5] == "90.0" and row[6] == "1"
