"""The library file (SPEC §4): a YAML document of the bot's entries, for git, backups and bulk edits.

Export is deterministic, so export → import into an empty database → export is byte-identical.
Import validates the whole file first and writes nothing when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from replybook.bot import get_bot_settings
from replybook.library.bot_section import bot_section_lines, plan_bot_settings
from replybook.library.conflicts import check_against_library
from replybook.library.entries import (
    EntryData,
    category_problems,
    ensure_builtin_categories,
    entry_data,
    list_categories,
    problems_in,
    redundancy_warning,
    wordings,
)
from replybook.library.import_apply import LibraryPlan, apply_import  # noqa: F401 - re-exported
from replybook.library.settings import (  # noqa: F401 - re-exported: callers know them here
    forget_setting,
    get_setting,
    get_shop_name,
    set_setting,
    set_shop_name,
)
from replybook.library.strict_yaml import MAX_FILE_BYTES, text_field, text_list, too_big
from replybook.library.strict_yaml import load as load_yaml
from replybook.store.errors import ImportFormatError, InvalidValue, Problem, file_error
from replybook.store.labels import file_field
from replybook.store.models import Entry
from replybook.store.models_library import library_version
from replybook.store.normalize import normalise
from replybook.store.timeutil import iso_shop, parse_datetime
from replybook.tabular.encodings import UndecodableText, detect_and_decode

ENTRY_KEYS = ("category", "question", "similar", "keywords", "answers", "enabled", "active")


def read_library(
    text: str, *, source: str, known_categories: set[str], sections: dict[str, Any] | None = None
) -> tuple[str | None, list[tuple[str, str]], list[EntryData]]:
    """Parse and validate a library document: its shop name, its shop-defined categories (key, name)
    and its entries. Raises ImportFormatError listing every problem. ``sections`` (when given)
    receives the document's other top-level sections (``bot``) as read."""
    doc = load_yaml(text, source=source)
    if doc is None:
        # An empty file is far more often a failed save than a wish to empty the library.
        raise ImportFormatError(source, [Problem("文件", "文件是空的；要清空问答库，请写 entries: []")])
    if not isinstance(doc, dict) or "entries" not in doc or not isinstance(doc["entries"] or [], list):
        raise ImportFormatError(
            source, [Problem("文件", "应为包含 entries 列表的 YAML 文档（格式见 docs/formats.md）")]
        )
    problems: list[Problem] = []
    shop = text_field(doc, "shop", [])
    if doc.get("shop") is not None and shop is None:
        problems.append(Problem("shop", "店铺名应为文字"))
    categories = _read_categories(doc.get("categories"), problems)
    if sections is not None:
        sections["bot"] = doc.get("bot")
    known_categories = known_categories | {key for key, _ in categories}
    entries: list[EntryData] = []
    seen: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(doc.get("entries") or [], start=1):
        label = f"第 {index} 条"
        if not isinstance(raw, dict):
            problems.append(Problem(label, "应为一个映射（category、question、answers……）"))
            continue
        question = raw.get("question")
        label = f"第 {index} 条（{question if isinstance(question, str) and question else '无标准问题'}）"
        for key in raw:
            if key not in ENTRY_KEYS:
                known = "、".join(file_field(k) for k in ENTRY_KEYS)
                problems.append(Problem(label, f"未知字段 {key}，可用：{known}"))
        data, field_problems = _entry_from_raw(raw)
        problems += [Problem(label, msg, column=_column(col_)) for col_, msg in field_problems]
        if data is None or field_problems:  # a field of the wrong type: its other checks would repeat it
            continue
        problems += [Problem(label, msg, column=_column(f)) for f, msg in problems_in(data, known_categories)]
        for position, w in enumerate(wordings(data)):
            key = normalise(w)
            if not key:
                continue
            if key in seen and seen[key][0] != index:
                other, other_q = seen[key]
                column = "question" if position == 0 else "similar"  # wordings(): question first
                problems.append(
                    Problem(label, f"问法 {w!r} 与第 {other} 条（{other_q}）重复", column=_column(column))
                )
            else:
                seen.setdefault(key, (index, data.question))
        entries.append(data)
    if problems:
        raise ImportFormatError(source, problems)
    return shop or None, categories, entries


def _read_categories(raw: Any, problems: list[Problem]) -> list[tuple[str, str]]:
    """The optional ``categories`` list: the shop's own categories (SPEC §3), so a backup restores them."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem("categories", "应为列表，每项 {key: shop_figures, name: 店铺数字问题}"))
        return []
    found: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw, start=1):
        label = f"categories 第 {index} 项"
        if not isinstance(item, dict) or set(item) != {"key", "name"}:
            problems.append(Problem(label, "应为 {key: shop_figures, name: 店铺数字问题}"))
            continue
        kinds: list[tuple[str | None, str]] = []
        key, name = (
            (text_field(item, "key", kinds) or "").strip(),
            (text_field(item, "name", kinds) or "").strip(),
        )
        if kinds:
            problems += [Problem(label, message, column=_column(k)) for k, message in kinds]
            continue
        bad = category_problems(key, name)
        problems += [Problem(label, message) for message in bad]
        if key in seen:
            problems.append(Problem(label, f"分类 {key} 与第 {seen[key]} 项重复", column=file_field("key")))
        elif not bad:
            seen[key] = index
            found.append((key, name))
    return found


def _column(key: str | None) -> str | None:
    """A field of the file as a problem names it: 答案（answers）, so both the word and the key are there."""
    return file_field(key) if key else None


def _entry_from_raw(raw: dict[str, Any]) -> tuple[EntryData | None, list[tuple[str | None, str]]]:
    problems: list[tuple[str | None, str]] = []
    question = text_field(raw, "question", problems)
    category = text_field(raw, "category", problems)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(("enabled", "应为 true 或 false"))
        enabled = True
    start = end = None
    active = raw.get("active")
    if active is not None:
        if not isinstance(active, dict) or not set(active) <= {"start", "end"} or not active:
            problems.append(("active", "应为 {start: 2026-12-10T00:00:00+08:00, end: …}"))
        else:
            try:
                start = _when(active.get("start"))
                end = _when(active.get("end"))
            except InvalidValue as exc:
                problems.append(("active", str(exc)))
    data = EntryData(
        category=category or "",
        question=question or "",
        answers=text_list(raw, "answers", problems),
        similar=text_list(raw, "similar", problems),
        keywords=text_list(raw, "keywords", problems),
        enabled=enabled,
        active_start=start,
        active_end=end,
    ).cleaned()
    return data, problems


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime | date | str):
        return parse_datetime(value)
    raise InvalidValue(f"无法识别的时间 {value!r}")


def plan_import(session: Session, text: str, *, source: str, mode: str = "merge") -> LibraryPlan:
    """Work out what importing ``text`` changes. ``merge``: same question → update, new → add;
    ``replace``: the library becomes exactly the file."""
    check_mode(mode)
    ensure_builtin_categories(session)
    known = {c.key for c in list_categories(session)}
    sections: dict[str, Any] = {}
    shop, categories, incoming = read_library(text, source=source, known_categories=known, sections=sections)
    labelled = [(f"第 {index} 条", data) for index, data in enumerate(incoming, start=1)]
    return plan_entries(
        session,
        shop=shop,
        categories=categories,
        incoming=labelled,
        source=source,
        mode=mode,
        bot_section=sections.get("bot"),
    )


def check_mode(mode: str) -> None:
    if mode not in ("merge", "replace"):
        raise InvalidValue(f"未知导入方式 {mode!r}，可用：merge、replace")


def plan_entries(
    session: Session,
    *,
    shop: str | None,
    categories: list[tuple[str, str]],
    incoming: Iterable[tuple[str, EntryData]],
    source: str,
    mode: str,
    bot_section: Any = None,
) -> LibraryPlan:
    """The plan for entries already read and checked (from the YAML file or a workbook's 问答库
    sheet), each with the label its warnings name (第 3 条, 工作表 问答库 第 4 行); ``bot_section``
    is the library file's ``bot:`` section as read (None: the bot settings stay as they are)."""
    check_mode(mode)
    ensure_builtin_categories(session)
    cats = {c.id: c.key for c in list_categories(session)}
    version = library_version(session)  # before the entries: a write in between is seen by the apply
    current = {e.question_norm: e for e in session.exec(select(Entry).order_by(col(Entry.id)))}
    plan = LibraryPlan(shop=shop, library_version=version)
    plan.new_categories = [(key, name) for key, name in categories if key not in cats.values()]
    in_file: set[str] = set()  # of the library's questions: what a replace keeps
    questions: list[str] = []  # the file's, for its bot section
    for label, data in incoming:  # every entry parsed: a bad one raised before (read once: a spool)
        warning = redundancy_warning(data)
        if warning:
            plan.warnings.append(f"{label}（{data.question}）：{warning}")
        if bot_section is not None:
            questions.append(data.question)
        key = normalise(data.question)
        existing = current.get(key)
        if existing is not None:
            in_file.add(key)
        if existing is None:
            plan.add.append(data)
        elif entry_data(existing, cats[existing.category_id]) != data:
            plan.change.append((existing, data))
        else:
            plan.unchanged += 1
    if mode == "replace":
        plan.remove = [e for k, e in current.items() if k not in in_file]
        plan.removed_entries = [entry_data(e, cats[e.category_id]) for e in plan.remove]
    check_against_library(current, add=plan.add, change=plan.change, remove=plan.remove, source=source)
    plan.bot = plan_bot_settings(
        session,
        bot_section,
        removed=[d.question for d in plan.removed_entries],
        incoming=questions,
        new_categories=dict(plan.new_categories),
        source=source,
    )
    return plan


def import_library(
    session: Session, path: Path, *, mode: str = "merge", dry_run: bool = False, user: str | None = None
) -> LibraryPlan:
    text = _read_text(path)
    plan = plan_import(session, text, source=str(path), mode=mode)
    if not dry_run:
        apply_import(session, plan, user=user)
    return plan


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise file_error(path, exc) from None
    return decode_library(raw, source=str(path))


def decode_library(raw: bytes, *, source: str) -> str:
    """The text of a library file, by the one encoding rule every file follows (BOM → UTF-8 →
    GB18030, see encodings.py), so the CLI and the web report the same byte of a bad file."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFormatError(source, [Problem("文件", too_big())])
    try:
        return detect_and_decode(raw)[0]
    except UndecodableText as exc:
        raise ImportFormatError(source, [Problem("文件", str(exc))]) from None


# ---------------------------------------------------------------- export


def _scalar(value: str) -> str:
    """A YAML scalar on one line: plain when safe, quoted otherwise."""
    style = '"' if ("\n" in value or "\r" in value or "\t" in value) else None
    out = yaml.safe_dump(value, allow_unicode=True, default_style=style, width=1 << 30)
    return out.removesuffix("\n...\n").removesuffix("\n")


def _flow(values: list[str]) -> str:
    if any("\n" in v or "\r" in v or "\t" in v for v in values):
        return "[" + ", ".join(_scalar(v) for v in values) + "]"
    return yaml.safe_dump(values, allow_unicode=True, default_flow_style=True, width=1 << 30).rstrip("\n")


def export_text(session: Session) -> str:
    """The whole library as a SPEC §4 document, entries in library order."""
    cats = {c.id: c.key for c in list_categories(session)}
    lines: list[str] = []
    shop = get_shop_name(session)
    if shop:
        lines.append(f"shop: {_scalar(shop)}")
    own = [c for c in list_categories(session) if not c.builtin]
    if own:  # the built-in six are in every database; a shop's own must travel with the file
        lines.append("categories:")
        for c in own:
            lines += [f"  - key: {c.key}", f"    name: {_scalar(c.name)}"]
    settings = get_bot_settings(session)
    if settings.version is not None:
        lines += bot_section_lines(settings)
    entries = list(session.exec(select(Entry).order_by(col(Entry.id))))
    if not entries:
        lines.append("entries: []")
        return "\n".join(lines) + "\n"
    lines.append("entries:")
    for e in entries:
        lines.append(f"  - category: {cats[e.category_id]}")
        lines.append(f"    question: {_scalar(e.question)}")
        lines.append(f"    similar: {_flow(e.similar)}")
        lines.append(f"    keywords: {_flow(e.keywords)}")
        lines.append("    answers:")
        lines += [f"      - {_scalar(a)}" for a in e.answers]
        lines.append(f"    enabled: {'true' if e.enabled else 'false'}")
        if e.active_start or e.active_end:
            parts = []
            if e.active_start:
                parts.append(f"start: {iso_shop(e.active_start)}")
            if e.active_end:
                parts.append(f"end: {iso_shop(e.active_end)}")
            lines.append("    active: {" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"


def export_library(session: Session, path: Path) -> int:
    text = export_text(session)
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise file_error(path, exc, writing=True) from None
    return text.count("\n  - category:")
