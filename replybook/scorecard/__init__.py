"""The agent scorecard (客服绩效考核, SPEC §8c): the shop's model, figures per agent per day, response
times from chat logs, the monthly 考核表."""

from replybook.scorecard.compute import (
    AgentScore,
    IndicatorScore,
    RulePoints,
    commission_rate,
    rank,
    score_agent,
)
from replybook.scorecard.model import DEFAULT_MODEL, FIGURES, Model, load_model, parse_model

__all__ = [
    "DEFAULT_MODEL",
    "FIGURES",
    "AgentScore",
    "IndicatorScore",
    "Model",
    "RulePoints",
    "commission_rate",
    "load_model",
    "parse_model",
    "rank",
    "score_agent",
]
