"""Reading the questions of a coverage test: a text file, a CSV, or a chat-log export (SPEC §7).

- ``.txt``: one question per line (blank lines skipped). If the lines are a chat log —
  ``2026-11-20 10:01:02 买家 小王: 还有货吗`` / ``2026-11-20 10:01:30 客服 小美: 有的亲`` — only the
  buyer's (买家) lines are questions, each with its time.
- ``.csv``: the question column is ``--column``, else the first of 问题 / 买家问题 / 客户问题 / question /
  内容 / 消息 / 消息内容; a CSV with none of them is an error (one that is a quick-phrase or review
  CSV says so), never silently its first column. Optional columns: 标准问题 (expected entry; empty =
  should be uncovered), 分类 (expected category: its key or its name), 次数 (how often it was asked),
  时间 (when it was asked: a date and time; the hand-off forecast counts the load per hour from it).
  A CSV with a 角色 / 发送方 column is a chat log: only rows whose role is 买家 are questions.
  Labels are checked against the library by ``coverage.resolve_labels`` (here there is no database).

Encoding: a BOM decides, else strict UTF-8, else GB18030 (Excel on Chinese Windows writes GBK).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from replybook.coverage.chat_questions import from_conversations, read_binary
from replybook.coverage.question import MAX_QUESTION, Question, make_question
from replybook.gold import review_csv
from replybook.phrases import qianniu_csv
from replybook.store.controls import control_problem
from replybook.store.errors import ImportFormatError, InvalidValue, Problem, file_error
from replybook.store.timeutil import parse_datetime
from replybook.tabular.chatlog import ChatStats, looks_like_blocks, read_block_text
from replybook.tabular.encodings import detect_and_decode
from replybook.tabular.records import read_records

QUESTION_COLUMNS = ("问题", "买家问题", "客户问题", "question", "内容", "消息", "消息内容")
EXPECTED_COLUMNS = ("标准问题", "期望问题", "expected", "entry")
CATEGORY_COLUMNS = ("分类", "意图分类", "category")
COUNT_COLUMNS = ("次数", "数量", "频次", "count")
ROLE_COLUMNS = ("角色", "发送方", "身份", "role")
TIME_COLUMNS = ("时间", "发送时间", "日期时间", "time")  # when it was asked: the hourly load forecast
# What the upload form and `replybook test --help` say: built from the names above, so it cannot drift.
COLUMNS_HINT = (
    f".txt 每行一个问题；.csv 需有“{QUESTION_COLUMNS[0]}”列（或 {'、'.join(QUESTION_COLUMNS[1:])}），"
    f"可带“{EXPECTED_COLUMNS[0]}”（应命中的问答）、“{CATEGORY_COLUMNS[0]}”（应命中的分类，填键或名称）、"
    f"“{COUNT_COLUMNS[0]}”（被问次数，加权覆盖率）列；或聊天记录（只取买家的话）"
)
BUYER_ROLES = frozenset({"买家", "顾客", "客户", "buyer", "customer"})
CHAT_LINE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)\s+(买家|客服|顾客|buyer|agent)\s*([^:：]*)[:：]\s?(.*)$",
    re.IGNORECASE,
)
MAX_CELL = 10_000  # any other cell (an expected question, a category, a count)
MAX_COUNT = 10**9
MAX_PROBLEMS = 500


@dataclass
class QuestionFile:
    """The questions of one file and, for a chat log, what it held (buyer/agent/unknown turns)."""

    questions: list[Question]
    chat: ChatStats | None = None

    def notes(self) -> list[str]:
        return [] if self.chat is None else [self.chat.summary(), *self.chat.warnings()]


def read_questions(path: str | Path, column: str | None = None) -> list[Question]:
    """Questions from a .txt, .csv, .xlsx or chat-log file, in file order."""
    return read_question_file(path, column).questions


def read_question_file(
    source: str | Path | bytes,
    column: str | None = None,
    *,
    name: str | None = None,
    agents: Iterable[str] = (),
) -> QuestionFile:
    """Questions from a file (path, or its bytes and ``name``): text, CSV, an .xlsx/.xls question
    list, or a chat log — HDD7's ZIP, khgkk's workbook, the block text. ``agents``: replybook's user
    names, whose turns in a chat log are the agents'."""
    if isinstance(source, bytes):
        data, label = source, name or "上传的文件"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise file_error(path, exc) from None
        label = name or str(path)
    found = read_binary(data, label, column, agents)
    if found is not None:
        questions, stats, rows = found
        if rows is not None:
            questions = _read_rows(rows, label, column)
        if not questions:
            raise InvalidValue(f"{label} 里没有找到问题" + (f"（{stats.summary()}）" if stats else ""))
        return QuestionFile(questions, stats)
    suffix = Path(label).suffix.lower()
    if suffix in (".xlsx", ".xls", ".zip"):  # named as a workbook or an archive, but is neither
        raise InvalidValue(
            f"{label} 不是有效的 {suffix} 文件（打不开）：请上传 .txt、.csv、.xlsx 或聊天记录（.log、千牛聊天记录 .zip）"
        )
    text, _encoding = detect_and_decode(data)
    return parse_question_text(text, label, column, agents=agents)


def parse_question_text(
    text: str, source: str, column: str | None = None, *, agents: Iterable[str] = ()
) -> QuestionFile:
    """``parse_questions`` with what a chat log held."""
    if Path(source).suffix.lower() != ".csv" and not column and looks_like_blocks(text):
        questions, stats = from_conversations(read_block_text(text, source=source), agents)
        if not questions:
            raise InvalidValue(f"{source} 里没有找到问题（{stats.summary()}）")
        return QuestionFile(questions, stats)
    return QuestionFile(parse_questions(text, source, column))


def parse_questions(text: str, source: str, column: str | None = None) -> list[Question]:
    """Questions from the decoded text of a file named ``source`` (its suffix says CSV or text; a
    text in the chat-log block form is a chat log)."""
    if Path(source).suffix.lower() == ".csv":
        questions = _read_csv(text, source, column)
    elif not column and looks_like_blocks(text):
        questions = from_conversations(read_block_text(text, source=source))[0]
    else:
        if column:
            raise InvalidValue("--column 只适用于 CSV 文件")
        questions = _read_text(text, source)
    if not questions:
        raise InvalidValue(f"{source} 里没有找到问题")
    return questions


def truncation_warning(questions: list[Question]) -> str | None:
    """One line naming the questions cut at MAX_QUESTION characters, or None."""
    cut = [q.where for q in questions if q.truncated]
    if not cut:
        return None
    shown = "、".join(cut[:10]) + (f" 等 {len(cut)} 处" if len(cut) > 10 else "")
    return f"{shown}的问题超过 {MAX_QUESTION} 个字，已截取前 {MAX_QUESTION} 个字（与试问框一致）"


def _read_text(text: str, source: str) -> list[Question]:
    lines = text.splitlines()
    filled = [ln for ln in lines if ln.strip()]
    chat = filled and sum(1 for ln in filled if CHAT_LINE.match(ln)) >= max(1, len(filled) // 2)
    out: list[Question] = []
    problems: list[Problem] = []
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if chat:
            m = CHAT_LINE.match(line)
            if m is None or m.group(2).lower() not in BUYER_ROLES or not m.group(4).strip():
                continue
            line, at = m.group(4), _moment(m.group(1), f"第 {no} 行", None, problems)
        else:
            at = None
        question = make_question(line, f"第 {no} 行", problems, at=at)
        if question is not None:
            out.append(question)
    if problems:
        raise ImportFormatError(source, problems[:MAX_PROBLEMS])
    return out


def _pick(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in folded:
            return folded.index(name.lower())
    return None


def _no_question_column(source: str, header: list[str]) -> str:
    """Why a CSV has no question column: it is another kind of file, or its column has another name."""
    names = {h.strip().lstrip("\ufeff") for h in header}
    if names & set(qianniu_csv.HEADER_NAMES):
        return (
            f"{source}：这是千牛快捷短语 CSV（表头 {','.join(h for h in header if h.strip())}），不是问题文件；"
            "快捷短语请用“导入导出”页或 replybook import 导入"
        )
    levels = set(review_csv.LEVEL_COLUMNS) | set(review_csv.LEVEL_ALIASES)
    if review_csv.DATE in names and names & (levels | {review_csv.SCORE}):
        return (
            f"{source}：这是评价统计 CSV（表头 {','.join(h for h in header if h.strip())}），不是问题文件；"
            "评价数请用“金牌客服”页或 replybook gold import 导入"
        )
    return (
        f"{source}：第 1 行没有问题列（应为 {'、'.join(QUESTION_COLUMNS)} 之一，"
        f"有：{'、'.join(header)}）；问题在别的列时请填写问题列名（命令行 --column）"
    )


def _read_csv(text: str, source: str, column: str | None) -> list[Question]:
    return _read_rows(read_records(text, source=source), source, column)


def _read_rows(rows: list[list[str]], source: str, column: str | None) -> list[Question]:
    """Questions from a table's rows (a CSV's records, a workbook sheet's cells); row 1 the header."""
    if not rows:
        return []
    header = rows[0]
    if column is not None:
        q_col = _pick(header, (column,))
        if q_col is None:
            raise InvalidValue(f"{source}：没有名为 {column!r} 的列（有：{'、'.join(header)}）")
    else:
        q_col = _pick(header, QUESTION_COLUMNS)
        if q_col is None:
            raise InvalidValue(_no_question_column(source, header))
    e_col = _pick(header, EXPECTED_COLUMNS)
    c_col = _pick(header, CATEGORY_COLUMNS)
    n_col = _pick(header, COUNT_COLUMNS)
    r_col = _pick(header, ROLE_COLUMNS)
    t_col = _pick(header, TIME_COLUMNS)
    problems: list[Problem] = []
    out: list[Question] = []
    for no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(i: int | None, row: list[str] = row) -> str | None:
            return None if i is None else (row[i].strip() if i < len(row) else "")

        text_ = row[q_col] if q_col < len(row) else ""
        if r_col is not None and (cell(r_col) or "").lower() not in BUYER_ROLES:
            continue
        if not text_.strip():
            continue
        where = f"第 {no} 行"
        long_cell = next((i for i, c in enumerate(row) if i != q_col and len(c) > MAX_CELL), None)
        if long_cell is not None:
            problems.append(Problem(where, f"超过 {MAX_CELL:,} 个字", _name(header, long_cell)))
            continue
        count = _count(cell(n_col), where, _name(header, n_col), problems)
        labels: dict[str, object] = {"expected": cell(e_col)}
        labels["expected_category"] = cell(c_col) if e_col is None else (cell(c_col) or None)
        bad_label = next((v for v in labels.values() if isinstance(v, str) and control_problem(v)), None)
        if bad_label:
            problems.append(Problem(where, control_problem(bad_label) or "", _name(header, e_col or c_col)))
            continue
        if cell(t_col):
            labels["at"] = _moment(cell(t_col) or "", where, _name(header, t_col), problems)
        question = make_question(text_, where, problems, _name(header, q_col), count=count, **labels)
        if question is not None:
            out.append(question)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportFormatError(source, problems[:MAX_PROBLEMS])
    return out


def _name(header: list[str], index: int | None) -> str | None:
    return header[index] if index is not None and index < len(header) else None


def _moment(raw: str, where: str, column: str | None, problems: list[Problem]) -> datetime | None:
    """时间: a date and time (shop time unless it carries an offset), e.g. 2026-09-10 20:15:00."""
    text = raw.strip().replace("/", "-")
    if len(text) > 10:  # a date alone says no hour
        try:
            return parse_datetime(text)
        except InvalidValue:
            pass
    problems.append(Problem(where, f"时间 {raw[:30]!r} 应为日期和时间，例如 2026-09-10 20:15:00", column))
    return None


def _count(raw: str | None, where: str, column: str | None, problems: list[Problem]) -> int:
    """次数: a whole number from 1 to 10^9 (Excel may write 3.0); 1 when the cell is empty."""
    if not raw:
        return 1
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or not 1 <= value <= MAX_COUNT:
        problems.append(Problem(where, f"次数 {raw[:20]!r} 应为 1 到 {MAX_COUNT:,} 之间的整数", column))
        return 1
    return int(value)
