"""Start-up time of CLI commands against `python -c pass` (issue 14 goal 5): each command in a fresh
subprocess, N rounds (each round runs the baseline and every command once, so load drifts hit them
alike), min and median of the wall time and of the CPU time (user + system: steadier than the wall
clock on a loaded machine), and which heavy packages each command has imported. Both copies are
byte-compiled first, as an installed package is.

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
import resource
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


def run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system) and the heavy packages of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    heavy = next((line[6:] for line in done.stderr.splitlines() if line.startswith("HEAVY ")), "")
    return took, cpu, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, help="another copy of replybook, measured in the same rounds")
    args = parser.parse_args()
    roots = [ROOT, *([args.against.resolve()] if args.against else [])]
    for root in roots:  # as an installed package is (PYTHONDONTWRITEBYTECODE would recompile every run)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "replybook", "cli"], cwd=root, check=True)
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
        base: list[tuple[float, float, str]] = []
        times: dict[tuple[Path, str], list[tuple[float, float, str]]] = {key: [] for key in commands}
        for _ in range(args.runs):
            base.append(run([sys.executable, "-c", "pass"], ROOT))
            for key, (argv, stale) in commands.items():
                if stale is not None:
                    stale.unlink(missing_ok=True)
                times[key].append(run([sys.executable, "-c", PROBE, *argv], key[0]))
            loads.append(os.getloadavg()[0])
    wall0, cpu0 = min(b[0] for b in base), min(b[1] for b in base)
    print(
        f"{args.runs} rounds; `python -c pass`: wall min {wall0:.3f} s (median "
        f"{statistics.median(b[0] for b in base):.3f}), CPU min {cpu0:.3f} s; "
        f"load average (1 min) {min(loads):.1f}–{max(loads):.1f}"
    )
    print(
        f"{'copy':<12} {'command':<31} {'wall min':>8} {'median':>7} {'− pass':>7} "
        f"{'CPU min':>8} {'median':>7} {'− pass':>7}  heavy modules imported"
    )
    for (root, label), taken in times.items():
        wall, cpu = [t[0] for t in taken], [t[1] for t in taken]
        print(
            f"{root.name[:12]:<12} {label:<31} {min(wall):>8.2f} {statistics.median(wall):>7.2f} "
            f"{min(wall) - wall0:>7.2f} {min(cpu):>8.2f} {statistics.median(cpu):>7.2f} {min(cpu) - cpu0:>7.2f}  "
            f"{taken[-1][2]}"
        )


if __name__ == "__main__":
    main()
