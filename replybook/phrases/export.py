"""Exporting a phrase library as Qianniu's CSV (SPEC §8): exact header, CRLF, GB18030 or UTF-8
with a BOM, group-then-code order, streamed from the database."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlmodel import Session, SQLModel, select

from replybook.phrases.csv_writer import CsvWriter
from replybook.store.errors import InvalidValue, file_error
from replybook.store.models import Phrase, PhraseScope

from .core import check_library, check_owner

BATCH = 2000
PHRASES = SQLModel.metadata.tables["phrase"]


@dataclass
class PhraseExport:
    target: str
    encoding: str
    count: int
    warnings: list[str]


def export_rows(session: Session, *, scope: str, owner: str) -> Iterator[tuple[str, str, str]]:
    """(code, text, group) of one library by group then code, in code-point order on every database
    (PostgreSQL would otherwise sort by its locale), streamed in batches."""
    group, code = PHRASES.c.group_name, PHRASES.c.code
    if session.get_bind().dialect.name == "postgresql":
        group, code = group.collate("C"), code.collate("C")  # type: ignore[assignment]
    stmt = (
        PHRASES.select()
        .with_only_columns(PHRASES.c.code, PHRASES.c.text, PHRASES.c.group_name)
        .where(PHRASES.c.scope == scope, PHRASES.c.owner == owner)
        .order_by(group, code)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(stmt):
        yield row[0], row[1], row[2]


def export_phrases(
    session: Session,
    target: str | Path | IO[bytes],
    *,
    scope: str = PhraseScope.TEAM,
    owner: str = "",
    encoding: str = "gb18030",
    neutralise_formulas: bool = False,
) -> PhraseExport:
    """Write one library as Qianniu's CSV. A file path is written atomically (a temporary file
    renamed into place), so a failed export never leaves half a file behind."""
    scope, owner = check_library(scope, owner)
    if session.exec(select(Phrase.id).where(Phrase.scope == scope, Phrase.owner == owner)).first() is None:
        check_owner(session, scope=scope, owner=owner)  # an empty file for a typo helps nobody
    if not isinstance(target, str | Path):
        writer = CsvWriter(target, encoding, neutralise_formulas)
        writer.write_all(export_rows(session, scope=scope, owner=owner))
        writer.close()
        return PhraseExport(str(getattr(target, "name", "")), writer.encoding, writer.rows, writer.warnings)
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidValue(f"无法写入 {path}：所在文件夹不存在")
    if path.is_dir():
        raise file_error(path, IsADirectoryError(errno.EISDIR, "", str(path)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise file_error(path, exc, writing=True) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            writer = CsvWriter(stream, encoding, neutralise_formulas)
            writer.write_all(export_rows(session, scope=scope, owner=owner))
            writer.close()
        # mkstemp makes the file private; give it the mode a plain open() would (or the old file's).
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return PhraseExport(str(path), writer.encoding, writer.rows, writer.warnings)
