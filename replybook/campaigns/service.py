"""Campaigns (聚划算 and any other promotion): a name, a time window, the expected questions and the
readiness thresholds.

The question set is stored in the database (read once from the file given), never kept as a path on
the server. A window written as dates is whole days in shop time: ``--end 2026-12-12`` includes the
12th until 24:00, so a one-day campaign has start == end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from replybook.coverage.chat_questions import as_text
from replybook.coverage.question_files import Question, parse_questions
from replybook.store import history, paging
from replybook.store.errors import ConflictError, ImportFormatError, InvalidValue, NotFoundError
from replybook.store.models import Campaign
from replybook.store.timeutil import parse_datetime, to_shop
from replybook.tabular.encodings import detect_and_decode

QUESTION_SUFFIXES = (".txt", ".csv", ".log", ".zip", ".xlsx", ".xls")  # .zip/.xlsx: chat-log exports too
MAX_QUESTIONS_BYTES = 10 * 1024 * 1024


@dataclass
class CampaignData:
    name: str
    start: datetime
    end: datetime
    questions_file: str | None = None
    questions_text: str | None = None
    coverage_target: float = 0.9
    min_entries: int = 30
    min_personal_phrases: int = 10
    min_team_phrases: int = 5


def _is_date_only(value: str | date) -> bool:
    return not isinstance(value, datetime) and (isinstance(value, date) or len(value.strip()) == 10)


def window_start(value: str | date | datetime) -> datetime:
    """A campaign's start: a date alone is its first moment (00:00 shop time)."""
    return parse_datetime(value)


def window_end(value: str | date | datetime) -> datetime:
    """A campaign's end, stored as the first moment after it. A date alone is included whole (until
    24:00 shop time), as people write a promotion's days: 12-10 至 12-12 is three days. A moment
    (``2026-12-12T22:00``) is taken as given."""
    if isinstance(value, datetime) or not _is_date_only(value):
        return parse_datetime(value)
    return parse_datetime(value) + timedelta(days=1)


def window_label(start: datetime, end: datetime) -> str:
    """The window as people write it, in shop time: an end at midnight is the day before's 24:00."""
    first, last = to_shop(start), to_shop(end)
    if last.time() == last.min.time():
        shown = f"{(last - timedelta(days=1)):%Y-%m-%d} 24:00"
    else:
        shown = f"{last:%Y-%m-%d %H:%M}"
    return f"{first:%Y-%m-%d %H:%M} 至 {shown}"


def window_fields(start: datetime, end: datetime) -> tuple[str, str]:
    """The window as the editor shows it, the way ``window_start`` / ``window_end`` read it back:
    whole days as dates (the end day included), other moments as date and time."""
    first, last = to_shop(start), to_shop(end)
    midnight = first.min.time()
    return (
        f"{first:%Y-%m-%d}" if first.time() == midnight else f"{first:%Y-%m-%d %H:%M}",
        f"{(last - timedelta(days=1)):%Y-%m-%d}" if last.time() == midnight else f"{last:%Y-%m-%d %H:%M}",
    )


def read_question_set(filename: str, data: bytes) -> tuple[str, str]:
    """``(file name, text)`` of an uploaded question file, read once to be stored with the campaign;
    a file that is no question list is refused here, naming it, before anything is saved."""
    name = Path(filename.replace("\\", "/")).name
    if Path(name).suffix.lower() not in QUESTION_SUFFIXES:
        raise InvalidValue(
            f"活动问题文件 {name}：不支持这种文件，请用 .txt、.csv、.xlsx 或聊天记录（.log、千牛聊天记录 .zip）"
        )
    if len(data) > MAX_QUESTIONS_BYTES:
        raise InvalidValue(f"活动问题文件 {name} 太大：最多 10 MB")
    try:
        converted = as_text(data, name)  # a ZIP or workbook is kept as the text it reads as
    except ImportFormatError as exc:
        raise InvalidValue(_first_problem(exc)) from None
    if converted is not None:
        name, text = converted
        data = text.encode("utf-8")
    try:
        text, _encoding = detect_and_decode(data)
    except InvalidValue as exc:
        raise InvalidValue(f"活动问题文件 {name}：{exc}") from None
    try:
        parse_questions(text, name)
    except ImportFormatError as exc:
        raise InvalidValue(_first_problem(exc)) from None
    return name, text


def _first_problem(exc: ImportFormatError) -> str:
    more = f"（另有 {len(exc.problems) - 1} 处）" if len(exc.problems) > 1 else ""
    return f"活动问题文件 {exc.source} {exc.problems[0]}{more}，未保存"


def read_question_path(path: str | Path) -> tuple[str, str]:
    """``read_question_set`` for a file on this machine (the CLI's ``--questions FILE``)."""
    path = Path(path)
    return read_question_set(path.name, path.read_bytes())


def campaign_questions(c: Campaign) -> list[Question]:
    """The questions stored with campaign ``c``; InvalidValue (one line saying what to do) if it has
    none, or if the stored text no longer reads as a question list."""
    if c.questions_text is None:
        if c.questions_file:
            raise InvalidValue(
                f"活动问题文件 {c.questions_file} 没有存入数据库（原文件已不存在），请重新上传"
                f"：网页活动页，或 replybook campaign edit {c.name} --questions 文件"
            )
        raise InvalidValue(
            f"没有活动问题文件：在网页活动页上传问题文件，或 replybook campaign edit {c.name} --questions 文件"
            "（也可以 replybook check --questions 文件 临时指定）"
        )
    try:
        return parse_questions(c.questions_text, c.questions_file or "questions.txt")
    except ImportFormatError as exc:
        raise InvalidValue(_first_problem(exc).removesuffix("，未保存") + "，请重新上传") from None
    except InvalidValue as exc:
        raise InvalidValue(f"活动问题文件：{exc}，请重新上传") from None


def _validate(data: CampaignData, *, questions_changed: bool = True) -> None:
    if not data.name.strip():
        raise InvalidValue("活动名称不能为空")
    if data.end <= data.start:
        raise InvalidValue("活动结束时间必须晚于开始时间")
    if questions_changed and data.questions_text is not None:
        if not data.questions_file:
            raise InvalidValue("活动问题需要文件名（.txt、.csv 或 .log），它决定按哪种格式读")
        read_question_set(data.questions_file, data.questions_text.encode("utf-8"))
    if not 0 < data.coverage_target <= 1:
        raise InvalidValue("覆盖率目标应在 0 和 1 之间，例如 0.9 表示 90%")
    for name in ("min_entries", "min_personal_phrases", "min_team_phrases"):
        if getattr(data, name) < 0:
            raise InvalidValue(f"{name} 不能为负数")


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(col(Campaign.start))))


def page_of_campaigns(session: Session, *, page: int, per_page: int) -> paging.Page[Campaign]:
    """One page of the campaigns in list_campaigns' order (by start; the id breaks a tie)."""
    stmt = select(Campaign).order_by(col(Campaign.start), col(Campaign.id))
    return paging.fetch(session, stmt, page=page, per_page=per_page)


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
    # A stored set is judged when it is given, not again at every change of a threshold.
    _validate(
        data,
        questions_changed=(data.questions_file, data.questions_text)
        != (campaign.questions_file, campaign.questions_text),
    )
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


def delete_campaign(
    session: Session, *, name: str, expected_version: int | None = None, user: str | None = None
) -> int:
    """Delete a campaign, keeping its last state (question set included) in the history; returns the
    revision that brings it back."""
    campaign = get_campaign(session, name)
    campaign_id = campaign.id or 0
    history.delete(
        session, campaign, expected_version=expected_version, user=user, summary=f"删除活动 {campaign.name}"
    )
    return history.revisions(session, "campaign", campaign_id)[0].id or 0


def campaign_data(campaign: Campaign) -> CampaignData:
    return CampaignData(
        name=campaign.name,
        start=campaign.start,
        end=campaign.end,
        questions_file=campaign.questions_file,
        questions_text=campaign.questions_text,
        coverage_target=campaign.coverage_target,
        min_entries=campaign.min_entries,
        min_personal_phrases=campaign.min_personal_phrases,
        min_team_phrases=campaign.min_team_phrases,
    )
