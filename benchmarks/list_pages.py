"""Every list page at a small shop and at a big one, in the same run (issue 14 goal 6): server time per
request (p50/p95) of page 1 and of the last page, and the ratio big / small, with the login form as
the baseline of both.

    .venv-test/bin/python benchmarks/list_pages.py [--small 100] [--big 10000] [--phrases 100000] [--requests 40]

In-process (the ASGI app through TestClient: routing, session, database, template; no network),
SQLite. The small shop has ``--small`` rows of each list (phrases, entries, auto-replies, campaigns,
coverage runs, history, users, ignored questions); the big one ``--phrases`` team phrases and
``--big`` rows of every other list (history: ten times that). Rows are written straight into the
tables, as a shop that grew would have them.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, insert  # noqa: E402
from try_box import PASSWORD, p95  # noqa: E402
from try_box import fill as fill_entries  # noqa: E402

from replybook.store import db  # noqa: E402
from replybook.store.models import AutoReply, Campaign, CoverageRun, Phrase, Revision, User  # noqa: E402
from replybook.store.models_ignored import IgnoredQuestion  # noqa: E402
from replybook.store.settings import Settings  # noqa: E402
from replybook.store.timeutil import now  # noqa: E402
from replybook.web.app import create_app  # noqa: E402

PAGES = (  # (label, path); each page's /api/ twin tells how many pages it has
    ("entries", "/entries"),
    ("phrases", "/phrases?library=team"),
    ("autoreplies", "/autoreplies"),
    ("campaigns", "/campaigns"),
    ("coverage runs", "/coverage"),
    ("history", "/history"),
    ("users", "/users"),
    ("ignored", "/ignored"),
)


def _rows(model: str, n: int) -> list[dict[str, Any]]:
    stamp = now()
    if model == "phrase":
        return [
            {
                "scope": "team",
                "owner": "",
                "group_name": f"分组{i % 50:02d}",
                "code": f"p{i:06d}",
                "text": f"亲，第{i}号快捷短语：付款后48小时内发货，有问题随时联系客服哦~",
                "version": 1,
                "updated_at": stamp,
                "updated_by": "bench",
            }
            for i in range(n)
        ]
    if model == "autoreply":
        return [
            {
                "name": f"关键词回复{i}",
                "trigger": "keyword",
                "keywords": [f"词{i}"],
                "text": f"亲，第{i}条自动回复~",
                "priority": 0,
                "enabled": i % 2 == 0,
                "version": 1,
            }
            for i in range(n)
        ]
    if model == "campaign":
        return [
            {
                "name": f"活动{i}",
                "start": stamp + timedelta(days=i),
                "end": stamp + timedelta(days=i, hours=12),
                "coverage_target": 0.9,
                "min_entries": 30,
                "min_personal_phrases": 10,
                "min_team_phrases": 5,
                "version": 1,
            }
            for i in range(n)
        ]
    if model == "run":
        return [
            {"at": stamp, "tested_at": stamp, "source": f"questions{i}.txt", "total": 100, "report": {}}
            for i in range(n)
        ]
    if model == "revision":
        return [
            {
                "item_type": "entry",
                "item_id": 1 + i % 1000,
                "version": 1 + i // 1000,
                "action": "update",
                "data": {"question": f"问题{i % 1000}", "answers": ["亲，答案~"]},
                "summary": "修改",
                "user": "店长",
                "at": stamp,
            }
            for i in range(n)
        ]
    if model == "user":
        return [
            {"name": f"客服{i:05d}", "role": "agent", "password_hash": "-", "version": 1} for i in range(n)
        ]
    return [
        {"question": f"老板电话多少{i}", "question_norm": f"老板电话多少{i}", "note": "", "version": 1}
        for i in range(n)
    ]


def fill(url: str, *, rows: int, phrases: int) -> None:
    fill_entries(url, rows)  # the categories, 店长 and ``rows`` entries
    engine = db.make_engine(url)
    tables = (
        (Phrase, "phrase", phrases),
        (AutoReply, "autoreply", rows),
        (Campaign, "campaign", rows),
        (CoverageRun, "run", rows),
        (Revision, "revision", rows * 10),
        (User, "user", rows),
        (IgnoredQuestion, "ignored", rows),
    )
    with Session(engine) as s:
        for model, kind, n in tables:
            made = _rows(kind, n)
            for start in range(0, n, 10_000):
                s.execute(insert(model), made[start : start + 10_000])
        s.commit()
    engine.dispose()


def login(client: TestClient) -> None:
    """Log in without following the redirect to the dashboard (whose campaign check reads every
    auto-reply: not a list page)."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post(
        "/login", data={"name": "店长", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )


def timed(client: TestClient, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) * 1000


def measure(urls: dict[str, str], requests: int) -> dict[str, dict[str, list[float]]]:
    """label → shop → times; the shops' requests alternate, so a burst of load on the shared machine
    falls on both."""
    apps = {shop: create_app(Settings(database_url=url, secret_key="bench")) for shop, url in urls.items()}
    out: dict[str, dict[str, list[float]]] = {}
    with TestClient(apps["small"]) as small, TestClient(apps["big"]) as big:
        clients = {"small": small, "big": big}
        for client in clients.values():
            login(client)
        cases: list[tuple[str, dict[str, str]]] = [("baseline: login form", dict.fromkeys(clients, "/login"))]
        for label, path in PAGES:
            cases.append((f"{label}, page 1", dict.fromkeys(clients, path)))
            joiner = "&" if "?" in path else "?"
            last = {shop: c.get("/api" + path).json()["pages"] for shop, c in clients.items()}
            at = {shop: f"{path}{joiner}page={n}" for shop, n in last.items()}
            cases.append((f"{label}, last page ({last['small']} / {last['big']})", at))
        for label, paths in cases:
            times: dict[str, list[float]] = {shop: [] for shop in clients}
            for shop, c in clients.items():
                timed(c, paths[shop])  # warm once
            for _ in range(requests):
                for shop, c in clients.items():
                    times[shop].append(timed(c, paths[shop]))
            out[label] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--phrases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"small": str(Path(folder) / "small.db"), "big": str(Path(folder) / "big.db")}
        fill(urls["small"], rows=args.small, phrases=args.small)
        fill(urls["big"], rows=args.big, phrases=args.phrases)
        results = measure(urls, args.requests)
    print(
        f"\nsmall: {args.small:,} rows a list; big: {args.phrases:,} phrases, {args.big:,} entries and rows a list, "
        f"{args.big * 10:,} history rows; {args.requests} requests each, alternating, in-process, SQLite"
    )
    print(
        f"{'page (pages: small / big)':<42} {'small p50':>9} {'big p50':>8} {'small p95':>9} {'big p95':>8} {'big/small':>9}"
    )
    for label, times in results.items():
        a, b = statistics.median(times["small"]), statistics.median(times["big"])
        print(
            f"{label:<42} {a:>9.1f} {b:>8.1f} {p95(times['small']):>9.1f} {p95(times['big']):>8.1f} {b / a:>9.2f}"
        )


if __name__ == "__main__":
    main()
