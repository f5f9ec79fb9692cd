"""Responsiveness during a large upload: `GET /login` p50/p95 while a 45 MB phrase CSV is previewed,
against the idle p50/p95 measured in the same run.

Starts `replybook serve` (uvicorn, one process) on 127.0.0.1 with the sample shop in a fresh SQLite
file, probes `GET /login` at rest (the baseline), then posts a 45 MB GBK team-phrase CSV to
`/api/import/preview` (HTTP basic auth) and probes `GET /login` every 50 ms until the preview answers.
A probe that takes more than 30 s counts as 30 s. Run from the repository root:

    .venv-test/bin/python benchmarks/upload_responsiveness.py [--megabytes 45] [--port 8721]

``--source DIR`` runs the server from another checkout (e.g. one made with `git worktree add` at the
commit before the fix), to measure the figure before and after on the same machine.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from serving import phrase_csv, start_server

AUTH = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}


def probe(client: httpx.Client) -> float:
    started = time.perf_counter()
    try:
        client.get("/login").raise_for_status()
    except httpx.TimeoutException:
        return 30.0
    return time.perf_counter() - started


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(ordered) * 1000:.0f} ms | {p95 * 1000:.0f} ms | {ordered[-1] * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=45)
    parser.add_argument("--port", type=int, default=8721)
    parser.add_argument("--idle", type=int, default=100, help="probes at rest (the baseline)")
    parser.add_argument("--source", default=None, help="run the server from this checkout instead")
    args = parser.parse_args()
    body = phrase_csv(args.megabytes)
    base = f"http://127.0.0.1:{args.port}"
    proc = start_server(str(Path(tempfile.mkdtemp()) / "bench.db"), args.port, args.source)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            idle = []
            for _ in range(args.idle):
                idle.append(probe(client))
                time.sleep(0.05)
            outcome: dict[str, float] = {}

            def upload() -> None:
                started = time.perf_counter()
                with httpx.Client(base_url=base, headers=AUTH, timeout=600) as uploader:
                    r = uploader.post(
                        "/api/import/preview",
                        data={"kind": "phrases", "mode": "merge", "library": "team"},
                        files={"file": ("team.csv", body, "text/csv")},
                    )
                outcome["status"] = r.status_code
                outcome["seconds"] = time.perf_counter() - started

            uploading = threading.Thread(target=upload)
            uploading.start()
            busy = []
            while uploading.is_alive():
                busy.append(probe(client))
                time.sleep(0.05)
            uploading.join()
    finally:
        proc.terminate()
        proc.wait(10)
    size = len(body) / 1024 / 1024
    print(
        f"{size:.0f} MB phrase CSV, /api/import/preview answered {outcome['status']:.0f} "
        f"in {outcome['seconds']:.1f} s"
    )
    print("| GET /login | probes | p50 | p95 | max |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| idle (baseline) | {len(idle)} | {percentiles(idle)} |")
    print(f"| during the upload preview | {len(busy)} | {percentiles(busy)} |")


if __name__ == "__main__":
    main()
