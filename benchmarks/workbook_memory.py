"""Peak memory of a 100,000-row workbook import (issue 15): is replybook's import flat?

Builds a 100,000-row team-phrase workbook (sheet 快捷短语) and a 100,000-row library workbook
(sheet 问答库), and the same at 10,000 rows, then measures each step in a fresh process so its peak
RSS (VmHWM in /proc/self/status) is its own:

- baseline: openpyxl's read-only iteration of the same file (``load_workbook(read_only=True)``,
  ``iter_rows(values_only=True)``), the least any import of it must do;
- reader: replybook's ``tabular.workbook.open_workbook(...).rows(sheet)`` (every cell as text);
- import: ``replybook library import x.xlsx`` as the CLI runs it (``shop.workbook.import_workbook``,
  plan + apply, one transaction) into an empty SQLite database, for both workbooks.

Run: .venv/bin/python benchmarks/workbook_memory.py [10000 100000]
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["发货查件", "售后", "活动优惠", "导购"]


def make_phrases(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("快捷短语")
    sheet.append(["快捷短语编码", "快捷短语", "快捷短语分组"])
    for i in range(rows):
        sheet.append([f"c{i:06d}", f"亲，这是第 {i} 条快捷短语，付款后48小时内发货哦~", f"分组{i % 50}"])
    book.save(path)


def make_library(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("问答库")
    sheet.append(["分类", "标准问题", "相似问法", "关键词", "答案", "启用", "生效开始", "生效结束"])
    for i in range(rows):
        sheet.append(
            [CATEGORIES[i % 4], f"第{i}号商品什么时候发货", f"第{i}号几天能发\n第{i}号今天能发吗", "",
             f"亲，第{i}号付款后48小时内发货哦~", "是", "", ""]
        )  # fmt: skip
    book.save(path)


def peak_mb() -> float:
    """This process's peak RSS (VmHWM): it starts again at exec, while ``ru_maxrss`` carries what the
    parent had when it forked (the figures before 2026-12-06 were taken that way)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def step(kind: str, path: str, sheet: str, url: str) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    if kind == "baseline":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _row in book[sheet].iter_rows(values_only=True):
            rows += 1
        book.close()
    elif kind == "reader":
        from replybook.tabular.workbook import open_workbook

        with open_workbook(path) as book:
            for _number, _cells in book.rows(sheet):
                rows += 1
    else:
        from replybook.shop import workbook
        from replybook.store import db

        engine = db.make_engine(url)
        db.upgrade(engine)
        with db.session_scope(engine) as s:
            plan = workbook.import_workbook(s, path, dry_run=kind == "plan", user="bench")
            rows = sum(added for added, *_ in workbook.counts(plan).values())
            if kind == "plan":
                s.rollback()
    return {
        "rows": rows,
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "peak": peak_mb(),
    }


def run(kind: str, path: Path, sheet: str, work: Path) -> dict:
    url = str(work / f"{kind}-{path.stem}.db")
    out = subprocess.run(
        [sys.executable, __file__, "--step", kind, str(path), sheet, url],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(rows_list: list[int]) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rows in rows_list:
            for name, make, sheet, kinds in (
                ("phrases", make_phrases, "快捷短语", ("baseline", "reader", "import")),
                ("library", make_library, "问答库", ("baseline", "reader", "import")),
            ):
                path = work / f"{name}-{rows}.xlsx"
                make(path, rows)
                size = path.stat().st_size / 1e6
                base = None
                for kind in kinds:
                    r = run(kind, path, sheet, work)
                    base = base or r
                    print(
                        f"{name:8} {rows:>7} rows ({size:.1f} MB)  {kind:8}  peak {r['peak']:6.0f} MB"
                        f" ({r['peak'] / base['peak']:.2f}× baseline)  wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s"
                        f" ({r['cpu'] / max(base['cpu'], 1e-9):.1f}×)  rows {r['rows']}",
                        flush=True,
                    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        print(json.dumps(step(*sys.argv[2:6])))
    else:
        main([int(n) for n in sys.argv[1:]] or [10_000, 100_000])
