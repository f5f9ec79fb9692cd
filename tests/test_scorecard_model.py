"""The scorecard model (issue 17 item 3): the default model is the shop documents' worked example,
reproduced to the cent; rules, tiers and the pay formula on worked cases; a bad model file is refused
with every problem named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from replybook import scorecard
from replybook.store.errors import ImportFormatError

D = Decimal
# The example's month: four hand scores from the supervisor, the rest figures.
HAND = {"综合服务评分": D(80), "问题解决率": D(90), "团队合作能力": D(90), "自我成长提升": D(85)}
FIGURES = {
    "sales": D(51000),  # of a 120,000 target: 42.5 points
    "satisfaction": D("0.9"),
    "rate_3min": D("0.8"),
    "inquiries": D(100),
    "payers": D(37),
    "orders": D(40),
    "praise": D(3),
    "complaints": D(1),
}


@pytest.fixture(scope="module")
def model() -> scorecard.Model:
    return scorecard.load_model()


def test_the_default_model_is_the_example(model: scorecard.Model) -> None:
    weights = [(i.name, i.weight) for i in model.indicators]
    assert weights == [
        ("综合服务评分", 20),
        ("问题解决率", 10),
        ("销售额", 20),
        ("客户满意度", 10),
        ("工作效率", 10),
        ("团队合作能力", 10),
        ("自我成长提升", 10),
        ("其他", 10),
    ]


def test_the_seed_contributions_to_the_cent(model: scorecard.Model) -> None:
    """16 % + 9 % + 8.5 % + 9 % + 8 % + 9 % + 8.5 %; 其他 was not scored this month and adds nothing."""
    result = scorecard.score_agent(model, "小美", FIGURES, HAND)
    contributions = [(i.name, i.contribution) for i in result.indicators]
    assert contributions == [
        ("综合服务评分", D(16)),
        ("问题解决率", D(9)),
        ("销售额", D("8.5")),
        ("客户满意度", D(9)),
        ("工作效率", D(8)),
        ("团队合作能力", D(9)),
        ("自我成长提升", D("8.5")),
        ("其他", D(0)),
    ]
    assert result.indicators[-1].score is None
    assert result.weighted == D(68)


def test_the_worked_case_points_commission_and_pay(model: scorecard.Model) -> None:
    """37 of 100 inquiries paid: 3 points above 34 % → +15; 37 of 40 orders paid (92.5 %): between
    90 % and 95 %, nothing; 3 praises +3, 1 complaint −2. Sales 51,000 fall in the 50,001–60,000
    tier: 1.2 % → 612.00. Pay = 3,000 + 612 × 84 % + 100 × 2 years = 3,714.08."""
    two_years = scorecard.parse_model(
        scorecard.DEFAULT_MODEL.read_text(encoding="utf-8").replace(
            "agents: {}", "agents: {小美: {base: 3000, years: 2}}"
        ),
        source="test",
    )
    result = scorecard.score_agent(two_years, "小美", FIGURES, HAND)
    assert [(p.name, p.points) for p in result.points] == [
        ("咨询转化率", D(15)),
        ("付款率", D(0)),
        ("表扬", D(3)),
        ("投诉", D(-2)),
    ]
    assert result.total == D(84)
    assert result.commission_rate == D("0.012")
    assert result.commission == D("612.00")
    assert result.pay == D("3714.08")


@pytest.mark.parametrize(
    ("inquiries", "payers", "orders", "conversion_points", "payment_points"),
    [
        (100, 34, 34, 0, 5),  # exactly 34 %: nothing; 100 % paid: 5 whole points above 95 %
        (100, 33, 33, 0 - 5, 5),  # one point below 34 %
        (200, 69, 69, 0, 5),  # 34.5 %: half a point is not a point
        (100, 36, 40, 10, 0),  # 90 % paid: not below 90 %
        (100, 36, 41, 10, -2),  # 87.8 %: two whole points below 90 %
        (100, 30, 0, -20, 0),  # no orders: no payment ratio, no points
    ],
)
def test_ratio_points_count_whole_steps(
    model: scorecard.Model,
    inquiries: int,
    payers: int,
    orders: int,
    conversion_points: int,
    payment_points: int,
) -> None:
    figures = {"inquiries": D(inquiries), "payers": D(payers), "orders": D(orders)}
    points = {p.name: p.points for p in scorecard.score_agent(model, "x", figures).points}
    assert (points["咨询转化率"], points["付款率"]) == (conversion_points, payment_points)


@pytest.mark.parametrize(
    ("sales", "rate", "commission"),
    [
        ("30000", "0", "0.00"),
        ("30001", "0.01", "300.01"),
        ("50000", "0.01", "500.00"),
        ("50001", "0.012", "600.01"),
        ("60000.50", "0.012", "720.01"),
        ("60001", "0.013", "780.01"),
        ("100000", "0.013", "1300.00"),
    ],
)
def test_commission_tiers(model: scorecard.Model, sales: str, rate: str, commission: str) -> None:
    result = scorecard.score_agent(model, "x", {"sales": D(sales)})
    assert (result.commission_rate, result.commission) == (D(rate), D(commission))


def test_a_cap_bounds_a_rule() -> None:
    text = """
indicators: [{name: 销售额, weight: 100, figure: sales, target: 1000}]
points: [{name: 表扬, figure: praise, above: 0, points_above: 1, step: 1, cap: 5}]
"""
    model = scorecard.parse_model(text, source="m.yaml")
    result = scorecard.score_agent(model, "x", {"praise": D(9), "sales": D(2000)})
    assert result.points[0].points == 5
    assert result.indicators[0].score == 100  # above the target still 100


def test_equal_totals_share_a_rank(model: scorecard.Model) -> None:
    scores = [
        scorecard.score_agent(model, name, {}, {"其他": D(v)})
        for name, v in [("甲", 80), ("乙", 90), ("丙", 80)]
    ]
    assert [(s.agent, s.rank) for s in scorecard.rank(scores)] == [("乙", 1), ("丙", 2), ("甲", 2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "indicators: [{name: a, weight: 60, hand: true}, {name: b, weight: 30, hand: true}]",
            "权重合计应为 100，现为 90",
        ),
        ("indicators: [{name: a, weight: 100, figure: 销量}]", "未知的数据 '销量'"),
        ("indicators: [{name: a, weight: 100}]", "hand: true、figure 和 ratio 应恰好给出一个"),
        (
            "indicators: [{name: a, weight: 100, hand: true}]\ncommission: [{from: 三万, rate: 1%}]",
            "commission 第 1 档 from：应为数字",
        ),
        (
            "indicators: [{name: a, weight: 100, hand: true}]\npay: {agents: {小美: {years: -1}}}",
            "工龄应为非负整数",
        ),
        (
            "indicators: [{name: a, weight: 100, hand: true}, {name: a, weight: 0, hand: true}]",
            "指标 a 出现了不止一次",
        ),
    ],
)
def test_a_bad_model_is_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        scorecard.parse_model(text, source="model.yaml")
    assert message in caught.value.render()
    assert caught.value.render().startswith("model.yaml：")
