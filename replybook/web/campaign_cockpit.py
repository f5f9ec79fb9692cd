"""The campaign page's cockpit (issue 16 item 5): below the campaign's window and question set, its
readiness checklist (each failing item with where to fix it), the hand-off and staffing forecast, and
the auto-replies active during the campaign. The check page shows the same checklist."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from replybook import autoreplies
from replybook.campaigns import readiness
from replybook.store.errors import ReplybookError
from replybook.store.models import Campaign

from .autoreplies import rule_public

STATUS_NAMES = {readiness.PASS: "通过", readiness.WARN: "注意", readiness.FAIL: "未通过"}
# Where each readiness item is fixed ({id}: the campaign's).
FIX_URLS = {
    "entries": "/entries",
    "campaign_autoreply": "/autoreplies",
    "autoreply_ties": "/autoreplies",
    "promotion_windows": "/entries?category=promotions",
    "personal_phrases": "/phrases",
    "team_phrases": "/phrases",
    "phrase_codes": "/phrases",
    "coverage": "/campaigns/{id}#questions",
    "staffing": "/bot",
    "ambiguous_pairs": "/entries",
    "gold_team": "/gold",
}


def fix_url(check_name: str, campaign_id: int | None) -> str:
    return FIX_URLS.get(check_name, "/campaigns/{id}").format(id=campaign_id)


def checklist_data(result: readiness.Readiness, campaign_id: int | None) -> dict[str, Any]:
    """What the checklist partial shows: the verdict, every item and where to fix each."""
    return {
        "ready": result.ready,
        "checks": result.checks,
        "fails": sum(ch.status == readiness.FAIL for ch in result.checks),
        "warns": sum(ch.status == readiness.WARN for ch in result.checks),
        "fix_urls": {ch.name: fix_url(ch.name, campaign_id) for ch in result.checks},
        "handoff": result.handoff,
        "statuses": STATUS_NAMES,
    }


def campaign_autoreplies(session: Session, c: Campaign) -> list[dict[str, Any]]:
    """The auto-replies with an active window that overlaps the campaign (its campaign rules)."""
    return [
        rule_public(r)
        for r in autoreplies.list_rules(session)
        if (r.active_start is not None or r.active_end is not None)
        and (r.active_start is None or r.active_start < c.end)
        and (r.active_end is None or r.active_end > c.start)
    ]


def cockpit_data(session: Session, c: Campaign) -> dict[str, Any]:
    """The campaign page's checklist, forecast and campaign auto-replies (an error instead of the
    checklist when the check cannot run)."""
    data: dict[str, Any] = {"campaign_rules": campaign_autoreplies(session, c), "check_error": None}
    try:
        result = readiness.run_checks(session, campaign=c.name)
    except ReplybookError as exc:
        return data | {"check_error": str(exc)}
    return data | checklist_data(result, c.id)
