"""An indicator's or a points rule's formula as people write it on the web page: 主管打分, one figure
(销售额, or its file key ``sales``), or a ratio of two (最终付款人数 ÷ 询单人数, ``payers / inquiries``).
``formula_keys`` turns it into the model file's keys (``hand`` / ``figure`` / ``ratio``), and
``formula_text`` writes those keys back the way the page shows them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from replybook.scorecard.model import FIGURES
from replybook.store.errors import InvalidValue

HAND = "主管打分"
_BY_LABEL = {label: key for key, label in FIGURES.items()}
_DIVIDE = re.compile(r"\s*[÷/／]\s*")


def _figure(word: str) -> str | None:
    word = word.strip()
    if word in FIGURES:
        return word
    return _BY_LABEL.get(word) or _BY_LABEL.get(word.replace("(", "（").replace(")", "）"))


def _known() -> str:
    return "、".join(FIGURES.values())


def formula_keys(text: str, *, hand: bool = True) -> dict[str, Any]:
    """The file's keys for ``text``: ``{"hand": True}``, ``{"figure": key}`` or ``{"ratio": [a, b]}``;
    InvalidValue saying what may be written (``hand=False``: a points rule, which needs figures)."""
    written = text.strip()
    shape = f"{HAND}、" if hand else ""
    expected = f"应为 {shape}一项数据或 数据 ÷ 数据（数据可用：{_known()}）"
    if not written:
        raise InvalidValue(f"公式为空：{expected}")
    if written in (HAND, "hand"):
        if hand:
            return {"hand": True}
        raise InvalidValue(f"加减分不能用{HAND}：{expected}")
    parts = _DIVIDE.split(written)
    if len(parts) > 2:
        raise InvalidValue(f"“{written}”只能是两项数据相除：{expected}")
    keys = [_figure(p) for p in parts]
    for part, key in zip(parts, keys, strict=True):
        if key is None:
            raise InvalidValue(f"未知的数据“{part.strip()}”：{expected}")
    if len(keys) == 1:
        return {"figure": keys[0]}
    return {"ratio": keys}


def formula_text(raw: Mapping[str, Any]) -> str:
    """The formula of an indicator or rule in the file's shape, as the page shows it."""
    if raw.get("hand") is True:
        return HAND
    ratio = raw.get("ratio")
    if isinstance(ratio, list) and len(ratio) == 2:
        return f"{FIGURES.get(ratio[0], ratio[0])} ÷ {FIGURES.get(ratio[1], ratio[1])}"
    figure = raw.get("figure")
    return FIGURES.get(figure, str(figure)) if figure else ""


def formula_choices() -> list[str]:
    """What the page offers as suggestions: 主管打分, each figure, and the ratios shops use."""
    ratios = [("payers", "inquiries"), ("payers", "orders"), ("inquiries", "consultations")]
    return [HAND, *FIGURES.values(), *(f"{FIGURES[a]} ÷ {FIGURES[b]}" for a, b in ratios)]
