"""Time zones and parsing. Shops think in Asia/Shanghai; the database stores UTC."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from replybook.store.errors import InvalidValue

SHOP_TZ = ZoneInfo("Asia/Shanghai")

# The test suite's clock: when set (an ISO datetime with its offset), "now" is that moment, so the
# suite runs at a fixed hour of the night and of the day (see .ci/run). Never set in production.
TEST_NOW_ENV = "REPLYBOOK_TEST_NOW"


@cache
def _fixed(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{TEST_NOW_ENV} must carry its UTC offset, got {text!r}")
    return value.astimezone(UTC)


def now() -> datetime:
    """The current moment (UTC). Every "now" of the core comes from here, never from datetime.now."""
    fixed = os.environ.get(TEST_NOW_ENV)
    return _fixed(fixed) if fixed else datetime.now(UTC)


def today_shop() -> date:
    """Today's date in shop time."""
    return now().astimezone(SHOP_TZ).date()


def as_aware(value: datetime) -> datetime:
    """A naive datetime is read as shop time (Asia/Shanghai)."""
    return value if value.tzinfo else value.replace(tzinfo=SHOP_TZ)


def parse_datetime(text: str | datetime | date) -> datetime:
    """Parse an ISO date or datetime; naive values are shop time; a bare date is its midnight."""
    if isinstance(text, datetime):
        return as_aware(text)
    if isinstance(text, date):
        return datetime(text.year, text.month, text.day, tzinfo=SHOP_TZ)
    raw = str(text).strip()
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
    except ValueError:
        raise InvalidValue(f"无法识别的时间 {raw!r}，应为 2026-12-10 或 2026-12-10T08:00:00+08:00") from None
    return as_aware(value)


def parse_date(text: str | date) -> date:
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    raw = str(text).strip().replace("/", "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        try:
            return datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            raise InvalidValue(f"无法识别的日期 {raw!r}，应为 YYYY-MM-DD，例如 2026-12-01") from None


def to_shop(value: datetime) -> datetime:
    return as_aware(value).astimezone(SHOP_TZ)


def iso_shop(value: datetime | None) -> str | None:
    """Shop-time ISO text, the form the library file and the UI use."""
    return None if value is None else to_shop(value).isoformat()


def shop_text(value: datetime | None) -> str | None:
    """A moment as people read it, in shop time: 2026-12-10 08:00 (ISO text is for files and JSON)."""
    return None if value is None else to_shop(value).strftime("%Y-%m-%d %H:%M")


def window_around(
    periods: Iterable[tuple[datetime | None, datetime | None]], at: datetime
) -> tuple[datetime | None, datetime | None]:
    """The nearest period boundaries (starts and ends) at or before ``at`` and after it: between the
    two, which periods hold is the same as at ``at`` (start included, end excluded)."""
    lo: datetime | None = None
    hi: datetime | None = None
    for period in periods:
        for moment in period:
            if moment is None:
                continue
            if moment <= at:
                lo = moment if lo is None or moment > lo else lo
            elif hi is None or moment < hi:
                hi = moment
    return lo, hi
