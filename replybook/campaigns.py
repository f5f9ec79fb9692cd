"""Campaigns (聚划算 and any other promotion): a name, a time window and readiness thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from . import history
from .errors import ConflictError, InvalidValue, NotFoundError
from .models import Campaign


@dataclass
class CampaignData:
    name: str
    start: datetime
    end: datetime
    questions_path: str | None = None
    coverage_target: float = 0.9
    min_entries: int = 30
    min_personal_phrases: int = 10
    min_team_phrases: int = 5


def _validate(data: CampaignData) -> None:
    if not data.name.strip():
        raise InvalidValue("活动名称不能为空")
    if data.end <= data.start:
        raise InvalidValue("活动结束时间必须晚于开始时间")
    if not 0 < data.coverage_target <= 1:
        raise InvalidValue("覆盖率目标应在 0 和 1 之间，例如 0.9 表示 90%")
    for name in ("min_entries", "min_personal_phrases", "min_team_phrases"):
        if getattr(data, name) < 0:
            raise InvalidValue(f"{name} 不能为负数")


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(col(Campaign.start))))


def get_campaign(session: Session, name: str) -> Campaign:
    found = session.exec(select(Campaign).where(Campaign.name == name)).first()
    if found is None:
        known = "、".join(c.name for c in list_campaigns(session)) or "无"
        raise NotFoundError(f"没有名为 {name!r} 的活动（已有：{known}）")
    return found


def create_campaign(session: Session, *, data: CampaignData, user: str | None = None) -> Campaign:
    _validate(data)
    if session.exec(select(Campaign).where(Campaign.name == data.name.strip())).first():
        raise ConflictError(f"活动 {data.name} 已存在")
    campaign = Campaign(**{**data.__dict__, "name": data.name.strip()})
    return history.create(session, campaign, user=user, summary=f"新增活动 {campaign.name}")


def update_campaign(
    session: Session,
    *,
    name: str,
    data: CampaignData,
    expected_version: int | None = None,
    user: str | None = None,
) -> Campaign:
    campaign = get_campaign(session, name)
    _validate(data)
    if (
        data.name.strip() != campaign.name
        and session.exec(select(Campaign).where(Campaign.name == data.name.strip())).first()
    ):
        raise ConflictError(f"活动 {data.name} 已存在")
    changes = {**data.__dict__, "name": data.name.strip()}
    return history.update(
        session,
        campaign,
        changes,
        expected_version=expected_version,
        user=user,
        summary=f"修改活动 {changes['name']}",
    )


def campaign_data(campaign: Campaign) -> CampaignData:
    return CampaignData(
        name=campaign.name,
        start=campaign.start,
        end=campaign.end,
        questions_path=campaign.questions_path,
        coverage_target=campaign.coverage_target,
        min_entries=campaign.min_entries,
        min_personal_phrases=campaign.min_personal_phrases,
        min_team_phrases=campaign.min_team_phrases,
    )
