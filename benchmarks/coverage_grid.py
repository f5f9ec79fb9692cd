"""The coverage grid (issue 14): a whole coverage run against the brute-force floor, size by size.

    .venv/bin/python benchmarks/coverage.py --grid                 # the default grid (a few minutes)
    .venv/bin/python benchmarks/coverage.py --grid --big           # adds 200k × 10k … 1M × 10k
    .venv/bin/python benchmarks/coverage.py --grid --sizes realistic:20000x1000,random:20000x1000

Each cell runs in a fresh process (so its peak RSS is its own), ``--repeat`` times (min and median):
  replybook — what `replybook test … --format json` does after reading the file, with the default
              scorer (ratio + TF-IDF + content guard): the matcher built over the library (match
              forms), every question matched (``report_for``: statuses, summary, the clusters of
              the uncovered questions, dead entries) and the JSON written (to /dev/null);
  ratio     — the same with plain ``fuzz.ratio`` as the scorer (and the character index);
  noindex   — plain ``fuzz.ratio`` without the character index (``--no-index``);
  floor     — bare ``rapidfuzz.process.cdist(questions, wordings, scorer=fuzz.ratio, workers=-1,
              dtype=uint8)`` + argmax, in chunks of 4 M cells (a 1M × 10k matrix would be 10 GB);
  before    — the replybook column run from an older tree (``--before /tmp/x``, a `git archive`),
              by that tree's own copy of this script;
  floor-signals — the default scorer's own bare computation (its fitted signals' ``scores`` over
              the raw strings, same chunks, + argmax), with ``--signals-floor``.
Each ratio is a column's median over the floor's median. Data: ``synthetic`` of benchmarks/coverage.py
("realistic": wordings from the sample shop's characters, noisy questions, 8 % unrelated) or random
text (random characters on both sides, nearly everything uncovered, the worst case for clustering).
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

DEFAULT = "realistic:20000x1000,realistic:200000x1000,realistic:20000x10000,random:20000x1000"
BIG = (
    "realistic:200000x10000,realistic:200000x50000,realistic:1000000x1000,"
    "realistic:1000000x10000,random:20000x50000"
)


def random_library(n_wordings: int, n_questions: int, seed: int = 14):
    from replybook.coverage.matching import LibraryEntry

    rng = random.Random(seed)
    chars = [chr(0x4E00 + rng.randrange(3000)) for _ in range(3000)]

    def text() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(4, 14)))

    entries = []
    for e in range(n_wordings // 5):
        words = tuple(text() for _ in range(5))
        entries.append(LibraryEntry(e + 1, words[0], "custom", words, answers=(f"答案{e}",)))
    return entries, [text() for _ in range(n_questions)]


def data(kind: str, n_questions: int, n_wordings: int):
    if kind == "random":
        return random_library(n_wordings, n_questions)
    from coverage import synthetic  # benchmarks/coverage.py

    return synthetic(n_wordings, n_questions)


def cell(kind: str, n_questions: int, n_wordings: int, mode: str) -> dict[str, float]:
    """One measurement in this process: seconds and peak RSS (MB)."""
    entries, texts = data(kind, n_questions, n_wordings)
    if mode in ("floor", "floor-signals"):
        wordings = [w for e in entries for w in e.wordings]
        chunk = max(16, 4_000_000 // len(wordings))
        t = time.perf_counter()
        if mode == "floor":
            for start in range(0, len(texts), chunk):
                block = process.cdist(
                    texts[start : start + chunk], wordings, scorer=fuzz.ratio, workers=-1, dtype=np.uint8
                )
                block.argmax(axis=1)
        else:  # the default scorer's own bare computation: its fitted signals over raw strings
            from replybook.coverage.matching import DEFAULT_PIPELINE

            fitted = DEFAULT_PIPELINE.fit(wordings)
            for start in range(0, len(texts), chunk):
                fitted.scores(texts[start : start + chunk]).argmax(axis=1)
        seconds = time.perf_counter() - t
    else:
        from replybook.coverage.matching import Matcher
        from replybook.coverage.question_files import Question
        from replybook.coverage.run import report_for

        at = datetime.fromisoformat("2026-12-02T12:00:00+08:00")
        questions = [Question(text=q) for q in texts]
        del texts
        t = time.perf_counter()
        matcher = Matcher(entries) if mode == "replybook" else Matcher(entries, scorer=fuzz.ratio)
        report = report_for(matcher, questions, at=at, use_index=mode != "noindex")
        with open(os.devnull, "w", encoding="utf-8") as out:
            report.write_json(out)
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


SOURCE: str | None = None  # --source: another checkout's replybook package, this script's data: "main"
BEFORE: Path | None = None  # --before: a tree of older code (a `git archive`), its own script: "before"


def measure(kind: str, q: int, w: int, mode: str) -> dict[str, float]:
    script, cwd, other = Path(__file__), HERE, []
    if mode == "main" and SOURCE:
        mode, other = "replybook", ["--source", SOURCE]
    if mode == "before":  # the replybook column run by the older tree's own copy of this script
        assert BEFORE is not None, "--before PATH"
        cwd = BEFORE / "benchmarks"
        script, mode = cwd / "coverage_grid.py", "replybook"
    out = subprocess.run(
        [sys.executable, str(script), "--cell", f"{kind}:{q}x{w}", mode, *other],
        check=True,
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def grid(sizes: str, repeat: int, modes: list[str], big_repeat: int) -> None:
    print(f"{datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    timed = [m for m in modes if m != "floor"]
    rss_modes = [m for m in ("before", "main", "replybook") if m in modes]
    head = " | ".join(f"{m} s (min/med)" for m in modes)
    ratios = " | ".join(f"{m} ÷ floor" for m in timed)
    rss_head = "".join(f" peak RSS {m} |" for m in rss_modes)
    print(f"| data, questions × wordings | {head} | {ratios} |{rss_head} peak RSS floor | load |")
    print("| --- |" + " ---: |" * (len(modes) + len(timed) + len(rss_modes) + 2))
    for spec in sizes.split(","):
        kind, dims = spec.split(":")
        q, w = (int(x) for x in dims.split("x"))
        runs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
        rounds = repeat if q * w <= 2 * 10**9 else big_repeat  # the big cells take minutes each
        for _ in range(rounds):  # interleaved, so a noisy minute hits every column alike
            for m in modes:
                runs[m].append(measure(kind, q, w, m))
        secs = {m: [r["seconds"] for r in rs] for m, rs in runs.items()}
        med = {m: statistics.median(s) for m, s in secs.items()}
        cells = " | ".join(f"{min(secs[m]):.2f} / {med[m]:.2f}" for m in modes)
        ratio = " | ".join(f"{med[m] / med['floor']:.2f}×" for m in timed)
        rss = {m: max(r["rss"] for r in rs) for m, rs in runs.items()}
        print(
            f"| {kind}, {q:,} × {w:,} ({rounds}×) | {cells} | {ratio} "
            f"|{''.join(f' {rss[m]:.0f} MB |' for m in rss_modes)} {rss['floor']:.0f} MB "
            f"| {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--cell"]:
        if argv[3:4] == ["--source"]:  # the replybook package of another checkout (its data: this one's)
            sys.path.insert(0, argv[4])
        kind, dims = argv[1].split(":")
        q, w = (int(x) for x in dims.split("x"))
        print(json.dumps(cell(kind, q, w, argv[2])))
        return
    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--sizes", default=DEFAULT, help="kind:QxW,… (kind realistic or random)")
    parser.add_argument("--big", action="store_true", help="also the big sizes (tens of minutes)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-repeat", type=int, default=1, help="rounds of the cells over 2·10⁹ pairs")
    parser.add_argument("--modes", default="replybook,ratio,noindex,floor", help="columns, floor last")
    parser.add_argument(
        "--source", help="another checkout (e.g. `git archive main` unpacked): adds its column 'main'"
    )
    parser.add_argument("--signals-floor", action="store_true", help="also the default scorer's bare floor")
    parser.add_argument(
        "--before", type=Path, help="a tree of older code: adds its replybook column, 'before'"
    )
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    if args.source:
        global SOURCE
        SOURCE = args.source
        modes.insert(0, "main")
    if args.before:
        global BEFORE
        BEFORE = args.before.resolve()
        modes.insert(0, "before")
    if args.signals_floor:
        modes.insert(len(modes) - 1, "floor-signals")
    grid(args.sizes + ("," + BIG if args.big else ""), args.repeat, modes, args.big_repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
