"""The complete library file (issue 15 item 2): the SPEC §4 document of the bot's entries, its
categories and bot settings (``library/file.py``), plus the shop's auto-replies and campaigns with
their question sets, so one YAML file is a whole bot backup that ``replybook library import``
restores. The two extra sections are optional: a file without them leaves the rules and campaigns
as they are. Export is deterministic, like the library's own part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from replybook import autoreplies, campaigns
from replybook.autoreplies import transfer as autoreply_transfer
from replybook.library import file as library_file
from replybook.library import synonyms as synonym_lists
from replybook.library.strict_yaml import load as load_yaml
from replybook.store.errors import ImportFormatError, Problem, ReplybookError, file_error
from replybook.store.models import Trigger
from replybook.store.timeutil import iso_shop, parse_datetime

AUTOREPLY_KEYS = (
    "name", "trigger", "text", "keywords", "busy_threshold", "service_hours", "active", "priority", "enabled",
)  # fmt: skip
CAMPAIGN_KEYS = (
    "name", "start", "end", "coverage_target", "min_entries", "min_personal_phrases", "min_team_phrases",
    "questions_file", "questions_text",
)  # fmt: skip


@dataclass
class CampaignPlan:
    add: list[campaigns.CampaignData] = field(default_factory=list)
    change: list[tuple[str, campaigns.CampaignData]] = field(default_factory=list)  # stored name, data
    remove: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class FullLibraryPlan:
    """What importing a complete library file does: the library's own plan, and the rules' and
    campaigns' plans when the file has those sections (None: left as they are)."""

    library: library_file.LibraryPlan
    synonyms: synonym_lists.SynonymPlan | None = None
    autoreplies: autoreply_transfer.AutoReplyPlan | None = None
    campaigns: CampaignPlan | None = None


# ---------------------------------------------------------------- export


def _moment(value: datetime | None) -> str | None:
    return iso_shop(value)


def autoreply_mapping(data: autoreplies.AutoReplyData) -> dict[str, Any]:
    """One rule as the file writes it (the keys of sample_data/autoreplies.yaml)."""
    out: dict[str, Any] = {"name": data.name, "trigger": data.trigger, "text": data.text}
    if data.keywords:
        out["keywords"] = list(data.keywords)
    if data.busy_threshold is not None:
        out["busy_threshold"] = data.busy_threshold
    if data.service_hours:
        out["service_hours"] = data.service_hours
    if data.active_start or data.active_end:
        out["active"] = {
            k: v for k, v in (("start", _moment(data.active_start)), ("end", _moment(data.active_end))) if v
        }
    out["priority"] = data.priority
    out["enabled"] = data.enabled
    return out


def campaign_mapping(data: campaigns.CampaignData) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": data.name,
        "start": _moment(data.start),
        "end": _moment(data.end),
        "coverage_target": data.coverage_target,
        "min_entries": data.min_entries,
        "min_personal_phrases": data.min_personal_phrases,
        "min_team_phrases": data.min_team_phrases,
    }
    if data.questions_file is not None:
        out["questions_file"] = data.questions_file
    if data.questions_text is not None:
        out["questions_text"] = data.questions_text
    return out


def sections_text(session: Session) -> str:
    """The ``synonyms:``, ``autoreplies:`` and ``campaigns:`` sections of the complete file; an empty
    one is left out, so a shop with none exports the library file it always did."""
    doc = {
        "autoreplies": [
            autoreply_mapping(autoreply_transfer.rule_data(r)) for r in autoreplies.list_rules(session)
        ],
        "campaigns": [
            campaign_mapping(campaigns.campaign_data(c))
            for c in sorted(campaigns.list_campaigns(session), key=lambda c: c.id or 0)
        ],
    }
    doc = {key: items for key, items in doc.items() if items}
    text = synonym_lists.section_text(session)
    if doc:
        text += yaml.safe_dump(
            doc, allow_unicode=True, sort_keys=False, width=1 << 30, default_flow_style=False
        )
    return text


def export_text(session: Session) -> str:
    """The whole bot: library, categories, bot settings, auto-replies and campaigns."""
    return library_file.export_text(session) + sections_text(session)


def export_library(session: Session, path: Path) -> tuple[int, int, int]:
    """Write the complete file; returns the counts of entries, auto-replies and campaigns."""
    text = export_text(session)
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise file_error(path, exc, writing=True) from None
    return (
        text.count("\n  - category:"),
        len(autoreplies.list_rules(session)),
        len(campaigns.list_campaigns(session)),
    )


# ---------------------------------------------------------------- import


def _section(doc: Any, key: str, problems: list[Problem]) -> list[dict[str, Any]] | None:
    if not isinstance(doc, dict) or key not in doc:
        return None
    raw = doc[key]
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.append(Problem(key, "应为列表，每项一个映射（name、…）"))
        return None
    return raw


def _unknown_keys(raw: dict[str, Any], keys: tuple[str, ...], label: str, problems: list[Problem]) -> None:
    for key in raw:
        if key not in keys:
            problems.append(Problem(label, f"未知字段 {key}，可用：{'、'.join(keys)}"))


def read_autoreplies(raw: list[dict[str, Any]], problems: list[Problem]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    names: set[str] = set()
    for index, item in enumerate(raw, start=1):
        label = f"autoreplies 第 {index} 项（{item.get('name') or '无名称'}）"
        _unknown_keys(item, AUTOREPLY_KEYS, label, problems)
        try:
            data = autoreplies.data_from_mapping(item)
        except (ReplybookError, ValueError, TypeError, KeyError) as exc:
            problems.append(Problem(label, str(exc) or "格式不对"))
            continue
        if data.trigger not in {t.value for t in Trigger}:
            problems.append(
                Problem(label, f"未知触发方式 {data.trigger!r}，可用：{'、'.join(t.value for t in Trigger)}")
            )
            continue
        problems += [Problem(label, message) for message in autoreplies.validate(data)]
        if data.name in names:
            problems.append(Problem(label, f"名称 {data.name} 重复"))
        names.add(data.name)
        found.append((label, data))
    return found


def _number(item: dict[str, Any], key: str, default: float, label: str, problems: list[Problem]) -> Any:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(label, f"{key} 应为数字"))
        return default
    return value


def read_campaigns(raw: list[dict[str, Any]], problems: list[Problem]) -> list[campaigns.CampaignData]:
    found: list[campaigns.CampaignData] = []
    names: set[str] = set()
    for index, item in enumerate(raw, start=1):
        name = str(item.get("name") or "").strip()
        label = f"campaigns 第 {index} 项（{name or '无名称'}）"
        _unknown_keys(item, CAMPAIGN_KEYS, label, problems)
        try:
            start = parse_datetime(item["start"])
            end = parse_datetime(item["end"])
        except (KeyError, ReplybookError, ValueError, TypeError):
            problems.append(Problem(label, "start 和 end 应为时间，如 2026-12-10T00:00:00+08:00"))
            continue
        text = item.get("questions_text")
        filename = item.get("questions_file")
        if not all(v is None or isinstance(v, str) for v in (text, filename)):
            problems.append(Problem(label, "questions_file 和 questions_text 应为文字"))
            continue
        data = campaigns.CampaignData(
            name=name,
            start=start,
            end=end,
            questions_file=filename,
            questions_text=text,
            coverage_target=float(_number(item, "coverage_target", 0.9, label, problems)),
            min_entries=int(_number(item, "min_entries", 30, label, problems)),
            min_personal_phrases=int(_number(item, "min_personal_phrases", 10, label, problems)),
            min_team_phrases=int(_number(item, "min_team_phrases", 5, label, problems)),
        )
        if not name:
            problems.append(Problem(label, "活动名称不能为空"))
        elif name in names:
            problems.append(Problem(label, f"活动 {name} 重复"))
        elif end <= start:
            problems.append(Problem(label, "活动结束时间必须晚于开始时间"))
        names.add(name)
        found.append(data)
    return found


def plan_campaigns(session: Session, incoming: list[campaigns.CampaignData], *, mode: str) -> CampaignPlan:
    current = {c.name: c for c in campaigns.list_campaigns(session)}
    plan = CampaignPlan()
    for data in incoming:
        stored = current.get(data.name)
        if stored is None:
            plan.add.append(data)
        elif _same(campaigns.campaign_data(stored), data):
            plan.unchanged += 1
        else:
            plan.change.append((stored.name, data))
    if mode == "replace":
        names = {d.name for d in incoming}
        plan.remove = [name for name in current if name not in names]
    return plan


def _same(a: campaigns.CampaignData, b: campaigns.CampaignData) -> bool:
    return campaign_mapping(a) == campaign_mapping(b)


def _read_synonyms(doc: Any, problems: list[Problem]) -> list[synonym_lists.Group] | None:
    """The file's ``synonyms:`` groups, checked as a list (None: the file has no such section)."""
    if not isinstance(doc, dict) or "synonyms" not in doc:
        return None
    try:
        return synonym_lists.parse_groups(doc["synonyms"])
    except ReplybookError as exc:
        problems.append(Problem("synonyms", str(exc).removeprefix("synonyms ")))
        return None


def plan_import(
    session: Session, text: str, *, source: str, mode: str = "merge", synonyms_mode: str | None = None
) -> FullLibraryPlan:
    """The library's plan and, for the sections the file has, the synonyms', rules' and campaigns'
    plans; any problem anywhere raises one ImportFormatError before anything is planned against the
    database. ``synonyms_mode`` (default ``mode``): a restore replaces a new shop's starter synonyms."""
    library_file.check_mode(mode)
    problems: list[Problem] = []
    try:
        doc = load_yaml(text, source=source)
    except ImportFormatError:
        doc = None  # the library's own reading says what is wrong, with its line
    rules_raw = _section(doc, "autoreplies", problems)
    campaigns_raw = _section(doc, "campaigns", problems)
    groups = _read_synonyms(doc, problems)
    rules = read_autoreplies(rules_raw, problems) if rules_raw is not None else None
    found = read_campaigns(campaigns_raw, problems) if campaigns_raw is not None else None
    try:
        library = library_file.plan_import(session, text, source=source, mode=mode)
    except ImportFormatError as exc:
        raise ImportFormatError(source, exc.problems + problems) from None
    if problems:
        raise ImportFormatError(source, problems)
    plan = FullLibraryPlan(library)
    if groups is not None:
        try:
            plan.synonyms = synonym_lists.plan_synonyms(session, groups, mode=synonyms_mode or mode)
        except ReplybookError as exc:
            raise ImportFormatError(source, [Problem("synonyms", str(exc))]) from None
    if rules is not None:
        plan.autoreplies = autoreply_transfer.plan_autoreplies(session, rules, mode=mode)
    if found is not None:
        plan.campaigns = plan_campaigns(session, found, mode=mode)
    return plan


def apply_import(session: Session, plan: FullLibraryPlan, *, user: str | None = None) -> None:
    """Write the plan; the caller's transaction makes it all-or-nothing."""
    library_file.apply_import(session, plan.library, user=user)
    if plan.synonyms is not None:
        synonym_lists.apply_synonyms(session, plan.synonyms, user=user)
    if plan.autoreplies is not None:
        autoreply_transfer.apply_autoreplies(session, plan.autoreplies, user=user)
    if plan.campaigns is not None:
        for name in plan.campaigns.remove:
            campaigns.delete_campaign(session, name=name, user=user)
        for name, data in plan.campaigns.change:
            campaigns.update_campaign(session, name=name, data=data, user=user)
        for data in plan.campaigns.add:
            campaigns.create_campaign(session, data=data, user=user)
    session.flush()


def import_library(
    session: Session, path: Path, *, mode: str = "merge", dry_run: bool = False, user: str | None = None
) -> FullLibraryPlan:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise file_error(path, exc) from None
    text = library_file.decode_library(raw, source=str(path))
    plan = plan_import(session, text, source=str(path), mode=mode)
    if not dry_run:
        apply_import(session, plan, user=user)
    return plan
