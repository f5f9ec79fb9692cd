"""Categories and bot reply entries (SPEC §3, §4): validation, create, update, delete, search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from replybook.library.owners import find_owner
from replybook.store import history, paging
from replybook.store.controls import control_problem
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.labels import field_name
from replybook.store.models import Category, Entry
from replybook.store.models_library import library_version, lock_library
from replybook.store.normalize import contains_text, normalise
from replybook.store.timeutil import as_aware

# The six built-in intent categories, in Qianniu's order (SPEC §3).
BUILTIN_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("greeting", "问候语"),
    ("shopping_guide", "导购"),
    ("promotions", "活动优惠"),
    ("shipping", "发货查件"),
    ("after_sales", "售后"),
    ("custom", "自定义问题"),
)


# ---------------------------------------------------------------- categories


def ensure_builtin_categories(session: Session) -> None:
    existing = {c.key for c in session.exec(select(Category))}
    for position, (key, name) in enumerate(BUILTIN_CATEGORIES):
        if key not in existing:
            session.add(Category(key=key, name=name, builtin=True, position=position))
    session.flush()


def list_categories(session: Session) -> list[Category]:
    return list(session.exec(select(Category).order_by(col(Category.position), col(Category.id))))


def get_category(session: Session, key: str) -> Category:
    cat = session.exec(select(Category).where(Category.key == key)).first()
    if cat is None:
        known = "、".join(c.key for c in list_categories(session))
        raise NotFoundError(f"没有分类 {key!r}（已有：{known}）")
    return cat


def category_problems(key: str, name: str) -> list[str]:
    """What is wrong with a new category's key and name (empty when nothing)."""
    problems = []
    if not key or not key.replace("_", "").isalnum() or not key.isascii():
        problems.append("分类标识只能用英文字母、数字和下划线，例如 shop_figures")
    if not name.strip():
        problems.append("分类名称不能为空")
    elif control_problem(name):
        problems.append(f"分类名称{control_problem(name)}")
    return problems


def add_category(session: Session, *, key: str, name: str, user: str | None = None) -> Category:
    key = key.strip()
    for problem in category_problems(key, name):
        raise InvalidValue(problem)
    if session.exec(select(Category).where(Category.key == key)).first():
        raise ConflictError(f"分类 {key} 已存在")
    position = (session.exec(select(func.max(Category.position))).one() or 0) + 1
    cat = Category(key=key, name=name.strip(), builtin=False, position=position)
    return history.create(session, cat, user=user, summary=f"新增分类 {name}")


def entry_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Category.key, func.count(col(Entry.id))).join(Entry, isouter=True).group_by(Category.key)
    )
    return dict(rows.all())


# ---------------------------------------------------------------- entries


@dataclass
class EntryData:
    """What a user edits in an entry; the same shape the library file and the API use."""

    category: str
    question: str
    answers: list[str]
    similar: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    enabled: bool = True
    active_start: datetime | None = None
    active_end: datetime | None = None

    def cleaned(self) -> EntryData:
        """Blanks trimmed, empty items dropped, repeated keywords (after normalisation) removed.

        Similar wordings are kept as typed: one that only repeats another wording of the entry is
        redundancy (see ``redundancy_warning``), not something to drop silently; only an exact repeat
        goes."""
        return EntryData(
            category=self.category.strip(),
            question=self.question.strip(),
            answers=_clean_list(self.answers, fold=False),
            similar=_clean_list(self.similar, fold=False),
            keywords=_clean_list(self.keywords),
            enabled=self.enabled,
            active_start=as_aware(self.active_start) if self.active_start else None,
            active_end=as_aware(self.active_end) if self.active_end else None,
        )


def _clean_list(values: Iterable[str], *, fold: bool = True) -> list[str]:
    """Trimmed, non-empty values without repeats: compared normalised when ``fold``, else exactly."""
    out: list[str] = []
    seen: set[str] = set()
    for v in values:
        v = str(v).strip()
        if not v:
            continue
        key = normalise(v) if fold else v
        if key in seen:
            continue
        seen.add(key)
        out.append(v)
    return out


def problems_in(data: EntryData, known_categories: set[str]) -> list[tuple[str | None, str]]:
    """Every problem with one entry, as (field, message); empty when it is valid."""
    found: list[tuple[str | None, str]] = []
    if data.category not in known_categories:
        found.append(("category", f"未知分类 {data.category!r}，可用：{'、'.join(sorted(known_categories))}"))
    if not data.question:
        found.append(("question", "标准问题不能为空"))
    elif not normalise(data.question):
        found.append(("question", "标准问题只有标点或表情，没有文字"))
    if not data.answers:
        found.append(("answers", "至少需要一个答案"))
    if data.active_start and data.active_end and data.active_end <= data.active_start:
        found.append(("active", "生效时间的结束必须晚于开始"))
    for name, values in (
        ("question", [data.question]),
        ("similar", data.similar),
        ("keywords", data.keywords),
        ("answers", data.answers),
    ):
        bad = next((p for p in map(control_problem, values) if p), None)
        if bad:
            found.append((name, bad))
    return found


def wordings(entry: Entry | EntryData) -> list[str]:
    """The standard question followed by its similar wordings."""
    return [entry.question, *entry.similar]


def redundant_wordings(entry: Entry | EntryData) -> list[tuple[str, str]]:
    """Similar wordings that, once normalised, equal the standard question or an earlier similar
    wording of the same entry: ``(wording, the wording it repeats)``, in the entry's order."""
    first: dict[str, str] = {}
    found: list[tuple[str, str]] = []
    for w in wordings(entry):
        key = normalise(w)
        if not key:
            continue
        if key in first:
            found.append((w, first[key]))
        else:
            first[key] = w
    return found


def redundancy_warning(entry: Entry | EntryData) -> str | None:
    """One line saying which similar wordings add nothing to the entry, or None.

    A wording that repeats the entry's own question (有人在吗呀 next to 有人在吗, once filler and
    punctuation are dropped) matches nothing more; it is stored as typed and the user is told, while
    a wording shared with another entry stays a conflict."""
    pairs = redundant_wordings(entry)
    if not pairs:
        return None
    listed = "、".join(f"“{w}”（同“{other}”）" for w, other in pairs)
    return f"相似问法{listed}去掉语气词和标点后与本条已有的问法相同，是多余的（已照原样保存，可以删去）"


def _check(session: Session, data: EntryData, *, exclude_id: int | None = None) -> Category:
    known = {c.key for c in list_categories(session)}
    found = problems_in(data, known)
    if found:
        raise InvalidValue("；".join(f"{field_name(f)}：{m}" if f else m for f, m in found))
    mine = wordings(data)
    lock_library(session)  # before the check: a concurrent save waits, then sees this one's wordings
    held = find_owner(session, [normalise(w) for w in mine], exclude_id=exclude_id)
    if held is not None:
        key, other_id, other_question = held
        w = next(w for w in mine if normalise(w) == key)
        raise ConflictError(f"问法 {w!r} 已在问答 #{other_id}（{other_question}）中")
    return get_category(session, data.category)


def _columns(data: EntryData, category: Category) -> dict[str, Any]:
    """An entry's stored columns from what the user edits."""
    return {
        "category_id": category.id or 0,
        "question": data.question,
        "question_norm": normalise(data.question),
        "similar": list(data.similar),
        "keywords": list(data.keywords),
        "answers": list(data.answers),
        "enabled": data.enabled,
        "active_start": data.active_start,
        "active_end": data.active_end,
    }


def _fill(entry: Entry, data: EntryData, category: Category) -> None:
    for key, value in _columns(data, category).items():
        setattr(entry, key, value)


def create_entry(session: Session, *, data: EntryData, user: str | None = None) -> Entry:
    data = data.cleaned()
    return add_checked_entry(session, data=data, category=_check(session, data), user=user)


def add_checked_entry(session: Session, *, data: EntryData, category: Category, user: str | None) -> Entry:
    """Write a new entry whose ``data`` is cleaned and checked (no other entry holds its wordings;
    ``create_entry`` checks, an import whose plan still holds already has: ``import_apply.py``)."""
    # Every column given: a default factory costs pydantic a signature lookup each time.
    entry = Entry(**_columns(data, category))
    return history.create(session, entry, user=user, summary=f"新增问答 {data.question}")


def get_entry(session: Session, entry_id: int) -> Entry:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFoundError(f"没有编号为 {entry_id} 的问答")
    return entry


def update_entry(
    session: Session, *, entry_id: int, data: EntryData, expected_version: int | None, user: str | None = None
) -> Entry:
    """Save an edit. ``expected_version`` is the version the edit started from; a newer one raises."""
    entry = get_entry(session, entry_id)
    data = data.cleaned()
    return history.update(
        session,
        entry,
        lambda e: _fill(e, data, _check(session, data, exclude_id=entry_id)),
        expected_version=expected_version,
        user=user,
        summary=f"修改问答 {data.question}",
    )


def update_checked_entry(
    session: Session, *, entry: Entry, data: EntryData, category: Category, user: str | None
) -> Entry:
    """Save an edit whose ``data`` is cleaned and checked, as ``add_checked_entry`` (an import's)."""
    fill, summary = (lambda e: _fill(e, data, category)), f"修改问答 {data.question}"
    return history.update(session, entry, fill, expected_version=None, user=user, summary=summary)


def set_enabled(session: Session, *, entry_id: int, enabled: bool, user: str | None = None) -> Entry:
    entry = get_entry(session, entry_id)
    summary = ("启用" if enabled else "停用") + f" {entry.question}"
    return history.update(
        session, entry, {"enabled": enabled}, expected_version=None, user=user, summary=summary
    )


def delete_entry(
    session: Session, *, entry_id: int, expected_version: int | None = None, user: str | None = None
) -> None:
    entry = get_entry(session, entry_id)
    history.delete(
        session, entry, expected_version=expected_version, user=user, summary=f"删除问答 {entry.question}"
    )


def entry_data(entry: Entry, category_key: str) -> EntryData:
    return EntryData(
        category=category_key,
        question=entry.question,
        answers=list(entry.answers),
        similar=list(entry.similar),
        keywords=list(entry.keywords),
        enabled=entry.enabled,
        active_start=entry.active_start,
        active_end=entry.active_end,
    )


def _active_at(moment: datetime) -> Any:
    """SQL for Entry.is_active(moment): enabled, start included, end excluded."""
    return (
        col(Entry.enabled).is_(True)
        & (col(Entry.active_start).is_(None) | (col(Entry.active_start) <= moment))
        & (col(Entry.active_end).is_(None) | (col(Entry.active_end) > moment))
    )


def library_state(session: Session, *, at: datetime) -> tuple[Any, ...]:
    """A fingerprint of what the bot answers with at ``at``: the active entries and the library's
    version counter (bumped in the transaction of every entry or category write).

    Equal fingerprints mean an equal matching library, so a matcher built for one can be reused.
    The try box itself needs no query for the active set: it keeps the window around ``at``
    (``coverage/live.py``).
    """
    # The active set summed in SQL (count, Σid, Σid²) rather than fetched (this query autoflushes).
    ident = col(Entry.id)
    active = session.exec(
        select(func.count(ident), func.sum(ident), func.sum(ident * ident)).where(_active_at(at))
    ).one()
    return (library_version(session), *active)


def _entries_query(
    session: Session, *, category: str | None, state: str | None, search: str | None, at: datetime | None
) -> Any:
    stmt = select(Entry)
    if category:
        stmt = stmt.where(Entry.category_id == get_category(session, category).id)
    if state == "enabled":
        stmt = stmt.where(col(Entry.enabled).is_(True))
    elif state == "disabled":
        stmt = stmt.where(col(Entry.enabled).is_(False))
    elif state in ("active", "inactive"):
        from replybook.store.timeutil import now

        active = _active_at(at or now())
        stmt = stmt.where(active if state == "active" else ~active)
    elif state:
        raise InvalidValue(f"未知状态 {state!r}，可用：enabled、disabled、active、inactive")
    if search and search.strip():
        from sqlalchemy import String, cast

        typed = search.strip()
        stmt = stmt.where(
            or_(
                contains_text(col(Entry.question), typed),
                contains_text(cast(Entry.similar, String), typed),
                contains_text(cast(Entry.keywords, String), typed),
                contains_text(cast(Entry.answers, String), typed),
            )
        )
    return stmt.order_by(col(Entry.id))


def list_entries(
    session: Session,
    *,
    category: str | None = None,
    state: str | None = None,
    search: str | None = None,
    at: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Entry], int]:
    """Entries in library order, filtered; returns (page, total matching).

    ``state``: enabled | disabled | active | inactive (active at ``at``). ``search`` looks in the
    question, the similar wordings, the keywords and the answers.
    """
    stmt = _entries_query(session, category=category, state=state, search=search, at=at)
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt)), total


def page_of_entries(
    session: Session,
    *,
    category: str | None = None,
    state: str | None = None,
    search: str | None = None,
    at: datetime | None = None,
    page: int,
    per_page: int,
) -> paging.Page[Entry]:
    """One page of the entries list_entries gives, in library order (a page past the end: the last)."""
    stmt = _entries_query(session, category=category, state=state, search=search, at=at)
    return paging.fetch(session, stmt, page=page, per_page=per_page)
