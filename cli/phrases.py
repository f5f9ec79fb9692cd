"""`replybook import`, `replybook export` (Qianniu quick-phrase CSV) and `replybook phrases …`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from replybook import phrases as core
from replybook.phrases import workbook as phrase_workbook
from replybook.phrases.qianniu_csv import encoding_name
from replybook.store.errors import InvalidValue

from . import workbook
from .common import console, err_console, session

app = typer.Typer(help="快捷短语（团队 / 个人）：查看、添加、修改、删除、检查。", no_args_is_help=True)

SCOPE_HELP = "team：团队短语；personal：个人短语（需 --owner）"
OWNER_HELP = "个人短语所属的客服"
LISTED = 200  # a dry run lists this many codes per kind, then counts the rest


def _library(scope: str, owner: str | None) -> tuple[str, str]:
    if owner and scope.strip().lower() == "team":
        raise InvalidValue("--owner 只用于个人短语，请同时写 --scope personal")
    return core.check_library(scope, owner or "")


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="千牛快捷短语 CSV 或 Excel 工作簿 .xlsx/.xls（快捷短语编码,快捷短语,快捷短语分组；格式见 docs/formats.md）",
    ),
    scope: str = typer.Option("team", help=SCOPE_HELP),
    owner: str = typer.Option(None, help=OWNER_HELP),
    mode: str = typer.Option("merge", help="merge：同编码更新、新编码添加；replace：该库变成与文件完全一致"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出将添加、修改、删除的短语，不写入"),
    encoding: str = typer.Option("auto", help="auto（自动识别）、gb18030、utf-8-sig、utf-8"),
) -> None:
    """把千牛快捷短语 CSV 导入团队或某位客服的短语库（要么全部导入，要么什么都不写）。

    Example: replybook import team.csv --mode replace --dry-run
    """
    scope, owner = _library(scope, owner)
    if workbook.is_workbook(file):
        _import_workbook(ctx, file, scope=scope, owner=owner, mode=mode, dry_run=dry_run)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with session(ctx) as s, Progress(*columns, console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or 1)
            bar.update(tasks[stage], completed=done)

        plan = core.import_phrases(
            s,
            file,
            scope=scope,
            owner=owner,
            mode=mode,
            encoding=encoding,
            dry_run=dry_run,
            user="cli",
            progress=progress,
        )
        if dry_run:
            s.rollback()
    how = "自动识别" if plan.detected else "按指定"
    console.print(f"编码：{encoding_name(plan.encoding)}，{how}；共 {plan.rows} 条，导入到{plan.library}")
    _summary(plan, dry_run)


def _import_workbook(
    ctx: typer.Context, file: Path, *, scope: str, owner: str, mode: str, dry_run: bool
) -> None:
    with session(ctx) as s:
        found = phrase_workbook.import_phrase_workbook(
            s, file, scope=scope, owner=owner, mode=mode, dry_run=dry_run, user="cli"
        )
        if dry_run:
            s.rollback()
    for note in found.notes:
        console.print(note, markup=False)
    console.print(phrase_workbook.describe(found), markup=False)
    _summary(found.plan, dry_run)


def _summary(plan: core.PhraseImportPlan, dry_run: bool) -> None:
    verb = "将" if dry_run else "已"
    console.print(
        f"{verb}添加 {len(plan.added)} 条，{verb}修改 {len(plan.changed)} 条，"
        f"{verb}删除 {len(plan.removed)} 条，未变 {plan.unchanged} 条"
    )
    for warning in plan.warnings:
        err_console.print(f"注意：{warning}", markup=False)
    if dry_run:
        names = {"text": "内容", "group": "分组"}
        for sign, items in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
            for item in items[:LISTED]:
                where = f"（第 {item.row} 行）" if item.row else ""
                what = f" 改{'、'.join(names[f] for f in item.fields)}" if item.fields else ""
                console.print(f"  {sign} {item.code}{where}{what}", markup=False)
            if len(items) > LISTED:
                console.print(f"  {sign} …… 另有 {len(items) - LISTED} 条", markup=False)
        console.print("（预览，未写入）")


def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="要写入的 CSV 文件，例如 team.csv；或 team.xlsx（Excel 工作簿）"),
    scope: str = typer.Option("team", help=SCOPE_HELP),
    owner: str = typer.Option(None, help=OWNER_HELP),
    encoding: str = typer.Option("gb18030", help="gb18030（默认，千牛和中文 Excel 直接打开）或 utf-8-sig"),
    neutralise_formulas: bool = typer.Option(
        False,
        "--neutralise-formulas",
        help="以 = + - @ 开头的格子前加 TAB（千牛工具的做法），让 Excel 当作文字；导入时自动去掉",
    ),
) -> None:
    """把团队（或某位客服）的快捷短语导出为千牛快捷短语 CSV。

    Example: replybook export team.csv
    """
    scope, owner = _library(scope, owner)
    if workbook.is_workbook(file):
        with session(ctx) as s:
            count = phrase_workbook.export_phrase_workbook(s, file, scope=scope, owner=owner)
        console.print(
            f"已导出{core.library_name(scope, owner)} {count} 条到 {file}（Excel 工作簿）", markup=False
        )
        return
    with session(ctx) as s:
        result = core.export_phrases(
            s, file, scope=scope, owner=owner, encoding=encoding, neutralise_formulas=neutralise_formulas
        )
    console.print(
        f"已导出{core.library_name(scope, owner)} {result.count} 条到 {result.target}"
        f"（{encoding_name(result.encoding)}）",
        markup=False,
    )
    for warning in result.warnings:
        err_console.print(f"注意：{warning}", markup=False)
    if result.warnings and not neutralise_formulas:
        err_console.print("如要在 Excel 里打开，可加 --neutralise-formulas", markup=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    scope: str = typer.Option(None, help="只看 team 或 personal"),
    owner: str = typer.Option(None, help="只看这位客服的个人短语"),
    group: str = typer.Option(None, help="只看这个分组（空字符串：未分组）"),
    text: str = typer.Option(None, help="编码或内容包含这段文字"),
) -> None:
    """列出快捷短语：先团队，再各客服，按分组和编码排序。

    Example: replybook phrases list --scope team --group 物流
    """
    with session(ctx) as s:
        found = core.list_phrases(s, scope=scope, owner=owner, group=group, text=text)
    table = Table("范围", "编码", "分组", "短语", "版本")
    table.columns[3].overflow = "fold"
    for p in found:
        where = "团队" if p.scope == "team" else p.owner
        table.add_row(where, p.code, p.group_name or "（未分组）", p.text, str(p.version))
    console.print(table)
    console.print(f"共 {len(found)} 条")


@app.command("add")
def add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="编码（输入时转成半角小写）"),
    text: str = typer.Argument(..., help="短语内容；换行写成 \\n"),
    group: str = typer.Option("", help="分组（不填为未分组）"),
    scope: str = typer.Option("team", help=SCOPE_HELP),
    owner: str = typer.Option(None, help=OWNER_HELP),
    image: str = typer.Option(None, help="图片地址（可选）"),
) -> None:
    """在团队或某位客服的短语库中添加一条快捷短语。

    Example: replybook phrases add sf "亲，顺丰需要补差价哦" --group 物流
    """
    data = core.PhraseData(scope, owner or "", group, code, text.replace("\\n", "\n"), image)
    with session(ctx) as s:
        phrase = core.create_phrase(s, data=data, user="cli")
        warning = core.shadow_warning(s, scope=phrase.scope, owner=phrase.owner, code=phrase.code)
    console.print(f"已添加 {phrase.code}（{core.library_name(phrase.scope, phrase.owner)}，#{phrase.id}）")
    if warning:
        err_console.print(f"注意：{warning}", markup=False)


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="要修改的短语的编码"),
    scope: str = typer.Option("team", help=SCOPE_HELP),
    owner: str = typer.Option(None, help=OWNER_HELP),
    text: str = typer.Option(None, help="新内容；换行写成 \\n"),
    group: str = typer.Option(None, help="移到这个分组（空字符串：未分组）"),
    new_code: str = typer.Option(None, "--new-code", help="新编码"),
    image: str = typer.Option(None, help="图片地址（空字符串：去掉图片）"),
) -> None:
    """修改快捷短语的内容、编码、分组（移动）或图片。

    Example: replybook phrases edit sf --group 快递 --text "亲，顺丰到付需要补差价哦"
    """
    scope, owner = _library(scope, owner)
    with session(ctx) as s:
        phrase = core.find_phrase(s, scope=scope, owner=owner, code=code)
        data = core.phrase_data(phrase)
        if text is not None:
            data.text = text.replace("\\n", "\n")
        if group is not None:
            data.group = group
        if new_code is not None:
            data.code = new_code
        if image is not None:
            data.image_url = image
        phrase = core.update_phrase(
            s, phrase_id=phrase.id or 0, data=data, expected_version=phrase.version, user="cli"
        )
        warning = core.shadow_warning(s, scope=phrase.scope, owner=phrase.owner, code=phrase.code)
    console.print(f"已修改 {phrase.code}（第 {phrase.version} 版）")
    if warning:
        err_console.print(f"注意：{warning}", markup=False)


@app.command("rm")
def rm(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="要删除的短语的编码"),
    scope: str = typer.Option("team", help=SCOPE_HELP),
    owner: str = typer.Option(None, help=OWNER_HELP),
) -> None:
    """删除快捷短语（历史记录中保留，可恢复）。

    Example: replybook phrases rm sf
    """
    scope, owner = _library(scope, owner)
    with session(ctx) as s:
        phrase = core.find_phrase(s, scope=scope, owner=owner, code=code)
        core.delete_phrase(s, phrase_id=phrase.id or 0, user="cli")
    console.print(f"已删除 {phrase.code}（{core.library_name(scope, owner)}）")


@app.command("lint")
def lint(
    ctx: typer.Context,
    scope: str = typer.Option(None, help="只检查 team 或 personal"),
    owner: str = typer.Option(None, help="只检查这位客服的个人短语"),
    max_length: int = typer.Option(core.DEFAULT_MAX_LENGTH, "--max-length", help="短语最长字数"),
    strict: bool = typer.Option(False, "--strict", help="有提醒也以非零状态退出"),
) -> None:
    """检查快捷短语库中会让客服出错的地方。

    错误：编码冲突。提醒：个人编码遮住团队编码、编码是另一个编码的开头、未分组的短语、超过 --max-length
    的短语、同一内容用了两个编码。有错误时退出码 1（加 --strict 时有任何发现都为 1）。

    Example: replybook phrases lint --max-length 200
    """
    with session(ctx) as s:
        findings = core.lint_phrases(s, max_length=max_length, scope=scope, owner=owner)
    errors = [f for f in findings if f.severity == "error"]
    for f in findings:
        label = "[red]错误[/red]" if f.severity == "error" else "[yellow]提醒[/yellow]"
        console.print(f"{label} {f.library}：", end="")
        console.print(f.message, markup=False)
    console.print(f"错误 {len(errors)} 个，提醒 {len(findings) - len(errors)} 个")
    if errors or (strict and findings):
        raise typer.Exit(1)


@app.command("usage")
def usage(
    ctx: typer.Context,
    log: Path = typer.Argument(
        ..., help="聊天记录：千牛聊天记录 .zip、客户ID|聊天记录 .xlsx 或 时间/昵称: 内容 文本"
    ),
    add: list[int] = typer.Option(None, "--add", help="把第 N 条建议设为团队短语（可重复）"),
    top: int = typer.Option(20, help="每个列表最多显示几条"),
) -> None:
    """客服实际发了什么：每条快捷短语的使用次数和最近一次、从没用过的短语、反复手打的回复（建议设为团队短语）。

    Example: replybook phrases usage 千牛聊天记录_2026-11-12.zip --add 1
    """
    from replybook.phrases import usage as phrase_usage
    from replybook.store.errors import file_error
    from replybook.store.timeutil import shop_text

    try:
        data = log.read_bytes()
    except OSError as exc:
        raise file_error(log, exc) from None
    with session(ctx) as s:
        report = phrase_usage.phrase_usage(s, phrase_usage.read_chat_log(data, source=str(log)))
        added = [phrase_usage.adopt_proposal(s, report, n, user="cli") for n in add or []]
    console.print(f"客服发言 {report.agent_turns} 条，其中用了快捷短语 {report.matched} 条", markup=False)
    console.print(f"最常用的快捷短语（{len(report.used)} 条用过）：", markup=False)
    for u in report.used[:top]:
        console.print(
            f"  {u.count} 次  {u.library} {u.code}：{u.text}（最近 {shop_text(u.last) or '时间不详'}）",
            markup=False,
        )
    console.print(f"从没用过的快捷短语（{len(report.never)} 条）：", markup=False)
    for u in report.never[:top]:
        console.print(f"  {u.library} {u.code}：{u.text}", markup=False)
    console.print(f"反复手打、还不是快捷短语的回复（{len(report.proposals)} 条建议）：", markup=False)
    for p in report.proposals[:top]:
        console.print(f"  {p.number}. {p.count} 次：{p.text}", markup=False)
    if report.proposals and not added:
        console.print(f"设为团队短语：replybook phrases usage {log} --add 1", markup=False)
    for phrase in added:
        console.print(
            f"已设为团队短语 {phrase.code}（分组 {phrase.group_name}）：{phrase.text}", markup=False
        )
