"""The scorecard model's edit form: its rows as the page shows them (from the stored model, or exactly
as the user posted them, so an error or a conflict loses nothing typed), the posted rows as the model
file's mapping for the core to check, and the core's problems in the page's words."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from replybook import scorecard
from replybook.store.errors import ImportFormatError, InvalidValue, Problem

from . import forms

SOURCE = "考核方案"
# Each table of the form: its rows' field names, in the order of the page's columns.
INDICATOR_FIELDS = ("name", "group", "weight", "formula", "target", "direction")
POINT_FIELDS = ("name", "formula", "above", "points_above", "below", "points_below", "step", "cap")
TIER_FIELDS = ("from", "rate")
AGENT_FIELDS = ("name", "base", "years")
TABLES = {"ind": INDICATOR_FIELDS, "pt": POINT_FIELDS, "tier": TIER_FIELDS, "agent": AGENT_FIELDS}
LOWER = "lower"  # the direction of an indicator where less is better (a response time)

# The core names places in the file's words; the page says them in its own.
_PLACES = (
    (re.compile(r"^indicators 第 (\d+) 项"), r"指标第 \1 行"),
    (re.compile(r"^points 第 (\d+) 项"), r"加减分第 \1 行"),
    (re.compile(r"^commission 第 (\d+) 档"), r"提成第 \1 档"),
    (re.compile(r"^pay\.agents\.(.+)\.base$"), r"客服 \1 的底薪"),
    (re.compile(r"^pay\.agents\.(.+)\.years$"), r"客服 \1 的工龄"),
    (re.compile(r"^pay\.agents\.(.+)$"), r"客服 \1"),
    (re.compile(r"^pay\.base$"), "底薪"),
    (re.compile(r"^pay\.per_year$"), "每年工龄加"),
    (re.compile(r"^indicators$"), "指标"),
    (re.compile(r"^文件$"), "方案"),
)
WORDS = {
    "weight": "权重",
    "target": "目标",
    "points_above": "高于时每步加分",
    "points_below": "低于时每步减分",
    "above": "高于",
    "below": "低于",
    "step": "每步",
    "cap": "上限",
    "from": "起始销售额",
    "rate": "提成比例",
    "figure": "公式",
    "ratio": "公式",
}
_TRAILING_WORD = re.compile(r"(?<=[\s）])(" + "|".join(WORDS) + r")$")
MESSAGES = {
    "target 应大于 0": "目标应大于 0",
    "step 应大于 0": "每步应大于 0",
    "至少需要 above 或 below": "至少需要填“高于”或“低于”",
}


def _where(where: str) -> str:
    for pattern, replacement in _PLACES:
        where = pattern.sub(replacement, where)
    return _TRAILING_WORD.sub(lambda m: f"，{WORDS[m.group(1)]}", where).replace(" ，", "，")


def page_problem(problem: Problem) -> str:
    """One problem as the page says it: 指标第 3 行（销售额），权重：应为数字，现为 'abc'."""
    column = f"，{WORDS.get(problem.column, problem.column)}" if problem.column else ""
    return f"{_where(problem.where)}{column}：{MESSAGES.get(problem.message, problem.message)}"


def error_lines(exc: ImportFormatError | InvalidValue, *, page: bool = True) -> list[str]:
    """The problems of a refused model, one line each (the page's words, or the file's for the API)."""
    if not isinstance(exc, ImportFormatError):
        return [str(exc)]
    return [page_problem(p) if page else str(p) for p in exc.problems]


def one_line(exc: ImportFormatError | InvalidValue, *, page: bool = True) -> str:
    lines = error_lines(exc, page=page)
    more = f"（另有 {len(lines) - 1} 个问题）" if len(lines) > 1 else ""
    return f"{SOURCE}有误，没有保存：{lines[0]}{more}"


# ---------------------------------------------------------------- the rows


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def rows_of(mapping: dict[str, Any]) -> dict[str, Any]:
    """The form's rows for a model in the file's shape (the stored one), each table ending in a blank
    row to type a new one into (the page's 添加 buttons add more)."""
    rows = _rows_of(mapping)
    for table, fields in TABLES.items():
        rows[table].append(dict.fromkeys(fields, ""))
    return rows


def _rows_of(mapping: dict[str, Any]) -> dict[str, Any]:
    pay = mapping.get("pay") or {}
    return {
        "name": _text(mapping.get("name")),
        "ind": [
            {
                "name": _text(i.get("name")),
                "group": _text(i.get("group")),
                "weight": _text(i.get("weight")),
                "formula": scorecard.formula_text(i),
                "target": _text(i.get("target")),
                "direction": LOWER if i.get("lower_is_better") else "",
            }
            for i in mapping.get("indicators") or []
        ],
        "pt": [
            {
                "formula": scorecard.formula_text(r),
                **{k: _text(r.get(k)) for k in POINT_FIELDS if k != "formula"},
            }
            for r in mapping.get("points") or []
        ],
        "tier": [{k: _text(t.get(k)) for k in TIER_FIELDS} for t in mapping.get("commission") or []],
        "pay_base": _text(pay.get("base")),
        "pay_per_year": _text(pay.get("per_year")),
        "agent": [
            {"name": name, "base": _text(p.get("base")), "years": _text(p.get("years"))}
            for name, p in (pay.get("agents") or {}).items()
        ],
    }


def posted_rows(form: FormData) -> dict[str, Any]:
    """The rows exactly as posted (blank rows included): what the page shows again."""
    rows: dict[str, Any] = {
        "name": forms.text(form, "name"),
        "pay_base": forms.text(form, "pay_base"),
        "pay_per_year": forms.text(form, "pay_per_year"),
    }
    for table, fields in TABLES.items():
        columns = {f: [v if isinstance(v, str) else "" for v in form.getlist(f"{table}_{f}")] for f in fields}
        count = max(len(c) for c in columns.values())
        rows[table] = [
            {f: (columns[f][n] if n < len(columns[f]) else "") for f in fields} for n in range(count)
        ]
    return rows


def _filled(rows: list[dict[str, str]], *, ignore: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The rows with something typed in them: a blank row is not part of the model."""
    return [r for r in rows if any(v.strip() for k, v in r.items() if k not in ignore)]


def _numbers(row: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: row[k].strip() for k in keys if row[k].strip()}


def model_of_rows(rows: dict[str, Any]) -> scorecard.Model:
    """The posted rows as a model, checked in full by the core (ImportFormatError in the page's words
    through ``page_problem``; a formula it cannot read is named with its row)."""
    problems: list[Problem] = []
    indicators: list[dict[str, Any]] = []
    for n, row in enumerate(_filled(rows["ind"], ignore=("direction",)), 1):
        where = f"指标第 {n} 行（{row['name'].strip() or '未命名'}）"
        weight = row["weight"].strip().removesuffix("%").strip()  # the column is in percent already
        raw: dict[str, Any] = {"name": row["name"].strip(), "weight": weight or None}
        if row["group"].strip():
            raw["group"] = row["group"].strip()
        if not raw["name"]:
            problems.append(Problem(where, "名称不能为空"))
        if raw["weight"] is None:
            problems.append(Problem(where, "权重不能为空（例如 20，表示 20%）"))
        raw.update(_formula(row["formula"], where, problems, hand=True))
        raw.update(_numbers(row, ("target",)))
        if row["direction"] == LOWER:
            raw["lower_is_better"] = True
        indicators.append(raw)
    points: list[dict[str, Any]] = []
    for n, row in enumerate(_filled(rows["pt"]), 1):
        where = f"加减分第 {n} 行（{row['name'].strip() or '未命名'}）"
        rule = {"name": row["name"].strip(), **_formula(row["formula"], where, problems, hand=False)}
        if not rule["name"]:
            problems.append(Problem(where, "名称不能为空"))
        points.append(rule | _numbers(row, POINT_FIELDS[2:]))
    tiers = [_numbers(row, TIER_FIELDS) for row in _filled(rows["tier"])]
    for n, tier in enumerate(tiers, 1):
        if len(tier) < len(TIER_FIELDS):
            problems.append(Problem(f"提成第 {n} 档", "起始销售额和提成比例都要填（例如 30001 和 1%）"))
    agents: dict[str, Any] = {}
    for row in _filled(rows["agent"]):
        name = row["name"].strip()
        if not name:
            problems.append(Problem("工资", "客服的底薪和工龄要写上客服名"))
            continue
        years = row["years"].strip() or "0"
        agents[name] = {"years": int(years) if years.isdigit() else years} | _numbers(row, ("base",))
    if problems:
        raise ImportFormatError(SOURCE, problems)
    mapping = {
        "name": rows["name"].strip(),
        "indicators": indicators,
        "points": points,
        "commission": tiers,
        "pay": {
            "base": rows["pay_base"].strip() or "0",
            "per_year": rows["pay_per_year"].strip() or "0",
            "agents": agents,
        },
    }
    return scorecard.model_from_mapping(mapping, source=SOURCE)


def _formula(text: str, where: str, problems: list[Problem], *, hand: bool) -> dict[str, Any]:
    try:
        return scorecard.formula_keys(text, hand=hand)
    except InvalidValue as exc:
        problems.append(Problem(where, str(exc), "公式"))
        return {}
