"""Pre-promotion readiness (`replybook check --campaign 聚划算`): every check as of the campaign's
window, each pass / warn / fail with its detail and the offending items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from replybook import autoreplies, bot, campaigns
from replybook.campaigns.readiness_types import FAIL, PASS, WARN, CheckResult
from replybook.campaigns.staffing import check_staffing
from replybook.library.entries import BUILTIN_CATEGORIES, list_categories
from replybook.store.errors import InvalidValue
from replybook.store.labels import event_name
from replybook.store.models import Campaign, Entry, Trigger
from replybook.store.timeutil import iso_shop, shop_text


@dataclass
class Readiness:
    campaign: Campaign
    checks: list[CheckResult]
    shop: str | None = None
    handoff: dict[str, Any] | None = None  # the hand-off and staffing forecast of the question set

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
                "questions": c.questions_file,
                "coverage_target": c.coverage_target,
                "min_entries": c.min_entries,
                "min_personal_phrases": c.min_personal_phrases,
                "min_team_phrases": c.min_team_phrases,
            },
            "ready": self.ready,
            "checks": [asdict(check) for check in self.checks],
            "handoff": self.handoff,
        }

    @property
    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == FAIL]


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
        f"{r.name}（{shop_text(r.active_start) or '…'} — {shop_text(r.active_end) or '…'}）"
        for r in autoreplies.list_rules(session)
        if r.trigger == Trigger.FIRST_CONTACT and (r.active_start or r.active_end)
    ]
    return CheckResult(
        "campaign_autoreply",
        "活动首次接待自动回复",
        FAIL,
        "没有覆盖整个活动时间的活动首次接待自动回复（触发方式“首次接待”，带生效时间）",
        partial,
    )


def check_autoreply_ties(session: Session, c: Campaign) -> CheckResult:
    ties = autoreplies.find_ties(session, c.start, c.end)
    items = [
        f"{shop_text(t['at'])} {event_name(t['event'])}：{' 与 '.join(t['rules'])} 优先级相同" for t in ties
    ]
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
            items.append(f"{e.question}：{shop_text(e.active_end)} 结束，早于活动结束")
        if e.active_start is not None and e.active_start > c.start:
            items.append(f"{e.question}：{shop_text(e.active_start)} 才开始，晚于活动开始")
    if items:
        return CheckResult(
            "promotion_windows", "活动优惠问答的生效时间", FAIL, f"{len(items)} 处与活动时间不符", items
        )
    return CheckResult(
        "promotion_windows", "活动优惠问答的生效时间", PASS, "活动优惠问答的生效时间覆盖整个活动"
    )


def check_phrases(session: Session, c: Campaign) -> list[CheckResult]:
    from replybook.phrases import lint_phrases, list_phrases
    from replybook.store.models import PhraseScope, Role, User

    counts: dict[str, int] = {}
    team = 0
    for p in list_phrases(session):
        if p.scope == PhraseScope.TEAM:
            team += 1
        else:
            counts[p.owner] = counts.get(p.owner, 0) + 1
    # Agents by role: a supervisor's own phrases (or a former agent's) are not what serves customers.
    agents = sorted(u.name for u in session.exec(select(User)) if u.role == Role.AGENT)
    short = [f"{a}：{counts.get(a, 0)} 条" for a in agents if counts.get(a, 0) < c.min_personal_phrases]
    personal = CheckResult(
        "personal_phrases",
        "客服个人快捷短语",
        FAIL if short or not agents else PASS,
        (
            f"{len(short)} 位客服的个人短语少于 {c.min_personal_phrases} 条"
            if short
            else (
                f"{len(agents)} 位客服都有至少 {c.min_personal_phrases} 条个人短语"
                if agents
                else "没有客服账号，也没有个人短语"
            )
        ),
        short,
    )
    team_check = CheckResult(
        "team_phrases",
        "团队快捷短语",
        PASS if team >= c.min_team_phrases else FAIL,
        f"团队短语 {team} 条（要求 ≥ {c.min_team_phrases}）",
    )
    findings = lint_phrases(session)
    errors = [str(f) for f in findings if f.severity == "error"]
    warnings = [str(f) for f in findings if f.severity != "error"]
    if errors:
        lint = CheckResult(
            "phrase_codes", "快捷短语编码冲突", FAIL, f"{len(errors)} 处编码冲突", errors + warnings
        )
    elif warnings:
        lint = CheckResult(
            "phrase_codes", "快捷短语编码冲突", WARN, f"没有编码冲突；{len(warnings)} 条提醒", warnings
        )
    else:
        lint = CheckResult("phrase_codes", "快捷短语编码冲突", PASS, "没有编码冲突")
    return [personal, team_check, lint]


def _coverage_check(
    session: Session, c: Campaign, questions: Path | None, forecast: dict[str, Any] | None = None
) -> CheckResult:
    from replybook.coverage.question_files import read_questions
    from replybook.coverage.run import run_coverage
    from replybook.coverage.verdict import campaign_verdict

    # The question set stored with the campaign (or ``questions`` given for this run); without a
    # readable one only this item fails, the rest of the checklist still runs.
    if questions is not None:
        source, asked = questions.name, read_questions(questions)
    else:
        try:
            source, asked = c.questions_file or "", campaigns.campaign_questions(c)
        except InvalidValue as exc:
            return CheckResult("coverage", "活动问题覆盖率", FAIL, str(exc))
    try:
        report = run_coverage(session, asked, at=c.start, source=source)
    except InvalidValue as exc:  # a label that names no category or entry: this item fails, not the check
        return CheckResult("coverage", "活动问题覆盖率", FAIL, str(exc))
    if forecast is not None and report.handoff is not None:
        forecast.update(report.handoff)  # the staffing check reads it: the set is matched once
    summary = report.summary
    verdict = campaign_verdict(summary, c.coverage_target)  # the coverage page's verdict too
    items = [
        f"{cl['question']}（{cl['size']} 次，{cl['wordings']} 种问法）→ 建议新增问答"
        for cl in report.clusters[:5]
    ]
    detail = (
        f"{source}：活动开始时覆盖 {summary['covered']}/{summary['total']} 个问题；{verdict.describe()}；"
        f"有歧义 {summary['ambiguous']}，未覆盖 {summary['uncovered']}"
    )
    teach = [
        {
            "questions": [cl["question"], *cl["similar"]],
            "candidates": [
                {"entry_id": m.entry_id, "question": m.question, "score": round(m.score, 1)}
                for m in report.matcher.top(cl["question"], n=3)
            ],
        }
        for cl in report.clusters[:5]
    ]
    status = PASS if verdict.reached else FAIL
    return CheckResult("coverage", "活动问题覆盖率", status, detail, items, teach=teach)


def check_ambiguous_pairs(session: Session, c: Campaign) -> CheckResult:
    """Two entries the bot cannot tell apart: a wording of one is not cleanly answered by its own
    entry at the campaign's start (another entry scores within the margin above the threshold)."""
    from replybook.coverage.matching import Matcher

    matcher = Matcher.build(session, at=c.start)
    pairs: dict[tuple[str, str], str] = {}
    for entry in matcher.entries:
        for wording in entry.wordings:
            result = matcher.classify(wording)
            if result.status == "covered" and result.entry_id == entry.id:
                continue
            rivals = [
                m
                for m in matcher.top(wording, n=3)
                if m.entry_id != entry.id and m.score >= matcher.threshold
            ]
            for m in rivals[:1]:
                key = tuple(sorted((entry.question, m.question)))
                pairs.setdefault(key, f"“{wording}”：{entry.question} 与 {m.question}（{m.score:.0f} 分）")  # type: ignore[arg-type]
    if pairs:
        return CheckResult(
            "ambiguous_pairs",
            "问答之间的混淆",
            FAIL,
            f"{len(pairs)} 对问答的问法互相匹配",
            list(pairs.values()),
        )
    return CheckResult("ambiguous_pairs", "问答之间的混淆", PASS, "每条问法都只对应它自己的问答")


def check_gold(session: Session, c: Campaign) -> CheckResult:
    """The gold-team verdict for the month the campaign falls in (decided on its 1st): the stored
    result when that day has passed, else the projection. A warning, never a failure."""
    from replybook import gold
    from replybook.store.timeutil import to_shop, today_shop

    month_start = to_shop(c.start).date().replace(day=1)
    today = today_shop()
    if month_start <= today:
        result = gold.check(session, on=month_start, projection=False)
        eligible, reviews, reasons = result.eligible, result.figures.overall.reviews, result.reasons
        detail = f"{month_start} 评定：评价 {reviews} 条"
    else:
        projection = gold.check(session, on=today).projection
        if projection is None:
            return CheckResult("gold_team", "金牌客服预测", WARN, "没有足够的评价数据来预测")
        eligible, reasons = projection.eligible, projection.reasons
        detail = f"预测 {projection.evaluation_day} 评定：评价约 {projection.reviews} 条"
    if eligible:
        return CheckResult("gold_team", "金牌客服预测", PASS, detail + "，达到门槛")
    return CheckResult("gold_team", "金牌客服预测", WARN, detail + "，未达到门槛", list(reasons))


def run_checks(
    session: Session,
    *,
    campaign: str,
    questions: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Readiness:
    """Run every readiness check for ``campaign``; ``questions`` overrides its question file."""
    c = campaigns.get_campaign(session, campaign)
    forecast: dict[str, Any] = {}
    steps: list[Callable[[Session, Campaign], CheckResult | list[CheckResult]]] = [
        check_entries,
        check_campaign_autoreply,
        check_autoreply_ties,
        check_promotion_windows,
        check_phrases,
        lambda session, c: _coverage_check(session, c, questions, forecast),
        lambda session, c: check_staffing(forecast or None, bot.get_bot_settings(session)),
        check_ambiguous_pairs,
        check_gold,
    ]
    results: list[CheckResult] = []
    for step in steps:
        if progress:
            progress(getattr(step, "__name__", "coverage"))
        out = step(session, c)
        results.extend(out if isinstance(out, list) else [out])
    from replybook.library.file import get_shop_name

    return Readiness(c, results, shop=get_shop_name(session), handoff=forecast or None)


def render_html(result: Readiness) -> str:
    """A printable checklist."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from replybook.store.resources import data_dir
    from replybook.store.timeutil import now, to_shop

    env = Environment(loader=FileSystemLoader(str(data_dir("templates"))), autoescape=select_autoescape())
    c = result.campaign
    return env.get_template("check/report.html").render(
        c=c,
        window=campaigns.window_label(c.start, c.end),
        shop=result.shop,
        generated=to_shop(now()).strftime("%Y-%m-%d %H:%M"),
        ready=result.ready,
        fails=sum(ch.status == FAIL for ch in result.checks),
        warns=sum(ch.status == WARN for ch in result.checks),
        checks=result.checks,
        handoff=result.handoff,
    )
