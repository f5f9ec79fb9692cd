"""autoreplies.find_ties finds what the all-pairs comparison at every moment found (kept below as
``all_pairs_ties``, the version before: minutes at 5,000 keyword rules), in the same order:
for any set of rules (keywords that normalise alike or to nothing, windows on and off the half
hours, inside and outside the range, disabled rules, event rules with service hours)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook import autoreplies
from replybook.autoreplies.rules import _in_window, list_rules, specificity, would_fire
from replybook.store.models import AutoReply, Trigger
from replybook.store.normalize import normalise
from replybook.store.timeutil import SHOP_TZ

START = datetime(2026, 11, 11, 0, 0, tzinfo=SHOP_TZ)


def all_pairs_ties(
    session: Session, start: datetime, end: datetime, *, step_minutes: int = 30
) -> list[dict[str, Any]]:
    """find_ties as it was: every pair of keyword rules compared at every moment."""
    rules = list_rules(session)
    moments: set[datetime] = set()
    t = start
    while t < end:
        moments.add(t)
        t += timedelta(minutes=step_minutes)
    for r in rules:
        for edge in (r.active_start, r.active_end):
            if edge is not None and start <= edge < end:
                moments.add(edge)
    found: dict[tuple[int, ...], dict[str, Any]] = {}
    for moment in sorted(moments):
        for event in ("first_contact", "away", "busy"):
            firing = would_fire(session, moment, event=event, rules=rules)
            if firing.tied:
                key = tuple(sorted(r.id for r in firing.tied if r.id is not None))
                found.setdefault(key, {"at": moment, "event": event, "rules": [r.name for r in firing.tied]})
        keyword_rules = [
            r for r in rules if r.trigger == Trigger.KEYWORD and r.enabled and _in_window(r, moment)
        ]
        for i, a in enumerate(keyword_rules):
            for b in keyword_rules[i + 1 :]:
                shared = {normalise(k) for k in a.keywords} & {normalise(k) for k in b.keywords}
                if shared and (specificity(a), a.priority) == (specificity(b), b.priority):
                    key = tuple(sorted((a.id or 0, b.id or 0)))
                    found.setdefault(key, {"at": moment, "event": "keyword", "rules": [a.name, b.name]})
    return list(found.values())


# Edges a quarter hour apart around a range of one to three hours: on and off the half hours (and
# the 45-minute steps), before and after it; few of them, so windows often meet end to start.
EDGES = st.one_of(st.none(), st.integers(-2, 13).map(lambda q: START + timedelta(minutes=15 * q)))
KEYWORDS = st.lists(st.sampled_from(["发货", "发货！", "包邮", "！！", "什么快递"]), max_size=2)


@st.composite
def rule_fields(draw: Any) -> dict[str, Any]:
    trigger = draw(st.sampled_from(["keyword", "keyword", "keyword", "first_contact", "away", "busy"]))
    a, b = draw(EDGES), draw(EDGES)
    if a is not None and b is not None and b <= a:  # a window ends after it starts
        a, b = b, (a if a != b else None)
    return {
        "trigger": trigger,
        "keywords": draw(KEYWORDS) if trigger == "keyword" else [],
        "busy_threshold": 3 if trigger == "busy" else None,
        "service_hours": draw(st.sampled_from([None, None, "02:00-04:30"])),
        "active_start": a,
        "active_end": b,
        "priority": draw(st.sampled_from([0, 0, 0, 1])),
        "enabled": draw(st.sampled_from([True, True, True, False])),
    }


@pytest.fixture(scope="module")
def ties_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from replybook.store import db
    from tests.conftest import _fresh

    eng = db.make_engine(str(tmp_path_factory.mktemp("ties") / "ties.db"))
    _fresh(eng)
    yield eng
    eng.dispose()


def _with_rules(session: Session, fields: list[dict[str, Any]]) -> None:
    for i, f in enumerate(fields):
        session.add(AutoReply(name=f"规则{i}", text="您好", **f))
    session.flush()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(rule_fields(), max_size=9), step=st.sampled_from([30, 45]), hours=st.integers(1, 3))
def test_find_ties_gives_what_comparing_every_pair_at_every_moment_gave(
    ties_engine: Engine, fields: list[dict[str, Any]], step: int, hours: int
) -> None:
    end = START + timedelta(hours=hours)
    with Session(ties_engine) as s:
        _with_rules(s, fields)
        try:
            assert autoreplies.find_ties(s, START, end, step_minutes=step) == all_pairs_ties(
                s, START, end, step_minutes=step
            )
        finally:
            s.rollback()


def test_keyword_rules_sharing_a_keyword_tie_only_while_both_are_active(engine: Engine) -> None:
    hour = timedelta(hours=1)
    fields = [
        {"trigger": "keyword", "keywords": ["发货"], "active_start": START, "active_end": START + hour},
        {"trigger": "keyword", "keywords": ["发货！"], "active_start": START + 2 * hour},  # later
        {"trigger": "keyword", "keywords": ["发货"], "active_start": START + hour / 2},  # overlaps both
        {"trigger": "keyword", "keywords": ["发货"], "priority": 1},  # another priority: no tie
    ]
    with Session(engine) as s:
        _with_rules(s, fields)
        ties = autoreplies.find_ties(s, START, START + 4 * hour)
    assert ties == [
        {"at": START + hour / 2, "event": "keyword", "rules": ["规则0", "规则2"]},
        {"at": START + 2 * hour, "event": "keyword", "rules": ["规则1", "规则2"]},
    ]
