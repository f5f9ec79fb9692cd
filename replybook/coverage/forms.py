"""The form a buyer question is compared in (both sides of a match): ``normalise``, colloquial
spellings folded (啥 → 什么), function words dropped (吗, 可以, 你们 …), so a score measures the
words that carry the question."""

from __future__ import annotations

import re

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
FUNCTION_WORDS = ("可以", "一下", "请问", "你们", "我们", "什么", "怎么")
FUNCTION_CHARS = frozenset("吗呢吧了的啊呀嘛哈哦噢呐啦我你您们他她它这那个有是能会要还就都也很")


_COLLOQUIAL_MAP = dict(COLLOQUIAL)


_COLLOQUIAL_RE = re.compile("|".join(re.escape(c) for c, _ in COLLOQUIAL))


_FUNCTION_RE = re.compile(
    "|".join([*(re.escape(w) for w in FUNCTION_WORDS), "[" + "".join(sorted(FUNCTION_CHARS)) + "]"])
)


def match_form(text: str) -> str:
    """The form a question is compared in: the words that carry it, or the whole normalised text."""
    base = _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL_MAP[m.group()], normalise(text, simplify=True))
    if base.endswith("么") and not base.endswith(("什么", "怎么", "那么", "这么", "多么")):
        base = base[:-1] + "吗"  # "有货么" asks the same as "有货吗"
    core = _FUNCTION_RE.sub("", base)
    # One character left says too little ("你好" → "好" would equal "好的"): keep the whole form.
    return core if len(core) >= 2 else base
