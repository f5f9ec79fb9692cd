"""The root command group: commands loaded on first use, and every error as one line.

A command's module is imported only when the command is looked up to run (or to show its own help);
the root `--help` lists the names and one-line helps of cli/main.py's table without importing them.
Walking `group.commands` (as tests do) still gives every real click command."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo

from . import usage
from .common import State, print_error


@dataclass(frozen=True)
class LazyCommand:
    module: str  # in the cli package
    attr: str  # a command function or a typer sub-app
    help: str  # its first help line, shown by the root --help

    def load(self, name: str, markup_mode: Any) -> typer.core.click.Command:  # type: ignore[name-defined]
        target = getattr(importlib.import_module(f"cli.{self.module}"), self.attr)
        if isinstance(target, typer.Typer):
            group = typer.main.get_group_from_info(
                TyperInfo(target, name=name),
                pretty_exceptions_short=True,
                rich_markup_mode=markup_mode,
                suggest_commands=target.suggest_commands,
            )
            group.name = name
            return group
        return typer.main.get_command_from_info(
            CommandInfo(name=name, callback=target),
            pretty_exceptions_short=True,
            rich_markup_mode=markup_mode,
        )

    def summary(self, name: str) -> TyperCommand:
        """What the root help shows: the name and the one-line help, nothing imported."""
        return TyperCommand(name=name, help=self.help, callback=None)


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: each built from its module on first access."""

    def __init__(self, table: dict[str, LazyCommand], markup_mode: Any, loaded: dict[str, Any]) -> None:
        self.table, self.markup_mode, self.loaded = table, markup_mode, dict(loaded)
        self.summaries = False  # while the root help is printed

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded:
            lazy = self.table[name]  # KeyError for an unknown command, as a dict
            if self.summaries:
                return lazy.summary(name)
            self.loaded[name] = lazy.load(name, self.markup_mode)
        return self.loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.loaded if name not in self.table)

    def __len__(self) -> int:
        return len(set(self.table) | set(self.loaded))


class ReplybookGroup(TyperGroup):
    """The root command: lazy commands (``lazy_commands``, set by a subclass); any error from the core
    becomes one line on stderr and an exit status, and so does a usage error of typer/click itself
    (unknown option, missing argument, bad value)."""

    lazy_commands: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.lazy_commands, self.rich_markup_mode, self.commands)  # type: ignore[assignment, arg-type]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: nothing imported

    def format_help(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            return super().format_help(ctx, formatter)
        commands.summaries = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            commands.summaries = False

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
                    from .common import err_console

                    err_console.print(text, markup=False, highlight=False)
            else:
                print_error(usage.usage_line(exc, argv, self))
            code = 2
        except typer.Abort:
            print_error("已取消")
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code)

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Exception as exc:
            code = _known_error(ctx, exc)
            if code is None:
                raise
            raise typer.Exit(code) from None


def _known_error(ctx: Any, exc: Exception) -> int | None:
    """Print a core, database, settings or file error as one line and give its exit status; None for
    anything else (typer's own exits among them). The database and settings error classes are looked
    at only if their packages were imported: otherwise the error cannot be one of them."""
    from replybook.store.errors import ReplybookError, file_error

    if isinstance(exc, ReplybookError):
        print_error(str(exc))
        return exc.exit_code
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        if isinstance(exc, OperationalError):
            if isinstance(ctx.obj, State) and ctx.obj._engine:
                from replybook.store.db import unreachable

                print_error(unreachable(ctx.obj.engine, exc))
            else:
                print_error(f"无法访问数据库：{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}")
            return 2
        if isinstance(exc, SQLAlchemyError):
            print_error(f"数据库错误：{str(exc).splitlines()[0]}")
            return 2
    if "pydantic" in sys.modules:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):  # a REPLYBOOK_ environment variable that Settings() refused
            from replybook.store.settings import settings_problem

            print_error(settings_problem(exc))
            return 2
    if isinstance(exc, OSError) and exc.filename is not None:  # a file the user named (not a socket)
        print_error(str(file_error(exc.filename, exc)))
        return 2
    return None
