"""Auto-reply pages: the rules with what triggers them, the editor (stale save → conflict view),
deleting with undo, and which rule fires right now."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook import autoreplies
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, StaleVersionError
from replybook.store.models import AutoReply
from replybook.store.timeutil import iso_shop, now

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .conflict import conflict_page
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50
TRIGGERS = {t.value: name for t, name in autoreplies.TRIGGER_NAMES.items()}
FIELD_LABELS = (
    ("name", "名称"),
    ("trigger", "触发方式"),
    ("text", "回复内容"),
    ("keywords", "关键词"),
    ("busy_threshold", "排队人数"),
    ("service_hours", "服务时间"),
    ("active", "生效时间"),
    ("priority", "优先级"),
    ("enabled", "启用"),
)


def rule_public(rule: AutoReply) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "trigger": rule.trigger,
        "trigger_name": TRIGGERS.get(rule.trigger, rule.trigger),
        "text": rule.text,
        "keywords": list(rule.keywords),
        "busy_threshold": rule.busy_threshold,
        "service_hours": rule.service_hours,
        "active_start": iso_shop(rule.active_start),
        "active_end": iso_shop(rule.active_end),
        "priority": rule.priority,
        "specificity": autoreplies.SPECIFICITY[autoreplies.specificity(rule)],
        "enabled": rule.enabled,
        "version": rule.version,
        "updated_at": iso_shop(rule.updated_at),
        "updated_by": rule.updated_by,
    }


def rules_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the rules (PER_PAGE a page), and which would fire right now for a buyer's first
    message."""
    firing = autoreplies.would_fire(session, now(), event="first_contact")
    found = autoreplies.page_of_rules(session, page=page, per_page=PER_PAGE)
    return {
        "rules": [rule_public(r) for r in found.rows],
        **found.fields(),
        "firing_now": rule_public(firing.rule) if firing.rule else None,
        "tied_now": [r.name for r in firing.tied],
        "triggers": TRIGGERS,
    }


def display(data: autoreplies.AutoReplyData) -> dict[str, list[str]]:
    window = "始终生效"
    if data.active_start or data.active_end:
        window = (
            f"{(iso_shop(data.active_start) or '不限')[:16]} 至 {(iso_shop(data.active_end) or '不限')[:16]}"
        )
    return {
        "name": [data.name],
        "trigger": [TRIGGERS.get(data.trigger, data.trigger)],
        "text": [data.text],
        "keywords": ["、".join(data.keywords)] if data.keywords else [],
        "busy_threshold": [str(data.busy_threshold)] if data.busy_threshold is not None else [],
        "service_hours": [data.service_hours] if data.service_hours else [],
        "active": [window.replace("T", " ")],
        "priority": [str(data.priority)],
        "enabled": ["是" if data.enabled else "否"],
    }


def _rule_data(rule: AutoReply) -> autoreplies.AutoReplyData:
    fields = autoreplies.AutoReplyData.__dataclass_fields__
    return autoreplies.AutoReplyData(**{k: getattr(rule, k) for k in fields})


@router.get("/autoreplies")
def rules_page(request: Request, session: SessionDep, page: int = 1) -> Response:
    return render(request, "autoreplies/list.html", rules_data(session, page=page))


def _editor(request: Request, *, form: dict[str, Any], rule: dict[str, Any] | None, error=None, status=200):
    return render(
        request,
        "autoreplies/edit.html",
        {"form": form, "rule": rule, "error": error, "triggers": TRIGGERS},
        status=status,
    )


def _raw(form: Any) -> dict[str, Any]:
    return {
        "name": forms.text(form, "name"),
        "trigger": forms.text(form, "trigger"),
        "text": forms.text(form, "text"),
        "keywords": forms.words(form, "keywords"),
        "busy_threshold": forms.text(form, "busy_threshold"),
        "service_hours": forms.text(form, "service_hours"),
        "active_start": forms.text(form, "active_start") or None,
        "active_end": forms.text(form, "active_end") or None,
        "priority": forms.text(form, "priority"),
        "enabled": forms.checked(form, "enabled"),
        "version": forms.version(form),
    }


@router.get("/autoreplies/new")
def new_rule_page(request: Request, viewer: SupervisorDep) -> Response:
    blank = asdict(autoreplies.AutoReplyData(name="", trigger="first_contact", text=""))
    return _editor(request, form={**blank, "version": None}, rule=None)


@router.post("/autoreplies/new")
def create_rule(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    try:
        rule = autoreplies.create_rule(session, data=forms.autoreply_data(form), user=viewer.name)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(request, form=_raw(form), rule=None, error=str(exc), status=exc.http_status)
    flash(request, f"已新增自动回复“{rule.name}”")
    return redirect(request, f"/autoreplies/{rule.id}")


@router.get("/autoreplies/{rule_id}")
def edit_rule_page(request: Request, session: SessionDep, viewer: ViewerDep, rule_id: int) -> Response:
    rule = autoreplies.get_rule(session, rule_id)
    return _editor(
        request, form={**asdict(_rule_data(rule)), "version": rule.version}, rule=rule_public(rule)
    )


@router.post("/autoreplies/{rule_id}")
def save_rule(
    request: Request, session: SessionDep, viewer: SupervisorDep, rule_id: int, form: PostedForm
) -> Response:
    rule = autoreplies.get_rule(session, rule_id)
    try:
        data = forms.autoreply_data(form)
        autoreplies.update_rule(
            session, rule_id=rule_id, data=data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        current = autoreplies.get_rule(session, rule_id)
        return conflict_page(
            request,
            title=f"自动回复“{current.name}”",
            current=current,
            item_type="autoreply",
            url=f"/autoreplies/{rule_id}",
            mine=display(data),
            theirs=display(_rule_data(current)),
            labels=FIELD_LABELS,
            form=form,
        )
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(
            request, form=_raw(form), rule=rule_public(rule), error=str(exc), status=exc.http_status
        )
    flash(request, f"已保存自动回复“{data.name}”")
    return redirect(request, f"/autoreplies/{rule_id}")


@router.post("/autoreplies/{rule_id}/delete")
def delete_rule(request: Request, session: SessionDep, viewer: SupervisorDep, rule_id: int) -> Response:
    name = autoreplies.get_rule(session, rule_id).name
    autoreplies.delete_rule(session, rule_id=rule_id, user=viewer.name)
    session.commit()
    undo = history.revisions(session, "autoreply", rule_id)[0].id
    flash(request, f"已删除自动回复“{name}”。", undo=undo)
    return redirect(request, "/autoreplies")
