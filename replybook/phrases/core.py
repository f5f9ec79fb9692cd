"""Phrases one at a time: validation, code folding, uniqueness within a library, who may edit what,
the shadowing warning, and add / edit / move / remove with history and versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from replybook.phrases.qianniu_csv import MAX_CODE_LENGTH, MAX_GROUP_LENGTH
from replybook.store import history, paging
from replybook.store.controls import control_problem
from replybook.store.db import take_write_lock
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError, PermissionDenied
from replybook.store.models import Phrase, PhraseScope, Revision, Role, User
from replybook.store.normalize import contains_text, fold_code

SCOPE_NAMES = {PhraseScope.TEAM: "团队", PhraseScope.PERSONAL: "个人"}


@dataclass
class PhraseData:
    """What a user edits in a phrase; ``owner`` is '' for team phrases, ``group`` '' for ungrouped."""

    scope: str
    owner: str
    group: str
    code: str
    text: str
    image_url: str | None = None

    def cleaned(self) -> PhraseData:
        """Code folded to half-width lower case, blanks trimmed, every line break a ``\\n``."""
        scope = self.scope.strip().lower()
        return PhraseData(
            scope=scope,
            owner="" if scope == PhraseScope.TEAM else self.owner.strip(),
            group=self.group.strip(),
            code=fold_code(self.code),
            text=self.text.replace("\r\n", "\n").replace("\r", "\n").strip(),
            image_url=(self.image_url or "").strip() or None,
        )


def library_name(scope: str, owner: str) -> str:
    """How a library is named to people: 团队, or 小美 的个人短语."""
    return "团队短语" if scope == PhraseScope.TEAM else f"{owner} 的个人短语"


def check_scope(scope: str) -> str:
    scope = scope.strip().lower()
    if scope not in {s.value for s in PhraseScope}:
        raise InvalidValue(f"未知范围 {scope!r}，可用：team（团队）、personal（个人）")
    return scope


def check_library(scope: str, owner: str) -> tuple[str, str]:
    """A valid (scope, owner) pair: team has no owner, personal must have one."""
    scope = check_scope(scope)
    owner = "" if scope == PhraseScope.TEAM else (owner or "").strip()
    if scope == PhraseScope.PERSONAL and not owner:
        raise InvalidValue("个人短语需要指定所属客服（--owner 客服名）")
    return scope, owner


def check_owner(session: Session, *, scope: str, owner: str) -> None:
    """A personal library belongs to an existing user (issue 10 item 9): an unknown owner, most
    often a typo, would make a library nobody can log in to edit. Refused with the list of users."""
    if scope != PhraseScope.PERSONAL:
        return
    names = list(session.exec(select(User.name).order_by(col(User.id))))
    if owner in names:
        return
    if not names:
        raise InvalidValue(
            f"没有用户“{owner}”：还没有任何用户，个人短语只能属于已有用户，请先添加这位客服（replybook user add）"
        )
    raise InvalidValue(
        f"没有用户“{owner}”：个人短语只能属于已有用户（现有用户：{'、'.join(names)}），新客服请先添加为用户"
    )


def problems_in(data: PhraseData) -> list[tuple[str, str]]:
    """Every problem with one (cleaned) phrase, as (field, message); empty when it is valid."""
    found: list[tuple[str, str]] = []
    try:
        check_library(data.scope, data.owner)
    except InvalidValue as exc:
        found.append(("scope", str(exc)))
    if not data.code:
        found.append(("code", "编码不能为空"))
    elif "\n" in data.code or len(data.code) > MAX_CODE_LENGTH:
        found.append(("code", f"编码不能有换行，最长 {MAX_CODE_LENGTH} 个字符"))
    if not data.text:
        found.append(("text", "短语内容不能为空"))
    if "\n" in data.group or len(data.group) > MAX_GROUP_LENGTH:
        found.append(("group", f"分组名不能有换行，最长 {MAX_GROUP_LENGTH} 个字符"))
    for name, value in (("code", data.code), ("text", data.text), ("group", data.group)):
        bad = control_problem(value)
        if bad:
            found.append((name, bad))
    if data.image_url and not data.image_url.startswith(("http://", "https://")):
        found.append(("image_url", "图片地址应以 http:// 或 https:// 开头"))
    return found


def check_can_edit(session: Session, *, user: str | None, scope: str, owner: str) -> None:
    """SPEC §10: agents edit only their own personal phrases; supervisors edit everything.

    ``user`` is a login name; a name with no account (the CLI, the sample loader) is the shop's own
    administrator working on the database directly.
    """
    if user is None:
        return
    account = session.exec(select(User).where(User.name == user)).first()
    if account is None or account.role == Role.SUPERVISOR:
        return
    if scope == PhraseScope.PERSONAL and owner == account.name:
        return
    raise PermissionDenied(f"{user} 是客服，只能修改自己的个人短语，不能修改{library_name(scope, owner)}")


def shadow_warning(session: Session, *, scope: str, owner: str, code: str) -> str | None:
    """A personal code equal to a team code hides the team phrase from that agent: worth a warning."""
    if scope == PhraseScope.PERSONAL:
        team = session.exec(
            select(Phrase).where(Phrase.scope == PhraseScope.TEAM, Phrase.owner == "", Phrase.code == code)
        ).first()
        if team is not None:
            return f"个人编码 {code} 与团队短语同名，{owner} 输入它时会遮住团队短语"
        return None
    owners = session.exec(
        select(Phrase.owner).where(Phrase.scope == PhraseScope.PERSONAL, Phrase.code == code)
    ).all()
    if owners:
        return f"团队编码 {code} 被 {'、'.join(sorted(owners))} 的个人短语遮住"
    return None


# ---------------------------------------------------------------- read


def get_phrase(session: Session, phrase_id: int) -> Phrase:
    phrase = session.get(Phrase, phrase_id)
    if phrase is None:
        raise NotFoundError(f"没有编号为 {phrase_id} 的快捷短语")
    return phrase


def find_phrase(session: Session, *, scope: str, owner: str = "", code: str) -> Phrase:
    """The phrase with ``code`` (folded) in one library."""
    scope, owner = check_library(scope, owner)
    folded = fold_code(code)
    phrase = session.exec(
        select(Phrase).where(Phrase.scope == scope, Phrase.owner == owner, Phrase.code == folded)
    ).first()
    if phrase is None:
        raise NotFoundError(f"{library_name(scope, owner)}里没有编码 {folded}")
    return phrase


def sort_key(phrase: Phrase) -> tuple[int, str, str, str]:
    """Team first, then each agent; inside a library by group then code (code-point order)."""
    return (0 if phrase.scope == PhraseScope.TEAM else 1, phrase.owner, phrase.group_name, phrase.code)


def _filtered(stmt: Any, *, scope: str | None, owner: str | None, group: str | None, text: str | None) -> Any:
    if scope:
        stmt = stmt.where(Phrase.scope == check_scope(scope))
    if owner is not None and owner.strip():
        stmt = stmt.where(Phrase.owner == owner.strip())
    if group is not None:
        stmt = stmt.where(Phrase.group_name == group.strip())
    if text:
        stmt = stmt.where(contains_text(col(Phrase.text), text) | contains_text(col(Phrase.code), text))
    return stmt


def list_phrases(
    session: Session,
    *,
    scope: str | None = None,
    owner: str | None = None,
    group: str | None = None,
    text: str | None = None,
) -> list[Phrase]:
    """Phrases filtered by scope, owner, group ('' = ungrouped) and a text that the code or the
    phrase contains (case-insensitive)."""
    stmt = _filtered(select(Phrase), scope=scope, owner=owner, group=group, text=text)
    return sorted(session.exec(stmt), key=sort_key)


def _code_point(session: Session, column: Any) -> Any:
    """``column`` ordered by code point, as sort_key orders: SQLite's default; PostgreSQL's "C"."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


@dataclass
class PhrasePage:
    page: paging.Page[Phrase]  # this page's phrases, in sort_key order, with the total and page
    groups: dict[str, int]  # group → how many phrases match in it (all pages)


def page_of_phrases(
    session: Session, *, scope: str, owner: str, text: str | None = None, page: int, per_page: int
) -> PhrasePage:
    """One page of one library (a scope and an owner), filtered like list_phrases and in its order,
    plus the count per group (a page past the end: the last). The counts tell in which group the
    page starts and how far into it: the page is read from that group on (ORDER BY group, code on the
    (scope, owner, group) index, OFFSET within the group only), so the last page of a big library
    costs about what the first does."""
    counted = _filtered(
        select(Phrase.group_name, func.count(col(Phrase.id))), scope=scope, owner=None, group=None, text=text
    ).where(Phrase.owner == owner)
    groups = dict(session.exec(counted.group_by(col(Phrase.group_name))).all())
    total = sum(groups.values())
    shown = paging.clamp(page, total, per_page)
    where = _filtered(select(Phrase), scope=scope, owner=None, group=None, text=text).where(
        Phrase.owner == owner
    )
    group = _code_point(session, col(Phrase.group_name))
    skip = (shown - 1) * per_page
    for name in sorted(groups):  # code point order, as _code_point sorts
        if skip < groups[name]:
            where = where.where(group >= name)
            break
        skip -= groups[name]
    order = (group, _code_point(session, col(Phrase.code)))
    rows = list(session.exec(where.order_by(*order).limit(per_page).offset(skip)))
    return PhrasePage(paging.Page(rows, total, shown, per_page), groups)


def phrase_data(phrase: Phrase) -> PhraseData:
    return PhraseData(
        scope=phrase.scope,
        owner=phrase.owner,
        group=phrase.group_name,
        code=phrase.code,
        text=phrase.text,
        image_url=phrase.image_url,
    )


# ---------------------------------------------------------------- write


def _check(session: Session, data: PhraseData, *, exclude_id: int | None = None) -> None:
    found = problems_in(data)
    if found:
        raise InvalidValue("；".join(message for _field, message in found))
    clash = session.exec(
        select(Phrase).where(Phrase.scope == data.scope, Phrase.owner == data.owner, Phrase.code == data.code)
    ).first()
    if clash is not None and clash.id != exclude_id:
        raise ConflictError(f"{library_name(data.scope, data.owner)}里已有编码 {data.code}（#{clash.id}）")


def _fill(phrase: Phrase, data: PhraseData) -> None:
    phrase.scope = data.scope
    phrase.owner = data.owner
    phrase.group_name = data.group
    phrase.code = data.code
    phrase.text = data.text
    phrase.image_url = data.image_url


def next_phrase_id(session: Session) -> int:
    """An id no phrase has had. SQLite would reuse the highest id once that phrase is deleted, and a
    new phrase would then inherit the deleted one's history (and a restore would overwrite it).
    The write lock is taken first, so no one else can pick the same id before this one is written."""
    take_write_lock(session)
    ever = select(func.max(Revision.item_id)).where(Revision.item_type == "phrase")
    return max(session.exec(select(func.max(Phrase.id))).one() or 0, session.exec(ever).one() or 0) + 1


def create_phrase(session: Session, *, data: PhraseData, user: str | None = None) -> Phrase:
    """Add a phrase to its library; the code must be new there."""
    data = data.cleaned()
    take_write_lock(session)  # the checks below and the id hold until the phrase is written
    _check(session, data)
    check_owner(session, scope=data.scope, owner=data.owner)
    check_can_edit(session, user=user, scope=data.scope, owner=data.owner)
    phrase = Phrase(scope=data.scope, owner=data.owner, code=data.code, text=data.text)
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL's sequence never goes back
        phrase.id = next_phrase_id(session)
    _fill(phrase, data)
    return history.create(session, phrase, user=user, summary=f"新增快捷短语 {data.code}")


def update_phrase(
    session: Session,
    *,
    phrase_id: int,
    data: PhraseData,
    expected_version: int | None,
    user: str | None = None,
) -> Phrase:
    """Save an edit (text, code, group, image, or a move to another library).

    ``expected_version`` is the version the edit started from; if someone saved since, it raises.
    """
    phrase = get_phrase(session, phrase_id)
    data = data.cleaned()
    check_can_edit(session, user=user, scope=phrase.scope, owner=phrase.owner)
    check_can_edit(session, user=user, scope=data.scope, owner=data.owner)

    def check_and_fill(phrase: Phrase) -> None:
        _check(session, data, exclude_id=phrase_id)
        if (data.scope, data.owner) != (phrase.scope, phrase.owner):  # a kept orphan may still be edited
            check_owner(session, scope=data.scope, owner=data.owner)
        _fill(phrase, data)

    return history.update(
        session,
        phrase,
        check_and_fill,
        expected_version=expected_version,
        user=user,
        summary=f"修改快捷短语 {data.code}",
    )


def move_phrase(
    session: Session,
    *,
    phrase_id: int,
    group: str,
    expected_version: int | None = None,
    user: str | None = None,
) -> Phrase:
    """Put a phrase in another group of its library ('' = ungrouped)."""
    data = phrase_data(get_phrase(session, phrase_id))
    data.group = group
    return update_phrase(
        session, phrase_id=phrase_id, data=data, expected_version=expected_version, user=user
    )


def delete_phrase(
    session: Session, *, phrase_id: int, expected_version: int | None = None, user: str | None = None
) -> None:
    """Remove a phrase; its last state stays in the history and can be restored."""
    phrase = get_phrase(session, phrase_id)
    check_can_edit(session, user=user, scope=phrase.scope, owner=phrase.owner)
    history.delete(
        session, phrase, expected_version=expected_version, user=user, summary=f"删除快捷短语 {phrase.code}"
    )


def group_counts(session: Session, *, scope: str, owner: str = "") -> list[tuple[str, int]]:
    """The groups of one library with their phrase counts, ungrouped ('') first."""
    scope, owner = check_library(scope, owner)
    counts: dict[str, int] = {}
    for name in session.exec(select(Phrase.group_name).where(Phrase.scope == scope, Phrase.owner == owner)):
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items())
