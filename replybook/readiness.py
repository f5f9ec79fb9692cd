"""Pre-promotion readiness (`replybook check --campaign 聚划算`): every check as of the campaign's
window, each pass / warn / fail with its detail and the offending items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from . import autoreplies, campaigns
from .entries import BUILTIN_CATEGORIES, list_categories
from .models import Campaign, Entry, Trigger
from .timeutil import iso_shop

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass
class CheckResult:
    name: str
    title: str
    status: str
    detail: str
    items: list[str] = field(default_factory=list)


@dataclass
class Readiness:
    campaign: Campaign
    checks: list[CheckResult]
    shop: str | None = None

    @property
    def ready(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        c = self.campaign
        return {
            "campaign": {
                "name": c.name,
                "start": iso_shop(c.start),
                "end": iso_shop(c.end),
                "questions": c.questions_path,
                "coverage_target": c.coverage_target,
                "min_entries": c.min_entries,
                "min_personal_phrases": c.min_personal_phrases,
                "min_team_phrases": c.min_team_phrases,
            },
            "ready": self.ready,
            "checks": [asdict(check) for check in self.checks],
        }


def _covers(start: datetime | None, end: datetime | None, c: Campaign) -> bool:
    """Active for the whole campaign: starts no later than it and ends no earlier."""
    return (start is None or start <= c.start) and (end is None or end >= c.end)


def check_entries(session: Session, c: Campaign) -> CheckResult:
    cats = {cat.id: cat for cat in list_categories(session)}
    whole = [e for e in session.exec(select(Entry)) if e.enabled and _covers(e.active_start, e.active_end, c)]
    present = {cats[e.category_id].key for e in whole}
    missing = [f"{name}（{key}）没有全程生效的问答" for key, name in BUILTIN_CATEGORIES if key not in present]
    ok = len(whole) >= c.min_entries and not missing
    detail = f"活动全程生效的已启用问答 {len(whole)} 条（要求 ≥ {c.min_entries}）"
    if missing:
        detail += f"；{len(missing)} 个内置分类没有"
    return CheckResult("entries", "机器人问答数量与分类", PASS if ok else FAIL, detail, missing)


def check_campaign_autoreply(session: Session, c: Campaign) -> CheckResult:
    rules = [
        r
        for r in autoreplies.list_rules(session)
        if r.enabled
        and r.trigger == Trigger.FIRST_CONTACT
        and (r.active_start is not None or r.active_end is not None)
        and _covers(r.active_start, r.active_end, c)
    ]
    if rules:
        return CheckResult(
            "campaign_autoreply",
            "活动首次接待自动回复",
            PASS,
            f"全程生效：{'、'.join(r.name for r in rules)}",
        )
    partial = [
        f"{r.name}（{iso_shop(r.active_start) or '…'} — {iso_shop(r.active_end) or '…'}）"
        for r in autoreplies.list_rules(session)
        if r.trigger == Trigger.FIRST_CONTACT and (r.active_start or r.active_end)
    ]
    return CheckResult(
        "campaign_autoreply",
        "活动首次接待自动回复",
        FAIL,
        "没有覆盖整个活动时间的活动首次接待自动回复（触发方式 first_contact，带生效时间）",
        partial,
    )


def check_autoreply_ties(session: Session, c: Campaign) -> CheckResult:
    ties = autoreplies.find_ties(session, c.start, c.end)
    items = [f"{iso_shop(t['at'])} {t['event']}：{' 与 '.join(t['rules'])} 优先级相同" for t in ties]
    if items:
        return CheckResult(
            "autoreply_ties", "自动回复冲突", FAIL, f"活动期间有 {len(items)} 处规则并列", items
        )
    return CheckResult("autoreply_ties", "自动回复冲突", PASS, "活动期间任何时刻都只有一条规则生效")


def check_promotion_windows(session: Session, c: Campaign) -> CheckResult:
    promo = {cat.id for cat in list_categories(session) if cat.key == "promotions"}
    items = []
    for e in session.exec(select(Entry)):
        if e.category_id not in promo or not e.enabled or (e.active_start is None and e.active_end is None):
            continue
        overlaps = (e.active_start is None or e.active_start < c.end) and (
            e.active_end is None or e.active_end > c.start
        )
        if not overlaps:
            continue
        if e.active_end is not None and e.active_end < c.end:
            items.append(f"{e.question}：{iso_shop(e.active_end)} 结束，早于活动结束")
        if e.active_start is not None and e.active_start > c.start:
            items.append(f"{e.question}：{iso_shop(e.active_start)} 才开始，晚于活动开始")
    if items:
        return CheckResult(
            "promotion_windows", "活动优惠问答的生效时间", FAIL, f"{len(items)} 处与活动时间不符", items
        )
    return CheckResult(
        "promotion_windows", "活动优惠问答的生效时间", PASS, "活动优惠问答的生效时间覆盖整个活动"
    )


def run_checks(
    session: Session,
    *,
    campaign: str,
    questions: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Readiness:
    """Run every readiness check for ``campaign``; ``questions`` overrides its question file."""
    c = campaigns.get_campaign(session, campaign)
    steps: list[Callable[[Session, Campaign], CheckResult | list[CheckResult]]] = [
        check_entries,
        check_campaign_autoreply,
        check_autoreply_ties,
        check_promotion_windows,
    ]
    results: list[CheckResult] = []
    for step in steps:
        if progress:
            progress(step.__name__)
        out = step(session, c)
        results.extend(out if isinstance(out, list) else [out])
    from .library import get_shop_name

    return Readiness(c, results, shop=get_shop_name(session))


def render_html(result: Readiness) -> str:
    """A printable checklist."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .resources import data_dir
    from .timeutil import now, to_shop

    env = Environment(loader=FileSystemLoader(str(data_dir("templates"))), autoescape=select_autoescape())
    c = result.campaign
    return env.get_template("check/report.html").render(
        c=c,
        start=iso_shop(c.start),
        end=iso_shop(c.end),
        shop=result.shop,
        generated=to_shop(now()).strftime("%Y-%m-%d %H:%M"),
        ready=result.ready,
        fails=sum(ch.status == FAIL for ch in result.checks),
        warns=sum(ch.status == WARN for ch in result.checks),
        checks=result.checks,
    )
