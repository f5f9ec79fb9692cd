"""Importing a Qianniu quick-phrase CSV into one phrase library (SPEC §8).

An import is planned first (every row validated, compared with the library, nothing written) and then
applied in bulk in one transaction, so it is all-or-nothing and a 100,000-row file takes seconds.
Neither step holds the file in memory: the plan keeps one small item per added, changed or removed
code, and applying streams the file a second time (and checks it is the file that was planned).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy import text as sql
from sqlmodel import Session, SQLModel, select

from replybook.phrases.plan import (
    BATCH,
    PHRASES,
    PhraseImportPlan,
    Progress,
    _opened,
    _stage,
    plan_phrase_import,
)
from replybook.phrases.qianniu_csv import (
    CsvReader,
    CsvRow,
)
from replybook.store.errors import ConflictError
from replybook.store.models import PhraseScope
from replybook.store.timeutil import now

from .bulk import bulk_insert
from .core import check_can_edit, next_phrase_id

REVISIONS: Table = SQLModel.metadata.tables["revision"]
COLUMNS = [c.key for c in PHRASES.columns]  # the shape of a history snapshot
SET_ON_UPDATE = ("text", "group_name", "version", "updated_at", "updated_by")


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    data = {key: values.get(key) for key in COLUMNS}
    if isinstance(data.get("updated_at"), datetime):
        data["updated_at"] = _isoformat(data["updated_at"])
    return data


@lru_cache(maxsize=16)
def _isoformat(value: datetime) -> str:
    return value.isoformat()


def _revision(values: dict[str, Any], action: str, summary: str, user: str | None, at: datetime) -> dict:
    return {
        "item_type": "phrase",
        "item_id": values["id"],
        "version": values["version"],
        "action": action,
        "data": _snapshot(values),
        "summary": summary,
        "user": user,
        "at": at,
    }


def apply_phrase_import(
    session: Session, plan: PhraseImportPlan, *, user: str | None = None, progress: Progress | None = None
) -> None:
    """Write a plan in bulk (history snapshots included). The caller's transaction makes it
    all-or-nothing; if the file or the library changed since planning, it raises ConflictError."""
    check_can_edit(session, user=user, scope=plan.scope, owner=plan.owner)
    at = now()
    session.flush()
    _remove(session, plan, user, at)
    # The file is read again in the same order, so the plan's items are met in order: walk them
    # instead of indexing them by code (no second copy of the codes in memory).
    adding, changing = iter(plan.added), iter(plan.changed)
    next_add, next_change = next(adding, None), next(changing, None)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    with _opened(plan._origin) as stream:
        reader = CsvReader(
            stream, plan.source, plan.encoding, check_duplicates=False, progress=_stage(progress, "写入")
        )
        for row in reader:
            if next_add is not None and next_add.row == row.row:
                if next_add.code != row.code:
                    break
                inserts.append(_values(plan, row, user, at) | {"image_url": None, "version": 1})
                next_add = next(adding, None)
            elif next_change is not None and next_change.row == row.row:
                item = next_change
                if item.code != row.code:
                    break
                updates.append(
                    _values(plan, row, user, at) | {"id": item.phrase_id, "image_url": item.image_url}
                )
                updates[-1] |= {"version": item.version + 1, "_old": item.version}
                next_change = next(changing, None)
            if len(inserts) >= BATCH:
                _insert(session, inserts, user, at)
            if len(updates) >= BATCH:
                _update(session, updates, user, at)
        reader.check()
    _insert(session, inserts, user, at)
    _update(session, updates, user, at)
    if reader.digest != plan.digest or next_add is not None or next_change is not None:
        raise ConflictError(f"{plan.source} 在预览之后被改动过，请重新导入")


def _values(plan: PhraseImportPlan, row: CsvRow, user: str | None, at: datetime) -> dict[str, Any]:
    return {
        "scope": plan.scope,
        "owner": plan.owner,
        "group_name": row.group,
        "code": row.code,
        "text": row.text,
        "updated_at": at,
        "updated_by": user,
    }


def _remove(session: Session, plan: PhraseImportPlan, user: str | None, at: datetime) -> None:
    for start in range(0, len(plan.removed), BATCH):
        ids = [item.phrase_id for item in plan.removed[start : start + BATCH]]
        rows = [dict(r) for r in session.execute(PHRASES.select().where(PHRASES.c.id.in_(ids))).mappings()]
        if len(rows) != len(ids):
            raise ConflictError(f"{plan.library}在预览之后被他人修改，请重新导入")
        bulk_insert(
            session,
            REVISIONS,
            # Like history.delete: the deletion is the next version, stamped with who and when.
            [
                _revision(
                    {**r, "version": r["version"] + 1, "updated_at": at, "updated_by": user},
                    "delete",
                    f"导入替换时删除快捷短语 {r['code']}",
                    user,
                    at,
                )
                for r in rows
            ],
        )
        session.execute(delete(PHRASES).where(PHRASES.c.id.in_(ids)))


def _insert(session: Session, batch: list[dict[str, Any]], user: str | None, at: datetime) -> None:
    if not batch:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # COPY returns nothing, so take the ids from the sequence first.
        ids: Any = session.execute(
            sql("SELECT nextval(pg_get_serial_sequence('phrase', 'id')) FROM generate_series(1, :n)"),
            {"n": len(batch)},
        ).scalars()
    elif dialect == "sqlite":
        # Nobody else can write until this transaction ends: number the rows up front instead of
        # looking their ids up afterwards (and never reuse the id of a deleted phrase, see core).
        top = next_phrase_id(session)
        ids = range(top, top + len(batch))
    else:
        ids = None
    if ids is not None:
        for values, new_id in zip(batch, ids, strict=True):
            values["id"] = new_id
        bulk_insert(session, PHRASES, batch)
    else:
        bulk_insert(session, PHRASES, batch)
        first = batch[0]
        found = session.execute(
            select(PHRASES.c.code, PHRASES.c.id).where(
                PHRASES.c.scope == first["scope"],
                PHRASES.c.owner == first["owner"],
                PHRASES.c.code.in_([values["code"] for values in batch]),
            )
        ).all()
        ids_by_code = dict(found)
        for values in batch:
            values["id"] = ids_by_code[values["code"]]
    revisions = [_revision(v, "create", f"导入新增快捷短语 {v['code']}", user, at) for v in batch]
    bulk_insert(session, REVISIONS, revisions)
    batch.clear()


def _update(session: Session, batch: list[dict[str, Any]], user: str | None, at: datetime) -> None:
    if not batch:
        return
    # Bound names must differ from the column names an UPDATE sets.
    stmt = (
        update(PHRASES)
        .where(PHRASES.c.id == bindparam("b_id"), PHRASES.c.version == bindparam("b_old"))
        .values({name: bindparam(f"b_{name}") for name in SET_ON_UPDATE})
    )
    params = [
        {f"b_{name}": values[name] for name in SET_ON_UPDATE}
        | {"b_id": values["id"], "b_old": values["_old"]}
        for values in batch
    ]
    result: Any = session.execute(stmt, params)
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(batch):
        raise ConflictError("有短语在预览之后被他人修改，请重新导入")
    bulk_insert(
        session, REVISIONS, [_revision(v, "update", f"导入修改快捷短语 {v['code']}", user, at) for v in batch]
    )
    batch.clear()


def import_phrases(
    session: Session,
    source: str | Path | IO[bytes],
    *,
    scope: str = PhraseScope.TEAM,
    owner: str = "",
    mode: str = "merge",
    encoding: str = "auto",
    dry_run: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
) -> PhraseImportPlan:
    """Plan and (unless ``dry_run``) apply an import: what `replybook import` does."""
    plan = plan_phrase_import(
        session, source, scope=scope, owner=owner, mode=mode, encoding=encoding, progress=progress
    )
    if not dry_run:
        apply_phrase_import(session, plan, user=user, progress=progress)
    return plan
