"""The shop's synonyms (同义词) as the matcher uses them: similar word → core word, both in the form
``match_form`` cuts a text into (so 咋样 and 怎么样 are looked up alike).

The groups are stored in the synonym table (``library/synonyms.py``); ``synonyms_state`` is the
counter every synonym write bumps in its own transaction, so a cached matcher reads the groups again
only when it moved (``coverage/live.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, select

from replybook.coverage.forms import SynonymMap, word_form, words
from replybook.library.synonyms import starter_lexicon
from replybook.store.models_library import SYNONYMS, library_version
from replybook.store.models_synonyms import Synonym

__all__ = ["SynonymMap", "as_map", "shop_synonyms", "starter_lexicon", "synonyms_state"]


def as_map(rows: Iterable[Mapping[str, Any]]) -> SynonymMap:
    """Similar word → core word for {word, similar} groups; a similar word the segmenter cuts into
    several words is matched as that run of words (``SynonymMap.spans``)."""
    out = SynonymMap()
    for r in rows:
        core = word_form(str(r["word"]))
        for v in r["similar"]:
            key = word_form(str(v))
            if key and key != core:
                out[key] = core
    for key in out:
        cut = words(key)
        if len(cut) > 1:
            out.spans[cut[0]] = max(out.spans.get(cut[0], 1), len(cut))
    return out


def shop_synonyms(session: Session) -> SynonymMap:
    """The shop's enabled groups as the matcher's map."""
    rows = session.exec(select(Synonym.word, Synonym.similar_words).where(Synonym.enabled == True))  # noqa: E712
    return as_map({"word": w, "similar": s} for w, s in rows)


def synonyms_state(session: Session) -> int:
    """What changes whenever any group is added, edited, deleted or restored (one primary-key read)."""
    return library_version(session, SYNONYMS)
