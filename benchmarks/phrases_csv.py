"""Quick-phrase CSV import and export at 100,000 rows, against the plain csv module on the same file.

    .venv/bin/python benchmarks/phrases_csv.py [--rows 100000] [--small 10000] [--database-url URL]

Each step runs in a fresh process, so its peak RSS (resource.getrusage) is its own, and reports wall
and CPU seconds (this process only: PostgreSQL's own work shows in wall time). The import of the
small and the large file show whether memory grows with the file. The baseline is what any CSV import
must do at least — decode GB18030 and split the rows with ``csv`` — and, for export, encode and write
the same rows with ``csv.writer``; the ratio is ours ÷ baseline, measured in the same run.

Without --database-url the database is a temporary SQLite file. With a PostgreSQL server URL, a
scratch database is created on it for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HEADER = ["快捷短语编码", "快捷短语", "快捷短语分组"]


def make_file(path: Path, rows: int) -> None:
    """A realistic team.csv: GBK, 50 groups, every tenth phrase two lines with a comma (quoted), in
    the group-then-code order replybook exports, so the export can be compared byte for byte."""
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        for group in range(50):
            for i in range(group, rows, 50):
                text = f"亲，第{i}条：付款后48小时内发货哦，活动期间72小时内发出~"
                if i % 10 == 0:
                    text += "\n如需顺丰, 请联系客服补差价"
                writer.writerow([f"c{i:06d}", text, f"分组{group:02d}"])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# ---------------------------------------------------------------- steps, each in its own process


def step(name: str, csv_path: str, url: str, out_path: str) -> dict:
    from replybook import phrases
    from replybook.store import db

    if name == "baseline_read":
        start, cpu = time.perf_counter(), time.process_time()
        with open(csv_path, encoding="gb18030", newline="") as f:
            count = sum(1 for _ in csv.reader(f)) - 1
    elif name == "baseline_write":
        with open(csv_path, encoding="gb18030", newline="") as f:
            rows = list(csv.reader(f))
        start, cpu = time.perf_counter(), time.process_time()
        with open(out_path, "w", encoding="gb18030", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)
        count = len(rows) - 1
    else:
        engine = db.make_engine(url)
        start, cpu = time.perf_counter(), time.process_time()
        with db.session_scope(engine) as s:
            if name == "import":
                plan = phrases.import_phrases(s, Path(csv_path), mode="replace", user="bench")
                count = len(plan.added)
            elif name == "reimport":
                plan = phrases.import_phrases(s, Path(csv_path), mode="replace", user="bench")
                count = plan.unchanged
            else:
                count = phrases.export_phrases(s, Path(out_path)).count
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": count,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_step(name: str, csv_path: Path, url: str, out_path: Path) -> dict:
    args = [sys.executable, __file__, "--step", name, str(csv_path), url, str(out_path)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def fresh_database(server_url: str | None, folder: Path, label: str) -> tuple[str, object]:
    """A migrated empty database: a SQLite file, or a scratch database on the PostgreSQL server."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from replybook.store import db

    if not server_url:
        url = str(folder / f"{label}.db")
        db.upgrade(db.make_engine(url))
        return url, None
    base = make_url(db.resolve_url(server_url))
    name = f"replybook_bench_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server (a scratch database is made)"
    )
    parser.add_argument("--step", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(*args.step)))
        return

    print(
        f"python {platform.python_version()}, {platform.machine()}, database: {args.database_url or 'SQLite'}"
    )
    results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for rows in (args.small, args.rows):
            csv_path = folder / f"team_{rows}.csv"
            make_file(csv_path, rows)
            url, drop = fresh_database(args.database_url, folder, f"bench_{rows}")
            try:
                out = folder / f"out_{rows}.csv"
                results[rows] = {
                    "baseline_read": run_step("baseline_read", csv_path, url, out),
                    "import": run_step("import", csv_path, url, out),
                    "reimport": run_step("reimport", csv_path, url, out),
                    "baseline_write": run_step("baseline_write", csv_path, url, folder / f"plain_{rows}.csv"),
                    "export": run_step("export", csv_path, url, out),
                }
                identical = out.read_bytes() == csv_path.read_bytes()
            finally:
                if drop:
                    drop()  # type: ignore[operator]
            size = csv_path.stat().st_size / 1e6
            r = results[rows]
            print(f"\n{rows:,} rows ({size:.1f} MB GBK); export byte-identical to the input: {identical}")
            print(f"  {'step':<34}{'seconds':>9}{'ratio':>8}{'CPU s':>8}{'ratio':>8}{'peak RSS':>11}")
            lines = [
                ("csv.reader, decode GB18030 (base)", "baseline_read", "baseline_read"),
                ("import into empty library", "import", "baseline_read"),
                ("re-import, nothing changed", "reimport", "baseline_read"),
                ("csv.writer, encode GB18030 (base)", "baseline_write", "baseline_write"),
                ("export", "export", "baseline_write"),
            ]
            for label, key, base in lines:
                seconds, cpu = r[key]["seconds"], r[key]["cpu"]
                ratio, cpu_ratio = seconds / r[base]["seconds"], cpu / r[base]["cpu"]
                print(
                    f"  {label:<34}{seconds:>9.2f}{ratio:>7.1f}x{cpu:>8.2f}{cpu_ratio:>7.1f}x"
                    f"{r[key]['peak_rss_mb']:>8.0f} MB"
                )
    small, large = results[args.small], results[args.rows]
    print(
        f"\npeak RSS, import: {small['import']['peak_rss_mb']:.0f} MB for {args.small:,} rows, "
        f"{large['import']['peak_rss_mb']:.0f} MB for {args.rows:,} rows; "
        f"export: {small['export']['peak_rss_mb']:.0f} MB vs {large['export']['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
