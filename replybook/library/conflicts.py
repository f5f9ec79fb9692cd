"""Whether an import's entries take wordings that other entries of the library keep."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from replybook.library.entries import EntryData, wordings
from replybook.store.errors import ImportFormatError, Problem
from replybook.store.models import Entry
from replybook.store.normalize import normalise


def check_against_library(
    current: dict[str, Entry],
    *,
    add: Iterable[EntryData],
    change: list[tuple[Entry, EntryData]],
    remove: list[Entry],
    source: str,
) -> None:
    """A wording in the file that another (kept) entry of the library already holds is a conflict."""
    leaving = {e.id for e in remove} | {e.id for e, _ in change}
    owners: dict[str, Entry] = {}
    for entry in current.values():
        if entry.id in leaving:
            continue
        for w in wordings(entry):
            owners[normalise(w)] = entry
    problems = []
    for data in chain(add, (d for _, d in change)):
        for w in wordings(data):
            other = owners.get(normalise(w))
            if other is not None and other.question_norm != normalise(data.question):
                problems.append(Problem(f"“{data.question}”", f"问法 {w!r} 已在库中问答“{other.question}”里"))
    if problems:
        raise ImportFormatError(source, problems)
