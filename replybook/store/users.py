"""Users, roles and passwords. Passwords are kept as scrypt hashes (``passwords.py``); each user has a
session generation that every signed session cookie carries, so bumping it ends all their sessions
(logout, a password change, a supervisor's "log out everywhere").

A user is a versioned item like every other: adding one, a new role, a new password and removing one
go through ``history`` (version check in the write, one history row, the permission hook: an agent
may change only their own account, and never to another role). The history keeps no password hash;
a restored user needs a new password. ``by`` is who makes the change (None: the shop's
administrator at the command line)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from replybook.store import history, paging, tokens
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models import Role, User
from replybook.store.passwords import PasswordHasher
from replybook.store.settings import default_hasher
from replybook.store.timeutil import now

MIN_PASSWORD_LENGTH = 8


def check_password_rules(password: str) -> None:
    """The one password rule, for the CLI, the web form and the API alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")


ROLE_NAMES = {Role.SUPERVISOR.value: "客服主管", Role.AGENT.value: "客服"}


def check_role(role: str) -> None:
    if role not in ROLE_NAMES:
        raise InvalidValue(f"未知角色 {role!r}，可用：supervisor（客服主管）、agent（客服）")


def add_user(
    session: Session,
    *,
    name: str,
    role: str,
    password: str,
    hasher: PasswordHasher | None = None,
    by: str | None = None,
) -> User:
    name = name.strip()
    if not name:
        raise InvalidValue("用户名不能为空")
    check_role(role)
    check_password_rules(password)
    if session.exec(select(User).where(User.name == name)).first():
        raise ConflictError(f"用户 {name} 已存在")
    user = User(
        name=name, role=role, password_hash=(hasher or default_hasher()).hash(password), created_at=now()
    )
    return history.create(session, user, user=by, summary=f"添加用户 {name}（{ROLE_NAMES[role]}）")


def set_role(session: Session, *, name: str, role: str, expected_version: int | None, by: str | None) -> User:
    """Make ``name`` a supervisor or an agent (a new version of the user, with history)."""
    check_role(role)
    user = get_user(session, name)
    return history.update(
        session,
        user,
        {"role": role},
        expected_version=expected_version,
        user=by,
        summary=f"角色改为 {ROLE_NAMES[role]}",
    )


def set_password(
    session: Session,
    *,
    name: str,
    password: str,
    hasher: PasswordHasher | None = None,
    by: str | None = None,
) -> User:
    """A new password; every session of the user ends (a copied cookie is worth nothing after it)."""
    user = get_user(session, name)
    check_password_rules(password)
    password_hash = (hasher or default_hasher()).hash(password)

    def fill(item: User) -> None:
        item.password_hash = password_hash
        item.session_generation += 1

    return history.update(session, user, fill, expected_version=None, user=by, summary="修改密码")


def end_sessions(session: Session, *, name: str) -> User:
    """Log ``name`` out everywhere: every session cookie issued so far stops being accepted."""
    user = get_user(session, name)
    user.session_generation += 1
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(f"没有用户 {name}")
    return user


def authenticate(
    session: Session, name: str, password: str, *, hasher: PasswordHasher | None = None
) -> User | None:
    """The user if ``password`` is theirs, else None. An unknown name runs the same KDF (its answer
    time must not tell which names exist); a hash made with weaker parameters is replaced (the caller
    commits)."""
    hasher = hasher or default_hasher()
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        hasher.spend(password)
        return None
    if not hasher.verify(password, user.password_hash):
        return None
    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.add(user)
        session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))))


def page_of_users(session: Session, *, page: int, per_page: int) -> paging.Page[User]:
    """One page of the users in list_users' order."""
    return paging.fetch(session, select(User).order_by(col(User.id)), page=page, per_page=per_page)


def remove_user(session: Session, *, name: str, by: str | None = None) -> None:
    """Remove ``name`` (restorable from the history, with a new password); their API tokens go."""
    user = get_user(session, name)
    tokens.forget_tokens(session, user_id=user.id or 0)
    history.delete(session, user, user=by, summary=f"删除用户 {name}")
