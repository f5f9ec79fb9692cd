"""Importing a Qianniu quick-phrase CSV into one phrase library (SPEC §8).

An import is planned first (every row validated, compared with the library, nothing written) and then
applied in bulk in one transaction, so it is all-or-nothing and a 100,000-row file takes seconds.
Neither step holds the file in memory: the plan keeps one small item per added, changed or removed
code, and applying streams the file a second time (and checks it is the file that was planned).
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any, BinaryIO, overload

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy import text as sql
from sqlmodel import Session, SQLModel, select

from ..errors import ConflictError, InvalidValue, file_error
from ..models import Phrase, PhraseScope
from ..qianniu_csv import CsvReader, CsvRow, emoji_replaced, not_in_gbk, stray_question_mark
from ..timeutil import now
from .bulk import bulk_insert
from .core import check_can_edit, check_library, check_owner, library_name, next_phrase_id

MODES = ("merge", "replace")
BATCH = 2000
MAX_QUESTION_MARKS = 10_000  # rows with a ? kept for the emoji check; enough to warn, bounded memory
PHRASES: Table = SQLModel.metadata.tables["phrase"]
REVISIONS: Table = SQLModel.metadata.tables["revision"]
COLUMNS = [c.key for c in PHRASES.columns]  # the shape of a history snapshot
SET_ON_UPDATE = ("text", "group_name", "version", "updated_at", "updated_by")


# Called now and then with (stage, bytes done, file size); stage is 校验 (planning) or 写入 (applying).
Progress = Callable[[str, int, int], None]


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    return None if progress is None else partial(progress, stage)


@dataclass(slots=True)
class PlanItem:
    """One code an import adds, changes or removes. ``row`` is its line in the file (0 if removed).

    A plan's ``added`` and ``changed`` are in file order (applying relies on it); ``removed`` by code.
    """

    code: str
    row: int = 0
    phrase_id: int | None = None
    version: int = 0
    image_url: str | None = None
    fields: tuple[str, ...] = ()  # what changes: "text", "group"


class AddedItems(Sequence[PlanItem]):
    """The codes an import adds, kept as a list of codes and an array of row numbers (about a third
    of the memory of one PlanItem each); reading it gives PlanItems as usual."""

    def __init__(self) -> None:
        self._codes: list[str] = []
        self._rows = array("L")

    def append(self, item: PlanItem) -> None:
        self._codes.append(item.code)
        self._rows.append(item.row)

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, index: int) -> PlanItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[PlanItem]: ...
    def __getitem__(self, index: int | slice) -> PlanItem | list[PlanItem]:
        if isinstance(index, slice):
            return [PlanItem(c, r) for c, r in zip(self._codes[index], self._rows[index], strict=True)]
        return PlanItem(self._codes[index], self._rows[index])

    def __iter__(self) -> Iterator[PlanItem]:
        return (PlanItem(c, r) for c, r in zip(self._codes, self._rows, strict=True))


@dataclass
class PhraseImportPlan:
    """What importing a file into one library does, worked out before anything is written."""

    source: str
    scope: str
    owner: str
    mode: str
    encoding: str
    detected: bool
    rows: int = 0
    added: AddedItems = field(default_factory=AddedItems)
    changed: list[PlanItem] = field(default_factory=list)
    removed: list[PlanItem] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    digest: str = ""
    _origin: Any = None  # a path, or a seekable binary stream and its start

    @property
    def library(self) -> str:
        return library_name(self.scope, self.owner)


@contextmanager
def _opened(origin: Any) -> Iterator[BinaryIO]:
    if isinstance(origin, Path):
        with origin.open("rb") as stream:
            yield stream
    else:
        stream, start = origin
        stream.seek(start)
        yield stream


def _origin_of(source: str | Path | IO[bytes]) -> tuple[Any, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            raise file_error(path, IsADirectoryError(errno.EISDIR, "", str(path)))
        if not path.is_file():
            raise InvalidValue(f"找不到文件 {path}")
        return path, str(path)
    stream: Any = source
    name = str(getattr(stream, "name", "") or "上传的文件")
    if not stream.seekable():  # both passes need to read it: keep a copy on disk, not in memory
        copy = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - the plan owns it
        shutil.copyfileobj(stream, copy)
        stream = copy
        stream.seek(0)
    return (stream, stream.tell()), name


_PACKED = struct.Struct("<qqI")  # phrase id, version, group number


def _text_key(text: str) -> bytes:
    # The plan compares texts by digest so it does not keep a second copy of the library's text.
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def plan_phrase_import(
    session: Session,
    source: str | Path | IO[bytes],
    *,
    scope: str = PhraseScope.TEAM,
    owner: str = "",
    mode: str = "merge",
    encoding: str = "auto",
    progress: Progress | None = None,
) -> PhraseImportPlan:
    """Validate the whole file and work out what it changes in the (scope, owner) library.

    merge: the same code → update its text and group, a new code → add; replace: the library becomes
    exactly the file. Raises ImportFormatError listing every bad row; writes nothing.
    """
    scope, owner = check_library(scope, owner)
    check_owner(session, scope=scope, owner=owner)
    if mode not in MODES:
        raise InvalidValue(f"未知导入方式 {mode!r}，可用：merge（合并）、replace（替换）")
    origin, name = _origin_of(source)
    # The library as it is, compactly (its size, not the file's, sets this): code → id, version,
    # group number and a digest of the text, packed in one bytes object.
    existing: dict[str, bytes] = {}
    groups: dict[str, int] = {}
    images: dict[str, str] = {}
    c = PHRASES.c
    stmt = sa_select(c.id, c.code, c.version, c.text, c.group_name, c.image_url)
    for pid, code, version, text, group, image in session.execute(
        stmt.where(c.scope == scope, c.owner == owner).execution_options(yield_per=BATCH)
    ):
        existing[code] = _PACKED.pack(pid, version, groups.setdefault(group, len(groups))) + _text_key(text)
        if image:
            images[code] = image
    others = _shadowing_codes(session, scope)
    with _opened(origin) as stream:
        reader = CsvReader(stream, name, encoding, progress=_stage(progress, "校验"))
        plan = PhraseImportPlan(name, scope, owner, mode, reader.encoding, reader.detected, _origin=origin)
        shadowed: list[str] = []
        shadowed_count = 0
        question_marks: list[tuple[int, str, str, bool]] = []  # row, code, text, in the library
        for row in reader:
            if "?" in row.text and len(question_marks) < MAX_QUESTION_MARKS:
                question_marks.append((row.row, row.code, row.text, row.code in existing))
            if row.code in others:
                shadowed_count += 1
                if len(shadowed) < 10:
                    shadowed.append(row.code)
            current = existing.pop(row.code, None) if mode == "replace" else existing.get(row.code)
            if current is None:
                plan.added.append(PlanItem(row.code, row.row))
                continue
            pid, version, group = _PACKED.unpack_from(current)
            fields = tuple(
                name
                for name, differs in (
                    ("text", current[_PACKED.size :] != _text_key(row.text)),
                    ("group", group != groups.get(row.group)),
                )
                if differs
            )
            if fields:
                plan.changed.append(PlanItem(row.code, row.row, pid, version, images.get(row.code), fields))
            else:
                plan.unchanged += 1
        reader.check()
    plan.rows, plan.digest = reader.rows, reader.digest
    if mode == "replace":
        plan.removed = [
            PlanItem(code, 0, *_PACKED.unpack_from(packed)[:2]) for code, packed in existing.items()
        ]
        plan.removed.sort(key=lambda item: item.code)
    if shadowed:
        shown = "、".join(shadowed) + ("……" if shadowed_count > len(shadowed) else "")
        what = "团队短语" if scope == PhraseScope.PERSONAL else "个人短语"
        plan.warnings.append(f"{shadowed_count} 个编码与{what}同名，个人编码会遮住团队编码：{shown}")
    plan.warnings += _emoji_warnings(session, plan, question_marks)
    return plan


def _emoji_warnings(
    session: Session, plan: PhraseImportPlan, question_marks: list[tuple[int, str, str, bool]]
) -> list[str]:
    """Excel's "ANSI" re-save on Chinese Windows writes GBK, which has no emoji: each becomes ?.

    Certain where the library's phrase of the same code has an emoji where the file has ?; a guess
    (a ? after punctuation or a blank in Chinese text) only in a file that is GBK/GB18030, the only
    encoding such a re-save produces."""
    stored: dict[str, str] = {}
    codes = [code for _, code, _, known in question_marks if known]
    c = PHRASES.c
    for start in range(0, len(codes), BATCH):
        stmt = sa_select(c.code, c.text).where(
            c.scope == plan.scope, c.owner == plan.owner, c.code.in_(codes[start : start + BATCH])
        )
        stored.update((code, text) for code, text in session.execute(stmt))
    certain: list[str] = []
    guessed: list[str] = []
    for row, code, text, _known in question_marks:
        before = stored.get(code)
        if before is not None and emoji_replaced(text, before):
            certain.append(f"第 {row} 行 {code}（{not_in_gbk(before)[:4]} → ?）")
        elif plan.encoding == "gb18030" and before != text and stray_question_mark(text):
            guessed.append(f"第 {row} 行 {code}")
    found = []
    if certain:
        found.append(
            f"{len(certain)} 条短语里的 ? 在库里原是表情：{_listed(certain)}；多半是文件被 Excel 另存为“ANSI”"
            "（GBK 存不下表情），导入会用 ? 换掉表情。请改用导出的原文件，或在 Excel 里另存为“CSV UTF-8”"
        )
    if guessed:
        found.append(
            f"{len(guessed)} 条短语里的 ? 可能原是表情：{_listed(guessed)}；Excel 另存为“ANSI”时表情会变成 ?，请核对"
        )
    return found


def _listed(items: list[str], limit: int = 10) -> str:
    return "、".join(items[:limit]) + (f" 等 {len(items)} 条" if len(items) > limit else "")


def _shadowing_codes(session: Session, scope: str) -> set[str]:
    """Codes in the other scope that a personal code would hide or be hidden by."""
    other = PhraseScope.PERSONAL if scope == PhraseScope.TEAM else PhraseScope.TEAM
    return set(session.exec(select(Phrase.code).where(Phrase.scope == other)))


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
