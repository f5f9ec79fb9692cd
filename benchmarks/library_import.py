"""Speed of a big bot-library import (issue 15): the 问答库 workbook and the library YAML, end to end.

Builds a realistic N-entry library — four categories, a standard question with two or three similar
wordings (one per line in the cell), keywords, one or two answers, a few entries disabled or with an
active period — as an .xlsx workbook (sheet 问答库, the columns of the template) and as the library
YAML of the same entries, then runs each step in a fresh process:

- baseline: openpyxl's plain row read of the same workbook (``load_workbook(read_only=True)``,
  ``iter_rows(values_only=True)``), the least any import of it must do;
- workbook: ``replybook library import library.xlsx`` as the CLI runs it (``shop.workbook.
  import_workbook``: read and check every row, plan, apply, commit) into an empty SQLite database;
- yaml: ``replybook library import library.yaml`` (``library.import_library``), the same entries.

``--before REV`` runs the two imports a second time with ``replybook/library/owners.py`` as it is at
git revision REV (the code path before a change), in the same run, so both are compared with the same
baseline.

Each step's peak RSS is its process's own (VmHWM, which starts again at exec; ``ru_maxrss`` would
carry the parent's, which holds every row it wrote).

Run: .venv/bin/python benchmarks/library_import.py 1000 10000 100000 [--before REV]
"""

from __future__ import annotations

import importlib.util
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["分类", "标准问题", "相似问法", "关键词", "答案", "启用", "生效开始", "生效结束"]
GOODS = ["加绒卫衣", "牛仔裤", "羽绒服", "运动鞋", "保温杯", "床上四件套", "蓝牙耳机", "儿童雨靴"]
TOPICS = (  # category (its Chinese name), wordings, keywords, answers; {p} is the goods' name
    ("发货查件", ["{p}什么时候发货", "{p}几天能发出", "{p}今天下单今天发吗", "{p}发什么快递"],
     ["发货"], ["亲，{p}付款后48小时内发货哦~", "{p}默认发中通，偏远地区发邮政"]),
    ("售后", ["{p}怎么退货", "{p}不合适可以退吗", "{p}退货运费谁出"],
     ["退货", "退款"], ["亲，{p}签收7天内不影响二次销售可以无理由退换~"]),
    ("活动优惠", ["{p}有优惠券吗", "{p}双十二便宜吗", "{p}能不能再便宜点", "{p}满减怎么算"],
     ["优惠券"], ["亲，{p}详情页领券后下单立减20元哦", "满300减40可以和店铺券叠加"]),
    ("导购", ["{p}尺码怎么选", "{p}偏大还是偏小", "{p}有现货吗"],
     ["尺码"], ["亲，{p}按平时尺码拍就好，详情页有尺码表哦~"]),
)  # fmt: skip


def library_rows(n: int) -> list[list[str]]:
    """N entries as the 问答库 sheet's rows (after the header): every wording unique in the library."""
    rows = []
    for i in range(n):
        category, wordings, keywords, answers = TOPICS[i % len(TOPICS)]
        p = f"{GOODS[(i // len(TOPICS)) % len(GOODS)]}{i // (len(TOPICS) * len(GOODS)) + 1}号"
        similar = [w.format(p=p) for w in wordings[1 : 3 + i % 2]]
        start, end = ("2026-12-10 00:00", "2026-12-13 00:00") if i % 10 == 3 else ("", "")
        rows.append([
            category, wordings[0].format(p=p), "\n".join(similar), "\n".join([*keywords, p]),
            "\n".join(a.format(p=p) for a in answers[: 1 + i % 2]), "否" if i % 25 == 7 else "是", start, end,
        ])  # fmt: skip
    return rows


def make_files(n: int, work: Path) -> tuple[Path, Path]:
    import openpyxl

    from replybook.library.entries import BUILTIN_CATEGORIES

    rows = library_rows(n)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("问答库")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    xlsx = work / f"library-{n}.xlsx"
    book.save(xlsx)
    keys = {name: key for key, name in BUILTIN_CATEGORIES}
    entries = []
    for category, question, similar, keywords, answers, enabled, start, end in rows:
        entry: dict = {
            "category": keys[category], "question": question, "similar": similar.split("\n"),
            "keywords": keywords.split("\n"), "answers": answers.split("\n"), "enabled": enabled == "是",
        }  # fmt: skip
        if start:
            entry["active"] = {
                "start": f"{start.replace(' ', 'T')}:00+08:00",
                "end": f"{end.replace(' ', 'T')}:00+08:00",
            }
        entries.append(entry)
    text = yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False)
    library = work / f"library-{n}.yaml"
    library.write_text(text, encoding="utf-8")
    return xlsx, library


def step(kind: str, path: str, url: str, owners_file: str) -> dict:
    if owners_file:  # the code path of another revision: its owners.py in place of this one's
        spec = importlib.util.spec_from_file_location("replybook.library.owners", owners_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["replybook.library.owners"] = module
        spec.loader.exec_module(module)
    started, cpu = time.perf_counter(), time.process_time()
    rows, phases = 0, {}
    if kind == "baseline":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _row in book["问答库"].iter_rows(values_only=True):
            rows += 1
        book.close()
    else:
        from replybook import library
        from replybook.shop import workbook
        from replybook.store import db

        engine = db.make_engine(url)
        db.upgrade(engine)
        started, cpu = time.perf_counter(), time.process_time()  # the import alone, not the migrations
        with db.session_scope(engine) as s:
            if kind == "workbook":
                plan = workbook.plan_workbook(s, Path(path))
                phases["plan"] = time.perf_counter() - started
                workbook.apply_workbook(s, plan, user="bench")
                rows = len(plan.library.add) if plan.library else 0
            else:
                entries = library.plan_import(s, Path(path).read_text(encoding="utf-8"), source=path)
                phases["plan"] = time.perf_counter() - started
                library.apply_import(s, entries, user="bench")
                rows = len(entries.add)
    wall = time.perf_counter() - started
    return {
        "rows": rows,
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "apply": wall - phases.get("plan", 0),
        "peak": peak_mb(),
    }


def peak_mb() -> float:
    """This process's peak RSS (VmHWM): unlike ru_maxrss it starts again at exec, so a step's figure
    is never the parent's (which holds the rows it wrote)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def run(kind: str, path: Path, work: Path, owners_file: str = "") -> dict:
    url = str(work / f"{kind}-{path.stem}-{'before' if owners_file else 'now'}.db")
    out = subprocess.run(
        [sys.executable, __file__, "--step", kind, str(path), url, owners_file],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int], before: str | None) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
          f"Python {platform.python_version()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        owners_file = ""
        if before:
            owners = subprocess.run(
                ["git", "show", f"{before}:replybook/library/owners.py"],
                capture_output=True, text=True, check=True, cwd=ROOT,
            ).stdout  # fmt: skip
            (work / "owners_before.py").write_text(owners, encoding="utf-8")
            owners_file = str(work / "owners_before.py")
        for n in sizes:
            xlsx, yml = make_files(n, work)
            base = run("baseline", xlsx, work)
            steps = [("workbook", xlsx, ""), ("yaml", yml, "")]
            if owners_file:
                steps += [("workbook", xlsx, owners_file), ("yaml", yml, owners_file)]
            print(f"{n:>6} entries ({xlsx.stat().st_size / 1e3:.0f} kB xlsx, {yml.stat().st_size / 1e3:.0f} kB yaml)"
                  f"  baseline: openpyxl read  wall {base['wall']:7.2f} s  cpu {base['cpu']:7.2f} s"
                  f"  peak {base['peak']:5.0f} MB", flush=True)  # fmt: skip
            for kind, path, code in steps:
                r = run(kind, path, work, code)
                label = f"{kind} ({'before: ' + before if code else 'this tree'})"
                print(
                    f"{n:>6} entries  {label:28}  wall {r['wall']:7.2f} s ({r['wall'] / base['wall']:6.1f}×)"
                    f"  apply {r['apply']:7.2f} s  cpu {r['cpu']:7.2f} s ({r['cpu'] / base['cpu']:6.1f}×,"
                    f" {r['cpu'] / n * 1e3:.2f} ms an entry)  peak {r['peak']:5.0f} MB"
                    f" ({r['peak'] / base['peak']:.2f}×)  added {r['rows']}",
                    flush=True,
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        print(json.dumps(step(*sys.argv[2:6])))
    else:
        args = sys.argv[1:]
        rev = None
        if "--before" in args:
            i = args.index("--before")
            rev = args[i + 1]
            del args[i : i + 2]
        main([int(n) for n in args] or [1000], rev)
