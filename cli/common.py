"""What every command shares: the database option, sessions, output, and turning core errors into
one clear line and a non-zero exit (never a traceback)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session
from typer.core import TyperGroup

from replybook.store.controls import terminal_safe
from replybook.store.db import ensure_current, make_engine, session_scope, unreachable
from replybook.store.errors import ReplybookError, file_error
from replybook.store.settings import Settings, settings_problem

from . import usage


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
        return self.db or Settings().database_url

    @property
    def engine(self) -> Engine:
        if self._engine is None:
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
    engine = state(ctx).engine
    if check_schema:
        ensure_current(engine)
    with session_scope(engine) as s:
        yield s


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[red]错误：[/red]{escape(message)}", markup=True)
    raise typer.Exit(code)


class ReplybookGroup(TyperGroup):
    """The root command: any error from the core becomes one line on stderr and an exit status, and
    so does a usage error of typer/click itself (unknown option, missing argument, bad value)."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except usage.UsageError as exc:
            if usage.is_help(exc):  # a group typed alone: its help, as typer shows it
                text = exc.format_message()  # type: ignore[attr-defined]
                if text.strip():
                    err_console.print(text, markup=False, highlight=False)
            else:
                _print_error(usage.usage_line(exc, argv, self))
            code = 2
        except typer.Abort:
            _print_error("已取消")
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code)

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ReplybookError as exc:
            _print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except OperationalError as exc:
            if isinstance(ctx.obj, State) and ctx.obj._engine:
                _print_error(unreachable(ctx.obj.engine, exc))
            else:
                _print_error(f"无法访问数据库：{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}")
            raise typer.Exit(2) from None
        except SQLAlchemyError as exc:
            _print_error(f"数据库错误：{str(exc).splitlines()[0]}")
            raise typer.Exit(2) from None
        except ValidationError as exc:  # a REPLYBOOK_ environment variable that Settings() refused
            _print_error(settings_problem(exc))
            raise typer.Exit(2) from None
        except OSError as exc:
            if exc.filename is None:  # not a file (a socket, a pipe): nothing the user named
                raise
            _print_error(str(file_error(exc.filename, exc)))
            raise typer.Exit(2) from None


def _print_error(message: str) -> None:
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
