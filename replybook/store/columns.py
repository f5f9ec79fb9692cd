"""Column types and mapping pieces every table module shares (``models.py`` and ``models_<kind>.py``):
aware UTC times, ids never reused, the version check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, TypeDecorator
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from replybook.store.timeutil import now

__all__ = ["UTCDateTime", "_NEVER_REUSE_IDS", "_time_col", "_utcnow", "_version_checked"]


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, stored as naive UTC (portable across SQLite and PostgreSQL), aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _utcnow() -> datetime:
    return now()


def _time_col(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


# Items with a change history keep their id for ever: SQLite would otherwise hand a deleted item's id
# to the next new one, which would then inherit its history (and a restore would overwrite it).
_NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def _version_mapping(cls: Any) -> dict[str, Any]:
    """Every UPDATE and DELETE of a versioned item carries ``AND version = <the version read>`` and
    fails (StaleDataError) when no row matched: two saves from one version cannot both land. The
    new version number is set by ``history`` (not generated), so a restored item continues its count."""
    return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


_version_checked: Any = declared_attr(_version_mapping)  # type: ignore[arg-type]
