"""Emoji lost to an Excel "ANSI" (GBK) re-save: a ? where the phrase had a character GBK cannot hold."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _in_gbk(char: str) -> bool:
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _lost_pattern(stored: str) -> re.Pattern[str] | None:
    """``stored`` with each run of characters GBK cannot hold (emoji, their variation selectors)
    as a run of ?, or None when GBK holds all of it."""
    parts: list[str] = []
    lost = False
    for keep, run in itertools.groupby(stored, key=_in_gbk):
        text = "".join(run)
        if keep:
            parts.append(re.escape(text))
        else:
            parts.append(r"\?+")
            lost = True
    return re.compile("".join(parts)) if lost else None


def not_in_gbk(text: str) -> str:
    """The characters of ``text`` that GBK (Excel's "ANSI" on Chinese Windows) cannot hold."""
    return "".join(c for c in text if not _in_gbk(c))


def emoji_replaced(text: str, stored: str) -> bool:
    """``text`` is ``stored`` with each emoji (each run GBK cannot hold) turned into ?."""
    if "?" not in text or stored == text:
        return False
    pattern = _lost_pattern(stored)
    return pattern is not None and pattern.fullmatch(text) is not None


def stray_question_mark(text: str) -> bool:
    """A ? that is not a question mark in Chinese text: one follows a word (在吗?), while an emoji's
    ? follows punctuation or a blank, or starts the phrase (欢迎光临~?)."""
    if "?" not in text or not any(_cjk(c) for c in text):
        return False
    for found in re.finditer(r"\?+", text):
        before = text[found.start() - 1] if found.start() else ""
        if not (before and (_cjk(before) or (before.isascii() and before.isalnum()))):
            return True
    return False


def emoji_lost(text: str, stored: str | None = None, *, guess: bool = True) -> bool:
    """Whether a ? in an imported phrase is most likely an emoji that Excel's "ANSI" (GBK) re-save
    replaced (issue 10 item 8): certain when ``stored`` (the library's phrase of the same code) has an
    emoji where the file has ?; otherwise, with ``guess``, when the ? is not where a question mark goes.
    """
    if stored is not None and emoji_replaced(text, stored):
        return True
    return guess and stray_question_mark(text)
