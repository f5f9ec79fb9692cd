"""A database from a newer replybook, and URLs of databases replybook does not support (issue 12
finding 10): one Chinese line each, nothing touched, and never the advice to run init."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from replybook.store import db

from .conftest import Cli


def _stamp(url: str, revision: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


# issue 12 finding 10
@pytest.mark.parametrize("command", [("library", "export", "-"), ("init",), ("serve", "--port", "1")])
def test_a_database_from_a_newer_replybook_says_upgrade_replybook(cli: Cli, command: tuple[str, ...]) -> None:
    _stamp(cli.url, "0099")
    result = cli(*command)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "结构版本（0099）比这个 replybook 新" in lines[0] and "请升级 replybook" in lines[0]
    assert "init" not in lines[0] and "Traceback" not in result.output
    engine = db.make_engine(cli.url)
    assert db.current_revision(engine) == "0099"  # the data is left as the newer replybook wrote it
    engine.dispose()


# issue 12 finding 10
@pytest.mark.parametrize(
    "url", ["mysql://root@127.0.0.1/test", "mssql+pyodbc://sa@host/db", "oracle://x@y/z"]
)
def test_an_unsupported_database_url_names_the_supported_ones(url: str) -> None:
    result = Cli(url)("init")
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0, result.output
    assert "不支持的数据库" in result.output and "SQLite" in result.output and "PostgreSQL" in result.output
