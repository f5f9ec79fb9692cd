"""The agent scorecard (客服绩效考核, SPEC §8c): the shop's model, figures per agent per day, response
times from chat logs, the monthly 考核表."""

from replybook.scorecard.chat_times import (
    ResponseRule,
    chat_agents,
    import_chatlog,
    parse_rule,
    response_days,
)
from replybook.scorecard.compute import (
    AgentScore,
    IndicatorScore,
    RulePoints,
    commission_rate,
    figure_text,
    rank,
    score_agent,
)
from replybook.scorecard.days import IMPORT_MODES, import_days, import_days_file, parse_month, set_hand_score
from replybook.scorecard.formula import formula_choices, formula_keys, formula_text
from replybook.scorecard.html import render_scorecard_html, scorecard_view
from replybook.scorecard.links import AgentQuestions, AskedQuestion, read_chat_logs, uncovered_by_agent
from replybook.scorecard.model import (
    DEFAULT_MODEL,
    FIGURES,
    Model,
    load_model,
    model_from_mapping,
    parse_model,
)
from replybook.scorecard.sheet import SOURCE_LABELS, Scorecard, monthly_scorecard
from replybook.scorecard.stored import (
    describe,
    get_model,
    model_to_mapping,
    model_yaml,
    read_model_file,
    save_model,
)
from replybook.scorecard.xlsx import build_scorecard_workbook, write_scorecard_xlsx

__all__ = [
    "DEFAULT_MODEL",
    "FIGURES",
    "IMPORT_MODES",
    "SOURCE_LABELS",
    "AgentQuestions",
    "AgentScore",
    "AskedQuestion",
    "IndicatorScore",
    "Model",
    "RulePoints",
    "Scorecard",
    "build_scorecard_workbook",
    "chat_agents",
    "commission_rate",
    "describe",
    "formula_choices",
    "formula_keys",
    "formula_text",
    "figure_text",
    "import_chatlog",
    "parse_rule",
    "ResponseRule",
    "import_days",
    "import_days_file",
    "get_model",
    "load_model",
    "model_from_mapping",
    "model_to_mapping",
    "model_yaml",
    "read_model_file",
    "save_model",
    "monthly_scorecard",
    "parse_model",
    "parse_month",
    "rank",
    "read_chat_logs",
    "render_scorecard_html",
    "response_days",
    "score_agent",
    "scorecard_view",
    "set_hand_score",
    "uncovered_by_agent",
    "write_scorecard_xlsx",
]
