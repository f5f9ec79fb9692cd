"""Personal API tokens: make one (the secret is returned once), list them with their last use,
revoke one, and find the user a presented secret belongs to.

A secret is ``rb_`` + 32 random bytes (``secrets.token_urlsafe``): with that much entropy a plain
sha256 is as safe to store as a slow KDF is for a password, and checking it costs microseconds, so
an API script does not pay a scrypt per request. The last use is written at most once a minute
(``LAST_USED_EVERY``), so a busy script does not turn every read into a write."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from replybook.store.errors import InvalidValue, NotFoundError
from replybook.store.models import User
from replybook.store.models_tokens import ApiToken
from replybook.store.timeutil import now

PREFIX = "rb_"
SHOWN = 10  # characters of the secret kept to tell tokens apart ("rb_" and 7 more)
MAX_NAME = 64
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is what the user copies; it is not stored and never shown again."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, *, user: str, name: str, by: str | None = None, at: datetime | None = None
) -> NewToken:
    """A new token for ``user``, labelled ``name`` (what the script is for)."""
    name = name.strip()
    if not name:
        raise InvalidValue("请给令牌起个名字（例如 同步脚本），以后才认得出它是做什么用的")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"令牌名称最多 {MAX_NAME} 个字符，现为 {len(name)} 个")
    owner = session.exec(select(User).where(User.name == user)).first()
    if owner is None or owner.id is None:
        raise NotFoundError(f"没有用户 {user}")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        name=name,
        prefix=secret[:SHOWN],
        secret_hash=digest(secret),
        created_at=at or now(),
        created_by=by,
    )
    session.add(token)
    session.flush()
    return NewToken(token=token, secret=secret)


def list_tokens(session: Session, *, user: str) -> list[ApiToken]:
    """``user``'s tokens, newest first, revoked ones included (they say when)."""
    query = (
        select(ApiToken)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(User.name == user)
        .order_by(col(ApiToken.id).desc())
    )
    return list(session.exec(query))


def revoke_token(session: Session, *, user: str, token_id: int, at: datetime | None = None) -> ApiToken:
    """Stop token ``token_id`` of ``user`` for good (revoking it twice is not an error)."""
    token = next((t for t in list_tokens(session, user=user) if t.id == token_id), None)
    if token is None:
        raise NotFoundError(f"{user} 没有编号为 {token_id} 的令牌")
    if token.revoked_at is None:
        token.revoked_at = at or now()
        session.add(token)
        session.flush()
    return token


def forget_tokens(session: Session, *, user_id: int) -> None:
    """Every token of a user who is being removed: gone with them (a restored user starts with none)."""
    session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user_id))


def token_user(session: Session, secret: str, *, at: datetime | None = None) -> User | None:
    """The user ``secret`` belongs to, if it is a live token (one indexed lookup); its last use is
    recorded at most once a minute (the caller commits)."""
    if not secret.startswith(PREFIX):
        return None
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.secret_hash == digest(secret), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    token, user = row
    at = at or now()
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_EVERY:
        session.execute(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=at))
    return user
