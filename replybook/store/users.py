"""Users, roles and passwords. Passwords are kept as scrypt hashes (stdlib, memory-hard KDF)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models import Role, User
from replybook.store.timeutil import now

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def add_user(session: Session, *, name: str, role: str, password: str) -> User:
    name = name.strip()
    if not name:
        raise InvalidValue("用户名不能为空")
    if role not in {r.value for r in Role}:
        raise InvalidValue(f"未知角色 {role!r}，可用：supervisor（客服主管）、agent（客服）")
    if len(password) < 6:
        raise InvalidValue("密码至少 6 个字符")
    if session.exec(select(User).where(User.name == name)).first():
        raise ConflictError(f"用户 {name} 已存在")
    user = User(name=name, role=role, password_hash=hash_password(password), created_at=now())
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, name: str, password: str) -> User:
    user = get_user(session, name)
    if len(password) < 6:
        raise InvalidValue("密码至少 6 个字符")
    user.password_hash = hash_password(password)
    session.add(user)
    return user


def get_user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(f"没有用户 {name}")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None or not verify_password(password, user.password_hash):
        return None
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))))


def remove_user(session: Session, *, name: str) -> None:
    session.delete(get_user(session, name))
    session.flush()
