"""API try with each way to authenticate (issue 14 goal 3): the session cookie (the baseline, same
run), a personal API token (``Authorization: Bearer``), HTTP basic auth remembered (within a minute
of a check) and basic auth checked (a scrypt at the shop's cost, 2^17, as every check outside the
one-minute memory costs).

    .venv-test/bin/python benchmarks/api_auth.py [--entries 10000] [--requests 300]

In-process (the ASGI app through TestClient, no network), sequential, the matcher warm.
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
from try_box import PASSWORD, QUESTIONS, fill, login, p95  # noqa: E402

from replybook.store import db, tokens  # noqa: E402
from replybook.store.passwords import DEFAULT_COST  # noqa: E402
from replybook.store.settings import Settings  # noqa: E402
from replybook.web.app import create_app  # noqa: E402
from tests.test_auth_security import basic  # noqa: E402


def run(url: str, requests: int) -> dict[str, list[float]]:
    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        secret = tokens.create_token(s, user="店长", name="bench").secret
    engine.dispose()
    settings = Settings(database_url=url, secret_key="bench", password_hash_cost=DEFAULT_COST)
    app = create_app(settings)
    out: dict[str, list[float]] = {}
    with TestClient(app) as cookie, TestClient(app) as script:
        login(cookie)
        cookie.get("/api/try", params={"q": QUESTIONS[0]})
        ways = {
            "session cookie": (cookie, {}),
            "API token": (script, {"Authorization": f"Bearer {secret}"}),
            "basic, remembered": (script, basic("店长", PASSWORD)),
            # the token wins over a cookie: the same client as the baseline, so no client effect
            "API token, cookie's client": (cookie, {"Authorization": f"Bearer {secret}"}),
        }
        out.update({label: [] for label in ways})
        for i in range(requests):
            q = QUESTIONS[i % len(QUESTIONS)]
            for label, (client, headers) in ways.items():
                start = time.perf_counter()
                response = client.get("/api/try", params={"q": q}, headers=headers)
                out[label].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text[:200]
        checked = []
        for i in range(min(20, requests)):
            app.state.verified_credentials._until.clear()  # as if the minute had passed
            app.state.basic_auth_checks.clear("testclient")
            start = time.perf_counter()
            response = script.get("/api/try", params={"q": QUESTIONS[i % 5]}, headers=basic("店长", PASSWORD))
            checked.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        out["basic, checked (scrypt 2^17)"] = checked
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        fill(path, args.entries)
        out = run(path, args.requests)
    print(f"GET /api/try, {args.entries:,} entries, sequential, in-process, {args.requests} requests each")
    print(f"{'authenticated by':<30} {'p50 ms':>8} {'p95 ms':>8} {'p95 − cookie':>13}")
    base = p95(out["session cookie"])
    for label, times in out.items():
        print(f"{label:<30} {statistics.median(times):>8.2f} {p95(times):>8.2f} {p95(times) - base:>13.2f}")


if __name__ == "__main__":
    main()
