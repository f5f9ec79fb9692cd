"""The scorecard's tables (issue 17): figures per agent per day (from a performance report, the chat
logs or typed on the web), the supervisor's monthly hand scores and the shop's scorecard model — all
versioned items with a history — and the uncovered buyer questions each agent answered (derived
from the chat logs, replaced when a log is imported again)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, _time_col, _version_checked

DAY_SOURCES = ("report", "chatlog")  # an imported performance report; response times from chat logs


class AgentDay(SQLModel, table=True):
    """One agent's figures for one day from one source; a figure the source did not give is None."""

    __tablename__ = "agent_day"
    __table_args__ = (UniqueConstraint("day", "agent", "source", name="uq_agent_day"), _NEVER_REUSE_IDS)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    agent: str = Field(max_length=64)
    source: str = Field(default="report", max_length=16)
    consultations: int | None = None
    inquiries: int | None = None
    orders: int | None = None
    payers: int | None = None
    sales_cents: int | None = None
    avg_response_seconds: float | None = None
    first_response_seconds: float | None = None
    reply_rate: float | None = None
    rate_3min: float | None = None
    buyer_turns: int | None = None  # chat logs: buyer turns counted for the 3-minute rate
    praise: int | None = None
    complaints: int | None = None
    phrase_messages: int | None = None  # chat logs: agent messages that are a quick phrase's text
    typed_messages: int | None = None  # chat logs: agent messages typed by hand
    # A report day typed (or last edited) on the web: an import leaves it unless asked to overwrite.
    typed_by_hand: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class HandScore(SQLModel, table=True):
    """A supervisor's 0–100 score of one agent on one hand-scored item (团队合作能力 …) for a month."""

    __tablename__ = "hand_score"
    __table_args__ = (UniqueConstraint("month", "agent", "item", name="uq_hand_score"), _NEVER_REUSE_IDS)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # 2026-11
    agent: str = Field(max_length=64)
    item: str = Field(max_length=64)
    score: float = 0.0
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class ScorecardModel(SQLModel, table=True):
    """The shop's scorecard model (one row, id 1), in the shape of the model file: the indicators, the
    rule-based points and the commission tiers as lists, the pay formula as a mapping."""

    __tablename__ = "scorecard_model"
    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="考核方案", max_length=64)
    indicators: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    points: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    commission: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pay: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None
