"""Planning a quick-phrase CSV import: every row validated and compared with the library, nothing
written. The plan keeps one small item per added, changed or removed code, never the file."""

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
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO, overload

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from replybook.phrases.emoji import emoji_replaced, not_in_gbk, stray_question_mark
from replybook.phrases.qianniu_csv import (
    CsvReader,
)
from replybook.store.errors import InvalidValue, file_error
from replybook.store.models import Phrase, PhraseScope

from .core import check_library, check_owner, library_name

BATCH = 2000
PHRASES: Table = SQLModel.metadata.tables["phrase"]
MODES = ("merge", "replace")
MAX_QUESTION_MARKS = 10_000  # rows with a ? kept for the emoji check; enough to warn, bounded memory


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
