"""Text normalisation shared by the library (uniqueness) and the coverage test (SPEC §7).

NFKC (full-width → half-width), lower case, drop punctuation, emoji and whitespace, drop filler
such as 亲/亲亲/呢/哦/啊 at the edges, and optionally traditional → simplified.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

# Filler a buyer adds around a question. Longest first so 亲亲 goes before 亲.
LEADING_FILLER = (
    "亲爱的",
    "亲亲",
    "亲",
    "您好",
    "你好",
    "请问",
    "哈喽",
    "hello",
    "hi",
    "在吗",
    "嗯",
    "哦",
    "啊",
)
TRAILING_FILLER = ("呢", "哦", "噢", "啊", "呀", "哈", "嘛", "啦", "呐", "哇", "谢谢", "亲亲", "亲")


# Letters and digits of every script (CJK included) stay; punctuation, symbols (emoji) and
# whitespace go. ``\w`` is exactly str.isalnum() plus "_" (the re module's definition).
_NOT_KEPT = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # imported lazily: it loads dictionaries

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """Characters that some t2s dictionary entry needs: without one, conversion changes nothing."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    chars = {line.split("\t", 1)[0] for line in (folder / "TSCharacters.txt").open(encoding="utf-8")}
    for line in (folder / "TSPhrases.txt").open(encoding="utf-8"):
        key = line.split("\t", 1)[0]
        if key and not any(ch in chars for ch in key):
            chars.add(key[0])
    return frozenset(ch for ch in chars if len(ch) == 1)


@lru_cache(maxsize=1)
def _single_characters() -> tuple[dict[int, str], frozenset[str]]:
    """t2s character by character (TSCharacters' first choice), and the characters a TSPhrases
    entry starts with: a text with none of those converts one character at a time."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    table: dict[int, str] = {}
    for line in (folder / "TSCharacters.txt").open(encoding="utf-8"):
        key, _, values = line.rstrip("\n").partition("\t")
        if len(key) == 1 and values:
            table[ord(key)] = values.split(" ")[0]
    starts = {line[0] for line in (folder / "TSPhrases.txt").open(encoding="utf-8") if line.strip()}
    return table, frozenset(starts)


def to_simplified(text: str) -> str:
    # Most questions are already simplified: skip the (slow, pure-Python) converter for them.
    if _traditional().isdisjoint(text):
        return text
    table, phrase_starts = _single_characters()
    if phrase_starts.isdisjoint(text):
        return text.translate(table)  # what the converter gives, without its segmentation
    return _t2s().convert(text)


def strip_filler(text: str) -> str:
    """Remove filler at both edges, repeatedly, but never down to nothing."""
    if not text.endswith(TRAILING_FILLER) and not text.startswith(LEADING_FILLER):
        return text  # most questions: nothing to remove
    # Trailing filler first: "你好呀亲" must end as "你好", not lose the greeting and keep "呀".
    changed = True
    while changed:
        changed = False
        for word in TRAILING_FILLER:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                changed = True
                break
        if changed:
            continue
        for word in LEADING_FILLER:
            if text.startswith(word) and len(text) > len(word):
                text = text[len(word) :]
                changed = True
                break
    return text


def normalise(text: str, *, simplify: bool = False) -> str:
    """The comparable form of a question. ``simplify`` converts traditional to simplified."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if simplify:
        folded = to_simplified(folded)
    kept = _NOT_KEPT.sub("", folded)
    return strip_filler(kept)


def fold_code(code: str) -> str:
    """Quick-phrase codes are typed by agents: half-width, lower case, no surrounding blanks."""
    return unicodedata.normalize("NFKC", code).strip().lower()


def contains_text(column: Any, text: str) -> Any:
    """A case-insensitive "contains" for a search box: ``%`` and ``_`` are the characters typed, not
    LIKE's wildcards (every search in replybook uses this one)."""
    return column.icontains(text, autoescape=True)
