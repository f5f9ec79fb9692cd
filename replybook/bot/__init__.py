"""The bot's operation (SPEC §8b): its settings (mode, transfer rules, shifts), the hand-off decision
for one question, and the hand-off, load and staffing forecast for a question set."""

from .handoff import REASONS, Handoff, decide, next_shift_start, on_duty, transfer_keyword
from .settings import (
    DEFAULT_KEYWORDS,
    MODES,
    BotConfig,
    Shift,
    config_from_mapping,
    config_to_mapping,
    get_bot_settings,
    mode_key,
    parse_shift,
    save_bot_settings,
    set_shift_agents,
)
from .staffing import Forecast, HourLoad, agents_needed, forecast, hour_label, scheduled_agents

__all__ = [
    "DEFAULT_KEYWORDS",
    "MODES",
    "REASONS",
    "BotConfig",
    "Forecast",
    "Handoff",
    "HourLoad",
    "Shift",
    "agents_needed",
    "config_from_mapping",
    "config_to_mapping",
    "decide",
    "forecast",
    "get_bot_settings",
    "hour_label",
    "mode_key",
    "next_shift_start",
    "on_duty",
    "parse_shift",
    "save_bot_settings",
    "scheduled_agents",
    "set_shift_agents",
    "transfer_keyword",
]
