"""What every command shares: the database option, sessions, output, and one clear line for an error
(cli/lazy.py turns core errors into it and a non-zero exit, never a traceback)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment

from replybook.store.controls import terminal_safe

if TYPE_CHECKING:  # the database stack is imported when a command opens a session, not for --help
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


class TerminalConsole(Console):
    """A rich Console that never lets a user's text drive the terminal: rich strips only BEL, BS
    and CR, so an ESC or CSI sequence in a phrase (or in a message quoting one, or a table cell)
    would recolour, move or retitle the supervisor's terminal. Every segment rich renders passes
    through here with its control characters written out as ``\\x1b``; rich's own styling is
    added after, so the colours stay."""

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None:
                segment = Segment(terminal_safe(segment.text), segment.style)
            yield segment


console = TerminalConsole(highlight=False, soft_wrap=True)
err_console = TerminalConsole(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    db: str | None = None
    _engine: Engine | None = None

    @property
    def database_url(self) -> str:
        from replybook.store.settings import Settings

        return self.db or Settings().database_url

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from replybook.store.db import make_engine
            from replybook.store.settings import Settings

            self._engine = make_engine(self.database_url, busy_timeout=Settings().sqlite_busy_timeout)
        return self._engine


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State()
    return root.obj


@contextmanager
def session(ctx: typer.Context, *, check_schema: bool = True) -> Iterator[Session]:
    """A unit of work on the chosen database, committed when the command succeeds."""
    from replybook.store.db import ensure_current, session_scope

    engine = state(ctx).engine
    if check_schema:
        ensure_current(engine)
    with session_scope(engine) as s:
        yield s


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[red]错误：[/red]{escape(message)}", markup=True)
    raise typer.Exit(code)


def print_error(message: str) -> None:
    first, *rest = message.splitlines() or [""]
    err_console.print(f"[red]错误：[/red]{escape(first)}", markup=True)  # the message is text, not markup
    for line in rest:
        err_console.print(line, markup=False)


def read_secret(prompt: str) -> str:
    """A password: prompted (hidden, twice) on a terminal, else the first line of stdin."""
    if sys.stdin.isatty() and not os.environ.get("REPLYBOOK_NO_PROMPT"):
        return typer.prompt(prompt, hide_input=True, confirmation_prompt=f"再次输入{prompt}")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")
