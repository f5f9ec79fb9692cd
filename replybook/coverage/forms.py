"""The form a buyer question is compared in (both sides of a match): what chat platforms insert
stripped ([图片], order numbers, links, menu text), ``normalise``, colloquial spellings folded
(啥 → 什么), function words dropped (吗, 可以, 你们 …) where they stand alone as words — never inside
one (还款 keeps 还, 会员 keeps 会) — so a score measures the words that carry the question.

``legacy_match_form`` is the form before issue 13 (function characters dropped anywhere), kept for
the benchmarks that compare with it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from replybook.store.normalize import normalise

# Colloquial spellings buyers type → the wording a library uses. Longest first.
COLLOQUIAL: tuple[tuple[str, str], ...] = (
    ("可不可以", "可以"),
    ("能不能", "能"),
    ("有没有", "有"),
    ("是不是", "是"),
    ("会不会", "会"),
    ("要不要", "要"),
    ("木有", "没有"),
    ("啥", "什么"),
    ("咋", "怎么"),
    ("卷", "券"),
)
# Words that carry no intent: dropping them stops "你们有实体店吗" scoring on "有人吗".
FUNCTION_WORDS = ("可以", "一下", "请问", "你们", "我们", "什么", "怎么", "这个", "那个", "的话")
FUNCTION_CHARS = frozenset("吗呢吧了的啊呀嘛哈哦噢呐啦我你您们他她它这那个有是能会要还就都也很")
# A complement standing alone after a verb (寄/到/国外): the verb and its object carry the question, so
# 寄到国外 and 退货寄到哪 do not meet on 寄到 alone. Word-aware forms only (not ``legacy_match_form``).
COMPLEMENTS = ("到",)


_COLLOQUIAL_MAP = dict(COLLOQUIAL)


_COLLOQUIAL_RE = re.compile("|".join(re.escape(c) for c, _ in COLLOQUIAL))


_FUNCTION_RE = re.compile(
    "|".join([*(re.escape(w) for w in FUNCTION_WORDS), "[" + "".join(sorted(FUNCTION_CHARS)) + "]"])
)


# What Qianniu and the chat exports insert into a buyer's turn: [图片] [表情] [语音] …, links, long
# numbers (order and product ids of the cards), and the text of the shop's menu buttons.
_PLATFORM_RE = re.compile(
    r"\[[^\[\]]{1,12}\]|https?://\S+|\d{8,}|订单业务咨询|商品信息咨询|售前咨询|售后咨询|物流咨询|订单号[:：]?"
)
_FUNCTION_TOKENS = frozenset([*FUNCTION_WORDS, *FUNCTION_CHARS, *COMPLEMENTS])


def strip_platform(text: str) -> str:
    """The buyer's own words: what the chat platform inserted removed."""
    return (
        _PLATFORM_RE.sub(" ", text)
        if (
            "[" in text
            or "咨询" in text
            or "订单" in text
            or "http" in text
            or any(c.isdigit() for c in text)
        )
        else text
    )


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import rjieba  # imported lazily: it loads its dictionary

    return rjieba


def _fold(text: str) -> str:
    base = _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL_MAP[m.group()], normalise(text, simplify=True))
    if base.endswith("么") and not base.endswith(("什么", "怎么", "那么", "这么", "多么")):
        base = base[:-1] + "吗"  # "有货么" asks the same as "有货吗"
    return base


class SynonymMap(dict[str, str]):
    """Similar word → core word (同义词), keys in ``word_form``.

    Every word of the groups (similar and core) is one word wherever it stands in a text: one the
    segmenter would cut apart (寄回去 → 寄 / 回去, 人工客服 → 人工 / 客服) is found on the character
    string before segmentation, longest first (``whole``). rjieba has ``add_word``, but its dictionary
    is one per ``Jieba`` object: adding a shop's words to the shared one would make a form depend on
    which shops were read before in the process (and no word can be taken out again), and a
    dictionary of its own per synonym list costs 0.2 s and 25 MB. A word the dictionary keeps whole
    on its own (快递, 发出) is left to the segmenter, so it is not found inside another word (沙发出现).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._whole: tuple[re.Pattern[str] | None] | None = None  # worked out on first use

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self._whole = None

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._whole = None

    @property
    def whole(self) -> re.Pattern[str] | None:
        """The words the segmenter cuts apart, longest first (None: there are none)."""
        if self._whole is None:
            cut = _segmenter().cut
            kept = {w for w in (*self.keys(), *self.values()) if len(w) > 1 and cut(w, hmm=False) != [w]}
            order = sorted(kept, key=lambda w: (-len(w), w))
            self._whole = (re.compile("|".join(map(re.escape, order))) if order else None,)
        return self._whole[0]


def word_form(text: str) -> str:
    """A word as ``words`` gives it (normalised, colloquial spellings folded): a synonym's key."""
    return _fold(text)


def _cut(base: str, whole: re.Pattern[str] | None) -> list[str]:
    """``base`` cut into words, each match of ``whole`` one word of its own."""
    cut = _segmenter().cut
    if whole is None or whole.search(base) is None:
        return cut(base, hmm=False)
    out: list[str] = []
    at = 0
    for hit in whole.finditer(base):
        if hit.start() > at:
            out += cut(base[at : hit.start()], hmm=False)
        out.append(hit.group())
        at = hit.end()
    if at < len(base):
        out += cut(base[at:], hmm=False)
    return out


def words(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """The folded text cut into words (what synonyms and function words apply to); each word of
    ``synonyms`` (a ``SynonymMap``) is one word."""
    base = _fold(strip_platform(text))
    return _cut(base, getattr(synonyms, "whole", None)) if base else []


def _content(cut: list[str]) -> str:
    core = "".join(w for w in cut if w not in _FUNCTION_TOKENS)
    # One character left says too little ("你好" → "好" would equal "好的"): keep the whole form.
    return core if len(core) >= 2 else "".join(cut)


def match_form(text: str, synonyms: Mapping[str, str] | None = None) -> str:
    """The form a question is compared in: the words that carry it, or the whole normalised text.
    ``synonyms`` maps a similar word to its core word (同义词); it applies to whole words only."""
    cut = words(text, synonyms)
    if not cut:
        return normalise(text, simplify=True)
    return _content([synonyms.get(w, w) for w in cut] if synonyms else cut)


def match_forms(text: str, synonyms: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``match_form(text, synonyms)`` and the same form before the synonyms replace any word (what
    keywords are looked for in: a keyword is the shop's literal trigger word), from one cut."""
    cut = words(text, synonyms)
    if not cut:
        form = normalise(text, simplify=True)
        return form, form
    literal = _content(cut)
    if not synonyms:
        return literal, literal
    replaced = [synonyms.get(w, w) for w in cut]
    return _content(replaced), literal


def synonyms_fired(text: str, synonyms: Mapping[str, str]) -> list[tuple[str, str]]:
    """(similar word, core word) for each synonym that changes this text's form, in order."""
    fired = ((w, synonyms[w]) for w in words(text, synonyms) if w in synonyms)
    return list(dict.fromkeys((w, core) for w, core in fired if core != w))


def legacy_match_form(text: str) -> str:
    """The form before issue 13: function characters dropped wherever they are."""
    base = _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL_MAP[m.group()], normalise(text, simplify=True))
    if base.endswith("么") and not base.endswith(("什么", "怎么", "那么", "这么", "多么")):
        base = base[:-1] + "吗"  # "有货么" asks the same as "有货吗"
    core = _FUNCTION_RE.sub("", base)
    # One character left says too little ("你好" → "好" would equal "好的"): keep the whole form.
    return core if len(core) >= 2 else base
