"""The matcher of the library as stored: the enabled entries active at one moment, the shop's synonyms
and its decision (threshold and margin, chosen by ``replybook calibrate``). Kept apart from
``matching.py`` so matching itself needs no database."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from replybook.coverage.matching import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from replybook.coverage.outcomes import LibraryEntry
from replybook.store.models import Category, Entry

if TYPE_CHECKING:
    from replybook.coverage.matching import Matcher


def stored_decision(session: Session) -> tuple[float, float]:
    """The shop's threshold and margin (chosen by `replybook calibrate`), else the defaults."""
    from replybook.library.settings import get_setting

    threshold, margin = get_setting(session, "match_threshold"), get_setting(session, "match_margin")
    return (
        DEFAULT_THRESHOLD if threshold is None else float(threshold),
        DEFAULT_MARGIN if margin is None else float(margin),
    )


def build_matcher(
    cls: type[Matcher],
    session: Session,
    *,
    at: datetime,
    threshold: float | None = None,
    margin: float | None = None,
) -> Matcher:
    """``Matcher.build``: the library of enabled entries active at ``at``."""
    from replybook.coverage.synonyms import shop_synonyms

    keys = {c.id: c.key for c in session.exec(select(Category))}
    entries = [
        LibraryEntry(
            id=e.id or 0,
            question=e.question,
            category=keys.get(e.category_id, ""),
            wordings=tuple([e.question, *e.similar]),
            keywords=tuple(e.keywords),
            answers=tuple(e.answers),
        )
        for e in session.exec(select(Entry).order_by(Entry.id))  # type: ignore[arg-type]
        if e.is_active(at)
    ]
    stored_threshold, stored_margin = stored_decision(session)
    return cls(
        entries,
        threshold=stored_threshold if threshold is None else threshold,
        margin=stored_margin if margin is None else margin,
        synonyms=shop_synonyms(session),
    )
