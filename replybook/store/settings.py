"""Settings: one class, read from the environment with the REPLYBOOK_ prefix.

| setting | env | default | meaning |
| --- | --- | --- | --- |
| database_url | REPLYBOOK_DATABASE_URL | replybook.db | a SQLite file path or any SQLAlchemy URL |
| secret_key | REPLYBOOK_SECRET_KEY | (stored in the database) | signs the web session cookies |
| host | REPLYBOOK_HOST | 127.0.0.1 | address `replybook serve` listens on |
| port | REPLYBOOK_PORT | 8000 | port `replybook serve` listens on |
| max_upload_bytes | REPLYBOOK_MAX_UPLOAD_BYTES | 52428800 (50 MB) | the most bytes one request (an upload) may send |
| timezone | REPLYBOOK_TIMEZONE | Asia/Shanghai | the shop's time zone |
| sqlite_busy_timeout | REPLYBOOK_SQLITE_BUSY_TIMEOUT | 30 | seconds a SQLite writer waits for another (an import) before "数据库正忙" |
"""

from __future__ import annotations

from pydantic import PositiveInt, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLYBOOK_", extra="ignore")

    database_url: str = "replybook.db"
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: PositiveInt = 50 * 1024 * 1024
    timezone: str = "Asia/Shanghai"
    sqlite_busy_timeout: float = 30.0


_EXPECTED = {
    "int_parsing": "整数",
    "int_type": "整数",
    "float_parsing": "数字",
    "greater_than": "正整数",
    "string_type": "文字",
}


def settings_problem(exc: ValidationError) -> str:
    """A bad REPLYBOOK_ environment variable, in one Chinese line (pydantic's own text is English)."""
    first = exc.errors()[0]
    name = f"{Settings.model_config.get('env_prefix', '')}{first['loc'][0]}".upper() if first["loc"] else "?"
    expected = _EXPECTED.get(first["type"], "有效的值")
    return f"环境变量 {name} 的值 {first.get('input')!r} 无效，应为{expected}"
