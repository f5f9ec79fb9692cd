"""Settings: one class, read from the environment with the REPLYBOOK_ prefix.

| setting | env | default | meaning |
| --- | --- | --- | --- |
| database_url | REPLYBOOK_DATABASE_URL | replybook.db | a SQLite file path or any SQLAlchemy URL |
| secret_key | REPLYBOOK_SECRET_KEY | (stored in the database) | signs the web session cookies; when set, it is never written to the database (so no copy of the database carries it), and a secret stored there earlier is removed |
| https | REPLYBOOK_HTTPS | false | the site is served over HTTPS (behind a proxy too): session cookies get the `Secure` flag |
| session_idle_minutes | REPLYBOOK_SESSION_IDLE_MINUTES | 720 | a browser session unused this long ends (at most 14 days in all) |
| login_failures_per_user | REPLYBOOK_LOGIN_FAILURES_PER_USER | 10 | failed logins for one name, within the lockout time, before it is refused (429) |
| login_failures_per_address | REPLYBOOK_LOGIN_FAILURES_PER_ADDRESS | 50 | failed logins from one client address before it is refused (429) |
| basic_auth_checks_per_minute | REPLYBOOK_BASIC_AUTH_CHECKS_PER_MINUTE | 60 | HTTP basic-auth password checks (a scrypt each; a right one is remembered for a minute) one client address may cause per minute before it is refused (429); scripts should use a personal API token instead |
| login_lockout_minutes | REPLYBOOK_LOGIN_LOCKOUT_MINUTES | 15 | how long failed logins are counted, and how long a refusal lasts |
| password_hash_cost | REPLYBOOK_PASSWORD_HASH_COST | 17 | scrypt's N = 2^cost (OWASP: 17); lower only for a test suite, never in a shop |
| trusted_proxies | REPLYBOOK_TRUSTED_PROXIES | (none) | behind a reverse proxy (nginx …): its addresses, comma-separated (e.g. `127.0.0.1`); only then do `X-Forwarded-For`/`-Proto` name the client, for the login throttle and `Secure` cookies |
| host | REPLYBOOK_HOST | 127.0.0.1 | address `replybook serve` listens on |
| port | REPLYBOOK_PORT | 8000 | port `replybook serve` listens on |
| max_upload_bytes | REPLYBOOK_MAX_UPLOAD_BYTES | 52428800 (50 MB) | the most bytes one request (an upload) may send |
| timezone | REPLYBOOK_TIMEZONE | Asia/Shanghai | the shop's time zone |
| sqlite_busy_timeout | REPLYBOOK_SQLITE_BUSY_TIMEOUT | 30 | seconds a SQLite writer waits for another (an import) before "数据库正忙" |
"""

from __future__ import annotations

from pydantic import Field, PositiveInt, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from replybook.store.passwords import DEFAULT_COST, PasswordHasher, hasher_for


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLYBOOK_", extra="ignore")

    database_url: str = "replybook.db"
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: PositiveInt = 50 * 1024 * 1024
    timezone: str = "Asia/Shanghai"
    sqlite_busy_timeout: float = 30.0
    https: bool = False
    trusted_proxies: str = ""
    session_idle_minutes: int = Field(default=720, ge=1, le=14 * 24 * 60)
    login_failures_per_user: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=50, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    basic_auth_checks_per_minute: int = Field(default=60, ge=1)
    password_hash_cost: int = Field(default=DEFAULT_COST, ge=1, le=20)
    upload_dir: str = ""  # uploads awaiting confirm; `serve --workers N` sets one folder for all workers

    def password_hasher(self) -> PasswordHasher:
        return hasher_for(self.password_hash_cost)


def default_hasher() -> PasswordHasher:
    """The hasher the environment's settings ask for (the CLI, the sample shop)."""
    return Settings().password_hasher()


_EXPECTED = {
    "float_parsing": "数字",
    "greater_than": "正整数",
    "int_parsing": "整数",
    "int_type": "整数",
    "string_type": "文字",
    "bool_parsing": "true 或 false",
    "greater_than_equal": "更大的数",
    "less_than_equal": "更小的数",
}


def settings_problem(exc: ValidationError) -> str:
    """A bad REPLYBOOK_ environment variable, in one Chinese line (pydantic's own text is English)."""
    first = exc.errors()[0]
    name = f"{Settings.model_config.get('env_prefix', '')}{first['loc'][0]}".upper() if first["loc"] else "?"
    expected = _EXPECTED.get(first["type"], "有效的值")
    return f"环境变量 {name} 的值 {first.get('input')!r} 无效，应为{expected}"
