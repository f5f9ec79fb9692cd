"""The bot's settings (SPEC §8b): mode, transfer rules, service hours (shifts) and the staffing
figures. One row per shop (id 1), a versioned item like every other (history, undo, the version
check)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, _time_col, _version_checked


class BotSettings(SQLModel, table=True):
    """Lists are JSON: ``shifts`` is ``[{"name", "start": "08:30", "end": "16:30", "agents": [...]}]``."""

    __tablename__ = "bot_settings"
    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    mode: str = Field(default="full_auto", max_length=16)
    transfer_keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unanswered_limit: int = 2
    high_risk_categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    high_risk_entries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shifts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    concurrency: int = 3
    handling_minutes: float = 2.0
    productivity: float = 0.8
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None
