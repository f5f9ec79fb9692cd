"""The starter catalogue in intents/: common questions per built-in category for a new shop."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlmodel import Session, select

from replybook.library.entries import BUILTIN_CATEGORIES
from replybook.library.file import LibraryPlan, apply_import, plan_import
from replybook.store.errors import ConflictError
from replybook.store.models import Entry
from replybook.store.resources import data_dir


def starter_document() -> str:
    """All intents/*.yaml files as one library document, in built-in category order."""
    folder = data_dir("intents")
    entries = []
    for key, _name in BUILTIN_CATEGORIES:
        path: Path = folder / f"{key}.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in doc["entries"]:
            entries.append({"category": doc.get("category", key), **raw})
    return yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False)


def load_starter(session: Session, *, user: str | None = None) -> LibraryPlan:
    """Load the starter catalogue into an empty library."""
    if session.exec(select(Entry)).first() is not None:
        raise ConflictError("问答库不是空的：入门问答只能载入空库（可先导出备份，再用新数据库）")
    plan = plan_import(session, starter_document(), source="intents/")
    apply_import(session, plan, user=user)
    return plan
