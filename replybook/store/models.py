"""The data model (SQLModel tables) for everything in SPEC.md.

Lists (similar wordings, keywords, answers) are JSON columns: they are read and written with
their entry, never queried alone. Times are stored as UTC and always come back timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, UTCDateTime, _time_col, _utcnow, _version_checked


class Role(StrEnum):
    SUPERVISOR = "supervisor"
    AGENT = "agent"


class PhraseScope(StrEnum):
    TEAM = "team"
    PERSONAL = "personal"


class ReviewSource(StrEnum):
    BOT = "bot"
    MANUAL = "manual"


class Trigger(StrEnum):
    FIRST_CONTACT = "first_contact"
    AWAY = "away"
    BUSY = "busy"
    KEYWORD = "keyword"
    SCHEDULE = "schedule"


REVIEW_LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")


class Setting(SQLModel, table=True):
    """Shop-wide key/value settings (shop name, the web secret)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Category(SQLModel, table=True):
    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=64)
    builtin: bool = False
    position: int = 0
    version: int = 1


class Entry(SQLModel, table=True):
    """One bot reply (问答): a standard question, its similar wordings, keywords and answers."""

    __table_args__ = (Index("ix_entry_category", "category_id"), _NEVER_REUSE_IDS)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="category.id")
    question: str
    question_norm: str = Field(unique=True)
    similar: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    active_start: datetime | None = _time_col()
    active_end: datetime | None = _time_col()
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None

    def is_active(self, at: datetime) -> bool:
        """Enabled and inside its active window (start included, end excluded) at ``at``."""
        if not self.enabled:
            return False
        if self.active_start is not None and at < self.active_start:
            return False
        return not (self.active_end is not None and at >= self.active_end)


class AutoReply(SQLModel, table=True):
    """An auto-reply rule (自动回复): fires on an event, not on a matched question (SPEC §5)."""

    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    trigger: str = Field(max_length=32)
    text: str
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    busy_threshold: int | None = None
    service_hours: str | None = Field(default=None, max_length=32)  # "08:30-24:00": fires outside
    active_start: datetime | None = _time_col()
    active_end: datetime | None = _time_col()
    priority: int = 0
    enabled: bool = True
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class Phrase(SQLModel, table=True):
    """A quick phrase (快捷短语). ``owner`` is '' for team phrases, the agent's name for personal ones."""

    __table_args__ = (
        UniqueConstraint("scope", "owner", "code", name="uq_phrase_scope_owner_code"),
        Index("ix_phrase_scope_owner_group", "scope", "owner", "group_name"),
        _NEVER_REUSE_IDS,
    )
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)
    owner: str = Field(default="", max_length=64)
    group_name: str = Field(default="", max_length=100)
    code: str = Field(max_length=100)
    text: str
    image_url: str | None = None
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class User(SQLModel, table=True):
    """Someone who logs in. ``session_generation`` is carried in each of their session cookies; bumping
    it (logout, a new password, "log out everywhere") ends every session issued before."""

    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=16)
    password_hash: str
    created_at: datetime | None = _time_col()
    session_generation: int = 0
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class ReviewCount(SQLModel, table=True):
    """A day's review counts from one source (and optionally one agent), by level."""

    __table_args__ = (
        UniqueConstraint("day", "source", "agent", name="uq_review_day_source_agent"),
        _NEVER_REUSE_IDS,
    )
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    source: str = Field(max_length=16)
    agent: str = Field(default="", max_length=64)
    very_satisfied: int = 0
    satisfied: int = 0
    neutral: int = 0
    dissatisfied: int = 0
    very_dissatisfied: int = 0
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None

    @property
    def total(self) -> int:
        return sum(getattr(self, level) for level in REVIEW_LEVELS)


class ServiceScore(SQLModel, table=True):
    """The shop's daily composite service score (综合服务分)."""

    day: date = Field(primary_key=True)
    score: float


class Campaign(SQLModel, table=True):
    """A promotion (聚划算 or any other) with its time window and readiness thresholds."""

    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The question set is kept in the database, not as a path on the server: it survives the folder
    # it came from. ``questions_file`` is the name it was uploaded as (its suffix says CSV or text);
    # a name without text is a set the 0004 migration could no longer read.
    questions_file: str | None = Field(default=None, max_length=255)
    questions_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    coverage_target: float = 0.9
    min_entries: int = 30
    min_personal_phrases: int = 10
    min_team_phrases: int = 5
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None


class Revision(SQLModel, table=True):
    """One change to an item: a full snapshot of it after the change (before it, for a delete)."""

    __table_args__ = (Index("ix_revision_item", "item_type", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_type: str = Field(max_length=32)
    item_id: int
    version: int
    action: str = Field(max_length=16)  # create | update | delete | restore
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = ""
    user: str | None = None
    at: datetime = Field(default_factory=_utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CoverageRun(SQLModel, table=True):
    """A stored coverage-test run, for the dashboard and the web report."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    tested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source: str = ""
    user: str | None = None
    total: int = 0
    covered: int = 0
    ambiguous: int = 0
    uncovered: int = 0
    coverage: float = 0.0
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# Tables of their own modules (one per kind, so parallel work does not collide in this file).
from replybook.store.models_bot import BotSettings as BotSettings  # noqa: E402
from replybook.store.models_ignored import IgnoredQuestion  # noqa: E402, F401  (忽略的问题)
from replybook.store.models_library import LibraryVersion  # noqa: E402, F401  (library's version counter)
from replybook.store.models_scorecard import AgentDay as AgentDay  # noqa: E402
from replybook.store.models_scorecard import HandScore as HandScore  # noqa: E402
from replybook.store.models_scorecard import ScorecardModel as ScorecardModel  # noqa: E402
from replybook.store.models_synonyms import Synonym as Synonym  # noqa: E402  (同义词)
from replybook.store.models_tokens import ApiToken  # noqa: E402, F401  (personal API tokens)
