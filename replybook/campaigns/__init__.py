"""Campaigns (活动) and their readiness check."""

from .service import (
    MAX_QUESTIONS_BYTES,
    QUESTION_SUFFIXES,
    CampaignData,
    campaign_data,
    campaign_questions,
    create_campaign,
    delete_campaign,
    get_campaign,
    list_campaigns,
    read_question_path,
    read_question_set,
    update_campaign,
    window_end,
    window_fields,
    window_label,
    window_start,
)

__all__ = [
    "CampaignData",
    "MAX_QUESTIONS_BYTES",
    "QUESTION_SUFFIXES",
    "campaign_data",
    "campaign_questions",
    "create_campaign",
    "delete_campaign",
    "get_campaign",
    "list_campaigns",
    "read_question_path",
    "read_question_set",
    "update_campaign",
    "window_end",
    "window_fields",
    "window_label",
    "window_start",
]
