"""The gold-team input files (SPEC §6): daily review counts and the daily service score.

Three kinds, told from the header row:

- reviews:  日期,来源,客服,很满意,满意,一般,不满意,很不满意      (来源 = 机器人 | 人工; 客服 may be empty;
            the platform's own labels 非常满意 / 非常不满意 are read as 很满意 / 很不满意)
- scores:   日期,综合服务分
- combined: the reviews header plus 综合服务分 (the score may be on any row of its day, or empty)

Parsing is pure (bytes in, rows out) and collects every problem before failing, so a user fixes the
whole file in one go; storing is in ``goldteam.import_reviews``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from replybook.store.controls import control_problem
from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.store.models import REVIEW_LEVELS, ReviewSource
from replybook.store.timeutil import parse_date
from replybook.tabular.encodings import detect_and_decode
from replybook.tabular.records import read_records

DATE, SOURCE, AGENT, SCORE = "日期", "来源", "客服", "综合服务分"
LEVEL_COLUMNS = ("很满意", "满意", "一般", "不满意", "很不满意")  # in the order of REVIEW_LEVELS
# The platform's export labels the extreme levels 非常满意 / 非常不满意; both spellings are accepted.
LEVEL_ALIASES = {"非常满意": "很满意", "非常不满意": "很不满意"}
REVIEW_HEADER = (DATE, SOURCE, AGENT, *LEVEL_COLUMNS)
SCORE_HEADER = (DATE, SCORE)
SOURCE_NAMES = {
    "机器人": ReviewSource.BOT,
    "人工": ReviewSource.MANUAL,
    "bot": ReviewSource.BOT,
    "manual": ReviewSource.MANUAL,
}
SOURCE_LABELS = {ReviewSource.BOT: "机器人", ReviewSource.MANUAL: "人工"}
SCORE_MIN, SCORE_MAX = 0.0, 5.0
_COUNT = re.compile(r"[0-9]+")
MAX_COUNT = 10**9  # reviews of one level on one day; beyond this a cell is a typo (and overflows SQL)
MAX_AGENT = 64  # the column's size in the database
MAX_CELL = 200  # a date, a source, a name or a count: anything longer is not one


@dataclass(frozen=True)
class ReviewRow:
    row: int  # the row number as a spreadsheet shows it (the header is row 1)
    day: date
    source: str  # ReviewSource value
    agent: str  # '' for the bot or an unattributed manual row
    counts: dict[str, int]  # REVIEW_LEVELS → count


@dataclass(frozen=True)
class ScoreRow:
    row: int
    day: date
    score: float


@dataclass
class ReviewFile:
    kind: str  # reviews | scores | combined
    encoding: str
    reviews: list[ReviewRow] = field(default_factory=list)
    scores: list[ScoreRow] = field(default_factory=list)


def where(row: int) -> str:
    return f"第 {row} 行"


def parse_review_file(raw: bytes, *, source: str) -> ReviewFile:
    """Parse a review-stats, service-score or combined CSV; raise ImportFormatError listing every
    bad row and column. ``source`` names the file in messages."""
    try:
        text, encoding = detect_and_decode(raw)
    except InvalidValue as exc:
        raise ImportFormatError(source, [Problem("文件", str(exc))]) from None
    records = read_records(text, source=source)
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFormatError(source, [Problem(where(1), "缺少表头：" + _expected())])
    typed = [cell.strip().lstrip("\ufeff") for cell in records[0]]
    while typed and not typed[-1]:
        typed.pop()  # Excel sometimes leaves trailing empty header cells
    header = [LEVEL_ALIASES.get(name, name) for name in typed]
    labels = dict(zip(header, typed, strict=True))  # canonical column → as the file names it
    kind, problem = _kind(header)
    if problem:
        raise ImportFormatError(source, [problem])
    out = ReviewFile(kind=kind, encoding=encoding)
    problems: list[Problem] = []
    index = {name: i for i, name in enumerate(header)}
    seen_reviews: dict[tuple[date, str, str], int] = {}
    seen_scores: dict[date, ScoreRow] = {}
    for number, cells in enumerate(records[1:], start=2):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(cells) < len(header):
            problems.append(Problem(where(number), f"只有 {len(cells)} 列，表头有 {len(header)} 列"))
            continue
        if any(cells[len(header) :]):
            problems.append(Problem(where(number), f"多出表头以外的内容（表头只有 {len(header)} 列）"))
            continue
        long_cell = next((i for i, c in enumerate(cells) if len(c) > MAX_CELL), None)
        if long_cell is not None:
            problems.append(Problem(where(number), f"超过 {MAX_CELL} 个字", typed[long_cell]))
            continue
        row_problems: list[Problem] = []
        day = _day(cells[index[DATE]], number, row_problems)
        if kind != "scores":
            review = _review(cells, index, number, day, row_problems, labels)
            if review is not None:
                key = (review.day, review.source, review.agent)
                if key in seen_reviews:
                    row_problems.append(
                        Problem(where(number), f"与第 {seen_reviews[key]} 行重复（同一天、来源、客服）", DATE)
                    )
                else:
                    seen_reviews[key] = number
                    out.reviews.append(review)
        score = None
        if SCORE in index:
            score = _score(cells[index[SCORE]], number, required=kind == "scores", problems=row_problems)
        if score is not None and day is not None:
            earlier = seen_scores.get(day)
            if earlier is None:
                seen_scores[day] = ScoreRow(number, day, score)
            elif earlier.score != score or kind == "scores":
                row_problems.append(
                    Problem(
                        where(number),
                        f"{day} 的综合服务分在第 {earlier.row} 行已给出 {earlier.score:g}",
                        SCORE,
                    )
                )
        problems += row_problems
    out.scores = sorted(seen_scores.values(), key=lambda s: s.row)
    if not problems and not out.reviews and not out.scores:
        problems.append(Problem(where(2), "文件没有数据行"))
    if problems:
        raise ImportFormatError(source, problems)
    return out


def _expected() -> str:
    return (
        f"评价统计应为 {','.join(REVIEW_HEADER)}（可再加一列 {SCORE}），服务分应为 {','.join(SCORE_HEADER)}"
    )


def _kind(header: list[str]) -> tuple[str, Problem | None]:
    names = set(header)
    if len(names) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        return "", Problem(where(1), f"表头有重复的列：{'、'.join(dupes)}")
    if names == set(SCORE_HEADER):
        return "scores", None
    review_cols = set(REVIEW_HEADER)
    missing = [c for c in REVIEW_HEADER if c not in names]
    unknown = [c for c in header if c not in review_cols and c != SCORE]
    if DATE in names and SOURCE in names and not unknown and missing:
        return "", Problem(where(1), f"表头缺少列：{'、'.join(missing)}；{_expected()}")
    if missing or unknown:
        got = ",".join(header)
        return "", Problem(where(1), f"无法识别的表头 {got!r}：{_expected()}")
    return ("combined" if SCORE in names else "reviews"), None


def _day(cell: str, number: int, problems: list[Problem]) -> date | None:
    if not cell:
        problems.append(Problem(where(number), "日期不能为空", DATE))
        return None
    try:
        return parse_date(cell)
    except InvalidValue:
        problems.append(
            Problem(where(number), f"无法识别的日期 {cell!r}，应为 2026-10-01 或 2026/10/1", DATE)
        )
        return None


def _review(
    cells: list[str],
    index: dict[str, int],
    number: int,
    day: date | None,
    problems: list[Problem],
    labels: dict[str, str],
) -> ReviewRow | None:
    before = len(problems)
    raw_source = cells[index[SOURCE]]
    source = SOURCE_NAMES.get(raw_source.lower())
    if source is None:
        shown = repr(raw_source) if raw_source else "空"
        problems.append(Problem(where(number), f"未知来源 {shown}，应为 机器人 或 人工", SOURCE))
    agent = cells[index[AGENT]] if AGENT in index else ""
    if source == ReviewSource.BOT and agent:
        problems.append(
            Problem(where(number), f"机器人的评价不属于客服，客服一栏应为空（现为 {agent!r}）", AGENT)
        )
    if len(agent) > MAX_AGENT:
        problems.append(Problem(where(number), f"客服名称超过 {MAX_AGENT} 个字", AGENT))
    elif control_problem(agent):
        problems.append(Problem(where(number), f"客服名称{control_problem(agent)}", AGENT))
    counts: dict[str, int] = {}
    for level, canonical in zip(REVIEW_LEVELS, LEVEL_COLUMNS, strict=True):
        column = labels.get(canonical, canonical)
        cell = cells[index[canonical]].replace(",", "")
        if not cell:
            counts[level] = 0  # an empty cell in a spreadsheet means none
        elif _COUNT.fullmatch(cell) and len(cell) <= 10 and int(cell) <= MAX_COUNT:
            counts[level] = int(cell)
        elif _COUNT.fullmatch(cell):
            problems.append(
                Problem(where(number), f"评价数超过 {MAX_COUNT:,}（{cell[:20]}），请检查", column)
            )
        elif cell.startswith("-") and _COUNT.fullmatch(cell[1:]):
            problems.append(Problem(where(number), f"评价数不能为负数（{cell}）", column))
        else:
            problems.append(Problem(where(number), f"评价数应为非负整数，现为 {cell!r}", column))
    if len(problems) > before or day is None or source is None:
        return None
    return ReviewRow(number, day, source.value, agent, counts)


def _score(cell: str, number: int, *, required: bool, problems: list[Problem]) -> float | None:
    if not cell:
        if required:
            problems.append(Problem(where(number), "综合服务分不能为空", SCORE))
        return None
    try:
        value = float(cell)
    except ValueError:
        problems.append(Problem(where(number), f"综合服务分应为数字，现为 {cell!r}", SCORE))
        return None
    if math.isnan(value) or not SCORE_MIN <= value <= SCORE_MAX:
        problems.append(Problem(where(number), f"综合服务分应在 0 到 5 之间，现为 {cell}", SCORE))
        return None
    return value
