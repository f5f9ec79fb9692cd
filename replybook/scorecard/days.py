"""Storing the scorecard's inputs (issue 17 item 1): figures per agent per day from a report file
(all or nothing; merge or replace) and the supervisor's monthly hand scores, each a versioned item."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from replybook.scorecard.figures_file import COLUMNS, read_figures_file
from replybook.store import history
from replybook.store.errors import InvalidValue, file_error
from replybook.store.models_scorecard import AgentDay, HandScore

IMPORT_MODES = ("merge", "replace")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


@dataclass
class DaysImport:
    encoding: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # days typed by hand that the import left as they were
    first_day: date | None = None
    last_day: date | None = None
    notes: list[str] = field(default_factory=list)


def parse_month(text: str) -> tuple[date, date]:
    """2026-11 → (2026-11-01, 2026-11-30)."""
    m = _MONTH.fullmatch(str(text).strip())
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise InvalidValue(f"月份应写成 2026-11，现为 {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), date.fromordinal(following.toordinal() - 1)


def month_key(text: str) -> str:
    start, _ = parse_month(text)
    return f"{start.year:04d}-{start.month:02d}"


def import_days_file(
    session: Session,
    path: Path,
    *,
    mode: str = "merge",
    user: str | None = None,
    overwrite_hand_days: bool = False,
) -> DaysImport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_error(path, exc) from None
    return import_days(
        session, data, source=str(path), mode=mode, user=user, overwrite_hand_days=overwrite_hand_days
    )


def hand_days_note(count: int, *, overwrite: bool) -> str | None:
    """What an import does with the days typed by hand it meets (None when it meets none)."""
    if not count:
        return None
    if overwrite:
        return (
            f"{count} 天是在网页上手工录入的：将被文件替换或删除（已选择覆盖手工录入的数据；可在历史里恢复）"
        )
    return (
        f"{count} 天是在网页上手工录入的：保留不动，文件中这些天的数据不导入"
        "（要让文件替换或删除它们，请选择“覆盖手工录入的数据”，命令行为 --overwrite-hand-days）"
    )


def import_days(
    session: Session,
    data: bytes,
    *,
    source: str,
    mode: str = "merge",
    user: str | None = None,
    overwrite_hand_days: bool = False,
) -> DaysImport:
    """Store a report's rows, all or nothing. ``merge``: a day/agent in the file replaces the stored one,
    others are kept; ``replace``: the stored report rows of the file's days are the file's exactly.

    Either way a day typed by hand on the web (``typed_by_hand``: a correction, or a day no report
    gave) is left as typed, and counted as kept, unless ``overwrite_hand_days``; what an import writes
    is an imported day from then on."""
    if mode not in IMPORT_MODES:
        raise InvalidValue(f"未知的导入方式 {mode!r}，应为 merge 或 replace")
    parsed = read_figures_file(data, source=source)
    result = DaysImport(encoding=parsed.encoding, notes=parsed.notes)
    days = [r.day for r in parsed.rows]
    result.first_day, result.last_day = min(days), max(days)
    stmt = select(AgentDay).where(
        AgentDay.source == "report",
        col(AgentDay.day) >= result.first_day,
        col(AgentDay.day) <= result.last_day,
    )
    stored = {(d.day, d.agent): d for d in session.exec(stmt)}
    in_file = {(r.day, r.agent) for r in parsed.rows}
    for row in parsed.rows:
        values = {("sales_cents" if k == "sales" else k): v for k, v in row.values.items()}
        what = f"{row.day} {row.agent} 的考核数据（导入 {source}）"
        existing = stored.get((row.day, row.agent))
        if existing is not None and existing.typed_by_hand and not overwrite_hand_days:
            result.kept += 1
            continue
        if existing is None:
            history.create(
                session,
                AgentDay(day=row.day, agent=row.agent, source="report", **values),  # type: ignore[arg-type]
                user=user,
                summary=f"新增 {what}",
            )
            result.added += 1
        else:
            if mode == "replace":
                values = {_key(c.key): values.get(_key(c.key)) for c in COLUMNS[2:]}
            values["typed_by_hand"] = False
            history.update(
                session, existing, values, expected_version=None, user=user, summary=f"更新 {what}"
            )
            result.updated += 1
    if mode == "replace":
        for key, item in stored.items():
            if key in in_file:
                continue
            if item.typed_by_hand and not overwrite_hand_days:
                result.kept += 1
            else:
                history.delete(
                    session, item, user=user, summary=f"删除 {key[0]} {key[1]} 的考核数据（{source} 中没有）"
                )
                result.removed += 1
    if not overwrite_hand_days:
        note = hand_days_note(result.kept, overwrite=False)
        if note:
            result.notes.append(note)
    session.flush()
    return result


def _key(key: str) -> str:
    return "sales_cents" if key == "sales" else key


def set_hand_score(
    session: Session,
    *,
    agent: str,
    month: str,
    item: str,
    score: float,
    user: str | None = None,
    items: list[str] | None = None,
) -> HandScore:
    """The supervisor's 0–100 score of ``agent`` on ``item`` for ``month``; ``items``: the model's
    hand-scored items (a name outside them is a typo)."""
    agent, item, key = agent.strip(), item.strip(), month_key(month)
    if not agent or len(agent) > 64:
        raise InvalidValue("客服名称不能为空，最多 64 个字")
    if items is not None and item not in items:
        raise InvalidValue(f"考核方案中没有手工打分项 {item!r}（有：{'、'.join(items) or '无'}）")
    if not 0 <= float(score) <= 100:
        raise InvalidValue(f"分数应在 0 到 100 之间，现为 {score}")
    stored = session.exec(
        select(HandScore).where(HandScore.month == key, HandScore.agent == agent, HandScore.item == item)
    ).first()
    what = f"{key} {agent} 的{item}"
    if stored is None:
        row = HandScore(month=key, agent=agent, item=item, score=float(score))
        return history.create(session, row, user=user, summary=f"打分 {what}：{score:g}")
    return history.update(
        session,
        stored,
        {"score": float(score)},
        expected_version=None,
        user=user,
        summary=f"修改 {what}：{score:g}",
    )
