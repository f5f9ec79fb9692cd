"""Try a question: answers as you type (htmx) with the top matches and their scores, the answer the
bot would send, whether it would be handed over to a person (and why), and the auto-reply that would fire at that moment (the same services as `replybook ask`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook import autoreplies, bot
from replybook.coverage.ignored import find_ignored
from replybook.coverage.live import MatcherCache, answer
from replybook.coverage.matching import Matcher
from replybook.coverage.report import STATUS_NAMES
from replybook.coverage.synonyms import fired_for
from replybook.library.entries import list_categories
from replybook.store.labels import EVENT_NAMES
from replybook.store.timeutil import iso_shop, now, parse_datetime

from .auth import SessionDep
from .render import is_htmx, render
from .uploads import UploadRoute

__all__ = ["MatcherCache", "router", "try_data"]

router = APIRouter(route_class=UploadRoute)
# What a buyer can do in the try box (a keyword is part of a message, not an event of its own).
EVENTS = {k: v for k, v in EVENT_NAMES.items() if k != "keyword"}
MAX_QUESTION = 500


def try_data(
    session: Session,
    *,
    q: str,
    at: datetime,
    event: str = "first_contact",
    matchers: MatcherCache | None = None,
) -> dict[str, Any]:
    """What the bot and the auto-replies would do with question ``q`` at ``at``."""
    q = q.strip()[:MAX_QUESTION]
    if event not in EVENTS:
        event = "first_contact"
    matcher: Matcher | None = None
    if matchers is not None:  # the try box and /api/try: read nothing while the shop is unchanged
        matcher, shop = matchers.current(session, at)
        names, ignored_as = shop.category_names, shop.ignored_as
        firing = shop.would_fire(at, event=event, message=q)
        config = shop.bot
    else:
        matcher = Matcher.build(session, at=at) if q else None
        names = {c.key: c.name for c in list_categories(session)}
        firing = autoreplies.would_fire(session, at, event=event, message=q)
        config = bot.get_bot_settings(session)

        def ignored_as(question: str) -> str | None:
            held = find_ignored(session, question)
            return held.question if held else None

    data: dict[str, Any] = {
        "q": q,
        "at": iso_shop(at),
        "event": event,
        "events": EVENTS,
        "result": None,
        "matches": [],
        "synonyms": [],
        "autoreply": (
            {"id": firing.rule.id, "name": firing.rule.name, "text": firing.rule.text}
            if firing.rule
            else None
        ),
        "autoreply_tied": [r.name for r in firing.tied],
    }
    if not q or matcher is None:
        return data
    result, top = answer(matcher, q, n=3)
    data["entries_active"] = len(matcher.entries)
    data["threshold"] = matcher.threshold
    data["margin"] = matcher.margin
    data["matches"] = [
        {
            "entry_id": m.entry_id,
            "question": m.question,
            "category": m.category,
            "category_name": names.get(m.category, m.category),
            "matched": m.matched,
            "keyword": m.keyword,
            "score": round(m.score, 1),
        }
        for m in top
    ]
    data["synonyms"] = [{"similar": a, "word": b} for a, b in fired_for(matcher.synonyms, q, top)]
    data["result"] = {
        "status": result.status,
        "status_name": STATUS_NAMES[result.status],
        "entry_id": result.entry_id,
        "question": result.question,
        "score": round(result.score, 1),
        "answers": list(result.answers) if result.status != "uncovered" else [],
        "runner_up": result.runner_up.question if result.runner_up else None,
    }
    data["ignored_as"] = ignored_as(q)
    data["try_url"] = "/try?" + urlencode({"q": q, "event": event})
    data["handoff"] = bot.decide(
        config,
        question=q,
        status=result.status,
        category=result.category,
        entry=result.question,
        at=at,
    ).to_json()
    return data


@router.get("/try")
def try_page(
    request: Request, session: SessionDep, q: str = "", at: str = "", event: str = "first_contact"
) -> Response:
    moment = parse_datetime(at) if at else now()
    data = try_data(session, q=q, at=moment, event=event, matchers=request.app.state.matchers)
    return render(request, "tryit/index.html", data, block="answer" if is_htmx(request) else None)
