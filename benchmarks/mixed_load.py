"""The mixed web load of issue 14 goal 6: 20 clients for 30 s against a real `replybook serve` on
127.0.0.1 — list pages, the quick-phrase page, try, entry edits through the API — requests/s and p95,
beside the same clients asking ``/api/me`` (the login check and nothing else) in the same run.

    .venv-test/bin/python benchmarks/mixed_load.py [--clients 20] [--seconds 30] [--port 8680]
        [--entries 1000] [--phrases 3000] [--source CHECKOUT] [--db URL] [--workers 1] [--few 8]

The shop: the sample shop (`replybook init --sample`) scaled up with ``--entries`` entries of 5
wordings each and ``--phrases`` team phrases. SQLite in a temporary folder unless ``--db`` names an
empty database. ``--source`` runs another checkout's code (e.g. an export of main, for a "before"
figure) against the same shop and clients. Each client logs in once with its own session cookie and
goes round MIX from its own starting point; its edits go to an entry of its own, so none of them is
a stale save (``--no-edits``: it reads that entry instead, so no try waits for a refit). Every answer
must be 200. ``--few N`` also measures ``/api/me`` and ``/api/try`` alone
with N clients (issue 14 goal 2: try throughput with 8 clients against ``/api/me``), before the mix.
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
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, insert  # noqa: E402

from replybook.library.entries import list_categories  # noqa: E402
from replybook.store import db  # noqa: E402
from replybook.store.models import Entry, Phrase  # noqa: E402
from replybook.store.normalize import normalise  # noqa: E402
from replybook.store.timeutil import now  # noqa: E402

NAME, PASSWORD = "店长", "demo1234"  # the sample shop's supervisor
TOPICS = ("发货", "退货", "尺码", "优惠券", "面料", "颜色", "快递", "发票", "赠品", "价保")
QUESTIONS = (
    "请问退货的规则",
    "发货要几天啊",
    "有没有优惠券",
    "尺码偏大还是偏小",
    "能开发票吗",
    "老板电话多少",
)
# One round of a client: what a team of agents and a supervisor do at once (20 requests).
MIX = (
    ("try", "/api/try"),
    ("phrases", "/phrases?library=team"),
    ("entries", "/entries"),
    ("try", "/api/try"),
    ("entries, page 5", "/entries?page=5"),
    ("history", "/history"),
    ("try", "/api/try"),
    ("phrases, page 7", "/phrases?library=team&page=7"),
    ("edit", "PUT /api/entries/{own}"),
    ("try", "/api/try"),
    ("autoreplies", "/autoreplies"),
    ("entries, search", "/entries?q=发货"),
    ("try", "/api/try"),
    ("campaigns", "/campaigns"),
    ("phrases", "/phrases?library=team"),
    ("try", "/api/try"),
    ("coverage runs", "/coverage"),
    ("categories", "/categories"),
    ("try", "/api/try"),
    ("ignored", "/ignored"),
)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def scale_up(url: str, *, entries: int, phrases: int) -> None:
    """`replybook init --sample` on ``url``, then ``entries`` entries and ``phrases`` team phrases more."""
    subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", url, "init", "--sample"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    engine = db.make_engine(url)
    stamp = now()
    with Session(engine) as s:
        cats = [c.id for c in list_categories(s)]
        rows = []
        for i in range(entries):
            topic = TOPICS[i % len(TOPICS)]
            question = f"关于{topic}的第{i}个问题"
            rows.append(
                {
                    "category_id": cats[i % len(cats)],
                    "question": question,
                    "question_norm": normalise(question),
                    "similar": [
                        f"{topic}相关问题{i}",
                        f"想问下{topic}{i}",
                        f"{topic}怎么弄{i}",
                        f"{i}号{topic}",
                    ],
                    "keywords": [],
                    "answers": [f"亲，关于{topic}：第 {i} 条答案，详情请咨询客服哦~"],
                    "enabled": True,
                    "version": 1,
                    "updated_at": stamp,
                    "updated_by": "bench",
                }
            )
        for start in range(0, len(rows), 5_000):
            s.execute(insert(Entry), rows[start : start + 5_000])
        texts = [
            {
                "scope": "team",
                "owner": "",
                "group_name": f"分组{i % 30:02d}",
                "code": f"b{i:05d}",
                "text": f"亲，第{i}号快捷短语：付款后48小时内发货，有问题随时联系客服哦~",
                "version": 1,
                "updated_at": stamp,
                "updated_by": "bench",
            }
            for i in range(phrases)
        ]
        for start in range(0, len(texts), 5_000):
            s.execute(insert(Phrase), texts[start : start + 5_000])
        s.commit()
    engine.dispose()


def start_server(
    url: str, port: int, *, workers: int = 1, source: Path | None = None
) -> subprocess.Popen[bytes]:
    """`replybook serve` on 127.0.0.1:``port`` over ``url`` (``source``: whose code), once it answers."""
    code = source or ROOT
    env = {**os.environ, "PYTHONPATH": str(code), "REPLYBOOK_SECRET_KEY": "bench"}
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "--db",
        url,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(
        command, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token})
    page = client.get("/entries")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.headers["X-CSRF-Token"] = token
    return client


class Editor:
    """One client's edits of its own entry: the version each save returns is the next one's."""

    def __init__(self, client: httpx.Client, entry_id: int):
        self.client, self.path = client, f"/api/entries/{entry_id}"
        body = client.get(self.path).json()
        keys = ("category", "question", "answers", "keywords", "enabled", "version", "similar")
        self.body: dict[str, Any] = {k: body[k] for k in keys}
        self.count = 0

    def save(self) -> httpx.Response:
        self.count += 1
        self.body["similar"] = [*self.body["similar"][:3], f"改过的问法{self.path[-4:]}-{self.count}"]
        response = self.client.put(self.path, json=self.body)
        if response.status_code == 200:
            self.body["version"] = response.json()["version"]
        return response


def load(
    base: str, *, clients: int, seconds: float, plan: tuple[tuple[str, str], ...], first_entry: int
) -> dict[str, list[float]]:
    """``clients`` threads, each its own session going round ``plan`` for ``seconds``: times per
    kind of request (ms)."""
    sessions = [logged_in(base) for _ in range(clients)]
    editors = [Editor(c, first_entry + k) for k, c in enumerate(sessions)]
    for c in sessions:
        c.get("/api/try", params={"q": QUESTIONS[0]})  # the matcher is built before the clock starts
    times: dict[str, list[float]] = {}
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def work(k: int) -> None:
        c, mine, i = sessions[k], {}, k
        while time.perf_counter() < stop_at:
            kind, path = plan[i % len(plan)]
            start = time.perf_counter()
            if kind == "edit":
                response = editors[k].save()
            elif kind == "read own entry":
                response = c.get(editors[k].path)
            elif kind == "try":
                response = c.get(path, params={"q": QUESTIONS[i % len(QUESTIONS)]})
            else:
                response = c.get(path)
            mine.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                failures.append(f"{kind}: {response.status_code}")
            i += 1
        with lock:
            for kind, values in mine.items():
                times.setdefault(kind, []).extend(values)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times["_elapsed"] = [time.perf_counter() - started]
    for c in sessions:
        c.close()
    if failures:
        raise SystemExit(f"{len(failures)} answers were not 200, e.g. {failures[:3]}")
    return times


def summary(times: dict[str, list[float]]) -> tuple[float, float, float, int]:
    """requests/s, p50 and p95 over every request, and the number of requests."""
    every = [t for kind, values in times.items() if kind != "_elapsed" for t in values]
    return len(every) / times["_elapsed"][0], statistics.median(every), p95(every), len(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8680)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--phrases", type=int, default=3000)
    parser.add_argument("--source", type=Path, default=None, help="run this checkout's code instead")
    parser.add_argument(
        "--db", default="", help="an empty database to use instead of a temporary SQLite file"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--no-edits",
        action="store_true",
        help="read the client's entry instead of saving it: the mix without the try box's refit after each edit",
    )
    parser.add_argument(
        "--few", type=int, default=0, help="also /api/me and /api/try alone with this many clients"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'shop.db'}"
        scale_up(url, entries=args.entries, phrases=args.phrases)
        server = start_server(url, args.port, workers=args.workers, source=args.source)
        base = f"http://127.0.0.1:{args.port}"
        try:
            me = load(
                base, clients=args.clients, seconds=args.seconds, plan=(("me", "/api/me"),), first_entry=100
            )
            few = {}
            for kind, path in (("me", "/api/me"), ("try", "/api/try")) if args.few else ():
                few[kind] = load(
                    base, clients=args.few, seconds=args.seconds, plan=((kind, path),), first_entry=100
                )
            plan = tuple(("read own entry", "/api/entries/{own}") if k == "edit" else (k, p) for k, p in MIX)
            mixed = load(
                base,
                clients=args.clients,
                seconds=args.seconds,
                plan=plan if args.no_edits else MIX,
                first_entry=100,
            )
        finally:
            stop(server)
    code = f"code of {args.source}" if args.source else "this checkout's code"
    print(
        f"\n{args.clients} clients × {args.seconds:.0f} s, `replybook serve` ({args.workers} worker(s)) on 127.0.0.1, "
        f"{'SQLite' if not args.db else args.db.split(':')[0]}, sample shop + {args.entries:,} entries "
        f"+ {args.phrases:,} team phrases, {code}"
    )
    print(f"{'load':<30} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'requests':>9}")
    alone = [(f"/api/{kind} alone, {args.few} clients", times) for kind, times in few.items()]
    for label, times in (("baseline: /api/me", me), *alone, ("mixed load", mixed)):
        rate, p50, tail, count = summary(times)
        print(f"{label:<30} {rate:>7.0f} {p50:>8.1f} {tail:>8.1f} {count:>9}")
    rate_me, _, tail_me, _ = summary(me)
    rate, _, tail, _ = summary(mixed)
    print(f"{'mixed / baseline':<26} {rate / rate_me:>7.2f} {'':>8} {tail / tail_me:>8.2f}")
    print(f"\n{'request of the mix':<26} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in sorted(mixed.items()):
        if kind != "_elapsed":
            print(f"{kind:<26} {len(values):>7} {statistics.median(values):>8.1f} {p95(values):>8.1f}")


if __name__ == "__main__":
    main()
