"""The shop's own settings (its name, and what other parts keep), one row each in the setting table."""

from __future__ import annotations

from sqlmodel import Session

from replybook.store.models import Setting


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key) or Setting(key=key, value=value)
    row.value = value
    session.add(row)


def forget_setting(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def get_shop_name(session: Session) -> str | None:
    return get_setting(session, "shop")


def set_shop_name(session: Session, name: str) -> None:
    set_setting(session, "shop", name)
