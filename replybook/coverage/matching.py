"""Fuzzy matching of customer questions against the bot library (SPEC §7).

Both sides go through the same form: ``normalise`` (NFKC, case, punctuation, emoji, filler,
traditional → simplified), then colloquial spellings folded (啥 → 什么) and function words dropped
(吗, 可以, 你们 …), so a score measures the words that carry the question. The scorer is
``fuzz.ratio`` on that form (measured against the alternatives in benchmarks/README.md); a keyword
found literally in the question (before the synonyms, as Qianniu reads it) gives ``KEYWORD_SCORE``.

Many questions are matched in chunks, so memory stays bounded. With the default scorer only the
pairs whose bound can still decide an answer are scored (``bulk.py``: sparse products for TF-IDF, the
information guard and the characters in common, then ``fuzz.ratio`` on those pairs); with plain
``fuzz.ratio`` a character index (``index.py``) does the same; neither changes any answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.bulk import Bulk, bulk_for, decide
from replybook.coverage.forms import match_form, match_forms
from replybook.coverage.outcomes import (
    _AMBIGUOUS,
    _COVERED,
    _UNCOVERED,
    LibraryEntry,
    Match,
    Outcomes,
    Result,
)
from replybook.coverage.signals import FittedPipeline, Pipeline

if TYPE_CHECKING:  # the database is read by stored.py, not on import
    from sqlmodel import Session

# Chosen by measurement on sample_data/questions_labelled.csv (benchmarks/README.md).
DEFAULT_THRESHOLD = 38.0
DEFAULT_MARGIN = 1.0
KEYWORD_SCORE = 80.0
DEFAULT_PIPELINE = Pipeline((("ratio", 0.5), ("tfidf", 0.5)), min_share=0.4, min_information=0.3)
TODAY = fuzz.ratio  # the scorer before issue 13 (benchmarks compare with it), with legacy_match_form
LEGACY_THRESHOLD, LEGACY_MARGIN = 45.0, 3.0
DEDUPE_FORMS = 200_000  # distinct question forms remembered by one run


Progress = Callable[[int, int], None]


def stored_decision(session: Session) -> tuple[float, float]:
    """The shop's threshold and margin (chosen by `replybook calibrate`), else the defaults."""
    from replybook.library.settings import get_setting

    threshold, margin = get_setting(session, "match_threshold"), get_setting(session, "match_margin")
    return (
        DEFAULT_THRESHOLD if threshold is None else float(threshold),
        DEFAULT_MARGIN if margin is None else float(margin),
    )


@dataclass
class Matcher:
    """A precomputed, normalised library: the enabled entries active at one moment."""

    entries: list[LibraryEntry]
    threshold: float = DEFAULT_THRESHOLD
    margin: float = DEFAULT_MARGIN
    keyword_score: float = KEYWORD_SCORE
    chunk_cells: int = 4_000_000  # questions × wordings per cdist call (16 MB of float32)
    scorer: Callable[..., float] | Pipeline = field(default_factory=lambda: DEFAULT_PIPELINE)
    prepare: Callable[[str], str] = match_form
    synonyms: Mapping[str, str] | None = None  # similar word → core word (同义词), both sides
    both: Callable[[str], tuple[str, str]] | None = None  # form, keyword form (``forms_of``), one cut
    literal_keywords: bool = True  # False: keywords read with the synonyms like wordings (before)
    fitter: Callable[[list[str]], FittedPipeline] | None = None  # ≡ scorer.fit (the try box's refit.py)
    # Derived (see __post_init__): fuzzy wordings, then keywords, in one text/form list.
    texts: list[str] = field(init=False)
    forms: list[str] = field(init=False)
    owner: np.ndarray = field(init=False)
    n_fuzzy: int = field(init=False)

    def __post_init__(self) -> None:
        if self.synonyms and self.prepare is match_form:
            self.prepare = partial(match_form, synonyms=self.synonyms)
            self.both = self.both or partial(match_forms, synonyms=self.synonyms)
        literal = self.both if self.literal_keywords else None
        # Entries sharing the same answers are one "answer group": the margin is only needed
        # against a *different* answer. Order entries by group so groups are contiguous.
        groups: dict[tuple[str, ...], int] = {}
        for e in self.entries:
            groups.setdefault(e.answers, len(groups))
        self.entries = sorted(self.entries, key=lambda e: (groups[e.answers], e.id))
        self.group_of = np.array([groups[e.answers] for e in self.entries], np.int32)
        self.group_starts = np.flatnonzero(np.r_[True, self.group_of[1:] != self.group_of[:-1]])
        group_last = np.r_[self.group_starts[1:], len(self.entries)] - 1
        sizes = np.fromiter((len(e.wordings) for e in self.entries), np.intp, len(self.entries))
        texts = [w for e in self.entries for w in e.wordings]
        forms = [self.prepare(w) for w in texts]
        owner = np.repeat(np.arange(len(self.entries), dtype=np.int32), sizes).tolist()
        self.n_fuzzy = len(texts)
        self.entry_starts = (np.cumsum(sizes) - sizes).astype(np.intp)
        self.entry_ends = np.r_[self.entry_starts[1:], self.n_fuzzy].astype(np.intp)
        if self.entries:
            self.group_wording_start = self.entry_starts[self.group_starts]
            self.group_wording_end = self.entry_ends[group_last]
        keyword_owner: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for k in e.keywords:
                form = literal(k)[1] if literal is not None else self.prepare(k)
                if form:
                    keyword_owner.setdefault(form, []).append(len(texts))
                    texts.append(k)
                    forms.append(form)
                    owner.append(i)
        self.texts, self.forms = texts, forms
        self.owner = np.array(owner, np.int32)
        self._keyword_slots = keyword_owner
        self.both = literal if keyword_owner else None  # no keyword to look for: the form alone
        self._keyword_re = (
            re.compile(
                "(?=(" + "|".join(re.escape(k) for k in sorted(keyword_owner, key=len, reverse=True)) + "))"
            )
            if keyword_owner
            else None
        )
        self._fuzzy_forms = forms[: self.n_fuzzy]
        self._index: object | None = None
        fit = self.fitter or (self.scorer.fit if isinstance(self.scorer, Pipeline) else None)
        self._fitted: FittedPipeline | None = fit(self._fuzzy_forms) if fit is not None else None

    # ------------------------------------------------------------ building

    @classmethod
    def build(
        cls, session: Session, *, at: datetime, threshold: float | None = None, margin: float | None = None
    ) -> Matcher:
        """The enabled entries active at ``at`` (``stored.py``), the shop's synonyms and decision."""
        from replybook.coverage.stored import active_entries
        from replybook.coverage.synonyms import shop_synonyms

        stored_threshold, stored_margin = stored_decision(session)
        threshold = stored_threshold if threshold is None else threshold
        margin = stored_margin if margin is None else margin
        return cls(
            active_entries(session, at), threshold=threshold, margin=margin, synonyms=shop_synonyms(session)
        )

    @property
    def floor(self) -> float:
        """Scores below this never change a status: every status is decided by scores ≥ it."""
        return max(0.0, self.threshold - self.margin)

    # ------------------------------------------------------------ one question

    def top(self, question: str, n: int = 3) -> list[Match]:
        """The ``n`` best entries for one question, best first (one entry per answer)."""
        if not self.entries:
            return []
        form, literal = self.forms_of(question)
        return self._top(self._one(form, n, literal), literal, n)

    def forms_of(self, question: str) -> tuple[str, str]:
        """The question's form and its keyword form (the form before the synonyms)."""
        return self.both(question) if self.both is not None else (form := self.prepare(question), form)

    def _one(self, form: str, n: int, literal: str | None = None) -> np.ndarray:
        """One question's scores, exact wherever they decide the ``n`` best and the status (``single.py``)."""
        from replybook.coverage.single import one_row

        return one_row(self, form, n, literal=literal)

    def _top(self, scores: np.ndarray, literal: str, n: int) -> list[Match]:  # literal: the keyword form
        entry_scores, via_keyword = self._entry_scores(scores, [literal])
        row = entry_scores[0]
        # The n best by (-score, entry): a partition, then a sort of those alone (and their ties).
        k = min(n, len(row))
        if k <= 0:
            return []
        kth = np.partition(row, len(row) - k)[len(row) - k]
        picked = np.flatnonzero((row >= kth) & (row > 0))
        order = picked[np.lexsort((picked, -row[picked]))][:k]
        return [
            self._match(
                int(i), self._matched_wording(scores[0], int(i), int(via_keyword[0, i])), float(row[i])
            )
            for i in order
        ]

    def classify(self, question: str) -> Result:
        """Covered, ambiguous or uncovered, with the best entry (SPEC §7)."""
        return self.result(self.match_many([question], use_index=False), 0)

    def result(self, outcomes: Outcomes, i: int) -> Result:
        return outcomes.result(i, self.entries, self.texts)

    def _match(self, i: int, wording: int, score: float) -> Match:
        e = self.entries[i]
        keyword = wording >= self.n_fuzzy
        return Match(e.id, e.question, e.category, self.texts[wording], round(score, 1), e.answers, keyword)

    # ------------------------------------------------------------ many questions

    def match_many(
        self,
        questions: Sequence[str],
        *,
        use_index: bool = True,
        dedupe: bool = True,
        progress: Progress | None = None,
    ) -> Outcomes:
        """Match every question, a chunk at a time; ``progress(done, total)`` after each chunk.

        A question whose form was already matched shares that outcome (``dedupe``): chat logs
        repeat 在吗 and 包邮吗 thousands of times. At most ``DEDUPE_FORMS`` forms are remembered,
        so memory stays bounded.
        """
        n = len(questions)
        out = Outcomes.empty(n)
        if not self.entries or n == 0:
            return out
        chunk = max(16, self.chunk_cells // max(1, self.n_fuzzy))
        first: dict[str, int] = {}
        source = np.arange(n, dtype=np.int64)
        forms: list[str] = []
        literals: list[str] = []  # the keyword forms (the forms themselves without synonyms)
        at: list[int] = []

        def flush() -> None:
            bulk = self._bulk() if use_index else None
            where = np.array(at, np.int64)
            if bulk is not None:  # only the pairs that can decide, decided without a matrix (bulk.py)
                decide(self, forms, *bulk.pairs(forms, self.margin), out, where, literal=literals)
            else:
                exact = not use_index or self.scorer is not fuzz.ratio
                scores = self._dense(forms) if exact else self._sparse(forms)
                self._decide(scores, forms, out, where, exact_rows=exact, literal=literals)
            forms.clear()
            literals.clear()
            at.clear()

        for i, question in enumerate(questions):
            form, literal = self.forms_of(question)
            if dedupe:
                key = form if literal == form else f"{form}\0{literal}"  # a keyword may fire on one
                seen = first.get(key)
                if seen is not None:
                    source[i] = seen
                    continue
                if len(first) < DEDUPE_FORMS:
                    first[key] = i
            forms.append(form)
            literals.append(literal)
            at.append(i)
            if len(forms) == chunk:
                flush()
                if progress is not None:
                    progress(i + 1, n)
        if forms:
            flush()
        copies = np.flatnonzero(source != np.arange(n))
        if len(copies):
            for column in (
                out.entry,
                out.wording,
                out.score,
                out.status,
                out.runner_up,
                out.runner_up_score,
                out.second,
            ):
                column[copies] = column[source[copies]]
        if progress is not None:
            progress(n, n)
        return out

    def _dense(self, forms: list[str]) -> np.ndarray:
        if self._fitted is not None:
            return self._fitted.scores(forms)
        return process.cdist(forms, self._fuzzy_forms, scorer=self.scorer, workers=-1, dtype=np.float32)

    def _bulk(self) -> Bulk | None:

        return bulk_for(self._fitted, self._fuzzy_forms) if self._fitted is not None else None

    def _sparse(self, forms: list[str]) -> np.ndarray:
        from replybook.coverage.index import CandidateIndex

        if self._index is None:
            self._index = CandidateIndex(self._fuzzy_forms)
        assert isinstance(self._index, CandidateIndex)
        return self._index.scores(forms, floor=self.floor)

    def _entry_scores(self, scores: np.ndarray, forms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Best wording score per entry, raised to the keyword score where a keyword is in ``forms`` (keyword forms)."""
        entry_scores = np.maximum.reduceat(scores, self.entry_starts, axis=1)
        via_keyword = np.zeros(entry_scores.shape, np.int32)  # the keyword's slot + 1, or 0
        if self._keyword_re is not None:
            for r, form in enumerate(forms):
                for hit in self._keyword_re.findall(form):
                    for slot in self._keyword_slots[hit]:
                        e = self.owner[slot]
                        if entry_scores[r, e] < self.keyword_score:
                            entry_scores[r, e] = self.keyword_score
                            via_keyword[r, e] = slot + 1
        return entry_scores, via_keyword

    def _matched_wording(self, row: np.ndarray, e: int, via_keyword: int) -> int:
        if via_keyword:
            return via_keyword - 1
        a, b = self.entry_starts[e], self.entry_ends[e]
        return int(a + np.argmax(row[a:b]))

    def _decide(
        self,
        scores: np.ndarray,
        forms: list[str],
        out: Outcomes,
        at: np.ndarray,
        *,
        exact_rows: bool,
        literal: list[str] | None = None,
    ) -> None:
        """Status, best entry, matched wording and runner-up for a chunk (``literal``: its keyword forms)."""
        m = len(forms)
        rows = np.arange(m)
        if not exact_rows:
            # The index leaves scores below the floor at 0; a question with nothing above it gets
            # its exact scores by brute force, so every reported figure equals the brute-force one.
            low = np.flatnonzero(scores.max(axis=1) < self.floor)
            if len(low):
                scores[low] = self._dense([forms[i] for i in low])
        wording = scores.argmax(axis=1)  # the first of equal wordings, so the first such entry
        s1 = scores[rows, wording]
        best = self.owner[wording]
        # The runner-up is the best wording outside the best entry's answer group (contiguous).
        group = self.group_of[best]
        lo, hi = self.group_wording_start[group], self.group_wording_end[group]
        hidden = [scores[r, lo[r] : hi[r]].copy() for r in range(m)]
        for r in range(m):
            scores[r, lo[r] : hi[r]] = -1.0
        runner_wording = scores.argmax(axis=1)
        s2 = np.maximum(scores[rows, runner_wording], 0.0)
        for r in range(m):
            scores[r, lo[r] : hi[r]] = hidden[r]
        runner = self.owner[runner_wording]
        if self._keyword_re is not None:
            for r, form in enumerate(forms if literal is None else literal):
                if self._keyword_re.search(form):
                    best[r], wording[r], s1[r], s2[r], runner[r] = self._decide_with_keywords(scores[r], form)
        self._record(out, at, best, wording, s1, s2, runner)

    def _record(self, out: Outcomes, at: np.ndarray, *columns: np.ndarray) -> None:
        """Status and outcome columns from (best entry, wording, best score, runner-up score, runner-up)."""
        best, wording, s1, s2, runner = columns
        status = np.where(
            s1 < self.threshold, _UNCOVERED, np.where(s1 - s2 >= self.margin, _COVERED, _AMBIGUOUS)
        ).astype(np.int8)
        found = s1 > 0
        ambiguous = status == _AMBIGUOUS
        out.status[at] = status
        out.score[at] = s1
        out.entry[at] = np.where(found, best, -1)
        out.wording[at] = np.where(found, wording, -1)
        out.runner_up[at] = np.where(ambiguous, runner, -1)
        out.runner_up_score[at] = np.where(ambiguous, s2, 0.0)
        out.second[at] = s2

    def _decide_with_keywords(self, row: np.ndarray, form: str) -> tuple[int, int, float, float, int]:
        """The same decision for a question containing a keyword (``form``: its keyword form), entry by entry."""
        entry_scores, via_keyword = self._entry_scores(row[None, :], [form])
        e_row = entry_scores[0]
        best = int(e_row.argmax())
        others = e_row.copy()
        others[self.group_of == self.group_of[best]] = -1.0
        runner = int(others.argmax())
        wording = self._matched_wording(row, best, int(via_keyword[0, best]))
        return best, wording, float(e_row[best]), max(0.0, float(others[runner])), runner
