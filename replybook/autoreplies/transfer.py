"""Auto-replies in a workbook (SPEC §8a): the 自动回复 sheet, one rule a row, read with every
problem named by sheet, row and column, and imported like the other kinds — merge (the same name →
update, a new name → add), replace (the rules become exactly the sheet's) and a dry run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from replybook.autoreplies.rules import (
    MAX_KEYWORDS,
    TRIGGER_NAMES,
    AutoReplyData,
    create_rule,
    delete_rule,
    list_rules,
    update_rule,
    validate,
)
from replybook.store.errors import InvalidValue, Problem
from replybook.store.models import AutoReply, Trigger
from replybook.store.timeutil import as_aware, parse_datetime
from replybook.tabular.columns import (
    Column,
    blank,
    cell_lines,
    cell_value,
    column_label,
    moment_text,
    parse_flag,
    read_header,
    where,
)

SHEET = "自动回复"
TRIGGER_WORDS = {name: trigger.value for trigger, name in TRIGGER_NAMES.items()} | {
    "离线": Trigger.AWAY.value,
    "挂起": Trigger.AWAY.value,
    "首次": Trigger.FIRST_CONTACT.value,
    "关键词": Trigger.KEYWORD.value,
    "关键字回复": Trigger.KEYWORD.value,
    "休息时间": Trigger.SCHEDULE.value,
}
COLUMNS = (
    Column("name", "名称", ("规则名称", "规则名"), required=True, help="规则的名字，不能重复；导入时按名称合并"),
    Column("trigger", "触发方式", ("触发", "触发条件", "类型"), required=True,
           help="首次接待、离线/挂起、忙碌、关键词回复、非服务时间（或 first_contact 等标识）"),
    Column("text", "回复内容", ("内容", "回复", "答案"), required=True, help="发给买家的文字"),
    Column("keywords", "关键词", ("关键字",), multi=True,
           help=f"关键词回复用，每行一个，最多 {MAX_KEYWORDS} 个"),
    Column("busy_threshold", "排队人数", ("忙碌人数",), help="忙碌回复用：超过这么多人排队时发送"),
    Column("service_hours", "服务时间", ("上班时间",), help="如 08:30-24:00：在这段时间以外发送"),
    Column("active_start", "生效开始", ("开始时间",), help="可不填；活动期间的规则写开始时间（北京时间）"),
    Column("active_end", "生效结束", ("结束时间",), help="可不填；须晚于生效开始"),
    Column("priority", "优先级", (), help="整数，同一时刻同类规则里大的优先；不填为 0"),
    Column("enabled", "启用", ("是否启用", "状态"), help="是 或 否；不填为 是"),
)  # fmt: skip


@dataclass
class AutoReplyPlan:
    add: list[AutoReplyData] = field(default_factory=list)
    change: list[tuple[int, int, AutoReplyData]] = field(default_factory=list)  # id, version, data
    remove: list[tuple[int, str]] = field(default_factory=list)  # id, name
    unchanged: int = 0


def read_sheet(
    rows: Iterator[tuple[int, list[str]]], *, problems: list[Problem], notes: list[str], sheet: str = SHEET
) -> list[tuple[str, AutoReplyData]]:
    """The 自动回复 sheet's rules with their labels; every bad cell is a problem."""
    header = read_header(rows, sheet, COLUMNS, problems=problems, notes=notes)
    if header is None:
        return []
    idx = header.indexes
    labels = {c.key: column_label(c.name, idx[c.key][0]) for c in COLUMNS if c.key in idx}
    found: list[tuple[str, AutoReplyData]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        if blank(cells):
            continue
        here = where(sheet, number)
        bad: list[tuple[str | None, str]] = []
        trigger_text = cell_value(cells, idx.get("trigger"))
        trigger = TRIGGER_WORDS.get(trigger_text, trigger_text.lower())
        numbers: dict[str, int | None] = {}
        for key in ("busy_threshold", "priority"):
            text = cell_value(cells, idx.get(key))
            try:
                numbers[key] = int(text) if text else None
            except ValueError:
                bad.append((key, f"应为整数，而不是 {text!r}"))
                numbers[key] = None
        moments: dict[str, datetime | None] = {}
        for key in ("active_start", "active_end"):
            text = cell_value(cells, idx.get(key))
            try:
                moments[key] = parse_datetime(text) if text else None
            except InvalidValue as exc:
                bad.append((key, str(exc)))
                moments[key] = None
        enabled = parse_flag(cell_value(cells, idx.get("enabled")))
        if enabled is None:
            bad.append(("enabled", f"应为 是 或 否，而不是 {cell_value(cells, idx.get('enabled'))!r}"))
        data = AutoReplyData(
            name=cell_value(cells, idx.get("name")),
            trigger=trigger,
            text=cell_value(cells, idx.get("text")),
            keywords=cell_lines(cells, idx.get("keywords")),
            busy_threshold=numbers["busy_threshold"],
            service_hours=cell_value(cells, idx.get("service_hours")) or None,
            active_start=moments["active_start"],
            active_end=moments["active_end"],
            priority=numbers["priority"] or 0,
            enabled=enabled is not False,
        )
        for message in validate(data):
            bad.append((_field_of(message), message))
        if data.name in seen:
            bad.append(("name", f"名称 {data.name} 与第 {seen[data.name]} 行重复"))
        elif data.name:
            seen[data.name] = number
        problems += [Problem(here, m, column=labels.get(k or "")) for k, m in bad]
        if not bad:
            found.append((here, data))
    return found


def _field_of(message: str) -> str | None:
    """The column a message of ``validate`` is about."""
    for word, key in (
        ("名称", "name"),
        ("触发", "trigger"),
        ("回复内容", "text"),
        ("关键词", "keywords"),
        ("服务时间", "service_hours"),
        ("排队", "busy_threshold"),
        ("生效", "active_end"),
    ):
        if word in message:
            return key
    return None


def rule_data(rule: AutoReply) -> AutoReplyData:
    return AutoReplyData(
        name=rule.name,
        trigger=rule.trigger,
        text=rule.text,
        keywords=list(rule.keywords),
        busy_threshold=rule.busy_threshold,
        service_hours=rule.service_hours,
        active_start=as_aware(rule.active_start) if rule.active_start else None,
        active_end=as_aware(rule.active_end) if rule.active_end else None,
        priority=rule.priority,
        enabled=rule.enabled,
    )


def plan_autoreplies(
    session: Session, incoming: list[tuple[str, AutoReplyData]], *, mode: str = "merge"
) -> AutoReplyPlan:
    """What importing the rules changes: by name, merge or replace."""
    if mode not in ("merge", "replace"):
        raise InvalidValue(f"未知导入方式 {mode!r}，可用：merge、replace")
    current = {r.name: r for r in list_rules(session)}
    plan = AutoReplyPlan()
    names = set()
    for _label, data in incoming:
        data.keywords = [k.strip() for k in data.keywords if k.strip()]
        names.add(data.name)
        rule = current.get(data.name)
        if rule is None:
            plan.add.append(data)
        elif rule_data(rule) != data:
            plan.change.append((rule.id or 0, rule.version, data))
        else:
            plan.unchanged += 1
    if mode == "replace":
        plan.remove = [(r.id or 0, r.name) for name, r in current.items() if name not in names]
    return plan


def apply_autoreplies(session: Session, plan: AutoReplyPlan, *, user: str | None = None) -> None:
    for rule_id, _name in plan.remove:
        delete_rule(session, rule_id=rule_id, user=user)
    for rule_id, version, data in plan.change:
        update_rule(session, rule_id=rule_id, data=data, expected_version=version, user=user)
    for data in plan.add:
        create_rule(session, data=data, user=user)
    session.flush()


# ---------------------------------------------------------------- export


def sheet_rows(session: Session) -> Iterator[list[str]]:
    """The rules as rows of the 自动回复 sheet, in the order they were made."""
    for r in list_rules(session):
        yield [
            r.name,
            TRIGGER_NAMES.get(Trigger(r.trigger), r.trigger),
            r.text,
            "\n".join(r.keywords),
            "" if r.busy_threshold is None else str(r.busy_threshold),
            r.service_hours or "",
            moment_text(r.active_start),
            moment_text(r.active_end),
            str(r.priority),
            "是" if r.enabled else "否",
        ]


TRIGGER_CHOICES = [TRIGGER_NAMES[t] for t in Trigger]
