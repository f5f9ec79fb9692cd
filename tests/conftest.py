"""Shared fixtures: a temporary SQLite database per test, the same on PostgreSQL for storage tests
when REPLYBOOK_TEST_DATABASE_URL is set, and a runner for the CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# scrypt at a test-suite cost (N = 2^4), so creating users and logging in stay fast; the default (and
# every shop) keeps OWASP's 2^17. Set before any Settings() is read; an explicit value wins.
os.environ.setdefault("REPLYBOOK_PASSWORD_HASH_COST", "4")
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from cli.main import app
from replybook.coverage.matching import Matcher
from replybook.library.entries import ensure_builtin_categories
from replybook.store import db
from replybook.store.timeutil import parse_datetime

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
PG_URL = os.environ.get("REPLYBOOK_TEST_DATABASE_URL")


@contextmanager
def _throwaway_pg_database() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server (dropped afterwards), by its URL."""
    if not PG_URL:
        pytest.skip("PostgreSQL storage tests skipped: REPLYBOOK_TEST_DATABASE_URL is not set")
    base = make_url(db.resolve_url(PG_URL))
    name = f"replybook_test_{uuid.uuid4().hex[:10]}"
    admin = db.make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, so parallel runs never share tables (the tests
    of one worker share it: each `any_engine` test rebuilds its tables, and leaves them filled)."""
    with _throwaway_pg_database() as url:
        yield url


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    """A database of this test's own, never migrated or written before: for what needs a database
    with no tables at all (a restore), whichever tests ran before in the worker."""
    with _throwaway_pg_database() as url:
        yield url


def _fresh(engine: Engine) -> Engine:
    with engine.begin() as conn:
        SQLModel.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        ensure_builtin_categories(s)
    return engine


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "replybook.db")


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated, empty SQLite database (built-in categories only)."""
    eng = db.make_engine(sqlite_url)
    _fresh(eng)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The same empty database on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        url = str(tmp_path / "replybook.db")
    else:
        url = request.getfixturevalue("pg_database")
    eng = db.make_engine(url)
    _fresh(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db.session_scope(engine) as s:
        yield s


class Cli:
    """Runs `replybook --db <db> …` in-process, the way a user types it."""

    def __init__(self, url: str):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, ["--db", self.url, *args], input=input, catch_exceptions=False)


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    runner = Cli(sqlite_url)
    result = runner("init")
    assert result.exit_code == 0, result.output
    return runner


@pytest.fixture
def sample_cli(sqlite_url: str) -> Cli:
    """A database with the whole sample shop loaded by `replybook init --sample`."""
    runner = Cli(sqlite_url)
    result = runner("init", "--sample")
    assert result.exit_code == 0, result.output
    return runner


@pytest.fixture
def sample_engine(sample_cli: Cli) -> Iterator[Engine]:
    eng = db.make_engine(sample_cli.url)
    yield eng
    eng.dispose()


CAMPAIGN_START = parse_datetime("2026-12-10T10:00:00+08:00")  # the sample shop's 聚划算 begins


@pytest.fixture
def matcher(sample_engine: Engine) -> Matcher:
    """The sample shop's matcher as the campaign begins."""
    with db.session_scope(sample_engine) as s:
        return Matcher.build(s, at=CAMPAIGN_START)


def app_routes(app: Any) -> Iterator[tuple[str, str, APIRoute]]:
    """(method, full path, route) for every API route the app serves, walking included routers."""

    def walk(routes: Any, prefix: str) -> Iterator[tuple[str, str, APIRoute]]:
        for route in routes:
            context = getattr(route, "include_context", None)
            if context is not None:
                yield from walk(context.included_router.routes, prefix + context.prefix)
            elif isinstance(route, APIRoute):
                for method in sorted(route.methods):
                    yield method, prefix + route.path, route

    yield from walk(app.routes, "")
