"""JSON API for the bot settings (mounted under /api/ with the rest of the API)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from replybook import bot

from .auth import SessionDep, SupervisorDep, ViewerDep
from .botsettings import bot_data
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)


class ShiftIn(BaseModel):
    name: str = Field(examples=["晚班"])
    start: str = Field(examples=["16:00"])
    end: str = Field(examples=["24:00"])
    agents: list[str] = Field(default_factory=list, examples=[["小美", "小雨"]])


class BotSettingsIn(BaseModel):
    """Fields left out keep their stored value; ``version`` is the one this edit started from."""

    mode: str | None = Field(default=None, examples=["全自动"], description="半自动 | 全自动")
    transfer_keywords: list[str] | None = None
    unanswered_limit: int | None = None
    high_risk_categories: list[str] | None = None
    high_risk_entries: list[str] | None = None
    shifts: list[ShiftIn] | None = None
    concurrency: int | None = None
    handling_minutes: float | None = None
    productivity: float | None = None
    version: int | None = Field(default=None, description="null for the first save")


@router.get("/bot", summary="机器人设置（模式、转人工规则、班次、排班参数）")
def get_bot(session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    return bot_data(session)


@router.put("/bot", summary="修改机器人设置（只改给出的项）")
def put_bot(body: BotSettingsIn, session: SessionDep, viewer: SupervisorDep) -> dict[str, Any]:
    current = bot.get_bot_settings(session)
    raw = body.model_dump(exclude_none=True, exclude={"version"})
    config = bot.config_from_mapping(raw, base=current)
    bot.save_bot_settings(session, config=config, expected_version=body.version, user=viewer.name)
    session.commit()
    return bot_data(session)
