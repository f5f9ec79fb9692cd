"""Quick-phrase pages: the team library and each agent's own, grouped; agents edit only their own
(the rule lives in replybook.phrases.check_can_edit); stale save → conflict view; delete with undo."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from replybook import phrases
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, PermissionDenied, StaleVersionError
from replybook.store.models import Phrase, PhraseScope, User
from replybook.store.permissions import can_edit
from replybook.store.timeutil import iso_shop

from . import forms
from .auth import SessionDep, Viewer, ViewerDep, flash, redirect
from .conflict import conflict_page
from .render import is_htmx, render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 100  # phrases a page: the page renders in the same time whatever the library's size
MENU = 20  # agents named in the "whose library" menu; the others are found by name
FIELD_LABELS = (
    ("library", "所属"),
    ("group", "分组"),
    ("code", "编码"),
    ("text", "内容"),
    ("image_url", "图片"),
)


def phrase_public(p: Phrase) -> dict[str, Any]:
    return {
        "id": p.id,
        "scope": p.scope,
        "owner": p.owner,
        "library": phrases.library_name(p.scope, p.owner),
        "group": p.group_name,
        "code": p.code,
        "text": p.text,
        "image_url": p.image_url,
        "version": p.version,
        "updated_at": iso_shop(p.updated_at),
        "updated_by": p.updated_by,
    }


def _library(viewer: Viewer, key: str) -> tuple[str, str]:
    """'team', 'mine' or an agent's name → (scope, owner)."""
    if key == "team":
        return PhraseScope.TEAM.value, ""
    if key in ("", "mine"):
        return PhraseScope.PERSONAL.value, viewer.name
    return PhraseScope.PERSONAL.value, key


def agent_menu(session: Session, viewer: Viewer, *, who: str = "", current: str = "") -> dict[str, Any]:
    """The "whose library" menu of a supervisor: the first MENU names (users, and owners of personal
    phrases who are no longer users) in name order, those containing ``who`` when given; ``more``
    says there are others to find by name. Bounded whatever the number of agents (one query with a
    LIMIT); the library being looked at is always in it. An agent sees no menu (only their own)."""
    if not viewer.is_supervisor:
        return {"agents": [], "agents_more": False, "agents_limit": MENU, "who": ""}
    names = (
        select(col(User.name).label("name"))
        .union(select(Phrase.owner).where(Phrase.scope == PhraseScope.PERSONAL))
        .subquery()
    )
    query = select(names.c.name).where(names.c.name != "", names.c.name != viewer.name)
    if who.strip():
        query = query.where(names.c.name.contains(who.strip(), autoescape=True))
    found = list(session.exec(query.order_by(names.c.name).limit(MENU + 1)))
    agents = found[:MENU]
    if current and current not in agents and current != viewer.name:
        agents.append(current)
    return {"agents": agents, "agents_more": len(found) > MENU, "agents_limit": MENU, "who": who.strip()}


def phrases_data(
    session: Session,
    viewer: Viewer,
    *,
    library: str = "team",
    q: str = "",
    page: int = 1,
    who: str = "",
) -> dict[str, Any]:
    """One page of one library's phrases by group (PER_PAGE a page, in group and code order), the
    libraries one can look at (``agent_menu``: bounded, ``who`` finds an agent by name), and whether
    this user may edit it."""
    scope, owner = _library(viewer, library)
    found = phrases.page_of_phrases(
        session,
        scope=scope,
        owner=owner,
        text=q or None,
        page=page,
        per_page=PER_PAGE,
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in found.page.rows:
        groups.setdefault(p.group_name, []).append(phrase_public(p))
    return {
        "library": "team" if scope == PhraseScope.TEAM else ("mine" if owner == viewer.name else owner),
        "library_name": phrases.library_name(scope, owner),
        "scope": scope,
        "owner": owner,
        "can_edit": can_edit(viewer.role, viewer.name, "phrase", {"scope": scope, "owner": owner}),
        "groups": [
            {"name": name, "phrases": items, "total": found.groups.get(name, len(items))}
            for name, items in groups.items()
        ],
        **found.page.fields(),
        "q": q,
        **agent_menu(session, viewer, who=who, current=owner if scope == PhraseScope.PERSONAL else ""),
    }


@router.get("/phrases")
def phrases_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    library: str = "team",
    q: str = "",
    page: int = 1,
    who: str = "",
) -> Response:
    data = phrases_data(session, viewer, library=library, q=q, page=page, who=who)
    return render(request, "phrases/list.html", data, block="results" if is_htmx(request) else None)


def _editor(request: Request, *, form: dict[str, Any], phrase: dict[str, Any] | None, error=None, status=200):
    return render(
        request, "phrases/edit.html", {"form": form, "phrase": phrase, "error": error}, status=status
    )


def _form_data(form: Any, viewer: Viewer) -> phrases.PhraseData:
    scope, owner = _library(viewer, forms.text(form, "library"))
    return phrases.PhraseData(
        scope=scope,
        owner=owner,
        group=forms.text(form, "group"),
        code=forms.text(form, "code"),
        text=forms.text(form, "text"),
        image_url=forms.text(form, "image_url").strip() or None,
    )


def _raw(form: Any) -> dict[str, Any]:
    return {k: forms.text(form, k) for k in ("library", "group", "code", "text", "image_url")} | {
        "version": forms.version(form)
    }


def _require(viewer: Viewer, scope: str, owner: str) -> None:
    if not can_edit(viewer.role, viewer.name, "phrase", {"scope": scope, "owner": owner}):
        raise PermissionDenied(
            f"你是客服，只能修改自己的个人短语，不能修改{phrases.library_name(scope, owner)}。"
        )


@router.get("/phrases/new")
def new_phrase_page(request: Request, viewer: ViewerDep, library: str = "mine", group: str = "") -> Response:
    _require(viewer, *_library(viewer, library))
    form = {"library": library, "group": group, "code": "", "text": "", "image_url": "", "version": None}
    return _editor(request, form=form, phrase=None)


@router.post("/phrases/new")
def create_phrase(request: Request, session: SessionDep, viewer: ViewerDep, form: PostedForm) -> Response:
    data = _form_data(form, viewer)
    _require(viewer, data.scope, data.owner)
    try:
        phrase = phrases.create_phrase(session, data=data, user=viewer.name)
        warning = phrases.shadow_warning(session, scope=phrase.scope, owner=phrase.owner, code=phrase.code)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(request, form=_raw(form), phrase=None, error=str(exc), status=exc.http_status)
    flash(request, f"已新增快捷短语 {phrase.code}" + (f"。注意：{warning}" if warning else ""))
    return redirect(request, f"/phrases?library={'team' if phrase.scope == 'team' else 'mine'}")


def _library_key(p: Phrase, viewer: Viewer) -> str:
    return "team" if p.scope == PhraseScope.TEAM else ("mine" if p.owner == viewer.name else p.owner)


@router.get("/phrases/{phrase_id}")
def edit_phrase_page(request: Request, session: SessionDep, viewer: ViewerDep, phrase_id: int) -> Response:
    p = phrases.get_phrase(session, phrase_id)
    form = {
        "library": _library_key(p, viewer),
        "group": p.group_name,
        "code": p.code,
        "text": p.text,
        "image_url": p.image_url or "",
        "version": p.version,
    }
    public = phrase_public(p) | {
        "can_edit": can_edit(viewer.role, viewer.name, "phrase", {"scope": p.scope, "owner": p.owner})
    }
    return _editor(request, form=form, phrase=public)


def _display(d: phrases.PhraseData) -> dict[str, list[str]]:
    return {
        "library": [phrases.library_name(d.scope, d.owner)],
        "group": [d.group or "未分组"],
        "code": [d.code],
        "text": [d.text],
        "image_url": [d.image_url] if d.image_url else [],
    }


@router.post("/phrases/{phrase_id}")
def save_phrase(
    request: Request, session: SessionDep, viewer: ViewerDep, phrase_id: int, form: PostedForm
) -> Response:
    current = phrases.get_phrase(session, phrase_id)
    _require(viewer, current.scope, current.owner)
    data = _form_data(form, viewer)
    _require(viewer, data.scope, data.owner)
    try:
        phrases.update_phrase(
            session, phrase_id=phrase_id, data=data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        now_saved = phrases.get_phrase(session, phrase_id)
        return conflict_page(
            request,
            title=f"快捷短语 {now_saved.code}",
            current=now_saved,
            item_type="phrase",
            url=f"/phrases/{phrase_id}",
            mine=_display(data.cleaned()),
            theirs=_display(phrases.phrase_data(now_saved)),
            labels=FIELD_LABELS,
            form=form,
        )
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _editor(
            request,
            form=_raw(form),
            phrase=phrase_public(current) | {"can_edit": True},
            error=str(exc),
            status=exc.http_status,
        )
    flash(request, f"已保存快捷短语 {data.cleaned().code}")
    return redirect(request, f"/phrases?library={forms.text(form, 'library') or 'mine'}")


def _row(request: Request, viewer: Viewer, p: Phrase, **state: Any) -> Response:
    """One row of the list, to view or (``editing``) to change its text in place."""
    allowed = can_edit(viewer.role, viewer.name, "phrase", {"scope": p.scope, "owner": p.owner})
    data = {
        "p": phrase_public(p),
        "can_edit": allowed,
        "editing": False,
        "version": p.version,
        "text": p.text,
    }
    return render(request, "phrases/_row.html", {**data, **state})


@router.get("/phrases/{phrase_id}/row")
def phrase_row(
    request: Request, session: SessionDep, viewer: ViewerDep, phrase_id: int, edit: bool = False
) -> Response:
    p = phrases.get_phrase(session, phrase_id)
    if edit:
        _require(viewer, p.scope, p.owner)
    return _row(request, viewer, p, editing=edit)


@router.post("/phrases/{phrase_id}/inline")
def save_phrase_inline(
    request: Request, session: SessionDep, viewer: ViewerDep, phrase_id: int, form: PostedForm
) -> Response:
    """Change a phrase's text from the list (htmx). A stale save keeps the row open with both texts."""
    p = phrases.get_phrase(session, phrase_id)
    _require(viewer, p.scope, p.owner)
    data = phrases.phrase_data(p)
    data.text = forms.text(form, "text")
    try:
        phrases.update_phrase(
            session, phrase_id=phrase_id, data=data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        saved = phrases.get_phrase(session, phrase_id)
        theirs = {"text": saved.text, "by": saved.updated_by, "version": saved.version}
        return _row(request, viewer, saved, editing=True, text=data.text, theirs=theirs)
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        return _row(
            request, viewer, p, editing=True, text=data.text, version=forms.version(form), error=str(exc)
        )
    return _row(request, viewer, phrases.get_phrase(session, phrase_id), saved=True)


@router.post("/phrases/{phrase_id}/delete")
def delete_phrase(
    request: Request, session: SessionDep, viewer: ViewerDep, phrase_id: int, form: PostedForm
) -> Response:
    p = phrases.get_phrase(session, phrase_id)
    _require(viewer, p.scope, p.owner)
    code, key = p.code, _library_key(p, viewer)
    phrases.delete_phrase(
        session, phrase_id=phrase_id, expected_version=forms.version(form), user=viewer.name
    )
    session.commit()
    undo = history.revisions(session, "phrase", phrase_id)[0].id
    flash(request, f"已删除快捷短语 {code}。", undo=undo)
    return redirect(request, f"/phrases?library={key}")
