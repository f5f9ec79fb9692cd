"""The library as stored, for ``Matcher.build``: the enabled entries active at one moment, read with
the ORM. Kept apart from ``matching.py`` so matching itself needs no database on import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from replybook.coverage.outcomes import LibraryEntry
from replybook.store.models import Category, Entry


def library_entry(e: Entry, categories: Mapping[Any, str]) -> LibraryEntry:
    """What the matcher keeps of a stored entry (``categories``: id → key)."""
    return LibraryEntry(
        id=e.id or 0,
        question=e.question,
        category=categories.get(e.category_id, ""),
        wordings=tuple([e.question, *e.similar]),
        keywords=tuple(e.keywords),
        answers=tuple(e.answers),
    )


def active_entries(session: Session, at: datetime) -> list[LibraryEntry]:
    """The enabled entries active at ``at``, by id."""
    keys = {c.id: c.key for c in session.exec(select(Category))}
    return [
        library_entry(e, keys)
        for e in session.exec(select(Entry).order_by(Entry.id))  # type: ignore[arg-type]
        if e.is_active(at)
    ]
