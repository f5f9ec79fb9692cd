"""JSON API twins of the pages' forms and uploads: run a coverage test, import review figures, import
and export phrase CSVs and the library file, add and edit campaigns (users and passwords: ``api_users.py``).

Each route calls the data function its page calls (tests/test_api_parity.py checks that every page has
one). Uploads are multipart ``file`` fields as on the pages, with the same limits and the same Chinese
messages, as JSON 4xx.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator

from replybook import autoreplies
from replybook import campaigns as campaign_store
from replybook import gold as goldteam
from replybook.coverage import runs as coverage_runs
from replybook.gold import reviews
from replybook.gold.reviews import DayAlreadyStored, Seen
from replybook.store.errors import InvalidValue, StaleVersionError
from replybook.store.models import REVIEW_LEVELS
from replybook.store.timeutil import iso_shop, now, parse_datetime

from . import campaigns, coverage, gold, importexport, tryit, workbooks
from .auth import SessionDep, SupervisorDep, ViewerDep
from .autoreplies import rule_public
from .uploads import UploadRoute, file_bytes

router = APIRouter(route_class=UploadRoute)


def _upload(file: UploadFile | None, message: str) -> UploadFile:
    if file is None or not file.filename:
        raise InvalidValue(message)
    return file


# ---------------------------------------------------------------- coverage runs


@router.post("/coverage", status_code=201, summary="上传问题文件并运行覆盖测试（客服主管）")
def api_run_coverage(
    session: SessionDep,
    viewer: SupervisorDep,
    file: UploadFile | None = File(
        None, description="每行一个问题的 .txt、带“问题”列的 .csv 或聊天记录 .log"
    ),
    column: str = Form("", description="CSV 里问题所在的列名（默认“问题”）"),
    at: str = Form("", description="按哪个时刻的问答库测试（默认现在），例如 2026-12-10T08:00"),
) -> dict[str, Any]:
    upload = _upload(file, coverage.NO_FILE)
    run = coverage.run_uploaded(
        session,
        filename=upload.filename or "",
        data=file_bytes(upload),
        column=column.strip() or None,
        at=parse_datetime(at) if at.strip() else now(),
        user=viewer.name,
    )
    session.commit()
    return coverage.report_data(session, run.id or 0)


class CampaignRunIn(BaseModel):
    campaign: str = Field(examples=["双11"], description="the campaign whose question file is tested")


@router.post(
    "/coverage/campaign", status_code=201, summary="用活动的问题文件、按活动开始时的问答库测试（客服主管）"
)
def api_run_campaign_coverage(
    session: SessionDep, viewer: SupervisorDep, body: CampaignRunIn
) -> dict[str, Any]:
    run, campaign = coverage.run_campaign_questions(session, campaign=body.campaign, user=viewer.name)
    session.commit()
    report = coverage.report_data(session, run.id or 0)  # its verdict is the campaign check's
    return {**report, "target": campaign.coverage_target, "reached": report["verdict"]["reached"]}


@router.delete("/coverage/{run_id}", summary="删除一次覆盖测试（客服主管；不能撤销）")
def api_delete_coverage_run(session: SessionDep, viewer: SupervisorDep, run_id: int) -> dict[str, Any]:
    coverage_runs.delete_run(session, run_id=run_id)
    session.commit()
    return {"deleted": run_id}


# ---------------------------------------------------------------- gold team


class DayIn(BaseModel):
    day: str = Field(examples=["2026-12-01"])
    source: str = Field(examples=["manual"], description="bot | manual（机器人 | 人工）")
    agent: str = ""
    very_satisfied: int | None = None
    satisfied: int | None = None
    neutral: int | None = None
    dissatisfied: int | None = None
    very_dissatisfied: int | None = None
    score: float | None = Field(default=None, description="综合服务分 0–5")
    version: int = Field(default=0, description="已存评价数的版本（首次录入为 0）；与当前不符返回 409")
    seen_score: float | None = Field(default=None, description="录入前看到的综合服务分")
    new_agent: bool = Field(default=False, description="客服名不在已有客服中时，确认是新客服")


@router.post("/gold/day", summary="录入一天的评价数和综合服务分（客服主管）")
def api_enter_day(
    session: SessionDep, viewer: SupervisorDep, body: DayIn
) -> Any:  # dict, or a 409 JSONResponse
    try:
        gold.save_day(
            session,
            body.model_dump(),
            user=viewer.name,
            seen=Seen(body.version, body.seen_score),
            new_agent=body.new_agent,
        )
    except DayAlreadyStored as exc:
        # What is stored, so the client can show it and resend with its version to replace it.
        row = exc.stored.row
        stored = {level: getattr(row, level) for level in REVIEW_LEVELS} if row is not None else None
        return JSONResponse(
            {"detail": str(exc), "version": exc.stored.version, "counts": stored, "score": exc.stored.score},
            status_code=409,
        )
    session.commit()
    return {"saved": body.day}


@router.post("/gold/import", summary="导入评价统计 CSV（客服主管）")
def api_import_reviews(
    session: SessionDep,
    viewer: SupervisorDep,
    file: UploadFile | None = File(None),
    mode: str = Form("add", description="add（只加新的天）| replace（同一天覆盖）"),
) -> dict[str, Any]:
    upload = _upload(file, "请先选择评价统计 CSV 文件")
    result = reviews.import_reviews(
        session, file_bytes(upload), source=upload.filename or "", mode=mode or "add"
    )
    session.commit()
    return {"filename": upload.filename, **gold.import_summary(result)}


@router.get("/gold/history", summary="金牌客服每月结果（最近若干个月）")
def api_gold_history(session: SessionDep, months: int = 12, target: str = "") -> dict[str, Any]:
    goal = goldteam.parse_target(target) if target else None
    found = goldteam.history(session, months=min(max(months, 1), 36), target_satisfaction=goal)
    return {"history": [m.to_json() for m in found], "target": goal}


# ---------------------------------------------------------------- auto-replies


@router.get("/autoreplies/firing", summary="某个时刻、某个事件会触发哪条自动回复")
def api_would_fire(
    session: SessionDep, at: str = "", event: str = "first_contact", message: str = ""
) -> dict[str, Any]:
    moment = parse_datetime(at) if at else now()
    if event not in tryit.EVENTS:
        raise InvalidValue(f"未知事件 {event!r}，应为 " + "、".join(tryit.EVENTS))
    firing = autoreplies.would_fire(session, moment, event=event, message=message)
    return {
        "at": iso_shop(moment),
        "event": event,
        "rule": rule_public(firing.rule) if firing.rule else None,
        "tied": [r.name for r in firing.tied],
    }


# ---------------------------------------------------------------- import and export


@router.get("/import", summary="导入导出：可导入的库、导入方式、导出团队短语时的提醒")
def api_transfer(session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    return importexport.transfer_data(session, viewer)


@router.post("/import/preview", summary="预览导入（试运行，不写入）：快捷短语 CSV 或问答库 YAML")
def api_import_preview(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    file: UploadFile | None = File(None),
    kind: str = Form(..., description="phrases | library"),
    mode: str = Form("merge", description="merge | replace"),
    library: str = Form("personal", description="phrases：team | personal"),
) -> dict[str, Any]:
    upload = _upload(file, "请先选择要导入的文件。")
    meta = importexport.upload_meta(
        viewer, kind=kind, mode=mode, library=library, filename=upload.filename or ""
    )
    data = file_bytes(upload)
    plan, shown = importexport.preview_data(session, data, meta)
    token = request.app.state.uploads.put(data, meta)
    return {"preview": shown, "token": token, "expected": importexport.counts_of(plan)}


class ConfirmIn(BaseModel):
    token: str = Field(description="the token the preview returned")
    expected: str = Field(description="the preview's expected counts, as returned")


@router.post(
    "/import/confirm",
    summary="确认导入预览过的文件",
    responses={409: {"description": "预览之后库里有变化：返回重新算出的预览，请再确认一次"}},
)
def api_import_confirm(request: Request, session: SessionDep, viewer: ViewerDep, body: ConfirmIn) -> Any:
    applied, meta, shown, counts = importexport.confirm_import(
        session, viewer, request.app.state.uploads, token=body.token, expected=body.expected
    )
    if not applied:
        return JSONResponse(
            {
                "detail": importexport.CHANGED_SINCE_PREVIEW,
                "preview": shown,
                "token": body.token,
                "expected": counts,
            },
            status_code=409,
        )
    return {
        "imported": meta["filename"],
        "kind": meta["kind"],
        "what": shown["what"],
        "counts": shown["counts"],
    }


@router.get("/export/library.yaml", summary="导出问答库 library.yaml")
def api_export_library(session: SessionDep) -> Response:
    return importexport.download(
        importexport.library_yaml(session), "library.yaml", "application/yaml; charset=utf-8"
    )


@router.get("/export/team.csv", summary="导出团队短语（千牛 CSV）")
def api_export_team(session: SessionDep, encoding: str = "gb18030", neutralise: bool = False) -> Response:
    body = importexport.phrases_csv(session, encoding=encoding, neutralise=neutralise)
    return importexport.download(body, "team.csv", "text/csv")


@router.get("/export/personal.csv", summary="导出自己的个人短语（千牛 CSV）")
def api_export_personal(
    session: SessionDep, viewer: ViewerDep, encoding: str = "gb18030", neutralise: bool = False
) -> Response:
    body = importexport.phrases_csv(session, owner=viewer.name, encoding=encoding, neutralise=neutralise)
    return importexport.download(body, "personal.csv", "text/csv", shown_as=f"{viewer.name}.csv")


# ---------------------------------------------------------------- campaigns


class QuestionSetIn(BaseModel):
    filename: str = Field(
        examples=["双11问题.csv"], description=".txt, .csv or .log: says how the text is read"
    )
    text: str = Field(examples=["问题,次数\n什么时候发货,120\n"], description="the file's content")


class CampaignIn(BaseModel):
    name: str = Field(examples=["双11"])
    start: datetime | date = Field(examples=["2026-11-11"], description="a date is its 00:00 (Beijing time)")
    end: datetime | date = Field(
        examples=["2026-11-11"],
        description="a date is included whole, until 24:00 Beijing time (start == end: one day); "
        "a moment ends exactly then",
    )
    questions: QuestionSetIn | None = Field(
        default=None, description="the expected questions, stored with the campaign; omitted: kept"
    )
    coverage_target: float = Field(default=0.9, description="a fraction: 0.9 means 90 %")
    min_entries: int = 30
    min_personal_phrases: int = 10
    min_team_phrases: int = 5

    @field_validator("start", "end", mode="before")
    @classmethod
    def _a_date_alone(cls, value: Any) -> Any:
        """ "2026-11-11" is a day (pydantic would read it as that day's 00:00, losing the day)."""
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return value
        return value

    def data(self, stored: tuple[str | None, str | None]) -> campaign_store.CampaignData:
        """The campaign's fields; ``stored`` is its question set, replaced when one is sent."""
        questions = (self.questions.filename, self.questions.text) if self.questions else stored
        return campaign_store.CampaignData(
            **self.model_dump(exclude={"version", "start", "end", "questions"}),
            start=campaign_store.window_start(self.start),
            end=campaign_store.window_end(self.end),
            questions_file=questions[0],
            questions_text=questions[1],
        )


class CampaignUpdate(CampaignIn):
    version: int


@router.get("/campaigns/{campaign_id}", summary="一个活动")
def api_campaign(session: SessionDep, campaign_id: int) -> dict[str, Any]:
    return campaigns.campaign_public(campaigns.get_by_id(session, campaign_id))


@router.post("/campaigns", status_code=201, summary="新增活动（客服主管）")
def api_create_campaign(session: SessionDep, viewer: SupervisorDep, body: CampaignIn) -> dict[str, Any]:
    created = campaign_store.create_campaign(session, data=body.data((None, None)), user=viewer.name)
    session.commit()
    return campaigns.campaign_public(created)


@router.put("/campaigns/{campaign_id}", summary="修改活动（客服主管；版本过期返回 409）")
def api_update_campaign(
    session: SessionDep, viewer: SupervisorDep, campaign_id: int, body: CampaignUpdate
) -> Any:
    c = campaigns.get_by_id(session, campaign_id)
    try:
        campaign_store.update_campaign(
            session,
            name=c.name,
            data=body.data((c.questions_file, c.questions_text)),
            expected_version=body.version,
            user=viewer.name,
        )
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        current = campaigns.campaign_public(campaigns.get_by_id(session, campaign_id))
        return JSONResponse({"detail": str(exc), "current": current}, status_code=409)
    return campaigns.campaign_public(campaigns.get_by_id(session, campaign_id))


@router.delete("/campaigns/{campaign_id}", summary="删除活动（客服主管；可从历史恢复，版本过期返回 409）")
def api_delete_campaign(
    session: SessionDep, viewer: SupervisorDep, campaign_id: int, version: int | None = None
) -> dict[str, Any]:
    c = campaigns.get_by_id(session, campaign_id)
    undo = campaign_store.delete_campaign(session, name=c.name, expected_version=version, user=viewer.name)
    session.commit()
    return {"deleted": campaign_id, "undo_revision": undo}


@router.get("/export/shop.xlsx", summary="导出整个回复配置（Excel：问答库、分类、自动回复、快捷短语）")
def api_export_shop(session: SessionDep) -> Response:
    return workbooks.download(workbooks.shop_xlsx(session), "shop.xlsx")


@router.get("/export/team.xlsx", summary="导出团队短语（Excel）")
def api_export_team_xlsx(session: SessionDep) -> Response:
    return workbooks.download(workbooks.phrases_xlsx(session), "team.xlsx")


@router.get("/export/personal.xlsx", summary="导出自己的个人短语（Excel）")
def api_export_personal_xlsx(session: SessionDep, viewer: ViewerDep) -> Response:
    return workbooks.download(workbooks.phrases_xlsx(session, owner=viewer.name), "personal.xlsx")


@router.get(
    "/export/template/{kind}.xlsx",
    summary="下载可填写的 Excel 模板：library、autoreplies、phrases、categories、shop",
)
def api_export_template(session: SessionDep, kind: str) -> Response:
    return workbooks.download(workbooks.template_xlsx(session, kind), f"{kind}.xlsx")
