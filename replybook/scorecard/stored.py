"""The shop's own scorecard model (issue 17 item 3): one versioned row (``ScorecardModel``) written
through ``store/history.py`` like the bot settings — history, undo, the version check in the write.
A shop that never saved one is scored by the default model (``default_model.yaml``); reading it
writes nothing. The file (``replybook score model export|import``), the web page and the API all
go through ``model_to_mapping`` / ``model_from_mapping``: one shape, one set of checks.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from replybook.scorecard.model import (
    FIGURES,
    HUNDRED,
    RATE_FIGURES,
    Indicator,
    Model,
    PointRule,
    load_model,
    model_from_mapping,
    parse_model,
)
from replybook.store import history
from replybook.store.errors import StaleVersionError, file_error
from replybook.store.models_scorecard import ScorecardModel

MODEL_ID = 1
STORED_SOURCE = "店铺考核方案"
_HEADER = (
    "# 客服绩效考核方案（replybook score model import 本文件）。权重合计必须为 100；\n"
    "# hand: 主管打分；figure: 当月数据；ratio: [分子, 分母]；比率可写成 34% 或 0.34。\n"
)


def _plain(value: Decimal) -> int | str:
    """A number as the file writes it: 120000, 0.5 (never 1E+2)."""
    return int(value) if value == value.to_integral_value() else f"{value.normalize():f}"


def _percent(value: Decimal) -> str:
    return f"{(value * HUNDRED).normalize():f}%"


def _amount(value: Decimal, rate: bool) -> int | str:
    return _percent(value) if rate else _plain(value)


def _formula(item: Indicator | PointRule) -> dict[str, Any]:
    if item.ratio is not None:
        return {"ratio": list(item.ratio)}
    return {"figure": item.figure}


def _is_rate(item: Indicator | PointRule) -> bool:
    return item.ratio is not None or item.figure in RATE_FIGURES


def model_to_mapping(model: Model) -> dict[str, Any]:
    """The model in the file's shape, JSON-ready (the stored row, the export, the API)."""
    indicators: list[dict[str, Any]] = []
    for i in model.indicators:
        raw: dict[str, Any] = {"name": i.name}
        if i.group:
            raw["group"] = i.group
        raw["weight"] = _plain(i.weight)
        raw.update({"hand": True} if i.hand else _formula(i))
        if i.target is not None:
            raw["target"] = _amount(i.target, _is_rate(i))
        if i.lower_is_better:
            raw["lower_is_better"] = True
        indicators.append(raw)
    points: list[dict[str, Any]] = []
    for r in model.points:
        rate = _is_rate(r)
        rule: dict[str, Any] = {"name": r.name, **_formula(r)}
        if r.above is not None:
            rule["above"], rule["points_above"] = _amount(r.above, rate), _plain(r.points_above)
        if r.below is not None:
            rule["below"], rule["points_below"] = _amount(r.below, rate), _plain(r.points_below)
        rule["step"] = _amount(r.step, rate)
        if r.cap is not None:
            rule["cap"] = _plain(r.cap)
        points.append(rule)
    return {
        "name": model.name,
        "indicators": indicators,
        "points": points,
        "commission": [{"from": _plain(t.start), "rate": _percent(t.rate)} for t in model.commission],
        "pay": {
            "base": _plain(model.base_pay),
            "per_year": _plain(model.per_year),
            "agents": {
                name: {"base": _plain(p.base), "years": p.years} for name, p in sorted(model.agents.items())
            },
        },
    }


def model_yaml(model: Model) -> str:
    """The model as a file the shop edits and imports again."""
    body = yaml.safe_dump(
        model_to_mapping(model), allow_unicode=True, sort_keys=False, width=1 << 30, default_flow_style=None
    )
    return _HEADER + body


def _row_mapping(row: ScorecardModel) -> dict[str, Any]:
    return {
        "name": row.name,
        "indicators": row.indicators,
        "points": row.points,
        "commission": row.commission,
        "pay": row.pay,
    }


def get_model(session: Session) -> Model:
    """The shop's stored model, or the default model when it never saved one (``version`` None)."""
    row = session.get(ScorecardModel, MODEL_ID)
    if row is None:
        return load_model()
    return replace(model_from_mapping(_row_mapping(row), source=STORED_SOURCE), version=row.version)


def save_model(
    session: Session, model: Model, *, expected_version: int | None = None, user: str | None = None
) -> Model:
    """Store ``model`` as the shop's (the first save creates it). ``expected_version``: the version
    the edit started from (None: whatever is stored; 0: nothing stored yet); someone saved since →
    StaleVersionError, checked in the UPDATE itself."""
    values = model_to_mapping(model)
    row = session.get(ScorecardModel, MODEL_ID)
    if row is None:
        if expected_version not in (None, 0):
            raise StaleVersionError("scoremodel", MODEL_ID, expected_version or 0, 0)
        row = history.create(
            session, ScorecardModel(id=MODEL_ID, **values), user=user, summary=f"保存考核方案 {model.name}"
        )
    else:
        history.update(
            session,
            row,
            values,
            expected_version=expected_version,
            user=user,
            summary=f"修改考核方案 {model.name}",
        )
    return replace(model, version=row.version, source=STORED_SOURCE)


def read_model_file(path: Path) -> Model:
    """A model file, checked in full (ImportFormatError naming every problem, nothing written)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise file_error(path, exc) from None
    except UnicodeDecodeError:
        from replybook.store.errors import InvalidValue

        raise InvalidValue(f"{path}：考核方案应为 UTF-8 编码的 YAML 文件") from None
    return parse_model(text, source=str(path))


def describe(model: Model) -> dict[str, str]:
    """One line per part, as the conflict page and ``score model show`` say them."""

    indicators = "；".join(f"{i.name} {_plain(i.weight)}%（{i.formula}）" for i in model.indicators)
    points = []
    for r in model.points:
        rate = _is_rate(r)
        what = f"{FIGURES[r.ratio[0]]} ÷ {FIGURES[r.ratio[1]]}" if r.ratio else FIGURES[r.figure or ""]
        parts = []
        step = _amount(r.step, rate)
        if r.above is not None:
            sign = "" if r.points_above < 0 else "+"
            parts.append(f"高于 {_amount(r.above, rate)} 每 {step} {sign}{_plain(r.points_above)}")
        if r.below is not None:
            parts.append(f"低于 {_amount(r.below, rate)} 每 {step} −{_plain(r.points_below)}")
        if r.cap is not None:
            parts.append(f"上限 {_plain(r.cap)}")
        points.append(f"{r.name}（{what}）：{'，'.join(parts)}")
    tiers = "；".join(f"{t.start.normalize():,f} 起 {_percent(t.rate)}" for t in model.commission) or "无"
    agents = "、".join(
        f"{n} 底薪 {_plain(p.base)} 工龄 {p.years} 年" for n, p in sorted(model.agents.items())
    )
    pay = f"底薪 {_plain(model.base_pay)} + 提成 × 总分% + 每年工龄 {_plain(model.per_year)}" + (
        f"（{agents}）" if agents else ""
    )
    return {
        "name": model.name,
        "indicators": indicators,
        "points": "；".join(points) or "无",
        "commission": tiers,
        "pay": pay,
    }
