"""`replybook test` (the coverage test) and `replybook calibrate` (the shop's threshold and margin);
`replybook ask` is cli/ask.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from replybook.coverage.matching import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from replybook.coverage.question_files import read_question_file, truncation_warning
from replybook.coverage.report import pct, render_html, render_table, write_csv
from replybook.coverage.run import run_coverage, save_run
from replybook.store.errors import InvalidValue
from replybook.store.timeutil import now, parse_datetime
from replybook.store.users import list_users

from .common import console, err_console, session

FORMATS = ("table", "json", "csv", "html")
PROGRESS_FROM = 10_000  # questions; fewer finish before a bar would be worth drawing


@contextmanager
def _progress_bar(total: int) -> Iterator[object]:
    if total < PROGRESS_FROM:
        yield None
        return
    bar = Progress(
        TextColumn("匹配问题"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        task = bar.add_task("match", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def test(
    ctx: typer.Context,
    questions: Path = typer.Argument(
        ...,
        help="问题文件：.txt 每行一个问题；.csv/.xlsx 含问题列（可选 标准问题、分类、次数 列）；"
        "或聊天记录（只取买家的话：千牛聊天记录 .zip、客户ID|聊天记录 的 .xlsx、时间/昵称: 内容 文本）；格式见 docs/formats.md",
    ),
    at: str = typer.Option(
        None, "--at", help="测试时间（默认现在），例如 2026-12-10T10:00:00+08:00：只匹配当时生效的问答"
    ),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="最佳分数达到它才算覆盖（0–100）"),
    margin: float = typer.Option(
        DEFAULT_MARGIN, "--margin", help="最佳问答须领先另一条不同答案的问答这么多分，否则算有歧义"
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table、json、csv 或 html"),
    output: Path = typer.Option(None, "--output", "-o", help="写入此文件（默认输出到屏幕）"),
    fail_under: float = typer.Option(None, "--fail-under", help="覆盖率低于 P%（0–100）时以状态 1 退出"),
    column: str = typer.Option(None, "--column", help="CSV 中问题所在的列名"),
    no_save: bool = typer.Option(False, "--no-save", help="不保存本次结果（默认保存，供仪表盘查看）"),
) -> None:
    """覆盖率测试：把顾客问题与 --at 时刻生效的机器人问答逐一匹配。

    QUESTIONS：.txt（每行一个问题）、.csv 或聊天记录导出。
    CSV：问题列为「问题」（或用 --column 指定）；可选「次数」列按被问次数加权覆盖率；可选「标准问题」/「分类」
    列标注应命中的问答 / 分类（此时报告准确率；「分类」填分类键或名称，如 greeting 或 问候语；「标准问题」为空表示这个问题不该被覆盖；标注的分类或问答不存在时报错并指出行号）。
    聊天记录（只有买家说的话算问题）：含「时间,角色,内容」列的 CSV（角色为 买家 或 客服），
    或形如 "2026-11-20 10:01:02 买家 小王: 今天能发货吗" 的文本行。
    最佳问答得分 ≥ --threshold 且领先每条不同答案的问答 ≥ --margin 时算已覆盖；另一答案同样接近时算有歧义；
    否则算未覆盖。

    Example: replybook test sample_data/questions_labelled.csv --at 2026-12-10T10:00:00+08:00
    """
    if fmt not in FORMATS:
        raise InvalidValue(f"--format 只能是 {'、'.join(FORMATS)}")
    if not 0 <= threshold <= 100 or margin < 0:
        raise InvalidValue("--threshold 应在 0–100 之间，--margin 不能为负")
    if fail_under is not None and not 0 <= fail_under <= 100:
        raise InvalidValue("--fail-under 是百分数，应在 0–100 之间")
    moment = parse_datetime(at) if at else now()
    with session(ctx) as s:
        agents = [u.name for u in list_users(s)]
    found = read_question_file(questions, column=column, agents=agents)
    items = found.questions
    for line in found.notes():
        err_console.print(line, markup=False)
    cut = truncation_warning(items)
    if cut:
        err_console.print(f"提醒：{cut}", markup=False)
    with session(ctx) as s:
        with _progress_bar(len(items)) as progress:
            report = run_coverage(
                s,
                items,
                at=moment,
                threshold=threshold,
                margin=margin,
                progress=progress,  # type: ignore[arg-type]
                source=str(questions),
            )
        if found.chat is not None:
            report.summary["chat"] = found.chat.as_dict()
        run_id = None if no_save else save_run(s, report, source=str(questions), user="cli").id

    out = output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") if output else None
    try:
        stream = out or sys.stdout
        if fmt == "json":
            report.write_json(stream)
        elif fmt == "csv":
            write_csv(report, stream)
        elif fmt == "html":
            stream.write(render_html(report))
        else:
            target = Console(file=out, highlight=False, soft_wrap=True, width=140) if out else console
            target.print(render_table(report))
    finally:
        if out:
            out.close()
    note = err_console if fmt != "table" or output else console
    if output:
        note.print(f"已写入 {output}", markup=False)
    if run_id is not None:
        note.print(f"已保存本次测试结果（#{run_id}）", markup=False)
    coverage = report.summary["coverage"]
    if fail_under is not None and coverage * 100 < fail_under:
        err_console.print(f"覆盖率 {pct(coverage)} 低于 --fail-under {fail_under:g}%", markup=False)
        raise typer.Exit(1)


def calibrate(
    ctx: typer.Context,
    labelled_file: Path = typer.Argument(..., help="带标注的问题文件（问题,标准问题[,分类]）"),
    at: str = typer.Option(None, "--at", help="问答库的时间（默认现在）"),
    target: float = typer.Option(0.9, "--target", help="“已覆盖”要达到的准确率"),
) -> None:
    """按标注问题为本店选阈值和差距（使“已覆盖”的准确率达到目标），存为本店设置，并打印准确率/召回率曲线。

    Example: replybook calibrate sample_data/questions_labelled.csv --at 2026-12-10T10:00:00+08:00
    """
    from replybook.coverage.calibration import calibrate_shop, curve

    moment = parse_datetime(at) if at else now()
    questions = read_question_file(labelled_file).questions
    with session(ctx) as s:
        c, p = calibrate_shop(s, questions, at=moment, target=target)
        console.print(f"阈值 | 准确率 | 召回率 | 覆盖数（差距 {c.margin:g}）", markup=False)
        for t, precision, recall, n in curve(p, c.margin)[::5]:
            console.print(f"{t:g} | {precision:.1%} | {recall:.1%} | {n}", markup=False)
        reached = "" if c.reached else f"（没有设置能达到 {target:.0%}，取最准的）"
        console.print(
            f"已设置：阈值 {c.threshold:g}，差距 {c.margin:g}；“已覆盖”准确率 {c.precision:.1%}，"
            f"召回率 {c.recall:.1%}{reached}",
            markup=False,
        )
