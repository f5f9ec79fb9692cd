"""Entry edits at 10,000 entries (issue 14 goal 4): server time of ``PUT /api/entries/{id}`` and of
the web form's ``POST /entries/{id}``, against ``GET /api/me`` (the login check and nothing else)
measured in the same run, request by request interleaved so load hits them alike.

    .venv-test/bin/python benchmarks/entry_edit.py [--entries 10000] [--edits 200] [--profile]

In-process (the ASGI app through TestClient: routing, session, validation, the duplicate-wording
check, the versioned UPDATE, history, the commit; no network), SQLite. Each edit changes one
entry's last similar wording, starting from the version it has just read, so every save succeeds.
``--profile`` then runs the same edits through the core in this thread (``update_entry`` and the
commit, as the API handler does) under cProfile and prints the 25 costliest calls by cumulative
time (the app's own threads are invisible to cProfile). The library is try_box.py's: 5 wordings an entry.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402
from try_box import fill, login, p95  # noqa: E402

from replybook.library import entries as library  # noqa: E402
from replybook.store import db  # noqa: E402
from replybook.store.models import Category  # noqa: E402
from replybook.store.settings import Settings  # noqa: E402
from replybook.web.app import create_app  # noqa: E402

FIELDS = ("category", "question", "answers", "keywords", "enabled", "version")


def timed(call) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = call()
    took = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 303), (response.status_code, response.text[:300])
    return took


def run(url: str, edits: int, entries: int) -> dict[str, list[float]]:
    app = create_app(Settings(database_url=url, secret_key="bench"))
    out: dict[str, list[float]] = {
        "GET /api/me (baseline)": [],
        "PUT /api/entries/{id}": [],
        "POST /entries/{id} (form)": [],
    }
    with TestClient(app) as client:
        login(client)
        page = client.get("/entries/1")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        client.get("/api/me")
        for i in range(edits):
            out["GET /api/me (baseline)"].append(timed(lambda: client.get("/api/me")))
            entry_id = 1 + (i * 37) % (entries - 1)
            body = client.get(f"/api/entries/{entry_id}").json()
            edit = {k: body[k] for k in FIELDS if k in body}
            edit["similar"] = [*body["similar"][:-1], f"改过的问法{i}"]
            put = f"/api/entries/{entry_id}"
            out["PUT /api/entries/{id}"].append(
                timed(lambda: client.put(put, json=edit, headers={"X-CSRF-Token": csrf}))  # noqa: B023
            )
            other = 1 + (i * 53 + 11) % (entries - 1)
            body = client.get(f"/api/entries/{other}").json()
            form = {
                "csrf_token": csrf,
                "category": body["category"],
                "question": body["question"],
                "answers": body["answers"],
                "similar": "\n".join([*body["similar"][:-1], f"表单改过的问法{i}"]),
                "keywords": " ".join(body["keywords"]),
                "enabled": "on" if body["enabled"] else "",
                "version": str(body["version"]),
            }
            out["POST /entries/{id} (form)"].append(
                timed(lambda: client.post(f"/entries/{other}", data=form, follow_redirects=False))  # noqa: B023
            )
    return out


def profile_core(url: str, edits: int, entries: int) -> None:
    engine = db.make_engine(url)
    profile = cProfile.Profile()
    for i in range(edits):
        entry_id = 1 + (i * 41 + 5) % (entries - 1)
        with db.session_scope(engine) as s:
            entry = library.get_entry(s, entry_id)
            data = library.entry_data(entry, s.get(Category, entry.category_id).key)  # type: ignore[union-attr]
            data.similar = [*data.similar[:-1], f"剖析改过的问法{i}"]
            version = entry.version
            s.expire_all()
            profile.enable()
            library.update_entry(s, entry_id=entry_id, data=data, expected_version=version, user="bench")
            s.commit()
            profile.disable()
    engine.dispose()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        fill(path, args.entries)
        out = run(path, args.edits, args.entries)
        if args.profile:
            profile_core(path, args.edits, args.entries)
    print(f"{args.entries:,} entries ({args.entries * 5:,} wordings), {args.edits} edits, in-process, SQLite")
    print(f"{'request':<28} {'p50 ms':>8} {'p95 ms':>8} {'p95 − baseline':>15}")
    base = p95(out["GET /api/me (baseline)"])
    for label, times in out.items():
        print(f"{label:<28} {statistics.median(times):>8.2f} {p95(times):>8.2f} {p95(times) - base:>15.2f}")


if __name__ == "__main__":
    main()
