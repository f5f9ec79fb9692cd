"""Start-up time of CLI commands against `python -c pass` (issue 14 goal 5), each the minimum of N
runs in fresh subprocesses, and which heavy packages each command has imported.

    .venv-test/bin/python benchmarks/startup.py [--runs 5]

`ask` runs on an empty database made for the purpose (`replybook init`), so the time is start-up
and one question, not a library's size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("fastapi", "uvicorn", "jinja2", "numpy", "rich", "opencc", "openpyxl", "rapidfuzz", "sqlalchemy")
PROBE = (
    "import sys; sys.argv = ['replybook', *sys.argv[1:]]\n"
    "try:\n    from cli.main import main; main()\nexcept SystemExit:\n    pass\n"
    f"print('HEAVY ' + ' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
)


def best(args: list[str], runs: int) -> tuple[float, str]:
    times, heavy = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        heavy = next((line[6:] for line in done.stderr.splitlines() if line.startswith("HEAVY ")), heavy)
    return min(times), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        dbfile = str(Path(folder) / "s.db")
        subprocess.run([sys.executable, "-c", PROBE, "--db", dbfile, "init"], cwd=ROOT, capture_output=True)
        base, _ = best([sys.executable, "-c", "pass"], args.runs)
        commands = {
            "replybook --help": ["--help"],
            "replybook ask 发货要几天": ["--db", dbfile, "ask", "发货要几天"],
            "replybook user list": ["--db", dbfile, "user", "list"],
        }
        print(f"min of {args.runs} runs; `python -c pass` = {base * 1000:.0f} ms")
        print(f"{'command':<28} {'s':>6} {'− baseline s':>13}  heavy modules imported")
        for label, argv in commands.items():
            took, heavy = best([sys.executable, "-c", PROBE, *argv], args.runs)
            print(f"{label:<28} {took:>6.2f} {took - base:>13.2f}  {heavy}")


if __name__ == "__main__":
    main()
