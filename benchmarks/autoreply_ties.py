"""autoreplies.find_ties (the dashboard's and the campaign check's tie check) against the all-pairs
version it replaced (kept in tests/test_autoreply_ties.py), in the same run, on the same rules.

A shop's auto-replies on SQLite: N keyword rules (1–3 keywords each from 400 words, priorities 0–2,
one in ten with an active window inside the day), plus 12 event rules (first contact, away, busy,
some with service hours or a window); the range is one campaign day (48 half hours and every window
edge). Both versions must give the same list; each time is the best of ``--repeat``. The old version
is measured only up to ``--old-max`` rules (it is quadratic: minutes beyond). Run from the repository
root:

    .venv/bin/python benchmarks/autoreply_ties.py [--rules 500 1000 2000 5000] [--old-max 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session  # noqa: E402

from replybook import autoreplies  # noqa: E402
from replybook.store import db  # noqa: E402
from replybook.store.models import AutoReply  # noqa: E402
from replybook.store.timeutil import SHOP_TZ  # noqa: E402
from tests.test_autoreply_ties import all_pairs_ties  # noqa: E402

START = datetime(2026, 11, 11, 0, 0, tzinfo=SHOP_TZ)
END = START + timedelta(days=1)


def build(url: str, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(400)]
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        for i in range(n):
            window = {}
            if rng.random() < 0.1:
                a = START + timedelta(minutes=rng.randrange(0, 24 * 60, 5))
                window = {"active_start": a, "active_end": a + timedelta(minutes=rng.randrange(30, 600, 5))}
            s.add(
                AutoReply(
                    name=f"关键词{i}",
                    trigger="keyword",
                    text="您好",
                    keywords=rng.sample(words, rng.randint(1, 3)),
                    priority=rng.randint(0, 2),
                    **window,
                )
            )
        for i in range(12):
            trigger = ("first_contact", "away", "busy")[i % 3]
            s.add(
                AutoReply(
                    name=f"事件{i}",
                    trigger=trigger,
                    text="您好",
                    busy_threshold=3 if trigger == "busy" else None,
                    service_hours="08:30-23:00" if i % 4 == 1 else None,
                    active_start=START + timedelta(hours=10) if i % 5 == 2 else None,
                    priority=i % 2,
                )
            )
    engine.dispose()


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument("--old-max", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
    print("| keyword rules | ties | all pairs s | find_ties s | × faster |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rules:
            url = str(Path(tmp) / f"ties{n}.db")
            build(url, n)
            engine = db.make_engine(url)
            with Session(engine) as s:
                new_s, new = best(lambda s=s: autoreplies.find_ties(s, START, END), args.repeat)
                old_s, old = None, None
                if n <= args.old_max:
                    old_s, old = best(lambda s=s: all_pairs_ties(s, START, END), 1)
                    assert old == new, f"{n} rules: the two versions differ"
            engine.dispose()
            ratio = f"{old_s / new_s:.0f}×" if old_s else "—"
            old_text = f"{old_s:.2f}" if old_s else "not run"
            print(f"| {n} | {len(new)} | {old_text} | {new_s:.3f} | {ratio} |", flush=True)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
