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


# item type → whether agent ``name`` may change an item whose snapshot is ``data``.
AGENT_MAY_EDIT: dict[str, Callable[[str, dict[str, Any]], bool]] = {"phrase": _own_personal_phrase}


def can_edit(role: str, name: str, item_type: str, data: dict[str, Any] | None = None) -> bool:
    """Whether user ``name`` with ``role`` may change an item of ``item_type`` whose snapshot is ``data``."""
    if role == Role.SUPERVISOR.value:
        return True
    rule = AGENT_MAY_EDIT.get(item_type)
    return rule is not None and data is not None and rule(name, data)


def check_can_change(
    session: Session, *, user: str | None, item_type: str, states: list[dict[str, Any] | None]
) -> None:
    """Refuse unless ``user`` may change an item in every one of ``states`` (None: not there, e.g. the
    item as it is now when it was deleted). A restore passes the item as it is *and* as it would
    become: permission on the old snapshot alone would let an agent pull a phrase the supervisor
    moved to the team library back into their own.

    A name with no account (the CLI, the sample loader, None) is the shop's administrator.
    """
    if user is None:
        return
    account = session.exec(select(User).where(User.name == user)).first()
    if account is None:
        return
    if all(can_edit(account.role, account.name, item_type, data) for data in states if data is not None):
        return
    raise PermissionDenied("只有客服主管可以恢复这项内容；客服只能恢复自己的个人快捷短语。")
