"""The entries of an import kept on disk instead of in memory, so a 100,000-row workbook costs the
import what it costs to read it (issue 15): each in a private temporary SQLite database (the
driver's own, deleted when closed; a few MB of page cache, the rest on disk).

``EntrySpool`` holds entries appended once and read back in order (the plan's entries to add, the
rows of a sheet); ``WordingClaims`` the normalised wordings a file has used so far and the row that
used each first, for the check that no wording is in two rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, overload

from replybook.library.entries import EntryData

READ_BATCH = 1000


def _database() -> sqlite3.Connection:
    # "": a temporary database on disk, private to this connection and deleted when it closes.
    return sqlite3.connect("", check_same_thread=False)


def _pack(label: str, data: EntryData) -> str:
    moments = [m.isoformat() if m else None for m in (data.active_start, data.active_end)]
    fields = [data.category, data.question, data.answers, data.similar, data.keywords, data.enabled]
    return json.dumps([label, *fields, *moments], ensure_ascii=False)


def _unpack(text: str) -> tuple[str, EntryData]:
    label, category, question, answers, similar, keywords, enabled, start, end = json.loads(text)
    data = EntryData(
        category=category,
        question=question,
        answers=answers,
        similar=similar,
        keywords=keywords,
        enabled=enabled,
        active_start=datetime.fromisoformat(start) if start else None,
        active_end=datetime.fromisoformat(end) if end else None,
    )
    return label, data


class EntrySpool:
    """A list of entries (each with an optional label) that lives on disk: append, len, iterate in
    order, index or slice (the first rows a preview shows)."""

    def __init__(self, items: Any = ()) -> None:
        self._db = _database()
        self._db.execute("CREATE TABLE item (n INTEGER PRIMARY KEY, packed TEXT NOT NULL)")
        self._count = 0
        for data in items:
            self.append(data)

    def append(self, data: EntryData, label: str = "") -> None:
        self._count += 1
        self._db.execute("INSERT INTO item VALUES (?, ?)", (self._count, _pack(label, data)))

    def __len__(self) -> int:
        return self._count

    def labelled(self) -> Iterator[tuple[str, EntryData]]:
        """Each entry with its label, in the order appended."""
        for start in range(1, self._count + 1, READ_BATCH):
            rows = self._db.execute(
                "SELECT packed FROM item WHERE n >= ? AND n < ? ORDER BY n", (start, start + READ_BATCH)
            ).fetchall()
            for (packed,) in rows:
                yield _unpack(packed)

    def __iter__(self) -> Iterator[EntryData]:
        return (data for _label, data in self.labelled())

    @overload
    def __getitem__(self, index: int) -> EntryData: ...
    @overload
    def __getitem__(self, index: slice) -> list[EntryData]: ...
    def __getitem__(self, index: int | slice) -> EntryData | list[EntryData]:
        numbers = range(self._count)[index]
        if isinstance(numbers, int):
            found = self._db.execute("SELECT packed FROM item WHERE n = ?", (numbers + 1,)).fetchone()
            return _unpack(found[0])[1]
        if numbers.step != 1:
            return [self[i] for i in numbers]
        rows = self._db.execute(
            "SELECT packed FROM item WHERE n > ? AND n <= ? ORDER BY n", (numbers.start, numbers.stop)
        )
        return [_unpack(packed)[1] for (packed,) in rows]

    def __repr__(self) -> str:
        return f"EntrySpool({self._count} entries)"


class WordingClaims:
    """The normalised wordings used so far, each with the row (number, question) that used it first."""

    def __init__(self) -> None:
        self._db = _database()
        self._db.execute(
            "CREATE TABLE claim (norm TEXT PRIMARY KEY, row INTEGER, question TEXT) WITHOUT ROWID"
        )

    def claim(self, norm: str, row: int, question: str) -> tuple[int, str]:
        """Take ``norm`` for ``row`` unless a row took it before: the row that holds it, either way."""
        taken = self._db.execute("INSERT OR IGNORE INTO claim VALUES (?, ?, ?)", (norm, row, question))
        if taken.rowcount:
            return row, question
        found = self._db.execute("SELECT row, question FROM claim WHERE norm = ?", (norm,)).fetchone()
        return int(found[0]), str(found[1])
