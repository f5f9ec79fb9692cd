"""The try box and entry edits at 10,000 entries (issue 14, goals 2 and 4), each against ``/api/me``
(the login check and nothing else) measured in the same run.

    .venv/bin/python benchmarks/try_box.py [--entries 10000] [--requests 300] [--clients 8] [--source DIR]

Each in-process figure is printed with the process's CPU time per request (median), which a loaded
machine's waiting for a core does not inflate; wall times are p50/p95.

Part 1 runs the whole ASGI app in-process (server time, no network), sequentially:
``GET /api/me``, ``GET /api/try`` and ``POST /api/try`` with the matcher warm, ``PUT /api/entries/{id}``
(an edit of one entry's similar wordings), and the first try after each edit (the matcher brought up
to date). The floor, same run: bare ``rapidfuzz.process.extractOne(form, forms, scorer=fuzz.ratio)``
over the library's wording forms (no web, no database, one signal). ``--source DIR`` runs another
checkout's code instead (e.g. ``git archive main | tar -x -C DIR``), for a before/after in one session.
Part 2 starts ``replybook serve`` on 127.0.0.1:PORT (one process) and has ``--clients`` threads,
each with its own session cookie, ask ``/api/try`` (and ``/api/me``) for a few seconds: requests/s
and p95. The library: 10,000 entries with 4 similar wordings each (50,000 wordings), built from
the topics below.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

SOURCE = Path(sys.argv[sys.argv.index("--source") + 1]) if "--source" in sys.argv else None
ROOT = (SOURCE or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, insert  # noqa: E402

from replybook.library.entries import ensure_builtin_categories, list_categories  # noqa: E402
from replybook.store import db, users  # noqa: E402
from replybook.store.models import Entry  # noqa: E402
from replybook.store.normalize import normalise  # noqa: E402
from replybook.store.settings import Settings  # noqa: E402
from replybook.store.timeutil import now  # noqa: E402
from replybook.web.app import create_app  # noqa: E402

TOPICS = ("发货", "退货", "尺码", "优惠券", "面料", "颜色", "快递", "发票", "赠品", "价保")
SHAPES = ("{t}怎么处理{i}", "请问{t}的规则{i}", "{t}多久能好{i}", "关于{t}第{i}问")
QUESTIONS = ("请问退货的规则", "发货要几天啊", "有没有优惠券", "尺码偏大还是偏小", "能开发票吗")
PASSWORD = "bench1234"


def fill(url: str, n: int) -> None:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        ensure_builtin_categories(s)
        users.add_user(s, name="店长", role="supervisor", password=PASSWORD)
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
                "similar": [f"{topic}相关问题{i}", f"想问下{topic}{i}", f"{topic}怎么弄{i}", f"{i}号{topic}"],
                "keywords": [],
                "answers": [f"亲，关于{topic}：第 {i} 条答案，详情请咨询客服哦~"],
                "enabled": True,
                "version": 1,
                "updated_at": stamp,
                "updated_by": "bench",
            }
        )
    with Session(engine) as s:
        s.execute(insert(Entry), rows)
        s.commit()
    engine.dispose()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def login(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": "店长", "password": PASSWORD, "csrf_token": token})
    page = client.get("/entries")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.headers["X-CSRF-Token"] = token


CPU: dict[str, list[float]] = {}  # per label: the process's CPU ms per request (in-process part only)


def timed(fn, label: str = "") -> float:  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    response = fn()
    assert response.status_code == 200, response.text[:200]
    if label:  # CPU time is what the loaded machine's waiting for a core does not inflate
        CPU.setdefault(label, []).append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def sequential(url: str, requests: int) -> dict[str, list[float]]:
    app = create_app(Settings(database_url=url, secret_key="bench"))
    out: dict[str, list[float]] = {"me": [], "try": [], "POST try": [], "edit": [], "try after edit": []}
    with TestClient(app) as client:
        login(client)
        client.get("/api/try", params={"q": QUESTIONS[0]})  # build the matcher once
        has_post = client.post("/api/try", json={"question": QUESTIONS[0]}).status_code == 200
        for i in range(requests):
            out["me"].append(timed(lambda: client.get("/api/me"), "me"))
            q = QUESTIONS[i % len(QUESTIONS)]
            out["try"].append(timed(lambda: client.get("/api/try", params={"q": q}), "try"))  # noqa: B023
            if has_post:
                post = lambda: client.post("/api/try", json={"question": q})  # noqa: B023, E731
                out["POST try"].append(timed(post, "POST try"))
        for i in range(max(20, requests // 10)):
            entry_id = 1 + (i * 37) % 9000
            body = client.get(f"/api/entries/{entry_id}").json()
            edit = {
                k: body[k]
                for k in ("category", "question", "answers", "keywords", "enabled", "version")
                if k in body
            }
            edit["similar"] = [*body["similar"][:3], f"改过的问法{i}"]
            put, asked = f"/api/entries/{entry_id}", {"q": f"改过的问法{i}"}
            out["edit"].append(timed(lambda: client.put(put, json=edit), "edit"))  # noqa: B023
            after = lambda: client.get("/api/try", params=asked)  # noqa: B023, E731
            out["try after edit"].append(timed(after, "try after edit"))
    return {k: v for k, v in out.items() if v}


def floor(url: str, requests: int) -> list[float]:
    """Bare ``process.extractOne`` over the library's wording forms, per question (ms)."""
    from rapidfuzz import fuzz, process

    from replybook.coverage.matching import Matcher

    engine = db.make_engine(url)
    with Session(engine) as s:
        matcher = Matcher.build(s, at=now())
    engine.dispose()
    forms = matcher.forms[: matcher.n_fuzzy]
    asked = [matcher.prepare(q) for q in QUESTIONS]
    times = []
    for i in range(requests):
        start, cpu = time.perf_counter(), time.process_time()
        process.extractOne(asked[i % len(asked)], forms, scorer=fuzz.ratio)
        times.append((time.perf_counter() - start) * 1000)
        CPU.setdefault("floor: extractOne", []).append((time.process_time() - cpu) * 1000)
    return times


def concurrent(url: str, port: int, clients: int, seconds: float) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "REPLYBOOK_DATABASE_URL": url, "REPLYBOOK_SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        results: dict[str, tuple[float, float]] = {}
        paths = ["/api/me", "/api/try", "POST /api/try"]
        for path in paths:
            sessions = [httpx.Client(base_url=base, timeout=30) for _ in range(clients)]
            for c in sessions:
                login(c)
                c.get("/api/try", params={"q": QUESTIONS[0]})
            times: list[float] = []
            lock = threading.Lock()
            stop = time.perf_counter() + seconds

            def work(
                c: httpx.Client, k: int, path: str = path, stop: float = stop, times: list[float] = times
            ) -> None:
                mine = []
                i = k
                while time.perf_counter() < stop:
                    q = QUESTIONS[i % len(QUESTIONS)]
                    if path == "POST /api/try":
                        mine.append(timed(lambda: c.post("/api/try", json={"question": q})))  # noqa: B023
                    else:
                        params = {"q": q} if path == "/api/try" else None
                        mine.append(timed(lambda: c.get(path, params=params)))  # noqa: B023
                    i += 1
                with lock:  # noqa: B023
                    times.extend(mine)

            threads = [threading.Thread(target=work, args=(c, k)) for k, c in enumerate(sessions)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            results[path] = (len(times) / (time.perf_counter() - started), p95(times))
            for c in sessions:
                c.close()
        return results
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument("--no-concurrent", action="store_true")
    parser.add_argument("--source", help="run this checkout's code (read before the imports)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        fill(str(path), args.entries)
        out = {"floor: extractOne": floor(f"sqlite:///{path}", args.requests)}
        out.update(sequential(str(path), args.requests))
        import replybook

        print(f"code: {Path(replybook.__file__).parent.parent}")
        print(f"{args.entries:,} entries ({args.entries * 5:,} wordings), sequential, in-process")
        print(f"{'request':<28} {'p50 ms':>8} {'p95 ms':>8} {'p95 − /api/me':>14} {'CPU ms p50':>11}")
        base = p95(out["me"])
        for label, times in out.items():
            cpu = statistics.median(CPU[label]) if label in CPU else float("nan")
            print(
                f"{label:<28} {statistics.median(times):>8.2f} {p95(times):>8.2f}"
                f" {p95(times) - base:>14.2f} {cpu:>11.2f}"
            )
        if not args.no_concurrent:
            url = f"sqlite:///{path}"
            res = concurrent(url, args.port, args.clients, args.seconds)
            print(
                f"\n{args.clients} concurrent clients, one server process (uvicorn), {args.seconds:.0f} s each"
            )
            for p, (rate, tail) in res.items():
                print(f"{p:<28} {rate:>8.0f} req/s   p95 {tail:.1f} ms")


if __name__ == "__main__":
    main()
