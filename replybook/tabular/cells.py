"""Cells of the files replybook writes for spreadsheets: what Excel would run as a formula."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@")
# Excel skips these before looking for a formula sign (OWASP's CSV injection list names TAB and CR).
_IGNORED_FIRST = " \t\r\n"


def formula_cell(value: str) -> bool:
    """A cell Excel would take for a formula (SPEC §10), also behind a TAB or line break."""
    return value.lstrip(_IGNORED_FIRST).startswith(FORMULA_PREFIXES)


def quote_formula(value: object) -> object:
    """A text cell Excel would run, made plain text with a leading apostrophe; other cells as they are."""
    return "'" + value if isinstance(value, str) and formula_cell(value) else value
