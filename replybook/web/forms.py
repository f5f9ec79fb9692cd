"""Reading HTML form fields into the core's data classes (no rules here: the core validates)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData

from replybook.autoreplies.rules import AutoReplyData
from replybook.library.entries import EntryData
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import parse_datetime

_LIST_SEPARATORS = re.compile(r"[\n,，、;；]+")


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def lines(form: FormData, name: str) -> list[str]:
    """One item per line (similar wordings)."""
    return [line.strip() for line in text(form, name).splitlines() if line.strip()]


def words(form: FormData, name: str) -> list[str]:
    """Items separated by commas (either width), 、 or new lines (keywords)."""
    return [w.strip() for w in _LIST_SEPARATORS.split(text(form, name)) if w.strip()]


def moment(form: FormData, name: str, label: str) -> datetime | None:
    """A datetime-local field, read as shop time; empty means none."""
    raw = text(form, name).strip()
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except InvalidValue:
        raise InvalidValue(f"{label}“{raw}”不是有效的时间，请写成 2026-12-10 08:00") from None


def version(form: FormData) -> int | None:
    raw = text(form, "version").strip()
    return int(raw) if raw.isdigit() else None


def checked(form: FormData, name: str) -> bool:
    return text(form, name) in ("on", "1", "true")


def entry_data(form: FormData) -> EntryData:
    return EntryData(
        category=text(form, "category"),
        question=text(form, "question"),
        answers=[a for a in form.getlist("answers") if isinstance(a, str)],
        similar=lines(form, "similar"),
        keywords=words(form, "keywords"),
        enabled=checked(form, "enabled"),
        active_start=moment(form, "active_start", "生效开始时间"),
        active_end=moment(form, "active_end", "生效结束时间"),
    )


def autoreply_data(form: FormData) -> AutoReplyData:
    threshold = text(form, "busy_threshold").strip()
    priority = text(form, "priority").strip() or "0"
    if threshold and not threshold.isdigit():
        raise InvalidValue("排队人数应为正整数，例如 5")
    if not priority.lstrip("-").isdigit():
        raise InvalidValue("优先级应为整数，例如 0 或 10")
    return AutoReplyData(
        name=text(form, "name"),
        trigger=text(form, "trigger"),
        text=text(form, "text"),
        keywords=words(form, "keywords"),
        busy_threshold=int(threshold) if threshold else None,
        service_hours=text(form, "service_hours").strip() or None,
        active_start=moment(form, "active_start", "生效开始时间"),
        active_end=moment(form, "active_end", "生效结束时间"),
        priority=int(priority),
        enabled=checked(form, "enabled"),
    )


def resubmit_fields(form: FormData, *, version: int) -> list[tuple[str, Any]]:
    """The posted fields again, with the version replaced: the "keep mine" button of a conflict."""
    fields = [
        (k, v) for k, v in form.multi_items() if k not in ("csrf_token", "version") and isinstance(v, str)
    ]
    return [*fields, ("version", str(version))]
