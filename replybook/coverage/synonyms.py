"""The shop's synonyms (同义词) as the matcher uses them: similar word → core word.

Stored for now as one shop setting (``synonyms``: JSON list of {word, similar}); the sample shop
loads the starter e-commerce lexicon in intents/synonyms.yaml.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from sqlmodel import Session

from replybook.library.settings import get_setting, set_setting
from replybook.store.resources import data_dir

SETTING = "synonyms"


def starter_lexicon() -> list[dict[str, Any]]:
    doc = yaml.safe_load((data_dir("intents") / "synonyms.yaml").read_text(encoding="utf-8"))
    return [{"word": str(r["word"]), "similar": [str(v) for v in r["similar"]]} for r in doc["synonyms"]]


def as_map(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Similar word → core word, lower case (the match form is lower case)."""
    out: dict[str, str] = {}
    for r in rows:
        for v in r["similar"]:
            out[str(v).lower()] = str(r["word"]).lower()
    return out


def list_synonyms(session: Session) -> list[dict[str, Any]]:
    raw = get_setting(session, SETTING)
    return json.loads(raw) if raw else []


def set_synonyms(session: Session, rows: list[dict[str, Any]]) -> None:
    set_setting(session, SETTING, json.dumps(rows, ensure_ascii=False))


def shop_synonyms(session: Session) -> dict[str, str]:
    return as_map(list_synonyms(session))
