"""Engines, sessions and schema migrations. Nothing connects at import time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from replybook.store.errors import DatabaseUnavailable, InvalidValue

if TYPE_CHECKING:  # alembic is imported by the functions that migrate or read the revision, not for a session
    from alembic.config import Config

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def resolve_url(value: str) -> str:
    """A plain path means a SQLite file; anything with ``://`` is a SQLAlchemy URL."""
    value = value.strip()
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    try:
        url = make_url(value)
    except ArgumentError:
        raise InvalidValue(f"无法识别的数据库地址 {value!r}") from None
    if url.drivername in ("postgres", "postgresql"):  # as Heroku & co. write it; psycopg 3 is what we ship
        url = url.set(drivername="postgresql+psycopg")
    backend = url.drivername.split("+")[0]
    if backend not in _SUPPORTED:
        raise InvalidValue(
            f"不支持的数据库 {backend}：replybook 支持 SQLite（文件路径或 sqlite:///…）"
            "和 PostgreSQL（postgresql://用户@服务器/库名）"
        )
    return url.render_as_string(hide_password=False)


_SUPPORTED = ("sqlite", "postgresql")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _json_dumps(value: object) -> str:
    # Keep Chinese readable in the stored JSON, so searching the text of lists works.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """Create an engine for ``url`` (a path or a SQLAlchemy URL). On SQLite a writer waits up to
    ``busy_timeout`` seconds for another one (a long import) to finish before giving up."""
    resolved = resolve_url(url)
    try:
        return _create(resolved, busy_timeout)
    except (ModuleNotFoundError, NoSuchModuleError):  # e.g. postgresql+psycopg2:// without psycopg2
        driver = make_url(resolved).drivername
        raise InvalidValue(
            f"数据库驱动 {driver} 不可用：SQLite 写文件路径，PostgreSQL 写 postgresql://（自带 psycopg）"
        ) from None


def _create(resolved: str, busy_timeout: float) -> Engine:
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
            json_serializer=_json_dumps,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(
            resolved, pool_pre_ping=True, connect_args={"connect_timeout": 5}, json_serializer=_json_dumps
        )
    return engine


def take_write_lock(session: Session) -> None:
    """Make this transaction the database's one writer now, before it reads what it will base a write
    on (the next free id). PostgreSQL locks rows as they are written; SQLite has one write lock for
    the file, and pysqlite only asks for it at the first INSERT/UPDATE, after the reads: two
    transactions could read the same highest id. ``BEGIN IMMEDIATE`` waits (up to the busy timeout)
    until the lock is ours."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    # pysqlite opens a transaction only before a write, which already took the lock.
    if raw is not None and not raw.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


BUSY = "数据库正忙，请稍后重试"


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": another writer held the lock beyond the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in _first_line(exc)


def describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config_without_engine()).get_current_head()


def _alembic_config_without_engine() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def known_revisions() -> set[str]:
    """Every schema revision this replybook's migrations know."""
    from alembic.script import ScriptDirectory

    return {
        script.revision
        for script in ScriptDirectory.from_config(_alembic_config_without_engine()).walk_revisions()
    }


def _refuse_newer(engine: Engine, rev: str | None) -> None:
    # A revision we have never heard of was written by a newer replybook: its data is ahead of this
    # code, and the only safe way forward is a newer replybook (migrating down would lose data).
    if rev is not None and rev not in known_revisions():
        raise DatabaseUnavailable(
            f"数据库 {describe(engine)} 的结构版本 {rev} 比这个 replybook 新（它只认识到 {head_revision()}）："
            "请升级 replybook（pip install -U replybook），不要降级数据"
        )


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Create or upgrade the schema to the newest revision. Returns (before, after)."""
    try:
        before = current_revision(engine)
        _refuse_newer(engine, before)
        from alembic import command

        command.upgrade(_alembic_config(engine), "head")
        return before, current_revision(engine)
    except OperationalError as exc:
        raise DatabaseUnavailable(unreachable(engine, exc)) from None


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that was not initialised or is behind the code."""
    path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        # Connecting would leave an empty file behind for a mistyped --db.
        raise DatabaseUnavailable(f"数据库文件 {path} 不存在；新建请运行 replybook --db {path} init")
    try:
        rev = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseUnavailable(unreachable(engine, exc)) from None
    if rev is None:
        raise DatabaseUnavailable(f"数据库 {describe(engine)} 尚未初始化，请先运行 replybook init")
    _refuse_newer(engine, rev)
    if rev != head_revision():
        raise DatabaseUnavailable(f"数据库 {describe(engine)} 的结构版本较旧，请运行 replybook init 升级")


# What the PostgreSQL driver says, and how a supervisor would want to hear it.
_PG_FAILURES = [
    (
        re.compile(r'database "(?P<name>[^"]+)" does not exist'),
        "数据库 {name} 在服务器 {server} 上不存在；请先创建：createdb {name}（再运行 replybook init）",
    ),
    (re.compile(r'role "(?P<name>[^"]+)" does not exist'), "服务器 {server} 上没有数据库用户 {name}"),
    (re.compile(r"password authentication failed"), "连接服务器 {server} 的用户名或密码不对"),
    (re.compile(r"Connection refused"), "连接被拒绝：服务器 {server} 没有运行，或地址、端口不对"),
    (re.compile(r"timeout expired|timed out"), "连接服务器 {server} 超时"),
    (re.compile(r"failed to resolve host|could not translate host name"), "找不到服务器 {server}"),
]


def unreachable(engine: Engine, exc: BaseException) -> str:
    """Why the database cannot be reached, in one Chinese line (the driver's own text is English)."""
    if is_busy(exc):
        return f"{BUSY}：数据库 {describe(engine)} 正被另一个程序（导入或网页）写入"
    detail = _first_line(exc)
    url = engine.url
    server = f"{url.host or 'localhost'}:{url.port or 5432}"
    for pattern, message in _PG_FAILURES:
        found = pattern.search(detail)
        if found:
            return f"无法连接数据库 {describe(engine)}：" + message.format(server=server, **found.groupdict())
    return f"无法连接数据库 {describe(engine)}：{detail}"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
