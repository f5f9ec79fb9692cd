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


def strip_text_marker(value: str) -> str:
    """The marks written so that Excel keeps a cell as text, taken off again (SPEC §8).

    Qianniu tools (and ``--neutralise-formulas``) put a TAB before the cell; Excel, and exports made
    before the TAB convention, put an apostrophe before a cell that would otherwise read as a formula
    or a number. An apostrophe before anything else (``'好的'您说``) is the phrase's own text.
    """
    value = value.lstrip("\t")
    if value.startswith("'") and value[1:2] and (value[1] in FORMULA_PREFIXES or value[1].isdigit()):
        value = value[1:]
    return value
