"""Web entry list, search and the try box with 10,000 entries: server time per request (p50/p95), and each
figure's ratio to a trivial page (the login form) measured in the same run.

The requests go through the whole ASGI app in-process (routing, login check, database, template),
so the figures are server time without the network. Run from the repository root:

    .venv/bin/python benchmarks/web_entries.py [--entries 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, insert

from replybook.library.entries import ensure_builtin_categories, list_categories
from replybook.store import db, users
from replybook.store.models import Entry
from replybook.store.normalize import normalise
from replybook.store.settings import Settings
from replybook.store.timeutil import now
from replybook.web.app import create_app

TOPICS = ("发货", "退货", "尺码", "优惠券", "面料", "颜色", "快递", "发票", "赠品", "价保")
SHAPES = ("{t}怎么处理{i}", "请问{t}的规则{i}", "{t}多久能好{i}", "关于{t}第{i}问")


def fill(url: str, n: int) -> None:
    """n entries spread over the built-in categories, inserted in bulk (the set-up, not the test)."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        ensure_builtin_categories(s)
        users.add_user(s, name="店长", role="supervisor", password="bench1234")
        cats = [c.id for c in list_categories(s)]
    rows = []
    stamp = now()
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        question = SHAPES[i % len(SHAPES)].format(t=topic, i=i)
        rows.append(
            {
                "category_id": cats[i % len(cats)],
                "question": question,
                "question_norm": normalise(question),
                "similar": [f"{topic}相关问题{i}", f"想问下{topic}{i}"],
                "keywords": [f"{topic}{i}"],
                "answers": [f"亲，关于{topic}：第 {i} 条答案，详情请咨询客服哦~"],
                "enabled": i % 7 != 0,
                "version": 1,
                "updated_at": stamp,
                "updated_by": "bench",
            }
        )
    with Session(engine) as s:
        s.execute(insert(Entry), rows)
        s.commit()
    engine.dispose()


def measure(
    client: TestClient, url: str, requests: int, headers: dict[str, str] | None = None
) -> list[float]:
    client.get(url, headers=headers)  # warm caches once
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "bench.db")
        started = time.perf_counter()
        fill(url, args.entries)
        print(f"{args.entries} entries loaded in {time.perf_counter() - started:.1f} s")
        app = create_app(Settings(database_url=url, secret_key="bench"))
        with TestClient(app) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"name": "店长", "password": "bench1234", "csrf_token": token})
            cases = [
                ("baseline: login form (no database)", "/login", None),
                ("entry list, page 1", "/entries", None),
                ("entry list, page 100", "/entries?page=100", None),
                ("filter: category + state active", "/entries?category=shipping&state=active", None),
                ("search, common word (1,000 hits)", "/entries?q=发货", None),
                ("search, one entry (similar wording)", "/entries?q=想问下颜色9995", None),
                ("search as you type (htmx fragment)", "/entries?q=尺码", {"HX-Request": "true"}),
                ("JSON API search", "/api/entries?q=退货", None),
                ("try a question (htmx, matcher reused)", "/try?q=请问退货的规则", {"HX-Request": "true"}),
            ]
            results = [
                (label, measure(client, path, args.requests, headers)) for label, path, headers in cases
            ]
    base = p95(results[0][1])
    print(f"\n{'request':<40} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}")
    for label, times in results:
        print(f"{label:<40} {statistics.median(times):>8.1f} {p95(times):>8.1f} {p95(times) / base:>15.1f}")
    worst = max(p95(t) for label, t in results[1:] if not label.startswith("try"))
    print(
        f"\nworst p95 of the list and search {worst:.1f} ms (target ≤ 100 ms): {'OK' if worst <= 100 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
