"""The matcher the try box and the API answer with, kept up to date as the library changes, and the
rest of what a try reads (the ignore list, the synonyms, the threshold and margin, the categories'
names, the auto-replies and the bot's settings).

"Is anything unchanged?" is one query: the version counters (``store/models_library.py``, each
bumped in the same transaction as every write of its kind: the library, the ignore list, the
settings, the synonyms), plus a comparison of the moment asked about with the nearest active-window boundaries.
So a try whose shop did not change reads nothing else and only scores. When the library's counter
moved, only the entries whose version changed are read again, only their wordings are normalised
(every other wording's form is remembered), and the scorer is refitted from what each form left
(``refit.py``: no Python loop over the library's grams), equal to a fresh build.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from replybook import autoreplies, bot
from replybook.coverage.forms import match_form, match_forms
from replybook.coverage.ignored import ignore_key
from replybook.coverage.matching import (
    DEFAULT_PIPELINE,
    LibraryEntry,
    Match,
    Matcher,
    Outcomes,
    Result,
    stored_decision,
)
from replybook.coverage.refit import Refitter
from replybook.coverage.single import decide, score
from replybook.coverage.stored import library_entry
from replybook.coverage.synonyms import SynonymMap, shop_synonyms
from replybook.library.entries import list_categories
from replybook.store.models import AutoReply, Category, Entry
from replybook.store.models_ignored import IgnoredQuestion
from replybook.store.models_library import Counters, counters
from replybook.store.timeutil import window_around

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


Synonyms = tuple[Hashable, SynonymMap]


def _synonyms(session: Session, counts: Counters, held: Synonyms | None) -> Synonyms:
    """The shop's synonyms (similar word → core word) with the counter they were read at (every
    synonym write bumps it, ``store/models_library.py``); ``held`` again while it is the same, so a
    try reads nothing. The one place the cache reads them."""
    state = counts.synonyms
    return held if held is not None and held[0] == state else (state, shop_synonyms(session))


class Forms(dict[str, str]):
    """The library's wordings → their match forms, as of one set of synonyms; any other text (a
    question asked) is normalised and not remembered."""

    def __init__(self, known: Iterable[tuple[str, str]], synonyms: SynonymMap) -> None:
        super().__init__(known)
        self.synonyms = synonyms

    def __missing__(self, text: str) -> str:
        return match_form(text, self.synonyms)


@dataclass(frozen=True)
class Shop:
    """What a try reads besides the matcher, as of one state of the counters."""

    ignored: dict[str, str]  # ignore key → the question as listed
    category_names: dict[str, str]  # key → name
    rules: list[AutoReply]  # detached copies, read once per settings change
    bot: bot.BotConfig
    threshold: float
    margin: float

    def ignored_as(self, question: str) -> str | None:
        return self.ignored.get(ignore_key(question))

    def would_fire(self, at: datetime, *, event: str, message: str) -> autoreplies.Firing:
        return autoreplies.would_fire(None, at, event=event, message=message, rules=self.rules)  # type: ignore[arg-type]


class MatcherCache:
    """The last matcher built, reused while the library and the active set are the same; the rest
    of the shop a try reads, reused while its counter is the same."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._categories: dict[int | None, str] = {}
        self._rows: dict[int, _Row] = {}
        self._forms = Forms((), SynonymMap())
        self._matcher: Matcher | None = None
        self._window: tuple[datetime | None, datetime | None] = (None, None)
        self._synonyms: Synonyms | None = None
        self._refitter = Refitter(DEFAULT_PIPELINE)
        self._shop: Shop | None = None
        self._shop_state: Counters | None = None
        self.rebuilds = 0  # matchers built (for tests and benchmarks)
        self.synonym_reads = 0  # times the synonym groups were read (for tests)
        self.entries_read = 0  # entries read from the database, in total

    def get(self, session: Session, at: datetime) -> Matcher:
        return self.current(session, at)[0]

    def current(self, session: Session, at: datetime) -> tuple[Matcher, Shop]:
        """The matcher for ``at`` and the shop around it, after one query when nothing changed."""
        counts = counters(session)
        with self._lock:
            shop = self._shop_for(session, counts)
            synonyms = _synonyms(session, counts, self._synonyms)
            if self._synonyms is None or (
                synonyms is not self._synonyms and synonyms[1] != self._synonyms[1]
            ):
                self._forms, self._matcher = Forms((), synonyms[1]), None
            if synonyms is not self._synonyms:
                self.synonym_reads += 1
            self._synonyms = synonyms
            if self._matcher is not None and (
                self._matcher.threshold != shop.threshold or self._matcher.margin != shop.margin
            ):
                self._matcher = None
            if counts.library != self._version:
                self._refresh(session)
                self._version = counts.library
                self._matcher = None
            elif self._matcher is not None and self._inside(at):
                return self._matcher, shop
            return self._build(at, shop), shop

    def _shop_for(self, session: Session, counts: Counters) -> Shop:
        """Read again only what a moved counter counts: the ignore list, or the rest."""
        held, state = self._shop, self._shop_state
        if held is not None and state == counts:
            return held
        if held is not None and state is not None and state.ignored == counts.ignored:
            ignored = held.ignored
        else:
            rows = session.exec(select(IgnoredQuestion.question_norm, IgnoredQuestion.question))
            ignored = dict(rows.all())
        if (
            held is not None
            and state is not None
            and (state.library, state.settings) == (counts.library, counts.settings)
        ):
            shop = Shop(ignored, held.category_names, held.rules, held.bot, held.threshold, held.margin)
        else:
            rules = autoreplies.list_rules(session)
            for r in rules:
                session.expunge(r)  # kept past this session, never written through
            threshold, margin = stored_decision(session)
            names = {c.key: c.name for c in list_categories(session)}
            shop = Shop(ignored, names, rules, bot.get_bot_settings(session), threshold, margin)
        self._shop, self._shop_state = shop, counts
        return shop

    def _inside(self, at: datetime) -> bool:
        lo, hi = self._window
        return (lo is None or lo <= at) and (hi is None or at < hi)

    def _refresh(self, session: Session) -> None:
        """Read again the entries added or changed since the last refresh; forget deleted ones."""
        categories = {c.id: c.key for c in session.exec(select(Category))}
        if categories != self._categories:
            self._rows, self._categories = {}, categories
        table = Entry.__table__  # type: ignore[attr-defined]
        versions = dict(session.connection().execute(select(table.c.id, table.c.version)).all())
        for gone in self._rows.keys() - versions.keys():
            del self._rows[gone]
        changed = [i for i, v in versions.items() if i not in self._rows or self._rows[i].version != v]
        for start in range(0, len(changed), READ_BATCH):
            ids = changed[start : start + READ_BATCH]
            for e in session.exec(select(Entry).where(col(Entry.id).in_(ids))):
                self._rows[e.id or 0] = _row(e, categories)
        self.entries_read += len(changed)

    def _build(self, at: datetime, shop: Shop) -> Matcher:
        rows = sorted(self._rows.items())
        active = [r.entry for _, r in rows if r.active(at)]
        synonyms = self._forms.synonyms
        matcher = Matcher(
            active,
            threshold=shop.threshold,
            margin=shop.margin,
            prepare=self._forms.__getitem__,  # a dict look-up per known wording, in C
            synonyms=synonyms,
            both=partial(match_forms, synonyms=synonyms) if synonyms else None,
            fitter=self._refitter.fit,
        )
        # Remember exactly the library's wording forms (a question asked is not remembered, nor a
        # keyword: its form is read before the synonyms).
        n = matcher.n_fuzzy
        self._forms = Forms(zip(matcher.texts[:n], matcher.forms[:n], strict=True), synonyms)
        self._matcher, self._window = matcher, _window(self._rows.values(), at)
        self.rebuilds += 1
        return matcher


def answer(matcher: Matcher, question: str, n: int = 3, *, full: bool = False) -> tuple[Result, list[Match]]:
    """``matcher.classify`` and ``matcher.top`` from one scoring pass (the try box shows both): the
    wordings that can decide them (``single.py``), or every wording (``full``, the same answer)."""
    if not matcher.entries:
        return matcher.classify(question), []
    form, literal = matcher.forms_of(question)
    found = None if full else score(matcher, form, n, literal)
    if found is not None:
        return decide(matcher, form, found, n)
    scores = matcher._dense([form])
    top = matcher._top(scores, literal, n)  # before _decide, which leaves the scores as they were
    out = Outcomes.empty(1)
    matcher._decide(scores, [form], out, np.zeros(1, np.int64), exact_rows=True, literal=[literal])
    return matcher.result(out, 0), top


def _row(e: Entry, categories: dict[Any, str]) -> _Row:
    return _Row(
        version=e.version,
        enabled=e.enabled,
        start=e.active_start,
        end=e.active_end,
        entry=library_entry(e, categories),
    )


def _window(rows: Any, at: datetime) -> tuple[datetime | None, datetime | None]:
    """The nearest start/end boundaries around ``at``: between them the active set is the same."""
    return window_around(((r.start, r.end) for r in rows if r.enabled), at)
