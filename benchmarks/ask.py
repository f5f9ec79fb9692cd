"""`replybook ask` latency (issue 13: p95 ≤ 5 ms at 10,000 entries, warm), against the same run's bare
rapidfuzz ``process.extractOne(fuzz.ratio)`` over the library's wordings.

    .venv-test/bin/python benchmarks/ask.py [--asks 348] [--cli-runs 10]

Two libraries: the sample shop (``replybook init --sample``) and 10,000 entries with 4 similar
wordings each (50,000 wordings, ``try_box.fill``). The questions are sample_data/questions.txt
(348 real buyer wordings), asked in order.

in-process (warm): the matcher built once (``Matcher.build``, timed once: the cold start), then per
question what `ask` computes — the match form, one scoring pass, the answer and the top three
(``live.answer``). Baseline: ``process.extractOne(form, wording_forms, scorer=fuzz.ratio)`` on the same
question's form over the same wordings' forms (no form, no decision: the least a fuzzy lookup does).
Second baseline: the same answer from the full pass over every wording (``answer(..., full=True)``,
the path before ``coverage/single.py``), interleaved the same way.

CLI (cold): ``replybook --db FILE ask Q`` in a fresh process each time (start-up, the database, the
matcher built, one answer, the autoreply and hand-off lines). Baseline: a fresh ``python -c`` that
imports rapidfuzz, reads every wording from the same SQLite file with ``sqlite3`` and runs
``extractOne`` once.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from replybook.coverage.live import answer  # noqa: E402
from replybook.coverage.matching import Matcher  # noqa: E402
from replybook.store import db  # noqa: E402
from replybook.store.timeutil import parse_datetime  # noqa: E402

AT = "2026-12-10T10:00:00+08:00"  # the sample shop's 聚划算 start
QUESTIONS = [
    q for q in (ROOT / "sample_data" / "questions.txt").read_text(encoding="utf-8").splitlines() if q
]
BARE = """
import json, sqlite3, sys
from rapidfuzz import fuzz, process
rows = sqlite3.connect(sys.argv[1]).execute("select question, similar from entry where enabled").fetchall()
wordings = [w for q, s in rows for w in (q, *json.loads(s))]
print(process.extractOne(sys.argv[2], wordings, scorer=fuzz.ratio))
"""


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, capture_output=True, text=True)


def make_sample(folder: Path) -> str:
    path = folder / "sample.db"
    done = cli(["--db", str(path), "init", "--sample"])
    assert done.returncode == 0, done.stderr
    return str(path)


def make_large(folder: Path, n: int) -> str:
    sys.path.insert(0, str(HERE))
    from try_box import fill

    path = folder / "large.db"
    fill(f"sqlite:///{path}", n)
    return str(path)


def in_process(path: str, asks: int) -> dict[str, float]:
    engine = db.make_engine(f"sqlite:///{path}")
    with db.session_scope(engine) as s:
        start = time.perf_counter()
        matcher = Matcher.build(s, at=parse_datetime(AT))
        cold = (time.perf_counter() - start) * 1000
    engine.dispose()
    forms = matcher._fuzzy_forms
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(asks)]
    answer(matcher, questions[0])  # warm: lazy imports, the segmenter's dictionary
    ours: list[float] = []
    bare: list[float] = []
    full: list[float] = []
    for q in questions:  # interleaved, so all three see the same machine load
        t0 = time.perf_counter()
        got = answer(matcher, q, 3)
        t1 = time.perf_counter()
        form = matcher.prepare(q)
        t2 = time.perf_counter()
        process.extractOne(form, forms, scorer=fuzz.ratio)
        t3 = time.perf_counter()
        assert answer(matcher, q, 3, full=True) == got, q
        t4 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        bare.append((t3 - t2) * 1000)
        full.append((t4 - t3) * 1000)
    return {
        "full_p50": pct(full, 50),
        "full_p95": pct(full, 95),
        "wordings": len(forms),
        "cold": cold,
        "p50": pct(ours, 50),
        "p95": pct(ours, 95),
        "base_p50": pct(bare, 50),
        "base_p95": pct(bare, 95),
    }


def through_cli(path: str, runs: int) -> dict[str, float]:
    ours: list[float] = []
    bare: list[float] = []
    for i in range(runs):
        q = QUESTIONS[(i * 37) % len(QUESTIONS)]
        t0 = time.perf_counter()
        done = cli(["--db", path, "ask", q, "--at", AT])
        t1 = time.perf_counter()
        assert done.returncode == 0, done.stderr
        base = subprocess.run([sys.executable, "-c", BARE, path, q], capture_output=True, text=True)
        t2 = time.perf_counter()
        assert base.returncode == 0, base.stderr
        ours.append((t1 - t0) * 1000)
        bare.append((t2 - t1) * 1000)
    return {"p50": pct(ours, 50), "p95": pct(ours, 95), "base_p50": pct(bare, 50), "base_p95": pct(bare, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=len(QUESTIONS), help="questions asked in-process")
    parser.add_argument("--cli-runs", type=int, default=10, help="`replybook ask` processes per library")
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        libraries = {
            "sample shop": make_sample(Path(folder)),
            f"{args.entries:,} entries": make_large(Path(folder), args.entries),
        }
        print(
            "| library | wordings | build ms (cold) | ask p50 / p95 ms | full pass p50 / p95 ms "
            "| extractOne p50 / p95 ms | p95 ÷ baseline |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, path in libraries.items():
            r = in_process(path, args.asks)
            print(
                f"| {name}, in-process | {r['wordings']:,} | {r['cold']:.0f} | {r['p50']:.2f} / {r['p95']:.2f} | "
                f"{r['full_p50']:.2f} / {r['full_p95']:.2f} | "
                f"{r['base_p50']:.2f} / {r['base_p95']:.2f} | {r['p95'] / r['base_p95']:.1f} |",
                flush=True,
            )
        for name, path in libraries.items():
            r = through_cli(path, args.cli_runs)
            print(
                f"| {name}, `replybook ask` (fresh process) | | | {r['p50']:.0f} / {r['p95']:.0f} | | "
                f"{r['base_p50']:.0f} / {r['base_p95']:.0f} (fresh `python -c`) | {r['p95'] / r['base_p95']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
