"""Auto-replies (自动回复): triggers, active windows, the reply shown to a buyer."""

from .rules import (
    MAX_KEYWORDS,
    SPECIFICITY,
    TRIGGER_NAMES,
    AutoReplyData,
    Firing,
    applies,
    create_rule,
    data_from_mapping,
    delete_rule,
    get_rule,
    list_rules,
    page_of_rules,
    parse_hours,
    specificity,
    update_rule,
    validate,
    would_fire,
)
from .ties import find_ties

__all__ = [
    "AutoReplyData",
    "Firing",
    "MAX_KEYWORDS",
    "SPECIFICITY",
    "TRIGGER_NAMES",
    "applies",
    "create_rule",
    "data_from_mapping",
    "delete_rule",
    "find_ties",
    "get_rule",
    "list_rules",
    "page_of_rules",
    "parse_hours",
    "specificity",
    "update_rule",
    "validate",
    "would_fire",
]
