"""The 考核表 as one printable HTML file (issue 17 item 4): every indicator's value, score, weight and
weighted contribution, the points, total, rank, commission and pay, last month's total, and the links
back to the reply configuration (item 5). Inline CSS, nothing fetched; the per-agent section is the
web page's own template fragment (templates/scorecard/_links.html)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from replybook.scorecard.compute import CENT, cents, figure_text
from replybook.scorecard.model import FIGURES, HUNDRED, RATE_FIGURES
from replybook.scorecard.sheet import Scorecard
from replybook.store.resources import data_dir


def _measure_text(figure: str | None, ratio: tuple[str, str] | None, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if ratio is not None or figure in RATE_FIGURES:
        return f"{(value * HUNDRED).quantize(CENT)}%"
    return figure_text(figure or "", value)


def scorecard_view(card: Scorecard) -> dict[str, Any]:
    """The card as the printable page shows it: texts, ready to print."""
    agents = []
    for row in card.rows:
        indicators = []
        for indicator, item in zip(card.model.indicators, row.indicators, strict=True):
            value = (
                "手工打分" if indicator.hand else _measure_text(indicator.figure, indicator.ratio, item.value)
            )
            indicators.append(
                {
                    "name": item.name,
                    "formula": item.formula,
                    "value": value,
                    "score": "未评分" if item.score is None else f"{item.score.quantize(Decimal('0.1'))}",
                    "weight": f"{item.weight.normalize():f}%",
                    "contribution": f"{cents(item.contribution)}%",
                }
            )
        points = [
            {
                "name": p.name,
                "value": _measure_text(rule.figure, rule.ratio, p.value),
                "points": f"{p.points.normalize():+f}",
            }
            for rule, p in zip(card.model.points, row.points, strict=True)
        ]
        before = card.previous.get(row.agent)
        agents.append(
            {
                "agent": row.agent,
                "rank": row.rank,
                "indicators": indicators,
                "points": points,
                "points_total": f"{row.points_total.normalize():+f}",
                "weighted": f"{cents(row.weighted)}%",
                "total": f"{cents(row.total)}%",
                "last_month": "—" if before is None else f"{cents(before)}%",
                "change": "—" if before is None else f"{cents(row.total - before):+f}",
                "sales": f"{cents(row.sales):,}",
                "commission_rate": f"{(row.commission_rate * HUNDRED).normalize():f}%",
                "commission": f"{row.commission:,}",
                "base": f"{cents(row.base):,}",
                "years": row.years,
                "per_year": f"{row.per_year.normalize():f}",
                "pay": f"{row.pay:,}",
                "links": card.links(row.agent),
            }
        )
    return {
        "month": card.month,
        "model": card.model.name,
        "columns": [{"name": i.name, "weight": f"{i.weight.normalize():f}%"} for i in card.model.indicators],
        "agents": agents,
        "team": card.team,
        "chat_logs": card.chat_logs,
        "figures": FIGURES,
    }


def render_scorecard_html(card: Scorecard, *, site: str = "") -> str:
    """A standalone page a supervisor prints or hands out; ``site`` (the web version's address, e.g.
    http://192.168.1.5:8000) makes each uncovered question a link to teaching the bot."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # only the HTML file needs it

    env = Environment(loader=FileSystemLoader(data_dir("templates")), autoescape=select_autoescape(["html"]))
    template = env.get_template("scorecard/print.html")
    return template.render(card=scorecard_view(card), site=site.rstrip("/") or None)
