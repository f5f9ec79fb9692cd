"""Questions the shop decided the bot must not answer (忽略, SPEC §7), e.g. 老板电话: a versioned list
per shop. A coverage run counts a question whose normal form is here as correctly uncovered."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, _time_col, _version_checked


class IgnoredQuestion(SQLModel, table=True):
    """One ignored question as typed, and its normal form (the key a coverage run compares)."""

    __tablename__ = "ignored_question"
    __table_args__ = (_NEVER_REUSE_IDS,)
    __mapper_args__ = _version_checked

    id: int | None = Field(default=None, primary_key=True)
    question: str
    question_norm: str = Field(unique=True)
    note: str = ""
    version: int = 1
    updated_at: datetime | None = _time_col()
    updated_by: str | None = None
