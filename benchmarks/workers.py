"""Try throughput from one to two workers on PostgreSQL (issue 14 goal 7): ``--clients`` clients ask
``/api/try`` of `replybook serve --workers 1`, then of `--workers 2`, on the same shop in the same run
(and again, alternating, ``--rounds`` times), each beside ``/api/me``; the ratio 2 workers / 1 worker.

    .venv-test/bin/python benchmarks/workers.py --db postgresql+psycopg://postgres@127.0.0.1:5432/rb_bench
        [--clients 8] [--seconds 15] [--rounds 2] [--port 8681] [--entries 1000]

The database named by ``--db`` is emptied first (its public schema dropped): give it one of its own.
The shop is mixed_load.py's: the sample shop plus ``--entries`` entries. A few seconds of load before
each measure warm every worker's matcher.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mixed_load import load, scale_up, start_server, stop, summary  # noqa: E402

from replybook.store import db  # noqa: E402

TRY = (("try", "/api/try"),)
ME = (("me", "/api/me"),)


def empty(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8681)
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args()
    empty(args.db)
    scale_up(args.db, entries=args.entries, phrases=0)
    base = f"http://127.0.0.1:{args.port}"
    rates: dict[tuple[int, str], list[float]] = {}
    tails: dict[tuple[int, str], list[float]] = {}
    for _ in range(args.rounds):
        for workers in (1, 2):
            server = start_server(args.db, args.port, workers=workers)
            try:
                load(base, clients=args.clients, seconds=3, plan=TRY, first_entry=100)  # warm every worker
                for label, plan in (("/api/me", ME), ("/api/try", TRY)):
                    rate, _p50, tail, _n = summary(
                        load(base, clients=args.clients, seconds=args.seconds, plan=plan, first_entry=100)
                    )
                    rates.setdefault((workers, label), []).append(rate)
                    tails.setdefault((workers, label), []).append(tail)
            finally:
                stop(server)
    print(
        f"\n{args.clients} clients × {args.seconds:.0f} s, `replybook serve --workers N` on 127.0.0.1, PostgreSQL, "
        f"sample shop + {args.entries:,} entries; {args.rounds} alternating rounds (median)"
    )
    print(f"{'request':<10} {'1 worker req/s':>15} {'2 workers req/s':>16} {'2 / 1':>6} {'p95 ms 1 / 2':>14}")
    for label in ("/api/me", "/api/try"):
        one, two = statistics.median(rates[(1, label)]), statistics.median(rates[(2, label)])
        t1, t2 = statistics.median(tails[(1, label)]), statistics.median(tails[(2, label)])
        print(f"{label:<10} {one:>15.0f} {two:>16.0f} {two / one:>6.2f} {t1:>7.0f} / {t2:<6.0f}")
    print("each round, req/s:", {f"{w} {label}": [round(r) for r in v] for (w, label), v in rates.items()})


if __name__ == "__main__":
    main()
