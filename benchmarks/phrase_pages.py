"""The quick-phrase page at 1,000 and 100,000 team phrases (issue 14 goal 6): server time per request
(p50/p95) and its ratio to the login form measured in the same run, with the size of the HTML.

    .venv-test/bin/python benchmarks/phrase_pages.py [--sizes 1000,100000] [--requests 100]

In-process (the ASGI app through TestClient: routing, session, database, template; no network),
SQLite. The phrases: 50 groups, codes p000000…, a sentence each with its number in it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, insert  # noqa: E402
from try_box import PASSWORD, login, p95  # noqa: E402

from replybook.library.entries import ensure_builtin_categories  # noqa: E402
from replybook.store import db, users  # noqa: E402
from replybook.store.models import Phrase  # noqa: E402
from replybook.store.settings import Settings  # noqa: E402
from replybook.store.timeutil import now  # noqa: E402
from replybook.web.app import create_app  # noqa: E402


def fill(url: str, n: int) -> None:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        ensure_builtin_categories(s)
        users.add_user(s, name="店长", role="supervisor", password=PASSWORD)
    stamp = now()
    rows = [
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
    with Session(engine) as s:
        for start in range(0, n, 10_000):
            s.execute(insert(Phrase), rows[start : start + 10_000])
        s.commit()
    engine.dispose()


def measure(
    client: TestClient, url: str, requests: int, headers: dict[str, str] | None
) -> tuple[list[float], int]:
    size = len(client.get(url, headers=headers).content)  # warm once
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, size


def run(n: int, requests: int) -> list[tuple[str, list[float], int]]:
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "bench.db")
        fill(url, n)
        app = create_app(Settings(database_url=url, secret_key="bench"))
        last = max(1, (n + 99) // 100)
        cases = [
            ("baseline: login form", "/login", None),
            ("phrases, page 1", "/phrases?library=team", None),
            (f"phrases, last page ({last})", f"/phrases?library=team&page={last}", None),
            ("search, common word (every phrase)", "/phrases?library=team&q=发货", None),
            ("search, one phrase (by its number)", f"/phrases?library=team&q=第{n - 7}号", None),
            ("search as you type (htmx)", f"/phrases?library=team&q=p{n - 7:06d}", {"HX-Request": "true"}),
        ]
        with TestClient(app) as client:
            login(client)
            return [(label, *measure(client, path, requests, headers)) for label, path, headers in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        results = run(n, args.requests)
        base = p95(results[0][1])
        print(f"\n{n:,} team phrases, {args.requests} requests each, in-process, SQLite")
        print(f"{'request':<38} {'p50 ms':>8} {'p95 ms':>8} {'p95 / login':>12} {'HTML KB':>8}")
        for label, times, size in results:
            print(
                f"{label:<38} {statistics.median(times):>8.1f} {p95(times):>8.1f} {p95(times) / base:>12.1f} {size / 1024:>8.0f}"
            )


if __name__ == "__main__":
    main()
