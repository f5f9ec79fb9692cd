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
from replybook.coverage.columns import ROWS_AT_ONCE, by_category, match_distinct
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
        """The same as ``json.dump(to_json())`` but streamed: the clusters and the results one at a
        time (nothing the size of the file is built in memory)."""
        encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps builds per call
        head = self._head()
        clusters, head["clusters"] = head["clusters"], "\0clusters"
        text = json.dumps(head, ensure_ascii=False, indent=2)
        before, after = text[:-2].split('"\\u0000clusters"', 1)
        # The clusters one a line, like the results (an indented dump of 20,000 is slow).
        out.write(before + "[")
        for i, c in enumerate(clusters):
            out.write(("\n    " if i == 0 else ",\n    ") + encode(c))
        out.write(("\n  ]" if clusters else "]") + after + ',\n  "results": [')
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
    per_category = report.summary["by_category"]
    report.summary["by_category"] = dict(
        sorted(per_category.items(), key=lambda kv: order.get(kv[0], len(order)))
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
    outcomes = match_distinct(matcher, questions, use_index=use_index, progress=progress)
    report = CoverageReport(questions=questions, matcher=matcher, outcomes=outcomes, at=at)
    report.ignored = ignored_mask([q.text for q in questions], ignored)
    report.summary = _summary(report)
    report.clusters = _clusters(report)
    report.dead_entries = _dead_entries(report)
    return report


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

    categories = by_category(m, out, qs, labelled, status)

    summary: dict[str, Any] = {
        "total": n,
        "covered": covered,
        "ambiguous": ambiguous,
        "uncovered": n - covered - ambiguous - ignored,
        "ignored": ignored,
        "coverage": round(covered / (n - ignored), 4) if n - ignored else 0.0,
        "weighted_total": weight_total,
        "weighted_coverage": round(weighted_covered / weight_total, 4) if weight_total else 0.0,
        "by_category": categories,
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


def _clusters(report: CoverageReport) -> list[dict[str, Any]]:
    texts: Counter[str] = Counter()
    closest: dict[str, str] = {}  # text → its best entry's category (one text, one outcome)
    questions, entry, entries = report.questions, report.outcomes.entry, report.matcher.entries
    for i in np.flatnonzero(effective_status(report.outcomes.status, report.ignored) == 2).tolist():
        q = questions[i]
        texts[q.text] += q.count
        e = int(entry[i])
        if e >= 0:
            closest[q.text] = entries[e].category
    m = report.matcher
    clusters = cluster_questions(texts, **cluster_signals(m.scorer, m.prepare))
    for c in clusters:
        votes: Counter[str] = Counter()
        for member in c["members"]:
            category = closest.get(member["question"])
            if category is not None:
                votes[category] += member["count"]
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
