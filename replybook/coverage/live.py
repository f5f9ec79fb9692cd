"""The matcher the try box and the API answer with, kept up to date as the library changes.

"Is the library unchanged?" is one primary-key read of the library's version counter
(``store/models_library.py``, bumped in the same transaction as every entry or category write) plus a
comparison of the moment asked about with the nearest active-window boundaries; the synonyms have
a counter of their own, and their groups are read again only when it moved. When the counter
moved, only the entries whose version changed are read again, and only their wordings are
normalised (every other wording's form is remembered), so an edit costs milliseconds, not a rebuild.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from replybook.coverage.forms import match_form
from replybook.coverage.matching import LibraryEntry, Match, Matcher, Outcomes, Result
from replybook.coverage.synonyms import SynonymMap, shop_synonyms, synonyms_state
from replybook.store.models import Category, Entry
from replybook.store.models_library import library_version

READ_BATCH = 500  # changed entries read per query


@dataclass(frozen=True)
class _Row:
    version: int
    enabled: bool
    start: datetime | None
    end: datetime | None
    entry: LibraryEntry

    def active(self, at: datetime) -> bool:  # the same rule as Entry.is_active
        if not self.enabled:
            return False
        if self.start is not None and at < self.start:
            return False
        return not (self.end is not None and at >= self.end)


class MatcherCache:
    """The last matcher built, reused while the library and the active set are the same."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._categories: dict[int | None, str] = {}
        self._rows: dict[int, _Row] = {}
        self._forms: dict[str, str] = {}
        self._matcher: Matcher | None = None
        self._window: tuple[datetime | None, datetime | None] = (None, None)
        self._synonyms: SynonymMap = SynonymMap()
        self._synonyms_state: int | None = None
        self.synonym_reads = 0  # times the synonym groups were read (for tests)
        self.rebuilds = 0  # matchers built (for tests and benchmarks)
        self.entries_read = 0  # entries read from the database, in total

    def get(self, session: Session, at: datetime) -> Matcher:
        version = library_version(session)
        synonyms = self._changed_synonyms(session)
        with self._lock:
            if synonyms is not None:
                self._synonyms_state, self._synonyms = synonyms
                self._forms, self._matcher = {}, None
            if version != self._version:
                self._refresh(session)
                self._version = version
                self._matcher = None
            elif self._matcher is not None and self._inside(at):
                return self._matcher
            return self._build(at)

    def _changed_synonyms(self, session: Session) -> tuple[int, SynonymMap] | None:
        """The shop's synonyms with their state, read only when the state moved (else None)."""
        state = synonyms_state(session)
        if state == self._synonyms_state:
            return None
        self.synonym_reads += 1
        return state, shop_synonyms(session)

    def _inside(self, at: datetime) -> bool:
        lo, hi = self._window
        return (lo is None or lo <= at) and (hi is None or at < hi)

    def _refresh(self, session: Session) -> None:
        """Read again the entries added or changed since the last refresh; forget deleted ones."""
        categories = {c.id: c.key for c in session.exec(select(Category))}
        if categories != self._categories:
            self._rows, self._categories = {}, categories
        versions = dict(session.exec(select(Entry.id, Entry.version)).all())
        for gone in self._rows.keys() - versions.keys():
            del self._rows[gone]
        changed = [i for i, v in versions.items() if i not in self._rows or self._rows[i].version != v]
        for start in range(0, len(changed), READ_BATCH):
            ids = changed[start : start + READ_BATCH]
            for e in session.exec(select(Entry).where(col(Entry.id).in_(ids))):
                self._rows[e.id or 0] = _row(e, categories)
        self.entries_read += len(changed)

    def _build(self, at: datetime) -> Matcher:
        rows = sorted(self._rows.items())
        active = [r.entry for _, r in rows if r.active(at)]
        forms, synonyms = self._forms, self._synonyms

        def prepare(text: str) -> str:
            form = forms.get(text)
            return match_form(text, synonyms) if form is None else form

        matcher = Matcher(active, prepare=prepare, synonyms=synonyms)
        # Remember exactly the library's forms (a question asked is not remembered).
        self._forms = dict(zip(matcher.texts, matcher.forms, strict=True))
        self._matcher, self._window = matcher, _window(self._rows.values(), at)
        self.rebuilds += 1
        return matcher


def answer(matcher: Matcher, question: str, n: int = 3) -> tuple[Result, list[Match]]:
    """``matcher.classify`` and ``matcher.top`` from one scoring pass (the try box shows both)."""
    if not matcher.entries:
        return matcher.classify(question), []
    form = matcher.prepare(question)
    scores = matcher._dense([form])
    top = matcher._top(scores, form, n)  # before _decide, which leaves the scores as they were
    out = Outcomes.empty(1)
    matcher._decide(scores, [form], out, np.zeros(1, np.int64), exact_rows=True)
    return matcher.result(out, 0), top


def _row(e: Entry, categories: dict[Any, str]) -> _Row:
    return _Row(
        version=e.version,
        enabled=e.enabled,
        start=e.active_start,
        end=e.active_end,
        entry=LibraryEntry(
            id=e.id or 0,
            question=e.question,
            category=categories.get(e.category_id, ""),
            wordings=tuple([e.question, *e.similar]),
            keywords=tuple(e.keywords),
            answers=tuple(e.answers),
        ),
    )


def _window(rows: Any, at: datetime) -> tuple[datetime | None, datetime | None]:
    """The nearest start/end boundaries around ``at``: between them the active set is the same."""
    lo: datetime | None = None
    hi: datetime | None = None
    for r in rows:
        if not r.enabled:
            continue
        for moment in (r.start, r.end):
            if moment is None:
                continue
            if moment <= at:
                lo = moment if lo is None or moment > lo else lo
            elif hi is None or moment < hi:
                hi = moment
    return lo, hi
