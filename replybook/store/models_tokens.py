"""Personal API tokens (issue 14 goal 3): a script's credential that costs a sha256, not a scrypt.

Only the sha256 of the secret is stored (the secret itself is shown once, when the token is made),
with its first characters to tell tokens apart. A token acts as its user with the user's role as it
is at each request; revoking one (or removing the user) stops it for good. Not a versioned kind: a
credential has no history to restore."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from replybook.store.columns import _NEVER_REUSE_IDS, _time_col


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (_NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=64)
    prefix: str = Field(max_length=16)  # the secret's first characters, shown in the list
    secret_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the whole secret
    created_at: datetime | None = _time_col()
    created_by: str | None = None
    last_used_at: datetime | None = _time_col()
    revoked_at: datetime | None = _time_col()
