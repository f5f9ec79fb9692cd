"""Pages for the bot library: the entry list (filter, search, pagination), the editor with its
stale-save conflict view, enabling, and deleting (which can be undone from history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.coverage import teach
from replybook.library import entries
from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, StaleVersionError
from replybook.store.models import Category, Entry
from replybook.store.timeutil import iso_shop, now

from . import forms
from .auth import SessionDep, SupervisorDep, ViewerDep, flash, redirect
from .conflict import conflict_page
from .render import is_htmx, render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50
STATES = {
    "": "全部",
    "enabled": "已启用",
    "disabled": "已停用",
    "active": "当前生效",
    "inactive": "当前不生效",
}
FIELD_LABELS = (
    ("category", "分类"),
    ("question", "标准问题"),
    ("similar", "相似问法"),
    ("keywords", "关键词"),
    ("answers", "答案"),
    ("enabled", "启用"),
    ("active", "生效时间"),
)


# ---------------------------------------------------------------- data functions (HTML and JSON)


def categories_by_id(session: Session) -> dict[int, Category]:
    return {c.id: c for c in entries.list_categories(session) if c.id is not None}


def entry_public(entry: Entry, cats: dict[int, Category], at: datetime) -> dict[str, Any]:
    """One entry as the pages and the API show it."""
    cat = cats[entry.category_id]
    return {
        "id": entry.id,
        "category": cat.key,
        "category_name": cat.name,
        "question": entry.question,
        "similar": list(entry.similar),
        "keywords": list(entry.keywords),
        "answers": list(entry.answers),
        "enabled": entry.enabled,
        "active_now": entry.is_active(at),
        "active_start": iso_shop(entry.active_start),
        "active_end": iso_shop(entry.active_end),
        "version": entry.version,
        "updated_at": iso_shop(entry.updated_at),
        "updated_by": entry.updated_by,
    }


def list_data(
    session: Session, *, category: str = "", state: str = "", q: str = "", page: int = 1
) -> dict[str, Any]:
    """The entry list: one page of matching entries, the filters, and the categories with counts."""
    at = now()
    found = entries.page_of_entries(
        session,
        category=category or None,
        state=state or None,
        search=q or None,
        at=at,
        page=page,
        per_page=PER_PAGE,
    )
    cats = categories_by_id(session)
    counts = entries.entry_counts(session)
    return {
        "entries": [entry_public(e, cats, at) for e in found.rows],
        **found.fields(),
        "filters": {"category": category, "state": state, "q": q},
        "categories": [{"key": c.key, "name": c.name, "count": counts.get(c.key, 0)} for c in cats.values()],
    }


def entry_detail(session: Session, entry_id: int) -> dict[str, Any]:
    entry = entries.get_entry(session, entry_id)
    return entry_public(entry, categories_by_id(session), now())


def display(data: entries.EntryData, names: dict[str, str]) -> dict[str, list[str]]:
    """An entry's fields as lines of text, for the side-by-side conflict view."""
    window = "始终生效"
    if data.active_start or data.active_end:
        start = (iso_shop(data.active_start) or "")[:16].replace("T", " ") or "不限"
        end = (iso_shop(data.active_end) or "")[:16].replace("T", " ") or "不限"
        window = f"{start} 至 {end}"
    return {
        "category": [names.get(data.category, data.category)],
        "question": [data.question],
        "similar": list(data.similar),
        "keywords": ["、".join(data.keywords)] if data.keywords else [],
        "answers": list(data.answers),
        "enabled": ["是" if data.enabled else "否"],
        "active": [window],
    }


# ---------------------------------------------------------------- pages


@router.get("/entries")
def entry_list(
    request: Request, session: SessionDep, category: str = "", state: str = "", q: str = "", page: int = 1
) -> Response:
    data = list_data(session, category=category, state=state, q=q, page=page)
    data["states"] = STATES
    return render(request, "entries/list.html", data, block="results" if is_htmx(request) else None)


def _editor(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, Any],
    entry: dict[str, Any] | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    cats = entries.list_categories(session)
    data = {"form": form, "entry": entry, "error": error, "categories": cats}
    return render(request, "entries/edit.html", data, status=status)


def _form_from(data: entries.EntryData, version: int | None) -> dict[str, Any]:
    return {
        "category": data.category,
        "question": data.question,
        "similar": data.similar,
        "keywords": data.keywords,
        "answers": data.answers,
        "enabled": data.enabled,
        "active_start": data.active_start,
        "active_end": data.active_end,
        "version": version,
    }


@router.get("/entries/new")
def new_entry_page(
    request: Request,
    session: SessionDep,
    viewer: SupervisorDep,
    category: str = "",
    question: str = "",
    similar: list[str] = Query(default=[]),
) -> Response:
    """A blank editor, or one filled in from a suggestion (an uncovered cluster of a coverage run)."""
    blank = entries.EntryData(category=category or "custom", question=question, answers=[], similar=similar)
    return _editor(request, session, form=_form_from(blank, None), entry=None)


@router.post("/entries/new")
def create_entry(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    try:
        data = forms.entry_data(form)
        entry = entries.create_entry(session, data=data, user=viewer.name)
        # a wording on the ignore list leaves it (often this is the teach loop's 新建问答)
        unignored = teach.leave_ignore_list(session, entries.wordings(entry), user=viewer.name)
        session.commit()
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        values = _raw_form(form)
        return _editor(request, session, form=values, entry=None, error=str(exc), status=exc.http_status)
    # 撤销 deletes it again and puts the questions back on the ignore list.
    revs = [history.revisions(session, "entry", entry.id or 0)[0].id or 0]
    revs += [teach.latest_revision(session, "ignored", i.id or 0) for i in unignored]
    text = f"已新增问答“{entry.question}”" + teach.left_ignore_list_text(unignored)
    _flash_saved(request, text, entry, undo_changes=revs)
    return redirect(request, f"/entries/{entry.id}")


def _flash_saved(request: Request, text: str, entry: Entry, undo_changes: list[int] | None = None) -> None:
    """Say it was saved, and what in it is redundant (saved anyway, as typed)."""
    warning = entries.redundancy_warning(entry)
    back = "/entries" if undo_changes else None
    if warning:
        flash(request, f"{text}。提醒：{warning}", kind="warn", undo_changes=undo_changes, next=back)
    else:
        flash(request, text, undo_changes=undo_changes, next=back)


def _raw_form(form: Any) -> dict[str, Any]:
    """What the user typed, to show again with an error (even when it does not parse)."""
    return {
        "category": forms.text(form, "category"),
        "question": forms.text(form, "question"),
        "similar": forms.lines(form, "similar"),
        "keywords": forms.words(form, "keywords"),
        "answers": [a for a in form.getlist("answers") if isinstance(a, str) and a.strip()],
        "enabled": forms.checked(form, "enabled"),
        "active_start": forms.text(form, "active_start").replace("T", " ") or None,
        "active_end": forms.text(form, "active_end").replace("T", " ") or None,
        "version": forms.version(form),
    }


@router.get("/entries/{entry_id}")
def edit_entry_page(request: Request, session: SessionDep, viewer: ViewerDep, entry_id: int) -> Response:
    entry = entries.get_entry(session, entry_id)
    cats = categories_by_id(session)
    data = entries.entry_data(entry, cats[entry.category_id].key)
    return _editor(
        request, session, form=_form_from(data, entry.version), entry=entry_public(entry, cats, now())
    )


@router.post("/entries/{entry_id}")
def save_entry(
    request: Request, session: SessionDep, viewer: SupervisorDep, entry_id: int, form: PostedForm
) -> Response:
    current = session.get(Entry, entry_id)
    if current is None:
        return _deleted_meanwhile(request, session, entry_id, form)
    try:
        data = forms.entry_data(form)
        saved = entries.update_entry(
            session, entry_id=entry_id, data=data, expected_version=forms.version(form), user=viewer.name
        )
        session.commit()
    except StaleVersionError:
        session.rollback()
        return _conflict(request, session, entry_id, data, form)
    except (InvalidValue, ConflictError) as exc:
        session.rollback()
        cats = categories_by_id(session)
        return _editor(
            request,
            session,
            form=_raw_form(form),
            entry=entry_public(current, cats, now()),
            error=str(exc),
            status=exc.http_status,
        )
    _flash_saved(request, f"已保存“{data.question}”（第 {saved.version} 版）", saved)
    return redirect(request, f"/entries/{entry_id}")


def _deleted_meanwhile(request: Request, session: Session, entry_id: int, form: Any) -> Response:
    """Someone deleted the entry while this user edited it: say so, and where to bring it back."""
    revisions = history.revisions(session, "entry", entry_id)
    if not revisions or revisions[0].action != "delete":
        entries.get_entry(session, entry_id)  # raises the plain "no such entry"
    gone = revisions[0]
    message = (
        f"你编辑时，{gone.user or '别人'} 删除了问答“{gone.data.get('question', '')}”，你的修改没有保存。"
        "可以在历史里撤销删除，再重新修改。"
    )
    data = {
        "status": 409,
        "title": "这条问答已被删除",
        "message": message,
        "link": f"/history/entry/{entry_id}",
        "link_text": "查看历史并恢复",
    }
    return render(request, "error.html", data, status=409)


def _conflict(
    request: Request, session: Session, entry_id: int, mine: entries.EntryData, form: Any
) -> Response:
    """Someone saved first: show both versions side by side and let the user choose."""
    entry = entries.get_entry(session, entry_id)
    cats = categories_by_id(session)
    names = {c.key: c.name for c in cats.values()}
    theirs = entries.entry_data(entry, cats[entry.category_id].key)
    return conflict_page(
        request,
        title=f"问答“{entry.question}”",
        current=entry,
        item_type="entry",
        url=f"/entries/{entry_id}",
        mine=display(mine.cleaned(), names),
        theirs=display(theirs, names),
        labels=FIELD_LABELS,
        form=form,
    )


@router.post("/entries/{entry_id}/enabled")
def toggle_entry(
    request: Request, session: SessionDep, viewer: SupervisorDep, entry_id: int, form: PostedForm
) -> Response:
    entry = entries.set_enabled(
        session, entry_id=entry_id, enabled=forms.checked(form, "enabled"), user=viewer.name
    )
    session.commit()
    if is_htmx(request):
        data = {"e": entry_public(entry, categories_by_id(session), now())}
        return render(request, "entries/_row.html", data)
    flash(request, ("已启用" if entry.enabled else "已停用") + f"“{entry.question}”")
    return redirect(request, "/entries")


@router.get("/entries/{entry_id}/delete")
def confirm_delete_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, entry_id: int
) -> Response:
    entry = entries.get_entry(session, entry_id)
    return render(
        request, "entries/delete.html", {"entry": entry_public(entry, categories_by_id(session), now())}
    )


@router.post("/entries/{entry_id}/delete")
def delete_entry(
    request: Request, session: SessionDep, viewer: SupervisorDep, entry_id: int, form: PostedForm
) -> Response:
    entry = entries.get_entry(session, entry_id)
    question = entry.question
    entries.delete_entry(session, entry_id=entry_id, expected_version=forms.version(form), user=viewer.name)
    session.commit()
    undo = history.revisions(session, "entry", entry_id)[0].id
    flash(request, f"已删除问答“{question}”。", undo=undo)
    return redirect(request, "/entries")
