"""Teaching the bot in one click (issue 13 item 5): the form posts behind the buttons on the try box,
the coverage report and the campaign check (加为相似问法 / 新建问答 / 忽略), their undo, and the page of
ignored questions. Each post calls one service of ``coverage/teach.py`` or ``coverage/ignored.py``
and comes back to the page it came from, saying what changed, with 撤销."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook.coverage import ignored, teach
from replybook.store.errors import ReplybookError
from replybook.store.timeutil import iso_shop, now

from . import forms
from .auth import SessionDep, SupervisorDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)
PER_PAGE = 50  # ignored questions a page


def ignored_data(session: Session, *, page: int = 1) -> dict[str, Any]:
    """One page of the shop's ignored questions (PER_PAGE a page, oldest first; the page and
    GET /api/ignored)."""
    found = ignored.page_of_ignored(session, page=page, per_page=PER_PAGE)
    return {
        "ignored": [{**ignored.ignored_public(i), "updated_at": iso_shop(i.updated_at)} for i in found.rows],
        **found.fields(),
    }


def back_to(form: Any, default: str = "/try") -> str:
    """The page the action came from (only a path of this site)."""
    target = forms.text(form, "next").strip()
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else default


def _questions(form: Any) -> list[str]:
    return [q for q in form.getlist("question") if isinstance(q, str) and q.strip()]


def _done(request: Request, form: Any, result: teach.TeachResult) -> Response:
    target = back_to(form)
    flash(request, result.text, undo_changes=result.revisions, next=target)
    return redirect(request, target)


def _refused(request: Request, session: Session, form: Any, exc: ReplybookError) -> Response:
    session.rollback()
    flash(request, str(exc), kind="error")
    return redirect(request, back_to(form))


@router.post("/teach/wording")
def wording_page(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    try:
        result = teach.teach_wording(
            session, questions=_questions(form), entry=forms.text(form, "entry"), user=viewer.name
        )
        session.commit()
    except ReplybookError as exc:
        return _refused(request, session, form, exc)
    return _done(request, form, result)


@router.post("/teach/ignore")
def ignore_page(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    try:
        result = teach.teach_ignore(session, questions=_questions(form), user=viewer.name)
        session.commit()
    except ReplybookError as exc:
        return _refused(request, session, form, exc)
    return _done(request, form, result)


@router.get("/teach/entry")
def entry_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, question: list[str] = Query(default=[])
) -> Response:
    """新建问答 from a question or a cluster: the entry editor, prefilled (filler stripped, the
    category the nearest entries vote for); saving it is the editor's own POST /entries/new."""
    draft = teach.entry_draft(
        session, questions=question, at=now(), matcher=request.app.state.matchers.get(session, now())
    )
    query = urlencode(
        [("category", draft.category), ("question", draft.question), *(("similar", w) for w in draft.similar)]
    )
    return redirect(request, f"/entries/new?{query}")


@router.post("/teach/undo")
def undo_page(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    revisions = [int(r) for r in form.getlist("revision") if isinstance(r, str) and r.isdigit()]
    try:
        text = teach.undo_changes(session, revisions=revisions, user=viewer.name)
        session.commit()
    except ReplybookError as exc:
        return _refused(request, session, form, exc)
    flash(request, text)
    return redirect(request, back_to(form))


@router.get("/ignored")
def ignored_page(request: Request, session: SessionDep, page: int = 1) -> Response:
    return render(request, "ignored/list.html", ignored_data(session, page=page))


@router.post("/ignored")
def add_ignored_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm
) -> Response:
    try:
        item = ignored.add_ignored(
            session, question=forms.text(form, "question"), note=forms.text(form, "note"), user=viewer.name
        )
        session.commit()
    except ReplybookError as exc:
        session.rollback()
        flash(request, str(exc), kind="error")
        return redirect(request, "/ignored")
    rev = teach.latest_revision(session, "ignored", item.id or 0)
    flash(request, f"已忽略“{item.question}”", undo_changes=[rev], next="/ignored")
    return redirect(request, "/ignored")


@router.post("/ignored/{ignored_id}/remove")
def remove_ignored_page(
    request: Request, session: SessionDep, viewer: SupervisorDep, ignored_id: int, form: PostedForm
) -> Response:
    item = ignored.remove_ignored(session, ignored_id=ignored_id, user=viewer.name)
    session.commit()
    rev = teach.latest_revision(session, "ignored", ignored_id)
    flash(
        request,
        f"已取消忽略“{item.question}”：之后的覆盖测试又会把它算作未覆盖",
        undo_changes=[rev],
        next=back_to(form, "/ignored"),
    )
    return redirect(request, back_to(form, "/ignored"))
