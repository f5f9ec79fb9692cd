"""Locate the data shipped with replybook (templates, intents, sample data).

In an installed wheel they live under ``replybook/_data``; in a source checkout they are the
top-level folders of the repository. Never relative to the working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # replybook/


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``templates``, ``intents``, ``sample_data`` or ``docs``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"replybook data folder {name!r} is missing from this installation")


def formats_doc() -> Path:
    """docs/formats.md, the description of every file replybook reads and writes."""
    return data_dir("docs") / "formats.md"


def static_dir() -> Path:
    return _PACKAGE / "web" / "static"
