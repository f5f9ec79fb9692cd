"""Workbooks on the import/export page: an uploaded .xlsx/.xls planned and previewed like the CSV
and YAML imports (the whole configuration, or one phrase library), the shop and team workbooks to
download, and a template for each kind."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from replybook.phrases import workbook as phrase_workbook
from replybook.shop import workbook as shop_workbook
from replybook.store.errors import NotFoundError
from replybook.store.models import PhraseScope
from replybook.tabular.workbook import XLSX_MEDIA_TYPE, is_workbook_name, looks_like_workbook, open_workbook

from . import library_preview
from .auth import SessionDep, ViewerDep
from .uploads import UploadRoute

router = APIRouter(route_class=UploadRoute)
PREVIEW_LIMIT = 200


def is_workbook_upload(data: bytes, filename: str) -> bool:
    """An upload that is a workbook: by its first bytes, or by its name (then a broken one says so)."""
    return looks_like_workbook(data[:8]) or is_workbook_name(filename)


def plan_upload(session: Session, data: bytes, meta: dict[str, Any]) -> Any:
    """The whole-configuration plan (kind library) or one phrase library's plan (kind phrases)."""
    if meta["kind"] == "library":
        return shop_workbook.plan_workbook(session, data, name=meta["filename"], mode=meta["mode"])
    with open_workbook(data, name=meta["filename"]) as book:
        return phrase_workbook.plan_sheet(
            session,
            book,
            phrase_workbook.first_phrase_sheet(book),
            scope=meta["scope"],
            owner=meta["owner"],
            mode=meta["mode"],
        )


def workbook_counts(plan: shop_workbook.WorkbookPlan) -> str:
    return ";".join(f"{kind}:{','.join(map(str, c[:3]))}" for kind, c in shop_workbook.counts(plan).items())


def workbook_preview(plan: shop_workbook.WorkbookPlan) -> dict[str, Any]:
    """One preview of every kind in the workbook, each item marked with its kind."""
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    if plan.library is not None:
        lib = plan.library
        added += [
            {"title": f"[问答库] {d.question}", "detail": d.answers[0] if d.answers else ""} for d in lib.add
        ]
        changed += [
            {"title": f"[问答库] {d.question}", "detail": d.answers[0] if d.answers else ""}
            for _, d in lib.change
        ]
        removed += [{"title": f"[问答库] {d.question}", "detail": d.category} for d in lib.removed_entries]
    if plan.autoreplies is not None:
        rules = library_preview.autoreply_items(plan.autoreplies)
        added += rules["added"]
        changed += rules["changed"]
        removed += rules["removed"]
    if plan.bot is not None and plan.bot_changed:
        shifts = "；".join(f"{s.label} {len(s.agents)} 人" for s in plan.bot.shifts) or "无班次"
        changed.append({"title": f"[机器人设置] {plan.bot.mode_name}", "detail": shifts})
    for found in plan.phrases:
        label = found.plan.library
        added += [
            {"title": f"[{label}] {it.code}", "detail": "", "row": it.row}
            for it in found.plan.added[:PREVIEW_LIMIT]
        ]
        changed += [
            {"title": f"[{label}] {it.code}", "detail": "", "row": it.row} for it in found.plan.changed
        ]
        removed += [{"title": f"[{label}] {it.code}", "detail": ""} for it in found.plan.removed]
    totals = shop_workbook.counts(plan).values()
    library_warnings = plan.library.warnings if plan.library else []
    new_categories = plan.library.new_categories if plan.library else []
    return {
        "kind": "workbook",
        "what": "、".join(shop_workbook.counts(plan)) or "（工作簿里没有可导入的工作表）",
        "added": added[:PREVIEW_LIMIT],
        "changed": changed[:PREVIEW_LIMIT],
        "removed": removed[:PREVIEW_LIMIT],
        "counts": {
            "added": sum(c[0] for c in totals),
            "changed": sum(c[1] for c in totals),
            "removed": sum(c[2] for c in totals),
        },
        "unchanged": sum(c[3] for c in totals),
        "warnings": plan.notes
        + (
            [f"将新增分类 {len(new_categories)} 个：" + "、".join(f"{n}（{k}）" for k, n in new_categories)]
            if new_categories
            else []
        )
        + plan.warnings
        + library_warnings,
    }


def apply_upload(session: Session, plan: Any, *, user: str) -> None:
    if isinstance(plan, shop_workbook.WorkbookPlan):
        shop_workbook.apply_workbook(session, plan, user=user)
    else:
        from replybook.phrases.transfer import apply_phrase_import

        apply_phrase_import(session, plan.plan, user=user)


# ---------------------------------------------------------------- downloads


def download(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def shop_xlsx(session: Session) -> bytes:
    """The whole reply configuration as one workbook."""
    out = io.BytesIO()
    shop_workbook.export_workbook(session, out)
    return out.getvalue()


def phrases_xlsx(session: Session, *, owner: str = "") -> bytes:
    out = io.BytesIO()
    scope = PhraseScope.PERSONAL if owner else PhraseScope.TEAM
    phrase_workbook.export_phrase_workbook(session, out, scope=scope, owner=owner)
    return out.getvalue()


def template_xlsx(session: Session, kind: str) -> bytes:
    """A template of one kind (library, autoreplies, phrases, categories, shop)."""
    if kind not in shop_workbook.TEMPLATES:
        raise NotFoundError(f"没有 {kind} 模板，可用：{'、'.join(shop_workbook.TEMPLATES)}")
    out = io.BytesIO()
    shop_workbook.write_template(kind, out, session)
    return out.getvalue()


@router.get("/export/shop.xlsx")
def export_shop(session: SessionDep) -> Response:
    return download(shop_xlsx(session), "shop.xlsx")


@router.get("/export/team.xlsx")
def export_team(session: SessionDep) -> Response:
    return download(phrases_xlsx(session), "team.xlsx")


@router.get("/export/personal.xlsx")
def export_personal(session: SessionDep, viewer: ViewerDep) -> Response:
    return download(phrases_xlsx(session, owner=viewer.name), "personal.xlsx")


@router.get("/export/template/{kind}.xlsx")
def export_template(session: SessionDep, kind: str) -> Response:
    return download(template_xlsx(session, kind), f"{kind}.xlsx")
