"""Concurrent API saves against a real server: saves/s with 8 writers, and the lost-update count.

Starts `replybook serve` (uvicorn) on 127.0.0.1 with the sample shop, on SQLite and — when
REPLYBOOK_TEST_DATABASE_URL points at a PostgreSQL server — on a throwaway PostgreSQL database.
Each round, N writers read one entry's version, then all PUT a different answer from that version at
once. A correct server answers exactly one 200 per round and 409 to the rest; a *lost update* is any
200 beyond the first in a round, or a history that records one version twice. The baseline, measured
in the same run, is one writer saving the same entry in sequence (each save from the version the
last one returned). Run from the repository root:

    .venv-test/bin/python benchmarks/concurrent_saves.py [--writers 8] [--rounds 40]
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from serving import start_server

AUTH = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}
ENTRY_FIELDS = ("category", "question", "answers", "similar", "keywords", "enabled")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(base: str, writers: int, rounds: int) -> dict[str, float]:
    with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
        entry = client.get("/api/entries", params={"q": "几天能发货"}).json()["entries"][0]
        path = f"/api/entries/{entry['id']}"

        fields = client.get(path).json()

        def body(version: int, i: int) -> dict:
            current = fields
            return {
                **{k: current[k] for k in ENTRY_FIELDS},
                "answers": [f"写手 {i} {uuid.uuid4().hex[:6]}"],
                "version": version,
            }

        # Baseline: one writer, saves in sequence.
        version = client.get(path).json()["version"]
        t0 = time.perf_counter()
        for i in range(rounds):
            r = client.put(path, json=body(version, i))
            r.raise_for_status()
            version = r.json()["version"]
        sequential = rounds / (time.perf_counter() - t0)

        ok = conflicts = errors = 0
        lost = 0
        elapsed = 0.0
        for _ in range(rounds):
            current = client.get(path).json()
            bodies = [
                {
                    **{k: current[k] for k in ENTRY_FIELDS},
                    "answers": [f"写手 {i}"],
                    "version": current["version"],
                }
                for i in range(writers)
            ]
            statuses: list[int] = []
            barrier = threading.Barrier(writers)

            def put(b: dict, barrier: threading.Barrier = barrier, statuses: list[int] = statuses) -> None:
                with httpx.Client(base_url=base, headers=AUTH, timeout=30) as mine:
                    barrier.wait()
                    statuses.append(mine.put(path, json=b).status_code)

            threads = [threading.Thread(target=put, args=(b,)) for b in bodies]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed += time.perf_counter() - t0
            ok += statuses.count(200)
            conflicts += statuses.count(409)
            errors += len(statuses) - statuses.count(200) - statuses.count(409)
            lost += max(0, statuses.count(200) - 1)
        history = client.get(f"/api/history/entry/{entry['id']}")
        versions = (
            [h["version"] for h in history.json().get("revisions", [])] if history.status_code == 200 else []
        )
        duplicated = len(versions) - len(set(versions))
    return {
        "sequential saves/s": sequential,
        "concurrent requests/s": rounds * writers / elapsed,
        "ok": ok,
        "409": conflicts,
        "other": errors,
        "lost updates": lost + duplicated,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    targets: list[tuple[str, str, str | None]] = []
    tmp = tempfile.mkdtemp()
    targets.append(("SQLite", str(Path(tmp) / "bench.db"), None))
    pg = os.environ.get("REPLYBOOK_TEST_DATABASE_URL")
    if pg:
        name = f"replybook_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        targets.append(
            ("PostgreSQL", sa.make_url(pg).set(database=name).render_as_string(hide_password=False), name)
        )
    print(f"{args.writers} writers × {args.rounds} rounds, one entry, through the API (HTTP basic auth)")
    print(
        "| backend | 1 writer saves/s (baseline) | 8 writers requests/s | × baseline | 200 | 409 | other | lost updates |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, url, dbname in targets:
        port = free_port()
        proc = start_server(url, port)
        try:
            f = measure(f"http://127.0.0.1:{port}", args.writers, args.rounds)
        finally:
            proc.terminate()
            proc.wait(10)
            if dbname:
                with admin.connect() as c:
                    c.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        ratio = f["concurrent requests/s"] / f["sequential saves/s"]
        print(
            f"| {label} | {f['sequential saves/s']:.1f} | {f['concurrent requests/s']:.1f} | {ratio:.2f}× "
            f"| {f['ok']:.0f} | {f['409']:.0f} | {f['other']:.0f} | {f['lost updates']:.0f} |"
        )


if __name__ == "__main__":
    main()
