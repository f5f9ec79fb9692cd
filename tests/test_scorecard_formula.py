"""Formulas as the scorecard model page writes them (issue 17 item 3): 主管打分, a figure by its label
or file key, a ratio with ÷ or /; anything else is one Chinese line saying what may be written."""

from __future__ import annotations

import pytest

from replybook import scorecard
from replybook.store.errors import InvalidValue


@pytest.mark.parametrize(
    ("written", "keys"),
    [
        ("主管打分", {"hand": True}),
        ("销售额", {"figure": "sales"}),
        (" satisfaction ", {"figure": "satisfaction"}),
        ("平均响应时间(秒)", {"figure": "avg_response_seconds"}),
        ("最终付款人数 ÷ 询单人数", {"ratio": ["payers", "inquiries"]}),
        ("payers/orders", {"ratio": ["payers", "orders"]}),
        ("最终付款人数／下单人数", {"ratio": ["payers", "orders"]}),
    ],
)
def test_what_may_be_written(written: str, keys: dict) -> None:
    assert scorecard.formula_keys(written) == keys
    assert scorecard.formula_keys(scorecard.formula_text(keys)) == keys  # the page shows it back


@pytest.mark.parametrize(
    ("written", "hand", "message"),
    [
        ("销量", True, "未知的数据“销量”：应为 主管打分、一项数据或 数据 ÷ 数据（数据可用：咨询人数、"),
        ("销售额 ÷ 销量", True, "未知的数据“销量”"),
        ("表扬 ÷ 投诉 ÷ 咨询人数", True, "只能是两项数据相除"),
        ("", True, "公式为空"),
        ("主管打分", False, "加减分不能用主管打分：应为 一项数据或 数据 ÷ 数据"),
    ],
)
def test_anything_else_is_one_line_saying_what_may_be_written(written: str, hand: bool, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        scorecard.formula_keys(written, hand=hand)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_every_suggestion_is_a_formula() -> None:
    for choice in scorecard.formula_choices():
        assert scorecard.formula_keys(choice)
