"""Storing the gold-team figures (SPEC §6): the daily review counts and service scores, from a CSV
file (all or nothing) or typed in for one day (the web UI's manual entry)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from .errors import ImportFormatError, InvalidValue, Problem
from .models import REVIEW_LEVELS, ReviewCount, ReviewSource, ServiceScore
from .review_csv import SCORE_MAX, SCORE_MIN, SOURCE_LABELS, SOURCE_NAMES, parse_review_file, where
from .timeutil import parse_date


@dataclass
class ImportResult:
    kind: str  # reviews | scores | combined
    encoding: str
    review_rows: int = 0
    reviews_added: int = 0
    reviews_replaced: int = 0
    scores_added: int = 0
    scores_replaced: int = 0
    first_day: date | None = None
    last_day: date | None = None


IMPORT_MODES = ("add", "replace")


def import_file(session: Session, path: Path, *, mode: str = "add") -> ImportResult:
    """Import a review-stats, service-score or combined CSV file (see ``import_reviews``)."""
    return import_reviews(session, Path(path).read_bytes(), source=str(path), mode=mode)


def import_reviews(session: Session, raw: bytes, *, source: str, mode: str = "add") -> ImportResult:
    """Store the rows of a gold-team CSV, all or nothing.

    mode ``add``: a day/source/agent (or a day's score) already stored is an error naming its row;
    ``replace``: the file's rows overwrite the stored ones with the same day/source/agent (or day).
    """
    if mode not in IMPORT_MODES:
        raise InvalidValue(f"未知的导入方式 {mode!r}，应为 add 或 replace")
    parsed = parse_review_file(raw, source=source)
    result = ImportResult(kind=parsed.kind, encoding=parsed.encoding, review_rows=len(parsed.reviews))
    days = [r.day for r in parsed.reviews] + [s.day for s in parsed.scores]
    result.first_day, result.last_day = min(days), max(days)

    stored: dict[tuple[date, str, str], ReviewCount] = {}
    if parsed.reviews:
        stmt = select(ReviewCount).where(
            col(ReviewCount.day) >= result.first_day, col(ReviewCount.day) <= result.last_day
        )
        stored = {(r.day, r.source, r.agent): r for r in session.exec(stmt)}
    stored_scores: dict[date, ServiceScore] = {}
    if parsed.scores:
        score_stmt = select(ServiceScore).where(
            col(ServiceScore.day) >= result.first_day, col(ServiceScore.day) <= result.last_day
        )
        stored_scores = {s.day: s for s in session.exec(score_stmt)}

    if mode == "add":
        problems = [
            Problem(
                where(r.row), f"{r.day} {_who(r.source, r.agent)} 的评价数已存在（覆盖请用 --mode replace）"
            )
            for r in parsed.reviews
            if (r.day, r.source, r.agent) in stored
        ]
        problems += [
            Problem(where(s.row), f"{s.day} 的综合服务分已存在（覆盖请用 --mode replace）", "综合服务分")
            for s in parsed.scores
            if s.day in stored_scores
        ]
        if problems:
            problems.sort(key=lambda p: int(p.where.split()[1]))
            raise ImportFormatError(source, problems)

    for r in parsed.reviews:
        existing = stored.get((r.day, r.source, r.agent))
        if existing is None:
            session.add(ReviewCount(day=r.day, source=r.source, agent=r.agent, **r.counts))
            result.reviews_added += 1
        else:
            for level, n in r.counts.items():
                setattr(existing, level, n)
            session.add(existing)
            result.reviews_replaced += 1
    for s in parsed.scores:
        existing_score = stored_scores.get(s.day)
        if existing_score is None:
            session.add(ServiceScore(day=s.day, score=s.score))
            result.scores_added += 1
        else:
            existing_score.score = s.score
            session.add(existing_score)
            result.scores_replaced += 1
    session.flush()
    return result


def _who(source: str, agent: str) -> str:
    label = SOURCE_LABELS[ReviewSource(source)]
    return f"{label}·{agent}" if agent else label


def set_day(
    session: Session,
    *,
    day: date | str,
    source: str,
    agent: str = "",
    counts: Mapping[str, int] | None = None,
    score: float | None = None,
) -> ReviewCount | None:
    """Store one day's figures as typed in by hand (the web UI's manual entry): the review counts of
    one source/agent (missing levels are zero), and optionally the day's service score. Overwrites
    what is stored for the same day/source/agent. Returns the stored counts row (None if only a
    score was given)."""
    the_day = parse_date(day)
    kind = SOURCE_NAMES.get(str(source).strip().lower())
    if kind is None:
        raise InvalidValue(f"未知来源 {source!r}，应为 机器人（bot）或 人工（manual）")
    agent = (agent or "").strip()
    if kind == ReviewSource.BOT and agent:
        raise InvalidValue("机器人的评价不属于客服，客服应为空")
    if len(agent) > 64:
        raise InvalidValue("客服名称超过 64 个字")
    if counts is None and score is None:
        raise InvalidValue("没有要保存的内容：请填写评价数或综合服务分")
    if score is not None:
        if not SCORE_MIN <= float(score) <= SCORE_MAX:
            raise InvalidValue(f"综合服务分应在 0 到 5 之间，现为 {score}")
        stored_score = session.get(ServiceScore, the_day)
        if stored_score is None:
            stored_score = ServiceScore(day=the_day, score=float(score))
        stored_score.score = float(score)
        session.add(stored_score)
    if counts is None:
        session.flush()
        return None
    unknown = sorted(set(counts) - set(REVIEW_LEVELS))
    if unknown:
        raise InvalidValue(f"未知的评价等级：{'、'.join(unknown)}")
    values = {level: counts.get(level, 0) or 0 for level in REVIEW_LEVELS}
    for level, n in values.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidValue(f"评价数应为非负整数（{level} = {n!r}）")
    stmt = select(ReviewCount).where(
        ReviewCount.day == the_day, ReviewCount.source == kind.value, ReviewCount.agent == agent
    )
    row = session.exec(stmt).first() or ReviewCount(day=the_day, source=kind.value, agent=agent)
    for level, n in values.items():
        setattr(row, level, n)
    session.add(row)
    session.flush()
    return row
