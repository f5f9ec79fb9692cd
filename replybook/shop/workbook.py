"""The whole reply configuration in one workbook (SPEC §8a, issue 15): 问答库, 分类, 自动回复, the
bot's 机器人设置 and 值班安排 (issue 16), the team's 快捷短语 and one 个人短语-<客服> sheet per agent — what `replybook library export x.xlsx`
writes and `replybook library import x.xlsx` reads, and the templates people fill in.

An import reads every sheet and checks every row before anything is planned against the database;
any problem anywhere (named by sheet, row and column) refuses the whole workbook. Replace mode
replaces only the kinds the workbook has a sheet for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlmodel import Session, col, select

from replybook.autoreplies import transfer as autoreply_sheet
from replybook.bot import BotConfig, get_bot_settings
from replybook.library import synonym_sheet
from replybook.library import synonyms as synonym_lists
from replybook.library import workbook as library_sheet
from replybook.library.bot_section import apply_bot_settings
from replybook.library.entries import BUILTIN_CATEGORIES, ensure_builtin_categories
from replybook.library.file import LibraryPlan, apply_import, plan_entries
from replybook.phrases import workbook as phrase_sheet
from replybook.phrases.transfer import apply_phrase_import
from replybook.shop import bot_sheet
from replybook.store.errors import ImportFormatError, InvalidValue, Problem, ReplybookError
from replybook.store.models import Phrase, PhraseScope
from replybook.tabular.workbook import WorkbookImportError, open_workbook
from replybook.tabular.xlsx_writer import HELPER_SHEETS, SheetSpec, write_workbook

FLAG_CHOICES = ["是", "否"]
KNOWN_SHEETS = (
    library_sheet.ENTRY_SHEET,
    library_sheet.CATEGORY_SHEET,
    synonym_sheet.SHEET,
    autoreply_sheet.SHEET,
    bot_sheet.SETTINGS_SHEET,
    bot_sheet.SHIFT_SHEET,
    phrase_sheet.SHEET,
)


@dataclass
class WorkbookPlan:
    """What importing a workbook does, per kind; None for a kind the workbook has no sheet for."""

    source: str
    mode: str
    library: LibraryPlan | None = None
    synonyms: synonym_lists.SynonymPlan | None = None
    autoreplies: autoreply_sheet.AutoReplyPlan | None = None
    bot: BotConfig | None = None  # the settings the workbook leaves, when it has a bot sheet
    bot_changed: bool = False
    phrases: list[phrase_sheet.PhraseWorkbookPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the columns recognised, the ones not imported
    warnings: list[str] = field(default_factory=list)


def plan_workbook(
    session: Session, source: str | Path | bytes | IO[bytes], *, name: str | None = None, mode: str = "merge"
) -> WorkbookPlan:
    """Read and check every sheet, then plan each kind; raises one ImportFormatError listing every
    problem of every sheet. Writes nothing."""
    if mode not in ("merge", "replace"):
        raise InvalidValue(f"未知导入方式 {mode!r}，可用：merge、replace")
    ensure_builtin_categories(session)
    problems: list[Problem] = []
    with open_workbook(source, name=name) as book:
        plan = WorkbookPlan(book.source, mode)
        names = [n for n in book.sheet_names if n not in HELPER_SHEETS]
        personal = {s for s, scope, _ in phrase_sheet.phrase_sheets(book) if scope == PhraseScope.PERSONAL}
        entry_sheet = library_sheet.ENTRY_SHEET
        if not any(n in KNOWN_SHEETS or n in personal for n in names) and len(names) == 1:
            entry_sheet = names[0]  # a one-sheet workbook of questions and answers (Sheet1)
        for other in names:
            if other not in KNOWN_SHEETS and other not in personal and other != entry_sheet:
                plan.warnings.append(
                    f"工作表 {other} 不是问答库、分类、自动回复、机器人设置、值班安排或快捷短语，未导入"
                )
        categories: list[tuple[str, str]] = []
        if library_sheet.CATEGORY_SHEET in names:
            categories = library_sheet.read_categories(
                book.rows(library_sheet.CATEGORY_SHEET), problems=problems, notes=plan.notes
            )
        builtin = {key for key, _ in BUILTIN_CATEGORIES}
        own = [(k, n) for k, n in categories if k not in builtin]
        entries = None
        if entry_sheet in names:
            lookup = library_sheet.category_lookup(session, own)
            entries = library_sheet.read_entries(
                book.rows(entry_sheet),
                categories=lookup,
                problems=problems,
                notes=plan.notes,
                sheet=entry_sheet,
            )
        rules = None
        groups = None
        if synonym_sheet.SHEET in names:
            groups = synonym_sheet.read_sheet(
                book.rows(synonym_sheet.SHEET), problems=problems, notes=plan.notes
            )
        if autoreply_sheet.SHEET in names:
            rules = autoreply_sheet.read_sheet(
                book.rows(autoreply_sheet.SHEET), problems=problems, notes=plan.notes
            )
        bot_read = bot_sheet.BotSheetsRead()
        if bot_sheet.SETTINGS_SHEET in names:
            bot_read.settings = bot_sheet.read_settings(
                book.rows(bot_sheet.SETTINGS_SHEET), problems=problems, notes=plan.notes
            )
        if bot_sheet.SHIFT_SHEET in names:
            bot_read.shifts = bot_sheet.read_shifts(
                book.rows(bot_sheet.SHIFT_SHEET), problems=problems, notes=plan.notes
            )
        for sheet, scope, owner in phrase_sheet.phrase_sheets(book):
            try:
                found = phrase_sheet.plan_sheet(session, book, sheet, scope=scope, owner=owner, mode=mode)
            except ImportFormatError as exc:
                problems += exc.problems
                continue
            except ReplybookError as exc:
                problems.append(Problem(f"工作表 {sheet}", str(exc)))
                continue
            plan.phrases.append(found)
            plan.notes += found.notes
    if problems:
        raise WorkbookImportError(plan.source, problems, plan.notes)
    if entries is not None or own:
        plan.library = plan_entries(
            session,
            shop=None,
            categories=own,
            incoming=entries.labelled() if entries is not None else [],
            source=plan.source,
            mode=mode if entries is not None else "merge",  # categories alone never empty the library
        )
    if groups is not None:
        try:
            plan.synonyms = synonym_lists.plan_synonyms(session, groups, mode=mode)
        except ReplybookError as exc:
            raise WorkbookImportError(
                plan.source, [Problem(f"工作表 {synonym_sheet.SHEET}", str(exc))], plan.notes
            ) from None
    if rules is not None:
        plan.autoreplies = autoreply_sheet.plan_autoreplies(session, rules, mode=mode)
    lib = plan.library
    plan.bot = bot_sheet.plan_bot_sheets(
        session,
        bot_read,
        removed=[d.question for d in lib.removed_entries] if lib else [],
        # Only when the workbook has bot sheets: 100,000 questions are not held for nothing.
        incoming=[d.question for d in entries or []]
        if bot_read.settings is not None or bot_read.shifts is not None
        else [],
        new_categories=dict(lib.new_categories) if lib else {},
        source=plan.source,
    )
    plan.bot_changed = plan.bot is not None and plan.bot != get_bot_settings(session)
    for found in plan.phrases:
        plan.warnings += [f"{found.sheet}：{w}" for w in found.plan.warnings]
    return plan


def apply_workbook(session: Session, plan: WorkbookPlan, *, user: str | None = None) -> None:
    """Write a workbook's plan; the caller's transaction makes it all-or-nothing."""
    if plan.library is not None:
        apply_import(session, plan.library, user=user)
    if plan.synonyms is not None:
        synonym_lists.apply_synonyms(session, plan.synonyms, user=user)
    if plan.autoreplies is not None:
        autoreply_sheet.apply_autoreplies(session, plan.autoreplies, user=user)
    if plan.bot is not None and plan.bot_changed:
        apply_bot_settings(session, plan.bot, user=user)
    for found in plan.phrases:
        apply_phrase_import(session, found.plan, user=user)
    session.flush()


def import_workbook(
    session: Session,
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    mode: str = "merge",
    dry_run: bool = False,
    user: str | None = None,
) -> WorkbookPlan:
    plan = plan_workbook(session, source, name=name, mode=mode)
    if not dry_run:
        apply_workbook(session, plan, user=user)
    return plan


def counts(plan: WorkbookPlan) -> dict[str, tuple[int, int, int, int]]:
    """Per kind: (added, changed, removed, unchanged)."""
    found: dict[str, tuple[int, int, int, int]] = {}
    if plan.library is not None:
        lib = plan.library
        found["问答库"] = (len(lib.add), len(lib.change), len(lib.remove), lib.unchanged)
        if lib.new_categories:
            found["分类"] = (len(lib.new_categories), 0, 0, 0)
    if plan.synonyms is not None:
        y = plan.synonyms
        found["同义词"] = (len(y.add), len(y.change), len(y.remove), y.unchanged)
    if plan.autoreplies is not None:
        a = plan.autoreplies
        found["自动回复"] = (len(a.add), len(a.change), len(a.remove), a.unchanged)
    if plan.bot is not None:
        found["机器人设置"] = (0, 1, 0, 0) if plan.bot_changed else (0, 0, 0, 1)
    for p in plan.phrases:
        found[p.plan.library] = (
            len(p.plan.added),
            len(p.plan.changed),
            len(p.plan.removed),
            p.plan.unchanged,
        )
    return found


# ---------------------------------------------------------------- export and templates


def shop_sheets(session: Session) -> list[SheetSpec]:
    """Every sheet of the whole-shop workbook, filled from the database."""
    ensure_builtin_categories(session)
    entry_columns = library_sheet.entry_columns(session)
    sheets = [
        SheetSpec(
            library_sheet.ENTRY_SHEET,
            entry_columns,
            list(library_sheet.entry_rows(session, entry_columns)),
            {"category": library_sheet.category_choices(session), "enabled": FLAG_CHOICES},
        ),
        SheetSpec(
            library_sheet.CATEGORY_SHEET,
            library_sheet.CATEGORY_COLUMNS,
            list(library_sheet.category_rows(session)),
        ),
        SheetSpec(
            synonym_sheet.SHEET,
            synonym_sheet.COLUMNS,
            list(synonym_sheet.sheet_rows(session)),
            {"enabled": FLAG_CHOICES},
        ),
        SheetSpec(
            autoreply_sheet.SHEET,
            autoreply_sheet.COLUMNS,
            list(autoreply_sheet.sheet_rows(session)),
            {"trigger": autoreply_sheet.TRIGGER_CHOICES, "enabled": FLAG_CHOICES},
        ),
    ]
    settings, shifts = bot_sheet.bot_sheet_rows(session)
    sheets.append(SheetSpec(bot_sheet.SETTINGS_SHEET, bot_sheet.SETTINGS_COLUMNS, settings))
    sheets.append(SheetSpec(bot_sheet.SHIFT_SHEET, bot_sheet.SHIFT_COLUMNS, shifts))
    team = phrase_sheet.phrase_sheet_spec(session, scope=PhraseScope.TEAM)
    sheets.append(SheetSpec(team.title, team.columns, list(team.rows)))
    owners = session.exec(
        select(Phrase.owner)
        .where(Phrase.scope == PhraseScope.PERSONAL)
        .distinct()
        .order_by(col(Phrase.owner))
    )
    for owner in owners:
        spec = phrase_sheet.phrase_sheet_spec(
            session, scope=PhraseScope.PERSONAL, owner=owner, title=phrase_sheet.personal_sheet(owner)
        )
        sheets.append(SheetSpec(spec.title, spec.columns, list(spec.rows)))
    return sheets


def export_workbook(session: Session, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write the whole reply configuration; returns the row count of each sheet."""
    sheets = shop_sheets(session)
    write_workbook(target, sheets)
    return {s.title: len(s.rows) for s in sheets if isinstance(s.rows, list)}


EXAMPLES = {
    library_sheet.ENTRY_SHEET: [
        ["发货查件", "什么时候发货", "几天能发货\n今天能发吗", "发货", "亲，付款后48小时内发货哦~", "是", "", ""],
        ["活动优惠", "聚划算有优惠券吗", "有券吗\n能用优惠券吗", "优惠券", "亲，聚划算期间满299减40哦~", "是",
         "2026-12-10 00:00", "2026-12-13 00:00"],
    ],
    library_sheet.CATEGORY_SHEET: [["shop_figures", "店铺数字问题"], ["gifts", "赠品"]],
    synonym_sheet.SHEET: synonym_sheet.EXAMPLES,
    autoreply_sheet.SHEET: [
        ["首次接待", "首次接待", "亲，欢迎光临~有什么可以帮您？", "", "", "", "", "", "0", "是"],
        ["下班时间", "非服务时间", "亲，客服休息中，上班后第一时间回复您~", "", "", "08:30-24:00", "", "", "0", "是"],
    ],
    bot_sheet.SETTINGS_SHEET: bot_sheet.EXAMPLE_SETTINGS,
    bot_sheet.SHIFT_SHEET: bot_sheet.EXAMPLE_SHIFTS,
    phrase_sheet.SHEET: [["hi", "亲，您好，欢迎光临~", "问候"], ["fh", "亲，付款后48小时内发货哦", "物流"]],
}  # fmt: skip
TEMPLATES = {
    "library": (library_sheet.ENTRY_SHEET,),
    "categories": (library_sheet.CATEGORY_SHEET,),
    "synonyms": (synonym_sheet.SHEET,),
    "autoreplies": (autoreply_sheet.SHEET,),
    "phrases": (phrase_sheet.SHEET,),
    "bot": (bot_sheet.SETTINGS_SHEET, bot_sheet.SHIFT_SHEET),
    "shop": (
        library_sheet.ENTRY_SHEET,
        library_sheet.CATEGORY_SHEET,
        synonym_sheet.SHEET,
        autoreply_sheet.SHEET,
        bot_sheet.SETTINGS_SHEET,
        bot_sheet.SHIFT_SHEET,
        phrase_sheet.SHEET,
    ),
}
TEMPLATE_ALIASES = {
    "team": "phrases",
    "autoreply": "autoreplies",
    "category": "categories",
    "同义词": "synonyms",
    "问答库": "library",
    "机器人设置": "bot",
}


def template_kind(name: str) -> str:
    """The kind a template file name asks for: library.xlsx → library, team.xlsx → phrases."""
    stem = Path(name).stem.lower()
    kind = TEMPLATE_ALIASES.get(stem, stem)
    if kind not in TEMPLATES:
        raise InvalidValue(f"没有 {stem} 模板，可用：{'、'.join(f'{k}.xlsx' for k in TEMPLATES)}")
    return kind


def template_sheets(kind: str, session: Session | None = None) -> list[SheetSpec]:
    """A template: each sheet's header, two example rows, drop-down lists, the 说明 sheet."""
    categories = (
        library_sheet.category_choices(session) if session is not None else [n for _, n in BUILTIN_CATEGORIES]
    )
    columns = {
        library_sheet.ENTRY_SHEET: (
            library_sheet.ENTRY_COLUMNS,
            {"category": categories, "enabled": FLAG_CHOICES},
        ),
        library_sheet.CATEGORY_SHEET: (library_sheet.CATEGORY_COLUMNS, {}),
        synonym_sheet.SHEET: (synonym_sheet.COLUMNS, {"enabled": FLAG_CHOICES}),
        autoreply_sheet.SHEET: (
            autoreply_sheet.COLUMNS,
            {"trigger": autoreply_sheet.TRIGGER_CHOICES, "enabled": FLAG_CHOICES},
        ),
        bot_sheet.SETTINGS_SHEET: (bot_sheet.SETTINGS_COLUMNS, {}),
        bot_sheet.SHIFT_SHEET: (bot_sheet.SHIFT_COLUMNS, {}),
        phrase_sheet.SHEET: (phrase_sheet.COLUMNS, {}),
    }
    return [
        SheetSpec(title, columns[title][0], EXAMPLES[title], columns[title][1]) for title in TEMPLATES[kind]
    ]


def write_template(kind: str, target: str | Path | IO[bytes], session: Session | None = None) -> None:
    write_workbook(target, template_sheets(kind, session))
