"""Start-up time of CLI commands against `python -c pass` (issue 14 goal 5): each command in a fresh
subprocess, N rounds (each round runs the baseline and every command once, so load drifts hit them
alike), min and median, and which heavy packages each command has imported.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--against /tmp/startup14/main]

`--against DIR` measures another copy of the code too (e.g. main: `git archive main | tar -x -C DIR`),
with this interpreter, in the same rounds: each command runs with its copy's folder as the working
directory, so that copy's `cli` and `replybook` are the ones imported. `ask` runs on an empty database (`replybook init`: start-up and one question)
and on the sample shop (`replybook init --sample`, 44 entries), there twice: with no snapshot of the
matcher (deleted before each run: the library read and fitted) and with the one the previous ask left
(`coverage/snapshot.py`; code without snapshots leaves none, and both rows are the same).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "fastapi",
    "uvicorn",
    "jinja2",
    "alembic",
    "numpy",
    "rich",
    "opencc",
    "openpyxl",
    "rapidfuzz",
    "sqlalchemy",
)
PROBE = (
    "import sys; sys.argv = ['replybook', *sys.argv[1:]]\n"
    "try:\n    from cli.main import main; main()\nexcept SystemExit:\n    pass\n"
    f"print('HEAVY ' + ' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
)
AT = "2026-12-10T10:00:00+08:00"


def run(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    heavy = next((line[6:] for line in done.stderr.splitlines() if line.startswith("HEAVY ")), "")
    return took, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, help="another copy of replybook, measured in the same rounds")
    args = parser.parse_args()
    roots = [ROOT, *([args.against.resolve()] if args.against else [])]
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        commands: dict[tuple[Path, str], tuple[list[str], Path | None]] = {}  # → (argv, snapshot to delete)
        for n, root in enumerate(roots):
            empty, shop = str(Path(folder) / f"empty{n}.db"), str(Path(folder) / f"shop{n}.db")
            for db, extra in ((empty, []), (shop, ["--sample"])):
                subprocess.run(
                    [sys.executable, "-c", PROBE, "--db", db, "init", *extra], cwd=root, capture_output=True
                )
            asked = ["--db", shop, "ask", "今天能发货吗", "--at", AT]
            commands |= {
                (root, "replybook --help"): (["--help"], None),
                (root, "ask, empty database"): (["--db", empty, "ask", "发货要几天", "--at", AT], None),
                (root, "ask, sample shop, no snapshot"): (asked, Path(shop + "-snapshot")),
                (root, "ask, sample shop, snapshot"): (asked, None),
                (root, "replybook user list"): (["--db", empty, "user", "list"], None),
            }
        base: list[float] = []
        times: dict[tuple[Path, str], list[float]] = {key: [] for key in commands}
        heavy: dict[tuple[Path, str], str] = {}
        for _ in range(args.runs):
            base.append(run([sys.executable, "-c", "pass"], ROOT)[0])
            for key, (argv, stale) in commands.items():
                if stale is not None:
                    stale.unlink(missing_ok=True)
                took, heavy[key] = run([sys.executable, "-c", PROBE, *argv], key[0])
                times[key].append(took)
            loads.append(os.getloadavg()[0])
    low_base = min(base)
    print(
        f"{args.runs} rounds; `python -c pass` min {low_base:.3f} s, median {statistics.median(base):.3f} s; "
        f"load average (1 min) {min(loads):.1f}–{max(loads):.1f}"
    )
    print(
        f"{'copy':<24} {'command':<31} {'min s':>6} {'median s':>9} {'min − pass s':>13}  heavy modules imported"
    )
    for (root, label), taken in times.items():
        low = min(taken)
        print(
            f"{root.name[:24]:<24} {label:<31} {low:>6.2f} {statistics.median(taken):>9.2f} "
            f"{low - low_base:>13.2f}  {heavy[(root, label)]}"
        )


if __name__ == "__main__":
    main()
