"""`replybook gold …`: the gold-team (金牌客服) figures — import, check, history."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from replybook import gold as core
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import parse_date, today_shop

from .common import console, session

app = typer.Typer(help="金牌客服门槛：评价数与综合服务分的导入、检查与历史。", no_args_is_help=True)

KIND_LABELS = {"reviews": "评价统计", "scores": "综合服务分", "combined": "评价统计 + 综合服务分"}
FORMATS = ("table", "json")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="评价统计 CSV、综合服务分 CSV，或两者合一的文件（GBK 或 UTF-8；格式见 docs/formats.md）"
    ),
    mode: str = typer.Option("add", help="add：已存在的日期/来源/客服报错；replace：用文件中的数据覆盖"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并显示将写入的内容，不写入"),
) -> None:
    """导入每日评价数和/或综合服务分；任何一行有问题都不写入。

    Example: replybook gold import sample_data/reviews.csv
    """
    with session(ctx) as s:
        result = core.import_file(s, file, mode=mode)
        if dry_run:
            s.rollback()
    verb = "将" if dry_run else "已"
    console.print(
        f"{verb}导入 {escape(str(file))}（{KIND_LABELS[result.kind]}，编码 {result.encoding}，"
        f"{result.first_day} 至 {result.last_day}）"
    )
    if result.kind != "scores":
        console.print(f"评价数：新增 {result.reviews_added} 行，覆盖 {result.reviews_replaced} 行")
    if result.scores_added or result.scores_replaced or result.kind == "scores":
        console.print(f"综合服务分：新增 {result.scores_added} 天，覆盖 {result.scores_replaced} 天")


@app.command("check")
def check(
    ctx: typer.Context,
    on: str = typer.Option(None, "--on", help="评定日 T（默认今天，Asia/Shanghai）；统计窗口为 T−32 至 T−3"),
    target_satisfaction: str = typer.Option(
        None,
        "--target-satisfaction",
        help="店铺自己的满意率目标（0.95 或 95）；平台未公布满意率门槛，给出后低于目标也算未达标",
    ),
    fmt: str = typer.Option("table", "--format", help="table 或 json"),
) -> None:
    """按评定日 T 检查金牌客服门槛；达标退出码 0，未达标 1，出错 2。

    Example: replybook gold check --on 2026-12-01 --target-satisfaction 0.9
    """
    _check_format(fmt)
    day = parse_date(on) if on else today_shop()
    target = core.parse_target(target_satisfaction)
    with session(ctx) as s:
        result = core.check(s, on=day, target_satisfaction=target)
    if fmt == "json":
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_check(result)
    if not result.eligible:
        raise typer.Exit(1)


@app.command("history")
def history(
    ctx: typer.Context,
    months: int = typer.Option(12, "--months", help="最多显示最近几个月"),
    target_satisfaction: str = typer.Option(
        None, "--target-satisfaction", help="满意率目标（同 gold check）"
    ),
    fmt: str = typer.Option("table", "--format", help="table 或 json"),
) -> None:
    """按已存数据推算的每月评定结果，每月一行。

    Example: replybook gold history --months 6
    """
    _check_format(fmt)
    target = core.parse_target(target_satisfaction)
    with session(ctx) as s:
        results = core.history(s, months=months, target_satisfaction=target)
    if fmt == "json":
        typer.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
        return
    if not results:
        console.print("还没有评价数据或综合服务分：先用 replybook gold import 导入")
        return
    table = Table(title="金牌客服 · 每月评定结果")
    for name in ("评定日", "统计窗口", "服务分", "评价数", "满意率"):
        table.add_column(name, no_wrap=True)
    table.add_column("结果")
    for r in results:
        o = r.figures.overall
        table.add_row(
            r.on.isoformat(),
            f"{r.window.start:%m-%d} 至 {r.window.end:%m-%d}",
            "无" if r.service_score is None else f"{r.service_score:.2f}",
            str(o.reviews),
            _pct(o.rate),
            "[green]达标[/green]" if r.eligible else "[red]未达标[/red]：" + escape("；".join(r.reasons)),
        )
    console.print(table)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidValue(f"未知的格式 {fmt!r}，应为 table 或 json")


def _pct(rate: float | None) -> str:
    return "—（无评价）" if rate is None else f"{rate:.2%}"


def _score(score: float | None, day) -> str:
    return "无" if score is None else f"{score:.2f}（{day}）"


def _ok(passed: bool, fail_text: str = "未达标") -> str:
    return "[green]达标[/green]" if passed else f"[red]{fail_text}[/red]"


def _print_check(r: core.GoldCheck) -> None:
    f, target = r.figures, r.target_satisfaction
    table = Table(
        title=f"金牌客服门槛检查 · 评定日 {r.on}（统计窗口 {r.window.start} 至 {r.window.end}，{r.window.days} 天）"
    )
    for name in ("指标", "数值", "门槛", "结果"):
        table.add_column(name)
    score_ok = r.service_score is not None and r.service_score >= core.SERVICE_SCORE_MIN
    table.add_row(
        "综合服务分",
        _score(r.service_score, r.service_score_day),
        f"≥ {core.SERVICE_SCORE_MIN}",
        _ok(score_ok, "未达标" if r.service_score is not None else "无分数，不能参评"),
    )
    table.add_row(
        "评价数（机器人 + 人工）",
        str(f.overall.reviews),
        f"≥ {core.REVIEWS_MIN}",
        _ok(r.reviews_needed == 0, f"还差 {r.reviews_needed} 条"),
    )
    table.add_row("　其中机器人", str(f.bot.reviews), "", "")
    table.add_row("　其中人工", str(f.manual.reviews), "", "")
    rows = [("满意率（整体）", f.overall), ("满意率 · 机器人", f.bot), ("满意率 · 人工", f.manual)]
    rows += [(f"满意率 · 客服 {escape(name)}", t) for name, t in f.agents.items()]
    for label, tally in rows:
        shown = _pct(tally.rate) + (f"（{tally.satisfied}/{tally.reviews}）" if tally.reviews else "")
        if target is None:
            table.add_row(label, shown, "无官方门槛", "—")
        else:
            passed = tally.rate is not None and tally.rate >= target
            table.add_row(label, shown, f"目标 ≥ {target:.2%}", _ok(passed, "低于目标"))
    console.print(table)
    if r.eligible:
        console.print("[bold green]结论：符合金牌客服门槛[/bold green]")
    else:
        console.print("[bold red]结论：不符合金牌客服门槛[/bold red]")
        for reason in r.reasons:
            console.print(f"  · {escape(reason)}")
    if r.projection is not None:
        _print_projection(r.projection)


def _print_projection(p: core.Projection) -> None:
    b = p.basis_tally
    console.print(
        f"\n[bold]预测：下次评定 {p.evaluation_day}[/bold]（统计窗口 {p.window.start} 至 {p.window.end}）"
    )
    console.print(
        f"  依据最近 {p.basis.days} 天（{p.basis.start} 至 {p.basis.end}）：评价 {b.reviews} 条，"
        f"日均 {p.reviews_per_day:.1f} 条，满意率 {_pct(b.rate)}"
    )
    console.print(
        f"  窗口内已知 {p.known_days} 天 {p.known.reviews} 条，其余 {p.remaining_days} 天按日均推算："
        f"预计评价 {p.reviews} 条（门槛 {core.REVIEWS_MIN}），满意率 {_pct(p.satisfaction_rate)}，"
        f"综合服务分 {_score(p.service_score, p.service_score_day)}"
    )
    if p.eligible:
        console.print("  [green]预计达标[/green]")
    else:
        console.print("  [red]预计未达标[/red]：" + escape("；".join(p.reasons)))
