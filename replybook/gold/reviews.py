"""Storing the gold-team figures (SPEC §6): the daily review counts and service scores, from a CSV
file (all or nothing) or typed in for one day (the web UI's manual entry)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from replybook.gold.review_csv import (
    SCORE_MAX,
    SCORE_MIN,
    SOURCE_LABELS,
    SOURCE_NAMES,
    parse_review_file,
    where,
)
from replybook.store import history
from replybook.store.errors import ConflictError, ImportFormatError, InvalidValue, Problem
from replybook.store.models import (
    REVIEW_LEVELS,
    ReviewCount,
    ReviewSource,
    Role,
    ServiceScore,
    User,
)
from replybook.store.timeutil import parse_date


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


def import_file(session: Session, path: Path, *, mode: str = "add", user: str | None = None) -> ImportResult:
    """Import a review-stats, service-score or combined CSV file (see ``import_reviews``)."""
    return import_reviews(session, Path(path).read_bytes(), source=str(path), mode=mode, user=user)


def import_reviews(
    session: Session, raw: bytes, *, source: str, mode: str = "add", user: str | None = None
) -> ImportResult:
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
                where(r.row), f"{r.day} {who(r.source, r.agent)} 的评价数已存在（覆盖请用 --mode replace）"
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
        what = f"{r.day} {who(r.source, r.agent)} 的评价数（导入 {source}）"
        if existing is None:
            row = ReviewCount(day=r.day, source=r.source, agent=r.agent)
            for level, n in r.counts.items():
                setattr(row, level, n)
            history.create(session, row, user=user, summary=f"新增 {what}")
            result.reviews_added += 1
        else:
            history.update(
                session, existing, r.counts, expected_version=None, user=user, summary=f"覆盖 {what}"
            )
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


def who(source: str, agent: str) -> str:
    label = SOURCE_LABELS[ReviewSource(source)]
    return f"{label}·{agent}" if agent else label


@dataclass(frozen=True)
class Seen:
    """What a person saw stored before typing over it: the counts' version (0: none) and the score."""

    version: int = 0
    score: float | None = None


@dataclass(frozen=True)
class StoredDay:
    """What is stored for one day/source/agent: its review counts row (if any) and the day's score."""

    row: ReviewCount | None
    score: float | None

    @property
    def version(self) -> int:
        """The counts row's version, 0 when none is stored (what a form sends back as "seen")."""
        return self.row.version if self.row is not None else 0

    def seen(self) -> Seen:
        return Seen(self.version, self.score)


class DayAlreadyStored(ConflictError):
    """The figures typed in would replace stored ones the person has not seen: show them, then ask."""

    def __init__(self, day: date, source: str, agent: str, stored: StoredDay):
        self.day, self.source, self.agent, self.stored = day, source, agent, stored
        super().__init__(f"{day} {who(source, agent)} 已有数据，确认后才会替换")


class UnknownAgent(InvalidValue):
    def __init__(self, agent: str, known: list[str]):
        self.agent, self.known = agent, known
        names = "、".join(known) or "无"
        super().__init__(f"没有名为 {agent!r} 的客服（已有：{names}）；若是新客服，请勾选“新客服”后再保存")


def known_agents(session: Session) -> list[str]:
    """The agents figures may be typed in for: agent accounts and every agent with stored figures."""
    accounts = session.exec(select(User.name).where(User.role == Role.AGENT)).all()
    in_figures = session.exec(select(ReviewCount.agent).where(ReviewCount.agent != "").distinct()).all()
    return sorted({*accounts, *in_figures})


def stored_day(session: Session, *, day: date | str, source: str, agent: str = "") -> StoredDay:
    the_day, kind, agent = parse_date(day), source_kind(source), (agent or "").strip()
    row = session.exec(
        select(ReviewCount).where(
            ReviewCount.day == the_day, ReviewCount.source == kind.value, ReviewCount.agent == agent
        )
    ).first()
    stored_score = session.get(ServiceScore, the_day)
    return StoredDay(row, stored_score.score if stored_score is not None else None)


def source_kind(source: str) -> ReviewSource:
    kind = SOURCE_NAMES.get(str(source).strip().lower())
    if kind is None:
        raise InvalidValue(f"未知来源 {source!r}，应为 机器人（bot）或 人工（manual）")
    return kind


def set_day(
    session: Session,
    *,
    day: date | str,
    source: str,
    agent: str = "",
    counts: Mapping[str, int] | None = None,
    score: float | None = None,
    user: str | None = None,
    seen: Seen | None = None,
    new_agent: bool = True,
) -> ReviewCount | None:
    """Store one day's figures as typed in by hand (the web UI's manual entry): the review counts of
    one source/agent (missing levels are zero), and optionally the day's service score. Returns the
    stored counts row (None if only a score was given); the counts keep a history like every item.

    ``seen``: what the person saw stored (``StoredDay.seen()``; ``Seen()`` for nothing), or None to
    overwrite without asking. When other figures are stored than were seen, ``DayAlreadyStored`` carries them
    so the form can show them and ask; a save racing another one is refused in the write itself.
    ``new_agent=False`` refuses an agent name not among ``known_agents`` (a typo)."""
    the_day = parse_date(day)
    kind = source_kind(source)
    agent = (agent or "").strip()
    if kind == ReviewSource.BOT and agent:
        raise InvalidValue("机器人的评价不属于客服，客服应为空")
    if len(agent) > 64:
        raise InvalidValue("客服名称超过 64 个字")
    if counts is None and score is None:
        raise InvalidValue("没有要保存的内容：请填写评价数或综合服务分")
    if agent and not new_agent and agent not in (known := known_agents(session)):
        raise UnknownAgent(agent, known)
    if score is not None and not SCORE_MIN <= float(score) <= SCORE_MAX:
        raise InvalidValue(f"综合服务分应在 0 到 5 之间，现为 {score}")
    stored = stored_day(session, day=the_day, source=kind.value, agent=agent)
    if seen is not None:
        replaces_counts = counts is not None and stored.row is not None and stored.version != seen.version
        replaces_score = score is not None and stored.score not in (None, float(score), seen.score)
        if replaces_counts or replaces_score:
            raise DayAlreadyStored(the_day, kind.value, agent, stored)
    if score is not None:
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
    what = f"{the_day} {who(kind.value, agent)} 的评价数"
    if stored.row is None:
        row = ReviewCount(day=the_day, source=kind.value, agent=agent)
        for level, n in values.items():
            setattr(row, level, n)
        try:
            return history.create(session, row, user=user, summary=f"录入 {what}")
        except ConflictError:  # someone stored the same day/source/agent a moment ago
            raise DayAlreadyStored(
                the_day, kind.value, agent, stored_day(session, day=the_day, source=kind.value, agent=agent)
            ) from None
    return history.update(
        session,
        stored.row,
        values,
        expected_version=seen.version if seen else None,
        user=user,
        summary=f"修改 {what}",
    )
