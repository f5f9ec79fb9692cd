"""The shop's synonyms (同义词, issue 13): a core word and its similar words, one versioned row per
group. The matcher replaces each similar word by its core word on both sides of a match."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, _time_col, _version_checked


class Synonym(SQLModel, table=True):
    """One group: the core word as typed, its key (the lower-case normal form, unique) and the
    similar words; a disabled group is kept but not applied."""

    __tablename__ = "synonym"
    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(max_length=32)
    word_key: str = Field(max_length=32, unique=True)
    similar_words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None
