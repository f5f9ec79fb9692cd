"""Who may change what (SPEC §10): supervisors edit everything; agents edit only their own
personal quick phrases and read the rest."""

from __future__ import annotations

from typing import Any

from replybook.store.models import PhraseScope, Role


def can_edit(role: str, name: str, item_type: str, data: dict[str, Any] | None = None) -> bool:
    """Whether user ``name`` with ``role`` may change an item of ``item_type`` whose snapshot is ``data``."""
    if role == Role.SUPERVISOR.value:
        return True
    if item_type != "phrase" or data is None:
        return False
    return data.get("scope") == PhraseScope.PERSONAL.value and data.get("owner") == name
