"""entries.library_state: the fingerprint the web's try box uses to reuse a built matcher. It must
change whenever what the bot answers with changes, and only then."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from replybook.library import entries
from replybook.library.entries import EntryData
from replybook.store import history
from replybook.store.timeutil import SHOP_TZ

NOON = datetime(2026, 12, 10, 12, 0, tzinfo=SHOP_TZ)


def _entry(session: Session, question: str, **kw) -> int:
    entry = entries.create_entry(
        session, data=EntryData(category="shipping", question=question, answers=["答"], **kw)
    )
    session.flush()
    return entry.id or 0


def test_unchanged_library_same_fingerprint(session: Session) -> None:
    _entry(session, "什么时候发货")
    assert entries.library_state(session, at=NOON) == entries.library_state(session, at=NOON)


def test_every_kind_of_change_changes_the_fingerprint(session: Session) -> None:
    first = _entry(session, "什么时候发货")
    last = [entries.library_state(session, at=NOON)]

    def changed() -> bool:
        state = entries.library_state(session, at=NOON)
        fresh = state != last[-1]
        last.append(state)
        return fresh

    data = entries.entry_data(entries.get_entry(session, first), "shipping")
    data.answers = ["新答案"]
    entries.update_entry(session, entry_id=first, data=data, expected_version=None)
    assert changed()
    entries.set_enabled(session, entry_id=first, enabled=False)
    assert changed()
    second = _entry(session, "发什么快递")
    assert changed()
    entries.delete_entry(session, entry_id=second)
    assert changed()
    history.restore(session, history.revisions(session, "entry", second)[0].id or 0, user=None)
    assert changed()


def test_the_fingerprint_follows_active_windows(session: Session) -> None:
    _entry(
        session,
        "聚划算几点开始",
        active_start=datetime(2026, 12, 10, 0, 0, tzinfo=SHOP_TZ),
        active_end=datetime(2026, 12, 13, 0, 0, tzinfo=SHOP_TZ),
    )
    before = entries.library_state(session, at=datetime(2026, 12, 9, 23, 59, tzinfo=SHOP_TZ))
    during = entries.library_state(session, at=NOON)
    assert before != during
    assert during == entries.library_state(session, at=datetime(2026, 12, 12, 23, 0, tzinfo=SHOP_TZ))
