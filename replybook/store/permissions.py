"""Who may change what (SPEC §10): supervisors edit everything; agents edit only their own
personal quick phrases and read the rest.

Each kind of versioned item declares what an agent may change in ``AGENT_MAY_EDIT`` (a hook on the
item's snapshot); a kind that declares nothing is the supervisors' alone. ``store/history.py`` checks
the hook in the mechanism itself, so no edge can forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from replybook.store.errors import PermissionDenied
from replybook.store.models import PhraseScope, Role, User


def _own_personal_phrase(name: str, data: dict[str, Any]) -> bool:
    return data.get("scope") == PhraseScope.PERSONAL.value and data.get("owner") == name


def _own_agent_account(name: str, data: dict[str, Any]) -> bool:
    """Their own account (a new password), never with another role."""
    return data.get("name") == name and data.get("role") == Role.AGENT.value


# item type → whether agent ``name`` may change an item whose snapshot is ``data``.
AGENT_MAY_EDIT: dict[str, Callable[[str, dict[str, Any]], bool]] = {
    "phrase": _own_personal_phrase,
    "user": _own_agent_account,
}
_WHAT_AGENTS_MAY = {"phrase": "自己的个人快捷短语", "user": "自己的密码"}
_CACHE_KEY = "replybook.accounts"


def can_edit(role: str, name: str, item_type: str, data: dict[str, Any] | None = None) -> bool:
    """Whether user ``name`` with ``role`` may change an item of ``item_type`` whose snapshot is ``data``."""
    if role == Role.SUPERVISOR.value:
        return True
    rule = AGENT_MAY_EDIT.get(item_type)
    return rule is not None and data is not None and rule(name, data)


def check_can_change(
    session: Session,
    *,
    user: str | None,
    item_type: str,
    states: list[dict[str, Any] | None],
    doing: str = "修改",
) -> None:
    """Refuse unless ``user`` may change an item in every one of ``states`` (None: not there, e.g. the
    item as it is now when it was deleted). A restore passes the item as it is *and* as it would
    become: permission on the old snapshot alone would let an agent pull a phrase the supervisor
    moved to the team library back into their own.

    A name with no account (the CLI, the sample loader, None) is the shop's administrator. The role
    is looked up once per session and name (an import checks thousands of rows); a change to a user
    forgets it.
    """
    if user is None:
        return
    roles: dict[str, str | None] = session.info.setdefault(_CACHE_KEY, {})
    if user not in roles:
        with session.no_autoflush:  # a change waiting to be written is not this lookup's to write
            roles[user] = session.exec(select(User.role).where(User.name == user)).first()
    role = roles[user]
    if role is None:
        return
    if all(can_edit(role, user, item_type, data) for data in states if data is not None):
        return
    may = _WHAT_AGENTS_MAY.get(item_type)
    rest = f"客服只能{doing}{may}。" if may else "客服只能查看。"
    raise PermissionDenied(f"只有客服主管可以{doing}这项内容；{rest}")


def forget_roles(session: Session) -> None:
    """After a user was changed: the next check reads the roles again."""
    session.info.pop(_CACHE_KEY, None)
