"""What a library import does (the plan, computed before anything is written) and writing it.

Each entry save checks that no other entry holds its wordings (``library/owners.py``). An import's
plan has already checked every wording of the file against the file itself and against the library
as it read it, so when nobody has written the library since, those checks still hold and the entries
are written without each save's check. The apply takes the library counter first
(``store/models_library.py:hold_library``): from then on nobody else can write the library until this
transaction ends, and the counter one above the plan's says nobody did in between. Otherwise (someone
saved between the preview and the apply) each save checks as any save does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from replybook.bot import BotConfig
from replybook.library.bot_section import apply_bot_settings
from replybook.library.entries import (
    EntryData,
    add_category,
    add_checked_entry,
    create_entry,
    delete_entry,
    get_category,
    list_categories,
    update_checked_entry,
    update_entry,
)
from replybook.library.entry_spool import EntrySpool
from replybook.library.settings import set_shop_name
from replybook.store.models import Category, Entry
from replybook.store.models_library import hold_library


@dataclass
class LibraryPlan:
    """What an import would do, computed before anything is written."""

    shop: str | None
    new_categories: list[tuple[str, str]] = field(default_factory=list)  # (key, name), shop-defined
    add: EntrySpool = field(default_factory=EntrySpool)  # on disk: 100,000 of them are not held in memory
    change: list[tuple[Entry, EntryData]] = field(default_factory=list)
    remove: list[Entry] = field(default_factory=list)
    # What ``remove`` would delete, as plain data: it outlives the session, which a dry run rolls back.
    removed_entries: list[EntryData] = field(default_factory=list)
    unchanged: int = 0
    bot: BotConfig | None = None  # the file's bot settings (its ``bot:`` section), if any
    warnings: list[str] = field(default_factory=list)  # one line per entry, e.g. a redundant wording
    # The library counter as the plan read it, before the entries (None: not known, check each save).
    library_version: int | None = None


def apply_import(session: Session, plan: LibraryPlan, *, user: str | None = None) -> None:
    """Write a plan. Removals and changes go first so wordings can move between entries."""
    as_planned = (
        plan.library_version is not None
        and bool(plan.add or plan.change)
        and hold_library(session) == plan.library_version + 1
    )
    for key, name in plan.new_categories:
        add_category(session, key=key, name=name, user=user)
    session.flush()
    for entry in plan.remove:
        delete_entry(session, entry_id=entry.id, user=user)  # type: ignore[arg-type]
    for entry, _data in plan.change:
        # Take the wordings off first so a swap of wordings between two changed entries passes.
        entry.similar = []
        session.add(entry)
    session.flush()
    if as_planned:
        categories = {c.key: c for c in list_categories(session)}
        for entry, data in plan.change:
            data = data.cleaned()
            update_checked_entry(session, entry=entry, data=data, category=_category(session, categories, data), user=user)  # fmt: skip
        for data in plan.add:
            data = data.cleaned()
            add_checked_entry(session, data=data, category=_category(session, categories, data), user=user)
    else:
        for entry, data in plan.change:
            get_category(session, data.category)
            update_entry(session, entry_id=entry.id, data=data, expected_version=None, user=user)  # type: ignore[arg-type]
        for data in plan.add:
            create_entry(session, data=data, user=user)
    if plan.shop is not None:
        set_shop_name(session, plan.shop)
    session.flush()
    if plan.bot is not None:
        apply_bot_settings(session, plan.bot, user=user)


def _category(session: Session, categories: dict[str, Category], data: EntryData) -> Category:
    return categories.get(data.category) or get_category(session, data.category)  # the latter: its error
