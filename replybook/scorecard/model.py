"""The scorecard model a shop configures (SPEC §8c, issue 17): named indicators with weights, rule-based
points, commission tiers and the pay formula. It is a YAML file the shop edits
(``replybook score --model model.yaml``); the default is the worked example of the shop documents,
``default_model.yaml`` beside this module.

Every amount is a ``Decimal`` so the example is reproduced to the cent; rates may be written as
``34%`` or ``0.34``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from replybook.library import strict_yaml
from replybook.store.errors import ImportFormatError, InvalidValue, Problem, file_error

DEFAULT_MODEL = Path(__file__).resolve().parent / "default_model.yaml"
HUNDRED = Decimal(100)

# The figures a formula may name: key → how the 考核表 labels it. Rates are fractions (0.95).
FIGURES: dict[str, str] = {
    "consultations": "咨询人数",
    "inquiries": "询单人数",
    "orders": "下单人数",
    "payers": "最终付款人数",
    "sales": "销售额",
    "avg_response_seconds": "平均响应时间（秒）",
    "first_response_seconds": "首次响应时间（秒）",
    "reply_rate": "回复率",
    "rate_3min": "3分钟响应率",
    "praise": "表扬",
    "complaints": "投诉",
    "satisfaction": "满意率",
}
RATE_FIGURES = frozenset({"reply_rate", "rate_3min", "satisfaction"})


@dataclass(frozen=True)
class Indicator:
    """One weighted indicator: exactly one of ``hand`` (the supervisor's monthly 0–100), ``figure``
    (a month's figure) or ``ratio`` (numerator ÷ denominator)."""

    name: str
    weight: Decimal  # percent: 20 means 20 %
    group: str = ""
    hand: bool = False
    figure: str | None = None
    ratio: tuple[str, str] | None = None
    target: Decimal | None = None  # figure ÷ target × 100 (target ÷ figure when lower is better)
    lower_is_better: bool = False

    @property
    def formula(self) -> str:
        if self.hand:
            return "主管打分"
        if self.ratio:
            return f"{FIGURES[self.ratio[0]]} ÷ {FIGURES[self.ratio[1]]}"
        label = FIGURES[self.figure or ""]
        if self.target is not None:
            return f"{self.target} ÷ {label}" if self.lower_is_better else f"{label} ÷ {self.target}"
        return label


@dataclass(frozen=True)
class PointRule:
    """Points for a figure or ratio: above ``above`` each whole ``step`` gives ``points_above``;
    below ``below`` each whole step takes ``points_below`` away; ``cap`` bounds the points either way."""

    name: str
    figure: str | None = None
    ratio: tuple[str, str] | None = None
    above: Decimal | None = None
    points_above: Decimal = Decimal(0)
    below: Decimal | None = None
    points_below: Decimal = Decimal(0)
    step: Decimal = Decimal(1)
    cap: Decimal | None = None


@dataclass(frozen=True)
class Tier:
    start: Decimal  # sales from this amount (inclusive)
    rate: Decimal  # a fraction: 0.012


@dataclass(frozen=True)
class AgentPay:
    base: Decimal
    years: int = 0


@dataclass(frozen=True)
class Model:
    name: str
    indicators: tuple[Indicator, ...]
    points: tuple[PointRule, ...] = ()
    commission: tuple[Tier, ...] = ()
    base_pay: Decimal = Decimal(0)
    per_year: Decimal = Decimal(100)
    agents: dict[str, AgentPay] = field(default_factory=dict)
    source: str = ""
    version: int | None = field(default=None, compare=False)  # the stored model's; None: not stored

    def pay_of(self, agent: str) -> AgentPay:
        return self.agents.get(agent, AgentPay(self.base_pay, 0))

    @property
    def hand_items(self) -> list[str]:
        return [i.name for i in self.indicators if i.hand]


def load_model(path: str | Path | None = None) -> Model:
    """The model in ``path`` (default: the worked example); ImportFormatError listing every problem."""
    target = Path(path) if path is not None else DEFAULT_MODEL
    try:
        text = target.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise file_error(target, exc) from None
    except UnicodeDecodeError:
        raise InvalidValue(f"{target}：考核方案应为 UTF-8 编码的 YAML 文件") from None
    return parse_model(text, source=str(target) if path is not None else "默认考核方案")


def parse_model(text: str, *, source: str) -> Model:
    return model_from_mapping(strict_yaml.load(text, source=source), source=source)


def model_from_mapping(doc: Any, *, source: str) -> Model:
    """A model from the file's shape (the YAML file, the stored row, the API's JSON, the web form);
    ImportFormatError naming every problem."""
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise ImportFormatError(
            source, [Problem("文件", "应为 name / indicators / points / commission / pay")]
        )
    unknown = sorted(str(k) for k in doc if k not in ("name", "indicators", "points", "commission", "pay"))
    if unknown:
        problems.append(
            Problem(
                "文件", f"未知的项 {'、'.join(unknown)}（可用：name、indicators、points、commission、pay）"
            )
        )
    indicators = [_indicator(raw, n, problems) for n, raw in enumerate(_list(doc, "indicators", problems), 1)]
    found = tuple(i for i in indicators if i is not None)
    names = [i.name for i in found]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("indicators", f"指标 {name} 出现了不止一次"))
    if found and len(found) == len(indicators) and sum(i.weight for i in found) != HUNDRED:
        total = sum((i.weight for i in found), Decimal(0))
        problems.append(Problem("indicators", f"权重合计应为 100，现为 {total.normalize():f}"))
    if not found and not problems:
        problems.append(Problem("indicators", "至少需要一个指标"))
    rules = [_rule(raw, n, problems) for n, raw in enumerate(_list(doc, "points", problems), 1)]
    tiers = [_tier(raw, n, problems) for n, raw in enumerate(_list(doc, "commission", problems), 1)]
    pay = doc.get("pay") or {}
    if not isinstance(pay, dict):
        problems.append(Problem("pay", "应为 base / per_year / agents"))
        pay = {}
    base = _number(pay.get("base", 0), "pay.base", problems) or Decimal(0)
    per_year = _number(pay.get("per_year", 100), "pay.per_year", problems) or Decimal(0)
    agents: dict[str, AgentPay] = {}
    raw_agents = pay.get("agents") or {}
    if not isinstance(raw_agents, dict):
        problems.append(Problem("pay.agents", "应为 客服: {base: 底薪, years: 工龄}"))
        raw_agents = {}
    for agent, raw in raw_agents.items():
        where = f"pay.agents.{agent}"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "应为 {base: 底薪, years: 工龄}"))
            continue
        agent_base = _number(raw.get("base", base), f"{where}.base", problems)
        years = raw.get("years", 0)
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            problems.append(Problem(f"{where}.years", f"工龄应为非负整数（年），现为 {years!r}"))
            years = 0
        agents[str(agent)] = AgentPay(agent_base or Decimal(0), years)
    if problems:
        raise ImportFormatError(source, problems)
    return Model(
        name=str(doc.get("name") or "考核方案"),
        indicators=found,
        points=tuple(r for r in rules if r is not None),
        commission=tuple(sorted((t for t in tiers if t is not None), key=lambda t: t.start)),
        base_pay=base,
        per_year=per_year,
        agents=agents,
        source=source,
    )


def _list(doc: dict[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        problems.append(Problem(key, "应为一个列表"))
        return []
    return value


def _number(value: Any, where: str, problems: list[Problem], *, rate: bool = False) -> Decimal | None:
    """A number as written: 120000, 1.2%, 0.34 (a rate written with % is divided by 100)."""
    if value is None or isinstance(value, bool):
        problems.append(Problem(where, f"应为数字，现为 {value!r}"))
        return None
    text = str(value).strip().replace(",", "")
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        problems.append(Problem(where, f"应为数字{'或百分数' if rate else ''}，现为 {value!r}"))
        return None
    if not number.is_finite():
        problems.append(Problem(where, f"应为数字，现为 {value!r}"))
        return None
    return number / HUNDRED if percent else number


def _formula(
    raw: dict[str, Any], where: str, problems: list[Problem]
) -> tuple[str | None, tuple[str, str] | None]:
    figure, ratio = raw.get("figure"), raw.get("ratio")
    known = "、".join(FIGURES)
    if figure is not None:
        if not isinstance(figure, str) or figure not in FIGURES:
            problems.append(Problem(where, f"未知的数据 {figure!r}（可用：{known}）", "figure"))
            return None, None
        return str(figure), None
    if ratio is not None:
        if not (
            isinstance(ratio, list)
            and len(ratio) == 2
            and all(isinstance(r, str) and r in FIGURES for r in ratio)
        ):
            problems.append(Problem(where, f"ratio 应为 [分子, 分母]，取自：{known}", "ratio"))
            return None, None
        return None, (str(ratio[0]), str(ratio[1]))
    return None, None


def _indicator(raw: Any, number: int, problems: list[Problem]) -> Indicator | None:
    where = f"indicators 第 {number} 项"
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        problems.append(Problem(where, "应为 {name: 名称, weight: 权重, hand / figure / ratio}"))
        return None
    before = len(problems)
    weight = _number(raw.get("weight"), f"{where}（{raw['name']}）weight", problems)
    if weight is not None and not 0 <= weight <= HUNDRED:
        problems.append(Problem(where, f"权重应在 0 到 100 之间，现为 {weight}", "weight"))
    hand = raw.get("hand") is True
    figure, ratio = _formula(raw, where, problems)
    if sum((hand, figure is not None, ratio is not None)) != 1 and len(problems) == before:
        problems.append(Problem(where, "hand: true、figure 和 ratio 应恰好给出一个"))
    target = None
    if raw.get("target") is not None:
        target = _number(raw["target"], f"{where} target", problems, rate=True)
        if target is not None and target <= 0:
            problems.append(Problem(where, "target 应大于 0", "target"))
    if len(problems) > before or weight is None:
        return None
    return Indicator(
        name=str(raw["name"]).strip(),
        weight=weight,
        group=str(raw.get("group") or ""),
        hand=hand,
        figure=figure,
        ratio=ratio,
        target=target,
        lower_is_better=raw.get("lower_is_better") is True,
    )


def _rule(raw: Any, number: int, problems: list[Problem]) -> PointRule | None:
    where = f"points 第 {number} 项"
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        problems.append(
            Problem(where, "应为 {name, figure 或 ratio, above, points_above, below, points_below, step}")
        )
        return None
    before = len(problems)
    figure, ratio = _formula(raw, where, problems)
    if figure is None and ratio is None and len(problems) == before:
        problems.append(Problem(where, "需要 figure 或 ratio"))
    values: dict[str, Decimal | None] = {}
    for key in ("above", "points_above", "below", "points_below", "step", "cap"):
        if raw.get(key) is not None:
            values[key] = _number(raw[key], f"{where} {key}", problems, rate=True)
    if raw.get("above") is None and raw.get("below") is None:
        problems.append(Problem(where, "至少需要 above 或 below"))
    step = values.get("step") or Decimal(1)
    if step <= 0:
        problems.append(Problem(where, "step 应大于 0", "step"))
    if len(problems) > before:
        return None
    return PointRule(
        name=str(raw["name"]).strip(),
        figure=figure,
        ratio=ratio,
        above=values.get("above"),
        points_above=values.get("points_above") or Decimal(0),
        below=values.get("below"),
        points_below=values.get("points_below") or Decimal(0),
        step=step,
        cap=values.get("cap"),
    )


def _tier(raw: Any, number: int, problems: list[Problem]) -> Tier | None:
    where = f"commission 第 {number} 档"
    if not isinstance(raw, dict) or "from" not in raw or "rate" not in raw:
        problems.append(Problem(where, "应为 {from: 起始销售额, rate: 提成比例}"))
        return None
    start = _number(raw["from"], f"{where} from", problems)
    rate = _number(raw["rate"], f"{where} rate", problems, rate=True)
    if start is None or rate is None:
        return None
    return Tier(start, rate)
