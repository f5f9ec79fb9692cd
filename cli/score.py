"""`replybook score …`: the agent scorecard (客服绩效考核) — the monthly 考核表, figures, hand scores."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from replybook import scorecard as core
from replybook.store.errors import InvalidValue, file_error
from replybook.store.timeutil import now

from .common import console, session

app = typer.Typer(help="客服绩效考核：每月考核表、每日考核数据导入、主管打分。")
FORMATS = ("table", "json", "xlsx", "html")


@app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    month: str = typer.Option(None, "--month", help="考核月份，如 2026-11"),
    model: Path = typer.Option(
        None, "--model", help="考核方案 YAML（默认：店铺保存的方案，未保存时为示例方案）"
    ),
    fmt: str = typer.Option("table", "--format", help="table、json、xlsx 或 html（可打印的考核表）"),
    output: Path = typer.Option(
        None, "--output", "-o", help="xlsx / html 写到哪个文件（默认 考核表-<月份>.xlsx / .html）"
    ),
    chats: list[Path] = typer.Option(
        None,
        "--chats",
        help="本月的聊天记录（可多次给出）：算出每位客服回答最多的、问答库没覆盖的买家问题",
    ),
    site: str = typer.Option(
        "", "--site", help="网页版地址，如 http://192.168.1.5:8000：问题的“教机器人”链接指向它"
    ),
) -> None:
    """打印某月的考核表：每位客服各指标的数值、得分与加权贡献、加减分、总分、排名、提成和工资，
    以及个人快捷短语数、快捷短语与手打的比例和（给出 --chats 时）回答最多的未覆盖问题。

    Example: replybook score --month 2026-11 --chats 千牛聊天记录_2026-11.zip --format html
    """
    if ctx.invoked_subcommand is not None:
        return
    if month is None:
        raise InvalidValue("请用 --month 指定考核月份，如 --month 2026-11")
    if fmt not in FORMATS:
        raise InvalidValue(f"--format 应为 {'、'.join(FORMATS)}，现为 {fmt!r}")
    with session(ctx) as s:
        the_model = core.load_model(model) if model is not None else core.get_model(s)
        card = core.monthly_scorecard(s, model=the_model, month=month)
        if chats:
            conversations = core.read_chat_logs(chats)
            card.with_questions(s, conversations, at=now(), sources=[str(p) for p in chats])
    if fmt == "json":
        typer.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
    elif fmt in ("xlsx", "html"):
        target = output or Path(f"考核表-{card.month}.{fmt}")
        try:
            if fmt == "xlsx":
                core.write_scorecard_xlsx(target, [card], site=site)
            else:
                target.write_text(core.render_scorecard_html(card, site=site), encoding="utf-8")
        except OSError as exc:
            raise file_error(target, exc, writing=True) from None
        console.print(f"已写入 {escape(str(target))}（{len(card.rows)} 位客服）")
    else:
        _print(card, site=site)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.01')).normalize():f}%"


def _table(title: str, headers: list[str], rows: list[list[str]]) -> Table:
    """One row per agent when it fits the terminal; else turned a quarter (one column per agent, one
    row per indicator), so a narrow terminal shows every figure whole instead of cutting them to …."""
    table = Table(title=title)
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 1 else "right")
    for cells in rows:
        table.add_row(*cells)
    if Measurement.get(console, console.options.update_width(10_000), table).maximum <= console.width:
        return table
    turned = Table(title=title)
    turned.add_column("项目")
    for cells in rows:
        turned.add_column(cells[1], justify="right")
    for i, header in enumerate(headers):
        if i != 1:
            turned.add_row(header.replace("\n", " "), *(cells[i] for cells in rows))
    return turned


def _print(card: core.Scorecard, *, site: str = "") -> None:
    if not card.rows:
        console.print(f"{card.month} 没有考核数据：先用 replybook score import 导入每日数据")
        return
    headers = ["排名", "客服"]
    headers += [f"{i.name}\n{i.weight.normalize():f}%" for i in card.model.indicators]
    headers += ["加减分", "总分", "较上月", "提成", "工资"]
    rows = []
    for row in card.rows:
        cells = []
        for item in row.indicators:
            score = "未评分" if item.score is None else f"{item.score.quantize(Decimal('0.1')).normalize():f}"
            cells.append(f"{score} → {_pct(item.contribution)}")
        before = card.previous.get(row.agent)
        change = "—" if before is None else f"{(row.total - before).quantize(Decimal('0.01')):+f}"
        rows.append(
            [
                str(row.rank),
                escape(row.agent),
                *cells,
                f"{row.points_total.normalize():+f}",
                _pct(row.total),
                change,
                f"{row.commission:,.2f}",
                f"{row.pay:,.2f}",
            ]
        )
    console.print(_table(f"{card.month} 客服考核表（{card.model.name}）", headers, rows))
    for row in card.rows:
        month = card.months.get(row.agent)
        if month is None:
            continue
        parts = []
        for key, value in month.figures.items():
            shown = f"{core.FIGURES.get(key, key)} {core.figure_text(key, value)}（{core.SOURCE_LABELS[month.used[key]]}）"
            if key in month.other:
                shown += f"，聊天记录 {core.figure_text(key, month.other[key])}（未采用）"
            parts.append(shown)
        links = card.links(row.agent)
        share = "—" if links["phrase_share"] is None else f"{links['phrase_share']:.0%}"
        parts.append(
            f"个人快捷短语 {links['personal_phrases']} 条，聊天记录中快捷短语占 {share}"
            f"（{links['phrase_messages']} 条 / 手打 {links['typed_messages']} 条）"
        )
        console.print(f"{escape(row.agent)}：" + "；".join(escape(p) for p in parts))
        _print_questions(links["uncovered_questions"], site.rstrip("/"))
    team = card.team
    console.print(
        f"团队满意率：本月 {_rate(team['month']['rate'])}（评价 {team['month']['reviews']} 条）；"
        f"金牌客服窗口 {team['gold_window']['start']} 至 {team['gold_window']['end']}"
        f"（{team['gold_window']['evaluation_day']} 评定）{_rate(team['gold_window']['rate'])}"
        f"（评价 {team['gold_window']['reviews']} 条）"
    )


def _print_questions(found: dict[str, Any] | None, site: str) -> None:
    if found is None:
        return
    if not found["answered"]:
        console.print("  聊天记录里没有本月由其回答的买家问题")
        return
    if not found["top"]:
        console.print(f"  回答的 {found['answered']} 个买家问题，问答库都已覆盖")
        return
    console.print(
        f"  回答 {found['answered']} 个买家问题，其中 {found['uncovered']} 个问答库没有覆盖；回答最多的："
    )
    for number, item in enumerate(found["top"], start=1):
        console.print(
            f"  {number}. {escape(item['question'])}（{item['count']} 次）→ 教机器人 {escape(site + item['teach'])}",
            soft_wrap=True,
        )


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.2%}"


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="每日考核数据 CSV 或 .xlsx（日期, 客服, 咨询人数, 询单人数, 最终付款人数, 销售额 …；格式见 docs/formats.md）",
    ),
    mode: str = typer.Option(
        "merge", help="merge：同一天同一客服覆盖、其他保留；replace：文件中的日期范围与文件完全一致"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并显示将写入的内容，不写入"),
    overwrite_hand_days: bool = typer.Option(
        False, "--overwrite-hand-days", help="网页上手工录入的天也被文件替换或删除（默认保留不动）"
    ),
) -> None:
    """导入每位客服每天的考核数据；任何一行有问题都不写入。网页上手工录入的天保留不动。

    Example: replybook score import sample_data/agent_days.csv --dry-run
    """
    with session(ctx) as s:
        result = core.import_days_file(
            s, file, mode=mode, user="cli", overwrite_hand_days=overwrite_hand_days
        )
        if dry_run:
            s.rollback()
    verb = "将" if dry_run else "已"
    console.print(
        f"{verb}导入 {escape(str(file))}（编码 {result.encoding}，{result.first_day} 至 {result.last_day}）："
        f"新增 {result.added} 行，更新 {result.updated} 行，删除 {result.removed} 行"
        + (f"，保留手工录入的 {result.kept} 行" if result.kept else "")
    )
    for note in result.notes:
        console.print(escape(note))


@app.command("hand")
def hand(
    ctx: typer.Context,
    agent: str = typer.Argument(..., help="客服"),
    month: str = typer.Option(..., "--month", help="考核月份，如 2026-11"),
    item: str = typer.Option(..., "--item", help="手工打分项，如 团队合作能力"),
    score: float = typer.Option(..., "--score", help="0–100 分"),
    model: Path = typer.Option(
        None, "--model", help="考核方案 YAML（默认：店铺保存的方案；打分项须在方案中）"
    ),
) -> None:
    """主管为客服的手工打分项打分（每月一次，可修改，有历史）。

    Example: replybook score hand 小美 --month 2026-11 --item 团队合作能力 --score 85
    """
    with session(ctx) as s:
        items = (core.load_model(model) if model is not None else core.get_model(s)).hand_items
        row = core.set_hand_score(
            s, agent=agent, month=month, item=item, score=score, user="cli", items=items
        )
        console.print(
            f"已记录 {row.month} {escape(row.agent)} 的{escape(row.item)}：{row.score:g} 分（第 {row.version} 版）"
        )


@app.command("chatlog")
def chatlog(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="聊天记录：导出器的 ZIP、客户ID | 聊天记录 工作簿，或文本"),
    limit: str = typer.Option("180", "--limit", help="回复时限（秒），平台为 180"),
    window: str = typer.Option(
        "08:00-24:00", "--window", help="只统计这个时段开始的买家消息，平台为 08:00-24:00"
    ),
) -> None:
    """从聊天记录算出每位客服每天的首次响应时间、平均响应时间和响应率（平台：180 秒内，08:00–24:00）。

    Example: replybook score chatlog 千牛聊天记录_2026-11.zip --limit 60 --window 09:00-23:00
    """
    rule = core.parse_rule(window, limit)
    with session(ctx) as s:
        days = core.import_chatlog(s, file, user="cli", rule=rule)
    console.print(f"已从 {escape(str(file))} 算出 {len(days)} 个客服·日的响应时间（{rule.label}）")
    for (agent, day), fig in sorted(days.items()):
        rate = "—" if fig.rate is None else f"{fig.rate:.2%}"
        console.print(f"  {day} {escape(agent)}：买家 {fig.turns} 轮，时限内回复 {fig.within} 轮（{rate}）")


model_app = typer.Typer(
    help="店铺的考核方案：查看、导出为文件、从文件导入（有版本和历史）。", no_args_is_help=True
)
app.add_typer(model_app, name="model")


@model_app.command("show")
def model_show(ctx: typer.Context) -> None:
    """显示店铺当前的考核方案（未保存过时为示例方案）。

    Example: replybook score model show
    """
    from replybook.scorecard.stored import describe

    with session(ctx) as s:
        the_model = core.get_model(s)
    state = f"第 {the_model.version} 版" if the_model.version else "默认方案，尚未保存"
    parts = describe(the_model)
    console.print(f"考核方案：{escape(parts['name'])}（{state}）")
    for key, label in (("indicators", "指标"), ("points", "加减分"), ("commission", "提成"), ("pay", "工资")):
        console.print(f"{label}：{escape(parts[key])}")


@model_app.command("export")
def model_export(ctx: typer.Context, file: Path = typer.Argument(..., help="写到哪个 YAML 文件")) -> None:
    """把店铺当前的考核方案写成 YAML 文件（修改后用 import 导入）。

    Example: replybook score model export 考核方案.yaml
    """
    with session(ctx) as s:
        the_model = core.get_model(s)
    try:
        file.write_text(core.model_yaml(the_model), encoding="utf-8")
    except OSError as exc:
        raise file_error(file, exc, writing=True) from None
    console.print(f"已写入 {escape(str(file))}（{escape(the_model.name)}）")


@model_app.command("import")
def model_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="考核方案 YAML（格式同 export 写出的文件）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查，不保存"),
) -> None:
    """从 YAML 文件保存店铺的考核方案（新的一版，可在历史里撤销）；文件有问题时不写入。

    Example: replybook score model import 考核方案.yaml --dry-run
    """
    the_model = core.read_model_file(file)
    if dry_run:
        console.print(f"检查通过：{escape(the_model.name)}，{len(the_model.indicators)} 项指标（未保存）")
        return
    with session(ctx) as s:
        saved = core.save_model(s, the_model, user="cli")
    console.print(f"已保存考核方案 {escape(saved.name)}（第 {saved.version} 版）")
