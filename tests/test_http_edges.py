"""The edges of the database and of HTTP (issue 12, findings 7, 9 and 10): a schema newer than this
replybook, unsupported database URLs, a busy SQLite file, bodies that are not JSON, huge numbers,
LIKE wildcards in searches, the security headers, and formulas in the coverage CSV."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from replybook.store import db
from replybook.store.errors import DatabaseUnavailable, InvalidValue
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
