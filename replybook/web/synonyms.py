"""The 同义词 page (issue 13 item 1): the shop's synonym groups — add, edit (a stale save gets the
shared conflict page), delete (撤销 in the flash message) — and the data function its /api/ twin
returns (``web/api_synonyms.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.library import synonyms as syn
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, StaleVersionError

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .conflict import conflict_page
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
FIELD_LABELS = (("word", "核心词"), ("similar", "同义词"), ("enabled", "启用"))


def synonyms_data(session: Session) -> dict[str, Any]:
    """The list page's data (and GET /api/synonyms)."""
    items = [syn.synonym_public(i) for i in syn.list_synonyms(session)]
    return {"synonyms": items, "total": len(items)}


def synonym_detail(session: Session, synonym_id: int) -> dict[str, Any]:
    return syn.synonym_public(syn.get_synonym(session, synonym_id))


def _posted(form: Any) -> dict[str, Any]:
    return {
        "word": forms.text(form, "word").strip(),
        "similar": syn.split_words(forms.text(form, "similar")),
        "enabled": forms.checked(form, "enabled"),
    }


def _shown(values: dict[str, Any]) -> dict[str, list[str]]:
    """A group as the conflict page compares it (each field a list of lines)."""
    return {
        "word": [values["word"]],
        "similar": list(values["similar"]),
        "enabled": ["是" if values["enabled"] else "否"],
    }


@router.get("/synonyms")
def synonyms_page(request: Request, session: SessionDep) -> Response:
    data = {**synonyms_data(session), "error": None, "form": {"enabled": True}}
    return render(request, "synonyms/list.html", data)


@router.post("/synonyms")
def add_synonym(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    values = _posted(form)
    try:
        item = syn.add_synonym(session, user=viewer.name, **values)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        shown = {**values, "similar": "\n".join(values["similar"])}
        data = {**synonyms_data(session), "error": str(exc), "form": shown}
        return render(request, "synonyms/list.html", data, status=exc.http_status)
    created = history.revisions(session, "synonym", item.id or 0)[0].id  # 撤销 deletes it again
    flash(request, f"已新增同义词“{item.word}”", undo_changes=[created or 0], next="/synonyms")
    return redirect(request, "/synonyms")


def _editor(
    request: Request, item: dict[str, Any], form: dict[str, Any], error: str | None = None, status=200
):
    return render(request, "synonyms/edit.html", {"item": item, "form": form, "error": error}, status=status)


@router.get("/synonyms/{synonym_id}")
def edit_page(request: Request, session: SessionDep, viewer: ViewerDep, synonym_id: int) -> Response:
    item = synonym_detail(session, synonym_id)
    return _editor(request, item, {**item, "similar": "\n".join(item["similar"])})


@router.post("/synonyms/{synonym_id}")
def save_synonym(
    request: Request, session: SessionDep, viewer: SupervisorDep, synonym_id: int, form: PostedForm
) -> Response:
    values = _posted(form)
    try:
        item = syn.edit_synonym(
            session, synonym_id, expected_version=forms.version(form), user=viewer.name, **values
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        current = syn.get_synonym(session, synonym_id)
        return conflict_page(
            request,
            title=f"同义词“{current.word}”",
            current=current,
            item_type="synonym",
            url=f"/synonyms/{synonym_id}",
            mine=_shown(values),
            theirs=_shown(syn.synonym_public(current)),
            labels=FIELD_LABELS,
            form=form,
        )
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        item_data = synonym_detail(session, synonym_id)
        shown = {**values, "similar": "\n".join(values["similar"]), "version": forms.version(form)}
        return _editor(request, item_data, shown, error=str(exc), status=exc.http_status)
    flash(request, f"已保存同义词“{item.word}”（第 {item.version} 版）")
    return redirect(request, "/synonyms")


@router.post("/synonyms/{synonym_id}/delete")
def delete_synonym(
    request: Request, session: SessionDep, viewer: SupervisorDep, synonym_id: int, form: PostedForm
) -> Response:
    try:
        item = syn.remove_synonym(session, synonym_id, expected_version=forms.version(form), user=viewer.name)
        session.commit()
    except StaleVersionError as exc:
        session.rollback()
        item_data = synonym_detail(session, synonym_id)
        form_data = {**item_data, "similar": "\n".join(item_data["similar"])}
        return _editor(request, item_data, form_data, error=f"没有删除：{exc}", status=409)
    undo = history.revisions(session, "synonym", synonym_id)[0].id
    flash(request, f"已删除同义词“{item.word}”。", undo=undo)
    return redirect(request, "/synonyms")
