"""Control characters: refused in any text a shop stores, escaped wherever text reaches a terminal.

A NUL byte is refused by PostgreSQL with a raw driver error, and an ESC (or a C1 CSI) sequence in a
phrase would recolour, move or retitle the supervisor's terminal when the CLI prints it. TAB and the
line breaks are ordinary text.
"""

from __future__ import annotations

import re

# C0 controls except TAB, LF and CR; DEL; the C1 controls (U+0080–U+009F, e.g. U+009B CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a terminal acts on: the same, and CR too (it returns to the line's start, overwriting it).
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_character(text: str) -> str | None:
    """The first control character ``text`` must not hold, named as people read it (U+001B), or None."""
    match = _CONTROL.search(text)
    return None if match is None else f"U+{ord(match.group()):04X}"


def control_problem(text: str) -> str | None:
    """One Chinese sentence saying ``text`` holds a control character, or None."""
    found = control_character(text)
    if found is None:
        return None
    name = "空字符（NUL）" if found == "U+0000" else f"控制字符 {found}"
    return f"含有不可见的{name}，请删去（多半是从别的程序复制时带进来的）"


def terminal_safe(text: str) -> str:
    """``text`` with every control character a terminal would obey written out as ``\\x1b``."""
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
