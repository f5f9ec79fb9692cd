"""The bot settings (SPEC §8b): Qianniu's 机器人模式 and 转接设置, the 值班安排, and the staffing figures.

One set per shop, stored as one versioned row (``store/models_bot.py``) through ``store/history.py``.
A shop that never saved any has the defaults below (nothing is written by reading them).

Defaults and where they come from:
- mode 全自动 (the bot answers alone): the mode the hand-off forecast matters for;
- transfer keywords 人工, 转人工, 投诉, 差评, 12315 (the consumer-complaint hotline), 举报: the words
  Qianniu's 转接设置 and the shops' own rules send to a person at once;
- hand over after 2 consecutive questions the bot could not answer (Qianniu's 转接设置 default);
- no high-risk categories or entries until the shop marks them (refunds, complaints, compensation,
  privacy are the usual ones: the bot never answers those alone in 全自动);
- no shifts until the shop enters its 值班安排;
- one agent serves 3 buyers at once, spends 2 minutes on a hand-off and works at 0.8 productivity
  (the staffing rule in ``bot/staffing.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from replybook.store import history
from replybook.store.errors import InvalidValue
from replybook.store.models import BotSettings

MODES = {"semi_auto": "半自动", "full_auto": "全自动"}
DEFAULT_MODE = "full_auto"
DEFAULT_KEYWORDS = ("人工", "转人工", "投诉", "差评", "12315", "举报")
DEFAULT_UNANSWERED_LIMIT = 2
DEFAULT_CONCURRENCY = 3
DEFAULT_HANDLING_MINUTES = 2.0
DEFAULT_PRODUCTIVITY = 0.8
MAX_KEYWORDS = 100
SETTINGS_ID = 1
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def clock_minutes(text: str, *, what: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` (the end of the day) → 1440."""
    m = _CLOCK.match(str(text).strip())
    if (
        m is None
        or int(m.group(2)) > 59
        or int(m.group(1)) > 24
        or (int(m.group(1)) == 24 and m.group(2) != "00")
    ):
        raise InvalidValue(f"{what} {text!r} 应为 时:分，例如 08:30 或 24:00")
    return int(m.group(1)) * 60 + int(m.group(2))


@dataclass(frozen=True)
class Shift:
    """A shift of the 值班安排: its name, its hours (every day; an end before the start runs past
    midnight) and the agents on it."""

    name: str
    start: str
    end: str
    agents: tuple[str, ...] = ()

    @property
    def start_minute(self) -> int:
        return clock_minutes(self.start, what="开始时间")

    @property
    def end_minute(self) -> int:
        return clock_minutes(self.end, what="结束时间")

    def on_duty(self, minute: int) -> bool:
        """Whether the shift works at ``minute`` of the day (0–1439); the start included, the end not."""
        start, end = self.start_minute, self.end_minute
        if start < end:
            return start <= minute < end
        return minute >= start or minute < end  # past midnight

    def minutes_in_hour(self, hour: int) -> int:
        """How many minutes of ``hour`` (0–23) the shift works."""
        return sum(self.on_duty(hour * 60 + m) for m in range(60))

    @property
    def label(self) -> str:
        return f"{self.name} {self.start}–{self.end}"


@dataclass(frozen=True)
class BotConfig:
    """The settings as the rules read them. ``version`` is None for the defaults (never saved)."""

    mode: str = DEFAULT_MODE
    transfer_keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    unanswered_limit: int = DEFAULT_UNANSWERED_LIMIT
    high_risk_categories: tuple[str, ...] = ()
    high_risk_entries: tuple[str, ...] = ()
    shifts: tuple[Shift, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    handling_minutes: float = DEFAULT_HANDLING_MINUTES
    productivity: float = DEFAULT_PRODUCTIVITY
    version: int | None = field(default=None, compare=False)

    @property
    def mode_name(self) -> str:
        return MODES[self.mode]

    @property
    def full_auto(self) -> bool:
        return self.mode == "full_auto"

    def shift(self, name: str) -> Shift:
        for s in self.shifts:
            if s.name == name:
                return s
        known = "、".join(s.name for s in self.shifts) or "无"
        raise InvalidValue(f"没有名为 {name!r} 的班次（已有：{known}）")


def mode_key(value: str) -> str:
    """``半自动`` / ``semi_auto`` → ``semi_auto``; anything else is an error naming both spellings."""
    text = str(value).strip()
    for key, name in MODES.items():
        if text in (key, name):
            return key
    raise InvalidValue(f"机器人模式 {text!r} 应为 半自动 或 全自动")


def _words(values: Iterable[Any], *, what: str) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if not isinstance(v, str | int) or isinstance(v, bool):
            raise InvalidValue(f"{what}应为文字列表")
        text = str(v).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _number(raw: Any, *, what: str, low: float, high: float, whole: bool = False) -> Any:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(raw, bool) or not low <= value <= high or (whole and value != int(value)):
        kind = "整数" if whole else "数"
        raise InvalidValue(f"{what} {raw!r} 应为 {low:g} 到 {high:g} 之间的{kind}")
    return int(value) if whole else value


def shift_from_mapping(raw: Any, *, where: str = "班次") -> Shift:
    if not isinstance(raw, Mapping):
        raise InvalidValue(f"{where}应为包含 name、start、end、agents 的映射")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise InvalidValue(f"{where}缺少名称（name）")
    agents = raw.get("agents") or []
    if isinstance(agents, str):
        agents = re.split(r"[,，、]", agents)
    if not isinstance(agents, list):
        raise InvalidValue(f"{where} {name} 的客服（agents）应为名字列表")
    shift = Shift(
        name,
        str(raw.get("start", "")).strip(),
        str(raw.get("end", "")).strip(),
        _words(agents, what=f"{where} {name} 的客服"),
    )
    start = clock_minutes(shift.start, what=f"{where} {name} 的开始时间")
    end = clock_minutes(shift.end, what=f"{where} {name} 的结束时间")
    if start == end or start == 1440:
        raise InvalidValue(f"{where} {name} 的开始和结束时间应不同（{shift.start}–{shift.end}）")
    return shift


_SHIFT_HOURS = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})\s*(?:[:：](.*))?$")


def parse_shift(text: str) -> Shift:
    """The CLI's ``--shift "晚班=16:00-24:00:小美,小雨"`` (the agents may be left out)."""
    name, eq, rest = text.partition("=")
    m = _SHIFT_HOURS.match(rest)
    if not eq or m is None:
        raise InvalidValue(
            f"班次 {text!r} 应写成 名称=开始-结束:客服1,客服2，例如 晚班=16:00-24:00:小美,小雨"
        )
    return shift_from_mapping(
        {"name": name, "start": m.group(1), "end": m.group(2), "agents": m.group(3) or ""}
    )


def config_from_mapping(raw: Mapping[str, Any], *, base: BotConfig | None = None) -> BotConfig:
    """Settings from a mapping (the library file's ``bot:``, the API's JSON, the web form); keys left
    out keep ``base`` (default: the defaults). Raises InvalidValue naming the field."""
    base = base or BotConfig()
    known = {
        "mode",
        "transfer_keywords",
        "unanswered_limit",
        "high_risk_categories",
        "high_risk_entries",
        "shifts",
        "concurrency",
        "handling_minutes",
        "productivity",
    }
    extra = sorted(set(raw) - known - {"version"})
    if extra:
        raise InvalidValue(
            f"机器人设置没有这些项：{'、'.join(map(str, extra))}（可用：{'、'.join(sorted(known))}）"
        )
    changes: dict[str, Any] = {}
    if "mode" in raw:
        changes["mode"] = mode_key(raw["mode"])
    for key, what in (
        ("transfer_keywords", "转人工关键词"),
        ("high_risk_categories", "高风险分类"),
        ("high_risk_entries", "高风险问答"),
    ):
        if key in raw:
            value = raw[key] or []
            if isinstance(value, str):
                value = re.split(r"[,，、\n]", value)
            if not isinstance(value, list | tuple):
                raise InvalidValue(f"{what}应为列表")
            changes[key] = _words(value, what=what)
    if len(changes.get("transfer_keywords", ())) > MAX_KEYWORDS:
        raise InvalidValue(f"转人工关键词最多 {MAX_KEYWORDS} 个")
    if "unanswered_limit" in raw:
        changes["unanswered_limit"] = _number(
            raw["unanswered_limit"], what="连续答不上几次转人工", low=1, high=20, whole=True
        )
    if "concurrency" in raw:
        changes["concurrency"] = _number(
            raw["concurrency"], what="每位客服同时接待买家数", low=1, high=50, whole=True
        )
    if "handling_minutes" in raw:
        changes["handling_minutes"] = _number(
            raw["handling_minutes"], what="每次转人工处理时长（分钟）", low=0.1, high=240
        )
    if "productivity" in raw:
        changes["productivity"] = _number(raw["productivity"], what="客服有效工作占比", low=0.05, high=1)
    if "shifts" in raw:
        shifts = raw["shifts"] or []
        if not isinstance(shifts, list | tuple):
            raise InvalidValue("班次（shifts）应为列表")
        parsed = [
            s if isinstance(s, Shift) else shift_from_mapping(s, where=f"第 {i} 个班次")
            for i, s in enumerate(shifts, 1)
        ]
        names = [s.name for s in parsed]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise InvalidValue(f"班次名称 {dup} 重复")
        changes["shifts"] = tuple(parsed)
    return replace(base, **changes)


def config_to_mapping(config: BotConfig) -> dict[str, Any]:
    """The settings as plain data, in a fixed order (the library file, the API, the history)."""
    return {
        "mode": config.mode_name,
        "transfer_keywords": list(config.transfer_keywords),
        "unanswered_limit": config.unanswered_limit,
        "high_risk_categories": list(config.high_risk_categories),
        "high_risk_entries": list(config.high_risk_entries),
        "shifts": [
            {"name": s.name, "start": s.start, "end": s.end, "agents": list(s.agents)} for s in config.shifts
        ],
        "concurrency": config.concurrency,
        "handling_minutes": config.handling_minutes,
        "productivity": config.productivity,
    }


def _from_row(row: BotSettings) -> BotConfig:
    return replace(config_from_mapping({**_row_fields(row), "mode": row.mode}), version=row.version)


def _row_fields(row: BotSettings) -> dict[str, Any]:
    return {
        "transfer_keywords": row.transfer_keywords,
        "unanswered_limit": row.unanswered_limit,
        "high_risk_categories": row.high_risk_categories,
        "high_risk_entries": row.high_risk_entries,
        "shifts": row.shifts,
        "concurrency": row.concurrency,
        "handling_minutes": row.handling_minutes,
        "productivity": row.productivity,
    }


def get_bot_settings(session: Session) -> BotConfig:
    """The shop's settings, or the defaults when it never saved any."""
    row = session.get(BotSettings, SETTINGS_ID)
    return BotConfig() if row is None else _from_row(row)


def check_library_names(
    config: BotConfig, *, categories: Mapping[str, str], entries: Iterable[str]
) -> BotConfig:
    """High-risk categories by key or name (stored as keys) and entries by standard question must
    exist in the library (``categories``: key → name)."""
    by_name = {name: key for key, name in categories.items()}
    keys = []
    for value in config.high_risk_categories:
        key = value if value in categories else by_name.get(value)
        if key is None:
            raise InvalidValue(f"高风险分类 {value!r} 不存在（可用：{'、'.join(categories)}）")
        keys.append(key)
    known = set(entries)
    missing = [q for q in config.high_risk_entries if q not in known]
    if missing:
        raise InvalidValue(f"高风险问答 {'、'.join(missing)} 不在问答库里（填标准问题）")
    return replace(config, high_risk_categories=tuple(dict.fromkeys(keys)))


def _library_names(session: Session) -> tuple[dict[str, str], list[str]]:
    from sqlmodel import select

    from replybook.store.models import Category, Entry

    categories = {c.key: c.name for c in session.exec(select(Category))}
    return categories, [e.question for e in session.exec(select(Entry))]


def save_bot_settings(
    session: Session, *, config: BotConfig, expected_version: int | None = None, user: str | None = None
) -> BotConfig:
    """Store the settings (the first save creates them); ``expected_version`` as every versioned item."""
    categories, questions = _library_names(session)
    config = check_library_names(config, categories=categories, entries=questions)
    values = {**config_to_mapping(config), "mode": config.mode}
    row = session.get(BotSettings, SETTINGS_ID)
    if row is None:
        if expected_version not in (None, 0):
            from replybook.store.errors import StaleVersionError

            raise StaleVersionError("bot", SETTINGS_ID, expected_version, 0)
        row = history.create(
            session, BotSettings(id=SETTINGS_ID, **values), user=user, summary="保存机器人设置"
        )
    else:
        history.update(
            session, row, values, expected_version=expected_version, user=user, summary="修改机器人设置"
        )
    return _from_row(row)


def set_shift_agents(
    session: Session,
    *,
    shift: str,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    user: str | None = None,
) -> BotConfig:
    """Add agents to (or take them off) one shift, e.g. ``replybook bot shift 晚班 --add-agent 小新``."""
    config = get_bot_settings(session)
    current = config.shift(shift)
    agents = [a for a in current.agents if a not in set(remove)]
    for name in add:
        name = name.strip()
        if name and name not in agents:
            agents.append(name)
    shifts = tuple(replace(s, agents=tuple(agents)) if s.name == shift else s for s in config.shifts)
    return save_bot_settings(
        session, config=replace(config, shifts=shifts), expected_version=config.version, user=user
    )
