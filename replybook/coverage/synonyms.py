"""The shop's synonyms (同义词) as the matcher uses them: similar word → core word, both in the form
``match_form`` cuts a text into (so 咋样 and 怎么样 are looked up alike).

The groups are stored in the synonym table (``library/synonyms.py``); ``synonyms_state`` is the
counter every synonym write bumps in its own transaction, so a cached matcher reads the groups again
only when it moved (``coverage/live.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import Session, select

from replybook.coverage.forms import SynonymMap, synonyms_fired, word_form
from replybook.coverage.outcomes import Match
from replybook.library.synonyms import starter_lexicon
from replybook.store.models_library import SYNONYMS, library_version
from replybook.store.models_synonyms import Synonym

__all__ = ["SynonymMap", "as_map", "fired_for", "shop_synonyms", "starter_lexicon", "synonyms_state"]


def as_map(rows: Iterable[Mapping[str, Any]]) -> SynonymMap:
    """Similar word → core word for {word, similar} groups; each word is one word of a text even
    where the segmenter would cut it apart (``SynonymMap.whole``)."""
    out = SynonymMap()
    for r in rows:
        core = word_form(str(r["word"]))
        for v in r["similar"]:
            key = word_form(str(v))
            if key and key != core:
                out[key] = core
    return out


def fired_for(
    synonyms: Mapping[str, str] | None, question: str, top: Sequence[Match]
) -> list[tuple[str, str]]:
    """(similar word, core word) for the synonyms that fired on a question (``ask`` and the try box
    show them): those of the question, then those of the wording the best entry matched (both sides
    are read with them), once each. A keyword matched fires none: it is found literally."""
    if not synonyms:
        return []
    fired = synonyms_fired(question, synonyms)
    if top and not top[0].keyword:
        fired += [f for f in synonyms_fired(top[0].matched, synonyms) if f not in fired]
    return fired


def shop_synonyms(session: Session) -> SynonymMap:
    """The shop's enabled groups as the matcher's map."""
    rows = session.exec(select(Synonym.word, Synonym.similar_words).where(Synonym.enabled == True))  # noqa: E712
    return as_map({"word": w, "similar": s} for w, s in rows)


def synonyms_state(session: Session) -> int:
    """What changes whenever any group is added, edited, deleted or restored (one primary-key read)."""
    return library_version(session, SYNONYMS)
