"""Renderings of a coverage report: terminal table, CSV, and a standalone HTML page with charts."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from replybook.coverage.handoff import render_forecast
from replybook.coverage.run import CoverageReport
from replybook.coverage.verdict import COVERAGE_LABEL, WEIGHTED_LABEL
from replybook.store.labels import STATUS_NAMES
from replybook.store.resources import data_dir
from replybook.store.timeutil import parse_datetime, shop_text
from replybook.tabular.cells import quote_formula

CSV_HEADER = ["问题", "状态", "分类", "标准问题", "匹配问法", "分数", "次数", "期望标准问题", "是否正确"]


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def category_label(report: CoverageReport, key: str | None) -> str:
    if key in (None, "", "none", "uncovered"):
        return "未覆盖" if key == "uncovered" else "（无分类）"
    name = report.category_names.get(key)
    return f"{name}（{key}）" if name else key


# ---------------------------------------------------------------- terminal


def render_table(report: CoverageReport, *, limit: int = 10) -> RenderableType:
    s = report.summary
    parts: list[RenderableType] = [
        Text(
            f"覆盖率测试：{s['total']} 个问题，测试时间 {shop_text(report.at)}，"
            f"问答 {s['entries']} 条（{s['wordings']} 种问法），阈值 {s['threshold']:g}，差距 {s['margin']:g}"
        ),
        Text(
            f"覆盖率 {pct(s['coverage'])}：已覆盖 {s['covered']}，有歧义 {s['ambiguous']}，未覆盖 {s['uncovered']}"
            + (f"，已忽略 {s['ignored']}（不计入覆盖率）" if s.get("ignored") else "")
            + (
                f"；{COVERAGE_LABEL} {pct(s['coverage'])}，{WEIGHTED_LABEL} {pct(s['weighted_coverage'])}"
                f"（共 {s['weighted_total']} 次）"
                if s["weighted_total"] != s["total"]
                else ""
            ),
            style="bold",
        ),
    ]
    cats = Table(title="按分类", title_justify="left")
    for col in ("分类", "问题数", "已覆盖", "有歧义", "未覆盖", "覆盖率"):
        cats.add_column(col, justify="left" if col == "分类" else "right")
    for key, c in s["by_category"].items():
        cats.add_row(
            category_label(report, key),
            str(c["total"]),
            str(c["covered"]),
            str(c["ambiguous"]),
            str(c["uncovered"]),
            pct(c["coverage"]),
        )
    parts.append(cats)
    if "accuracy" in s:
        parts.append(
            Text(
                f"准确率 {pct(s['accuracy'])}（{s['correct']}/{s['labelled']} 个有标注的问题）", style="bold"
            )
        )
        pr = Table(title="各分类精确率 / 召回率", title_justify="left")
        for col in ("分类", "精确率", "召回率", "标注数"):
            pr.add_column(col, justify="left" if col == "分类" else "right")
        for key, v in s["per_category"].items():
            pr.add_row(category_label(report, key), pct(v["precision"]), pct(v["recall"]), str(v["support"]))
        parts.append(pr)
        if s["confused_pairs"]:
            conf = Table(title="最常混淆", title_justify="left")
            for col in ("应为", "实为", "次数"):
                conf.add_column(col)
            for p in s["confused_pairs"][:5]:
                conf.add_row(
                    category_label(report, p["expected"]), category_label(report, p["got"]), str(p["count"])
                )
            parts.append(conf)
    ambiguous = [r for r in report.results if r["status"] == "ambiguous"][:limit]
    if ambiguous:
        amb = Table(title=f"有歧义（前 {len(ambiguous)} 个）", title_justify="left")
        for col in ("问题", "问答", "分数", "另一条问答", "分数"):
            amb.add_column(col)
        for r in ambiguous:
            amb.add_row(
                r["question"],
                r["entry"],
                f"{r['score']:.0f}",
                r["runner_up"]["entry"],
                f"{r['runner_up']['score']:.0f}",
            )
        parts.append(amb)
    if report.clusters:
        cl = Table(
            title=f"未覆盖的问题聚类（共 {len(report.clusters)} 组，最大的 {min(limit, len(report.clusters))} 组）：建议新增问答",
            title_justify="left",
        )
        for col in ("次数", "建议标准问题", "相似问法"):
            cl.add_column(col, justify="right" if col == "次数" else "left")
        for c in report.clusters[:limit]:
            cl.add_row(str(c["size"]), c["question"], "、".join(c["similar"][:5]))
        parts.append(cl)
    if report.dead_entries:
        parts.append(
            Text("没有匹配到任何问题的问答：" + "、".join(d["question"] for d in report.dead_entries[:20]))
        )
    if report.handoff is not None:
        parts.append(render_forecast(report.handoff))
    return Group(*parts)


# ---------------------------------------------------------------- CSV


def write_csv(report: CoverageReport, out: TextIO) -> None:
    """One row per question, Chinese headers, for Excel (write it with utf-8-sig)."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in report.results:
        correct = r.get("correct")
        row = [
            r["question"],
            STATUS_NAMES[r["status"]],
            r["category"] or "",
            r["entry"] or "",
            r["matched"] or "",
            f"{r['score']:.1f}",
            r.get("count", 1),
            r.get("expected") or "",
            "" if correct is None else ("是" if correct else "否"),
        ]
        # Any text cell could run as a formula in Excel (SPEC §10), whoever typed it.
        writer.writerow([quote_formula(cell) for cell in row])


# ---------------------------------------------------------------- HTML


def _bars(report: CoverageReport) -> list[dict[str, Any]]:
    rows = []
    for key, c in report.summary["by_category"].items():
        total = c["total"] or 1
        rows.append(
            {
                "label": category_label(report, key),
                "total": c["total"],
                "covered": c["covered"] / total,
                "ambiguous": c["ambiguous"] / total,
                "uncovered": c["uncovered"] / total,
                "coverage": c["coverage"],
            }
        )
    return rows


def _histogram(report: CoverageReport) -> list[dict[str, Any]]:
    counts = report.summary["score_histogram"]
    top = max(counts) or 1
    threshold = report.summary["threshold"]
    return [
        {
            "label": f"{i * 10}–{i * 10 + 10}",
            "count": n,
            "height": n / top,
            "above": i * 10 >= threshold,
        }
        for i, n in enumerate(counts)
    ]


def _ignored(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ignored questions this run saw, each wording once with how often it was asked, most first."""
    times: dict[str, int] = {}
    for r in results:
        if r["status"] == "ignored":
            times[r["question"]] = times.get(r["question"], 0) + int(r.get("count", 1))
    return [{"question": q, "times": n} for q, n in sorted(times.items(), key=lambda kv: -kv[1])]


def render_html(report: CoverageReport) -> str:
    """A standalone page (inline CSS and SVG, nothing fetched) a supervisor opens in a browser."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # only the HTML report needs it

    env = Environment(
        loader=FileSystemLoader(data_dir("templates")),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["pct"] = pct
    env.filters["shoptime"] = lambda text: shop_text(parse_datetime(text))
    template = env.get_template("coverage/report.html")
    results = list(report.results)
    return template.render(
        ignored=_ignored(results),
        s=report.summary,
        bars=_bars(report),
        histogram=_histogram(report),
        clusters=report.clusters,
        dead_entries=report.dead_entries,
        handoff=report.handoff,
        problems=[
            r for r in results if r["status"] not in ("covered", "ignored") or r.get("correct") is False
        ][:500],
        status_names=STATUS_NAMES,
        labels={"coverage": COVERAGE_LABEL, "weighted_coverage": WEIGHTED_LABEL},
        category_label=lambda key: category_label(report, key),
    )
