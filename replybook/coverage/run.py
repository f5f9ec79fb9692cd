"""The coverage test (SPEC §7): how much of what customers ask does the bot library answer?

``read_questions`` reads the questions (text, CSV or chat-log export), ``run_coverage`` matches them
with a ``Matcher`` and builds a ``CoverageReport`` (summary, per-question results, clusters of the
uncovered questions, dead entries), ``save_run`` stores it for the dashboard. Rendering (table, CSV,
HTML) lives in ``coverage_report.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from sqlmodel import Session

from replybook import bot
from replybook.coverage.accuracy import accuracy, histogram
from replybook.coverage.calibration import points as labelled_points
from replybook.coverage.clusters import cluster_questions, cluster_signals
from replybook.coverage.handoff import handoff_forecast
from replybook.coverage.ignored import IGNORED, REPORT_STATUSES, effective_status, ignored_keys, ignored_mask
from replybook.coverage.labels import (
    expected_category,
    is_correct,
    resolve_labels,
)
from replybook.coverage.matching import Matcher, Outcomes, Progress
from replybook.coverage.question_files import Question, read_questions
from replybook.library.entries import list_categories
from replybook.store.models import Campaign, CoverageRun
from replybook.store.timeutil import iso_shop

__all__ = [
    "CoverageReport",
    "Matcher",
    "Question",
    "read_questions",
    "resolve_labels",
    "run_coverage",
    "save_run",
]

COLUMNS = (
    "entry",
    "wording",
    "score",
    "status",
    "runner_up",
    "runner_up_score",
    "second",
)  # Outcomes' arrays
# Questions × wordings scored at once: a chunk's score matrices are several float32 copies (the
# signals, both guards), ≈ 100 MB at the matcher's 4 M cells, ≈ 25 MB here, at no measured cost in time.
RUN_CHUNK_CELLS = 1_000_000
ROWS_AT_ONCE = 65_536  # questions turned into Python values at a time (the JSON, checks)
STORED_RESULTS_LIMIT = 10_000  # a stored run keeps its per-question results up to this many


@dataclass
class CoverageReport:
    questions: list[Question]
    matcher: Matcher
    outcomes: Outcomes
    at: datetime
    summary: dict[str, Any] = field(default_factory=dict)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    dead_entries: list[dict[str, Any]] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)  # key → 名称
    handoff: dict[str, Any] | None = None  # the hand-off and staffing forecast (bot settings of the shop)
    ignored: np.ndarray | None = None  # which questions the shop ignores (coverage/ignored.py)

    @property
    def results(self) -> ResultRows:
        """Per-question results in input order (built on access, so a million questions stay cheap)."""
        return ResultRows(self)

    def result_row(self, i: int) -> dict[str, Any]:
        q = self.questions[i]
        r = self.matcher.result(self.outcomes, i)
        row: dict[str, Any] = {
            "question": q.text,
            "status": "ignored" if self.ignored is not None and self.ignored[i] else r.status,
            "category": r.category,
            "entry": r.question,
            "matched": r.matched,
            "score": r.score,
        }
        if q.count != 1:
            row["count"] = q.count
        if r.runner_up is not None:
            row["runner_up"] = {"entry": r.runner_up.question, "score": round(r.runner_up.score, 1)}
        if q.labelled:
            row["expected"] = q.expected
            row["expected_category"] = expected_category(q, self.matcher)
            row["correct"] = is_correct(q, r.status, r.question, r.category)
        return row

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (SPEC §7 shape, with added fields)."""
        return {**self._head(), "results": list(self.results)}

    def write_json(self, out: TextIO) -> None:
        """The same as ``json.dump(to_json())`` but streamed, one result at a time."""
        encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps builds per call
        head = self._head()
        clusters, head["clusters"] = head["clusters"], "\0clusters"
        text = json.dumps(head, ensure_ascii=False, indent=2)
        # The clusters one a line, like the results (an indented dump of 20,000 is slow).
        lines = ",\n    ".join(encode(c) for c in clusters)
        text = text.replace('"\\u0000clusters"', "[" + (f"\n    {lines}\n  " if clusters else "") + "]", 1)
        out.write(text[:-2] + ',\n  "results": [')
        for i, row in enumerate(self.results):
            out.write(("\n    " if i == 0 else ",\n    ") + encode(row))
        out.write("\n  ]\n}\n")

    def _head(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "clusters": self.clusters,
            "dead_entries": self.dead_entries,
            "categories": self.category_names,
            **({"handoff": self.handoff} if self.handoff is not None else {}),
        }


class ResultRows(Sequence[dict[str, Any]]):
    def __init__(self, report: CoverageReport):
        self.report = report

    def __len__(self) -> int:
        return len(self.report.questions)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self.report.result_row(j) for j in range(*i.indices(len(self)))]
        return self.report.result_row(i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The same rows as ``result_row``, read from the outcome columns a block at a time (a
        million questions' columns as Python lists would be hundreds of MB)."""
        report = self.report
        out, entries, texts = report.outcomes, report.matcher.entries, report.matcher.texts
        status_all = effective_status(out.status, report.ignored)
        for start in range(0, len(self), ROWS_AT_ONCE):
            block = slice(start, start + ROWS_AT_ONCE)
            columns = zip(
                status_all[block].tolist(),
                out.entry[block].tolist(),
                out.wording[block].tolist(),
                out.score[block].tolist(),
                out.runner_up[block].tolist(),
                out.runner_up_score[block].tolist(),
                strict=True,
            )
            for i, (status, e, wording, score, runner, runner_score) in enumerate(columns, start):
                q = report.questions[i]
                if q.labelled:
                    yield report.result_row(i)
                    continue
                entry = entries[e] if e >= 0 else None
                row: dict[str, Any] = {
                    "question": q.text,
                    "status": REPORT_STATUSES[status],
                    "category": entry.category if entry else None,
                    "entry": entry.question if entry else None,
                    "matched": texts[wording] if entry else None,
                    "score": round(score, 1) if entry else 0.0,
                }
                if q.count != 1:
                    row["count"] = q.count
                if entry and runner >= 0:
                    row["runner_up"] = {
                        "entry": entries[runner].question,
                        "score": round(round(runner_score, 1), 1),
                    }
                yield row


# ---------------------------------------------------------------- labels


# ---------------------------------------------------------------- the run


def run_coverage(
    session: Session,
    questions: list[Question] | str | Path,
    *,
    at: datetime,
    threshold: float | None = None,
    margin: float | None = None,
    progress: Progress | None = None,
    use_index: bool = True,
    source: str | None = None,
) -> CoverageReport:
    """Match every question against the library as it is at ``at`` and build the report. ``source``
    names the question file in errors (a path given as ``questions`` names itself)."""
    if not isinstance(questions, list):
        source = source or str(questions)
        questions = read_questions(questions)
    questions = resolve_labels(session, questions, source=source or "问题文件")
    matcher = Matcher.build(session, at=at, threshold=threshold, margin=margin)
    report = report_for(
        matcher, questions, at=at, progress=progress, use_index=use_index, ignored=ignored_keys(session)
    )
    report.category_names = {c.key: c.name for c in list_categories(session)}
    config = bot.get_bot_settings(session)
    report.handoff = handoff_forecast(config, questions, matcher, report.outcomes).to_json()
    # Categories in the shop's order (Qianniu's for the built-in ones), then anything else.
    order = {key: i for i, key in enumerate(report.category_names)}
    by_category = report.summary["by_category"]
    report.summary["by_category"] = dict(
        sorted(by_category.items(), key=lambda kv: order.get(kv[0], len(order)))
    )
    return report


def report_for(
    matcher: Matcher,
    questions: list[Question],
    *,
    at: datetime,
    progress: Progress | None = None,
    use_index: bool = True,
    ignored: frozenset[str] = frozenset(),
) -> CoverageReport:
    outcomes = _match_distinct(matcher, questions, use_index=use_index, progress=progress)
    report = CoverageReport(questions=questions, matcher=matcher, outcomes=outcomes, at=at)
    report.ignored = ignored_mask([q.text for q in questions], ignored)
    report.summary = _summary(report)
    report.clusters = _clusters(report)
    report.dead_entries = _dead_entries(report)
    return report


def _match_distinct(
    matcher: Matcher, questions: Sequence[Question], *, use_index: bool, progress: Progress | None
) -> Outcomes:
    """``match_many`` over the distinct texts only (chat logs repeat 在吗 thousands of times, and
    normalising is most of the per-question work), spread back to every question. The texts are
    told apart by their hashes in a numpy column (8 bytes a question, not a dictionary of every
    text), each equal hash checked against its first text."""
    n = len(questions)
    distinct, inverse = distinct_texts(questions)
    cells, matcher.chunk_cells = matcher.chunk_cells, min(matcher.chunk_cells, RUN_CHUNK_CELLS)
    try:
        if len(distinct) == n:
            return matcher.match_many(distinct, use_index=use_index, progress=progress)
        d = len(distinct)
        scaled = (
            None if progress is None else (lambda done, _: progress(n if done == d else done * n // d, n))
        )
        found = matcher.match_many(distinct, use_index=use_index, progress=scaled)
    finally:
        matcher.chunk_cells = cells
    del distinct
    out = Outcomes.empty(0)
    for name in COLUMNS:
        setattr(out, name, getattr(found, name)[inverse])
        setattr(found, name, None)  # each column freed as soon as it is spread
    return out


def distinct_texts(questions: Sequence[Question]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in order of first appearance, and each question's index among them."""
    n = len(questions)
    hashes = np.fromiter((hash(q.text) for q in questions), np.int64, n)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    del hashes
    order = np.argsort(first, kind="stable")  # the unique hashes in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    inverse = rank[inverse.ravel()]
    first = first[order]
    distinct = [questions[int(i)].text for i in first]
    if all(
        questions[i].text == distinct[k]
        for start in range(0, n, ROWS_AT_ONCE)
        for i, k in enumerate(inverse[start : start + ROWS_AT_ONCE].tolist(), start)
    ):
        return distinct, inverse
    seen: dict[str, int] = {}  # two texts with one hash (about 1 in 10¹³ pairs): the dictionary
    inverse = np.fromiter((seen.setdefault(q.text, len(seen)) for q in questions), np.int64, n)
    return list(seen), inverse


def _summary(report: CoverageReport) -> dict[str, Any]:
    m, out, qs = report.matcher, report.outcomes, report.questions
    counts = np.fromiter((q.count for q in qs), np.int64, len(qs))
    status = effective_status(out.status, report.ignored)
    n = len(qs)
    covered = int((status == 0).sum())
    ambiguous = int((status == 1).sum())
    ignored = int((status == IGNORED).sum())  # correctly uncovered: out of every share below
    weight_total = int(counts[status != IGNORED].sum())
    weighted_covered = int(counts[status == 0].sum())
    labelled = [i for i, q in enumerate(qs) if q.labelled]

    by_category = _by_category(m, out, qs, labelled, status)

    summary: dict[str, Any] = {
        "total": n,
        "covered": covered,
        "ambiguous": ambiguous,
        "uncovered": n - covered - ambiguous - ignored,
        "ignored": ignored,
        "coverage": round(covered / (n - ignored), 4) if n - ignored else 0.0,
        "weighted_total": weight_total,
        "weighted_coverage": round(weighted_covered / weight_total, 4) if weight_total else 0.0,
        "by_category": by_category,
        "at": iso_shop(report.at),
        "threshold": m.threshold,
        "margin": m.margin,
        "entries": len(m.entries),
        "wordings": m.n_fuzzy,
        "score_histogram": histogram(out.score),
    }
    if labelled:
        summary.update(accuracy(m, out, qs, labelled, ignored=report.ignored))
        precision = labelled_points(m, qs, out).at(m.threshold, m.margin)[0]
        summary["covered_precision"] = round(precision, 4)  # estimated: right covers / covers
    return summary


def _by_category(
    m: Matcher, out: Outcomes, qs: Sequence[Question], labelled: list[int], status: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Per category (the best entry's, a labelled question's expected one; "none"), in order of
    first appearance: counts by status and the coverage, as numpy columns."""
    keys = list(dict.fromkeys(e.category or "none" for e in m.entries))
    code_of = {k: i for i, k in enumerate(keys)}
    none = code_of.setdefault("none", len(code_of))
    entry_code = np.array([code_of[e.category or "none"] for e in m.entries] or [none], np.int64)
    code = np.where(out.entry >= 0, entry_code[np.maximum(out.entry, 0)], none)
    for i in labelled:
        key = expected_category(qs[i], m) or "none"
        code[i] = code_of.setdefault(key, len(code_of))
    names = list(code_of)
    present, first = np.unique(code, return_index=True)
    counts = {
        name: np.bincount(code[status == s], minlength=len(names)) for s, name in enumerate(REPORT_STATUSES)
    }
    total = np.bincount(code, minlength=len(names))
    by_category: dict[str, dict[str, Any]] = {}
    for c in present[np.argsort(first)].tolist():
        cat: dict[str, Any] = {"total": int(total[c])}
        cat.update({name: int(counts[name][c]) for name in REPORT_STATUSES})
        answerable = cat["total"] - cat["ignored"]
        cat["coverage"] = round(cat["covered"] / answerable, 4) if answerable else 0.0
        by_category[names[c]] = cat
    return by_category


def _clusters(report: CoverageReport) -> list[dict[str, Any]]:
    texts: Counter[str] = Counter()
    closest: dict[str, Counter[str]] = {}
    questions, entry, entries = report.questions, report.outcomes.entry, report.matcher.entries
    for i in np.flatnonzero(effective_status(report.outcomes.status, report.ignored) == 2).tolist():
        q = questions[i]
        texts[q.text] += q.count
        e = int(entry[i])
        if e >= 0:
            closest.setdefault(q.text, Counter())[entries[e].category] += q.count
    m = report.matcher
    clusters = cluster_questions(texts, **cluster_signals(m.scorer, m.prepare))
    for c in clusters:
        votes: Counter[str] = Counter()
        for member in c["members"]:
            votes.update(closest.get(member["question"], {}))
        c["category"] = votes.most_common(1)[0][0] if votes else "custom"
    return clusters


def _dead_entries(report: CoverageReport) -> list[dict[str, Any]]:
    out = report.outcomes
    used = set(int(e) for e in np.unique(out.entry[effective_status(out.status, report.ignored) < 2]))
    return [
        {"id": e.id, "question": e.question, "category": e.category}
        for i, e in enumerate(report.matcher.entries)
        if i not in used
    ]


def save_run(
    session: Session,
    report: CoverageReport,
    *,
    source: str,
    user: str | None,
    campaign: Campaign | None = None,
) -> CoverageRun:
    """Store the run's summary, clusters, dead entries and (up to a limit) its results; a campaign's
    check also stores the campaign's name and target, so its report shows the verdict of that day."""
    s = report.summary
    data: dict[str, Any] = {
        "summary": s,
        "clusters": report.clusters,
        "dead_entries": report.dead_entries,
        "categories": report.category_names,
    }
    if report.handoff is not None:
        data["handoff"] = report.handoff
    if campaign is not None:
        data["campaign"] = {"name": campaign.name, "coverage_target": campaign.coverage_target}
    if len(report.questions) <= STORED_RESULTS_LIMIT:
        data["results"] = list(report.results)
    else:
        data["results_truncated"] = True
    run = CoverageRun(
        tested_at=report.at,
        source=source,
        user=user,
        total=s["total"],
        covered=s["covered"],
        ambiguous=s["ambiguous"],
        uncovered=s["uncovered"],
        coverage=s["coverage"],
        report=data,
    )
    session.add(run)
    session.flush()
    return run
