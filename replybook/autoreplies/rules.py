"""Auto-reply rules (自动回复, SPEC §5): rules fire on events, the most specific one wins
(campaign > schedule > generic), then the higher priority; a tie is a configuration error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, col, select

from replybook.store import history, paging
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models import AutoReply, Trigger
from replybook.store.normalize import normalise
from replybook.store.timeutil import parse_datetime, to_shop

MAX_KEYWORDS = 10  # Qianniu allows at most 10 keywords per keyword rule
SPECIFICITY = {2: "活动", 1: "时段", 0: "通用"}
TRIGGER_NAMES = {
    Trigger.FIRST_CONTACT: "首次接待",
    Trigger.AWAY: "离线/挂起",
    Trigger.BUSY: "忙碌",
    Trigger.KEYWORD: "关键词回复",
    Trigger.SCHEDULE: "非服务时间",
}


@dataclass
class AutoReplyData:
    name: str
    trigger: str
    text: str
    keywords: list[str] = field(default_factory=list)
    busy_threshold: int | None = None
    service_hours: str | None = None
    active_start: datetime | None = None
    active_end: datetime | None = None
    priority: int = 0
    enabled: bool = True


def parse_hours(spec: str) -> tuple[time, time | None]:
    """'08:30-24:00' → (08:30, None for midnight)."""
    try:
        a, b = (part.strip() for part in spec.split("-"))
        start = time.fromisoformat(a.zfill(5))
        end = None if b in ("24:00", "00:00") else time.fromisoformat(b.zfill(5))
    except ValueError:
        raise InvalidValue(f"服务时间 {spec!r} 应写成 08:30-24:00") from None
    return start, end


def validate(data: AutoReplyData) -> list[str]:
    found: list[str] = []
    if not data.name.strip():
        found.append("名称不能为空")
    if data.trigger not in {t.value for t in Trigger}:
        known = "、".join(f"{TRIGGER_NAMES[t]}（{t.value}）" for t in Trigger)
        found.append(f"未知触发方式 {data.trigger!r}，可用：{known}")
    if not data.text.strip():
        found.append("回复内容不能为空")
    if data.trigger == Trigger.KEYWORD and not data.keywords:
        found.append("关键词回复至少需要一个关键词")
    if len(data.keywords) > MAX_KEYWORDS:
        found.append(f"关键词最多 {MAX_KEYWORDS} 个（现有 {len(data.keywords)} 个）")
    if data.trigger == Trigger.SCHEDULE and not data.service_hours:
        found.append("非服务时间回复需要填写服务时间，例如 08:30-24:00")
    if data.service_hours:
        try:
            parse_hours(data.service_hours)
        except InvalidValue as exc:
            found.append(str(exc))
    if data.trigger == Trigger.BUSY and (data.busy_threshold is None or data.busy_threshold < 1):
        found.append("忙碌回复需要填写排队人数（至少 1）")
    if data.active_start and data.active_end and data.active_end <= data.active_start:
        found.append("生效时间的结束必须晚于开始")
    return found


def specificity(rule: AutoReply) -> int:
    if rule.active_start is not None or rule.active_end is not None:
        return 2
    if rule.service_hours:
        return 1
    return 0


def _in_window(rule: AutoReply, at: datetime) -> bool:
    if rule.active_start is not None and at < rule.active_start:
        return False
    return not (rule.active_end is not None and at >= rule.active_end)


def _outside_hours(rule: AutoReply, at: datetime) -> bool:
    start, end = parse_hours(rule.service_hours or "00:00-24:00")
    local = to_shop(at).time()
    inside = local >= start and (end is None or local < end)
    return not inside


def applies(rule: AutoReply, at: datetime, *, event: str, message: str = "", waiting: int = 0) -> bool:
    """Whether ``rule`` would fire for ``event`` at ``at``.

    event: first_contact (a buyer's first message of the day), message (any later message),
    away (agent offline) or busy. Keyword rules fire on a message containing a keyword; a rule with
    service hours fires only outside them.
    """
    if not rule.enabled or not _in_window(rule, at):
        return False
    if rule.service_hours and not _outside_hours(rule, at):
        return False
    if rule.trigger == Trigger.KEYWORD:
        text = normalise(message)
        return bool(text) and any(normalise(k) and normalise(k) in text for k in rule.keywords)
    if rule.trigger == Trigger.SCHEDULE:
        return event in ("first_contact", "message")
    if rule.trigger == Trigger.BUSY:
        return event == "busy" or (rule.busy_threshold is not None and waiting > rule.busy_threshold)
    if rule.trigger == Trigger.AWAY:
        return event == "away"
    return event == "first_contact"


@dataclass
class Firing:
    rule: AutoReply | None
    tied: list[AutoReply]
    candidates: list[AutoReply]


def would_fire(
    session: Session,
    at: datetime,
    *,
    event: str = "first_contact",
    message: str = "",
    waiting: int = 0,
    rules: list[AutoReply] | None = None,
) -> Firing:
    """The rule that fires at ``at`` for ``event``; ``tied`` lists rules that tie with it.

    ``rules``: the rules already loaded, for callers that ask about many moments.
    """
    if rules is None:  # only the rules that can fire: enabled, and keyword rules only for a message
        stmt = select(AutoReply).where(col(AutoReply.enabled).is_(True)).order_by(col(AutoReply.id))
        if not message:
            stmt = stmt.where(AutoReply.trigger != Trigger.KEYWORD)
        candidates = list(session.exec(stmt))
    else:
        candidates = rules
    rules = [r for r in candidates if applies(r, at, event=event, message=message, waiting=waiting)]
    rules.sort(key=lambda r: (specificity(r), r.priority), reverse=True)
    if not rules:
        return Firing(None, [], [])
    top = rules[0]
    tied = [r for r in rules if (specificity(r), r.priority) == (specificity(top), top.priority)]
    return Firing(top, tied if len(tied) > 1 else [], rules)


# ---------------------------------------------------------------- CRUD


def list_rules(session: Session) -> list[AutoReply]:
    return list(session.exec(select(AutoReply).order_by(col(AutoReply.id))))


def page_of_rules(session: Session, *, page: int, per_page: int) -> paging.Page[AutoReply]:
    """One page of the rules in list_rules' order."""
    return paging.fetch(session, select(AutoReply).order_by(col(AutoReply.id)), page=page, per_page=per_page)


def get_rule(session: Session, rule_id: int) -> AutoReply:
    rule = session.get(AutoReply, rule_id)
    if rule is None:
        raise NotFoundError(f"没有编号为 {rule_id} 的自动回复")
    return rule


def _fill(rule: AutoReply, data: AutoReplyData) -> None:
    for key, value in data.__dict__.items():
        setattr(rule, key, value)
    rule.name = data.name.strip()
    rule.keywords = [k.strip() for k in data.keywords if k.strip()]


def _check(session: Session, data: AutoReplyData, *, exclude_id: int | None = None) -> None:
    found = validate(data)
    if found:
        raise InvalidValue("；".join(found))
    clash = session.exec(select(AutoReply).where(AutoReply.name == data.name.strip())).first()
    if clash is not None and clash.id != exclude_id:
        raise ConflictError(f"已有名为 {data.name} 的自动回复")


def create_rule(session: Session, *, data: AutoReplyData, user: str | None = None) -> AutoReply:
    _check(session, data)
    rule = AutoReply(name=data.name, trigger=data.trigger, text=data.text)
    _fill(rule, data)
    return history.create(session, rule, user=user, summary=f"新增自动回复 {rule.name}")


def update_rule(
    session: Session,
    *,
    rule_id: int,
    data: AutoReplyData,
    expected_version: int | None,
    user: str | None = None,
) -> AutoReply:
    rule = get_rule(session, rule_id)

    def check_and_fill(rule: AutoReply) -> None:
        _check(session, data, exclude_id=rule_id)
        _fill(rule, data)

    return history.update(
        session,
        rule,
        check_and_fill,
        expected_version=expected_version,
        user=user,
        summary=f"修改自动回复 {data.name.strip()}",
    )


def delete_rule(session: Session, *, rule_id: int, user: str | None = None) -> None:
    rule = get_rule(session, rule_id)
    history.delete(session, rule, user=user, summary=f"删除自动回复 {rule.name}")


def data_from_mapping(raw: dict[str, Any]) -> AutoReplyData:
    """Read one rule as written in autoreplies.yaml."""
    active = raw.get("active") or {}
    return AutoReplyData(
        name=str(raw.get("name") or ""),
        trigger=str(raw.get("trigger") or ""),
        text=str(raw.get("text") or ""),
        keywords=[str(k) for k in raw.get("keywords") or []],
        busy_threshold=raw.get("busy_threshold"),
        service_hours=raw.get("service_hours"),
        active_start=parse_datetime(active["start"]) if active.get("start") else None,
        active_end=parse_datetime(active["end"]) if active.get("end") else None,
        priority=int(raw.get("priority") or 0),
        enabled=bool(raw.get("enabled", True)),
    )
