"""Moments where two auto-replies tie (a configuration error the dashboard and the campaign check
show): for the events, the rule that would fire at each half hour and at each window's edge; for
keyword rules, the pairs that share a keyword at one specificity and priority while both are active.

The keyword pairs are not found by comparing every pair at every moment (minutes at 5,000 keyword
rules): each rule's active window becomes the run of moments it covers, the rules are grouped by
normalised keyword, specificity and priority, and within a group a sweep over the runs meets only
the pairs whose runs overlap; a pair's first shared moment is where the later of the two runs
starts. The result is the one the all-pairs comparison gave, in its order (tests/test_autoreply_ties.py
keeps that version to compare with)."""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from replybook.autoreplies.rules import list_rules, specificity, would_fire
from replybook.store.models import AutoReply, Trigger
from replybook.store.normalize import normalise

EVENTS = ("first_contact", "away", "busy")


def find_ties(
    session: Session, start: datetime, end: datetime, *, step_minutes: int = 30
) -> list[dict[str, Any]]:
    """Moments in [start, end) where two rules tie for the same event (configuration errors)."""
    rules = list_rules(session)
    moments = _moments(rules, start, end, step_minutes)
    # Sorted by (moment, events before keywords, event / the pair's ids): the order in which a
    # moment-by-moment pass meets each tie first.
    found: dict[tuple[int, ...], tuple[tuple[Any, ...], dict[str, Any]]] = {}
    # A keyword rule never fires for an event without a message: only the others can tie there.
    others = [r for r in rules if r.trigger != Trigger.KEYWORD]
    if others:
        for at, moment in enumerate(moments):
            for n, event in enumerate(EVENTS):
                firing = would_fire(session, moment, event=event, rules=others)
                if firing.tied:
                    key = tuple(sorted(r.id for r in firing.tied if r.id is not None))
                    if key not in found:
                        tie = {"at": moment, "event": event, "rules": [r.name for r in firing.tied]}
                        found[key] = ((at, 0, n), tie)
    for (at, a, b), key in _keyword_pairs(rules, moments):
        if key not in found:
            tie = {"at": moments[at], "event": "keyword", "rules": [a.name, b.name]}
            found[key] = ((at, 1, a.id or 0, b.id or 0), tie)
    return [tie for _order, tie in sorted(found.values(), key=lambda kv: kv[0])]


def _moments(rules: list[AutoReply], start: datetime, end: datetime, step_minutes: int) -> list[datetime]:
    """Every step from ``start`` and every window edge in [start, end), in order."""
    moments: set[datetime] = set()
    t = start
    while t < end:
        moments.add(t)
        t += timedelta(minutes=step_minutes)
    for r in rules:
        for edge in (r.active_start, r.active_end):
            if edge is not None and start <= edge < end:
                moments.add(edge)
    return sorted(moments)


def _keyword_pairs(
    rules: list[AutoReply], moments: list[datetime]
) -> list[tuple[tuple[int, AutoReply, AutoReply], tuple[int, int]]]:
    """Each pair of enabled keyword rules that share a normalised keyword at one specificity and
    priority and are both active at some moment: ((the first such moment's index, the rule listed
    first, the other), the pair's key)."""
    groups: dict[tuple[str, int, int], list[tuple[int, int, int]]] = {}  # → (lo, hi, position)
    forms: dict[str, str] = {}  # keyword → its normal form (shops repeat keywords across rules)
    for pos, r in enumerate(rules):
        if r.trigger != Trigger.KEYWORD or not r.enabled:
            continue
        # Active at moments[lo:hi]: from the first moment at or after its start, before its end.
        lo = 0 if r.active_start is None else bisect_left(moments, r.active_start)
        hi = len(moments) if r.active_end is None else bisect_left(moments, r.active_end)
        if lo >= hi:
            continue
        rank = (specificity(r), r.priority)
        for word in {forms.get(k) or forms.setdefault(k, normalise(k)) for k in r.keywords}:
            groups.setdefault((word, *rank), []).append((lo, hi, pos))
    pairs: dict[tuple[int, int], tuple[int, AutoReply, AutoReply]] = {}
    for members in groups.values():
        members.sort()
        open_runs: list[tuple[int, int, int]] = []
        for lo, hi, pos in members:
            open_runs = [m for m in open_runs if m[1] > lo]  # runs still open where this one starts
            for _lo, _hi, other in open_runs:
                a, b = rules[min(pos, other)], rules[max(pos, other)]  # named in the rules' order
                key = (min(a.id or 0, b.id or 0), max(a.id or 0, b.id or 0))
                if key not in pairs:  # the same first moment whichever keyword they share
                    pairs[key] = (lo, a, b)
            open_runs.append((lo, hi, pos))
    return [(v, k) for k, v in pairs.items()]
