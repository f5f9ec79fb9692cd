"""typer/click's own usage errors (unknown option, missing argument, unknown command, bad value) as one
Chinese line, like every other error of the CLI (SPEC §11), instead of click's English usage box."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

# typer ≥ 0.20 carries its own copy of click; older versions use click itself. Its BadParameter is
# public either way, and its module holds the other usage errors.
_errors = sys.modules[typer.BadParameter.__module__]
UsageError: type[Exception] = _errors.UsageError

_EXPECTED: dict[Any, str] = {
    int: "整数",
    float: "数字",
    bool: "true 或 false",
    datetime: "时间",
    Path: "文件路径",
}
_CLICK_TYPES = {"integer": "整数", "float": "数字", "boolean": "true 或 false", "datetime": "时间"}


def is_help(exc: BaseException) -> bool:
    """A command group typed without its command: typer shows the group's help (not an error)."""
    return type(exc).__name__ == "NoArgsIsHelpError"


def usage_line(exc: Any, argv: Sequence[str], root: Any) -> str:
    """What went wrong and where to look, in one line: 未知选项 --foo（用 replybook library import --help 查看用法）."""
    ctx = getattr(exc, "ctx", None)
    words = ctx.command_path.split()[1:] if ctx else _command_words(root, argv)
    command = " ".join(["replybook", *words])
    hint = f"（用 {command} --help 查看用法）"
    name = type(exc).__name__
    message = str(getattr(exc, "message", "") or exc)
    param = getattr(exc, "param", None)
    if name == "NoSuchOption":
        close = list(getattr(exc, "possibilities", None) or [])
        guess = f"（是不是 {'、'.join(close)}？）" if close else ""
        return f"未知选项 {exc.option_name}{guess}{hint}"
    if name == "MissingParameter" and param is not None:
        return f"缺少{_describe(param)}{_help_of(param)}{hint}"
    if name == "BadParameter" and param is not None:
        return f"{_describe(param)} {_bad_value(param, argv)}{hint}"
    if name == "BadOptionUsage":
        option = exc.option_name
        if "does not take a value" in message:
            return f"选项 {option} 不带值{hint}"
        return f"选项 {option} 后面缺少值{hint}"
    if found := re.match(r"No such command '(.*)'", message):
        return _unknown_command(ctx, found.group(1), command)
    if message.startswith("Missing command"):
        return f"{command} 后面缺少子命令（可用：{_commands(ctx)}）{hint}"
    if found := re.match(r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", message):
        return f"多余的参数 {found.group(1)}{hint}"
    return f"命令用法有误{hint}"


def _describe(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return f"参数 {(param.name or '').upper()}"
    opts = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    return f"选项 {opts[0]}"


def _help_of(param: Any) -> str:
    text = (getattr(param, "help", None) or "").strip()
    return f"：{text}" if text and getattr(param, "param_type_name", "") == "argument" else ""


def _bad_value(param: Any, argv: Sequence[str]) -> str:
    """What was expected and what came, e.g. 应为整数，收到 abc. The value is read back from the command
    line: typer's message leaves it out."""
    descriptor = getattr(param, "type_descriptor", None)
    click_type = getattr(param, "type", None)  # typer before 0.20: click's own types
    choices = getattr(descriptor, "choices", None) or getattr(click_type, "choices", None)
    expected: str | None
    if choices:
        expected = "其中之一：" + "、".join(str(getattr(c, "value", c)) for c in choices)
    else:
        annotation: Any = getattr(descriptor, "annotation", None)
        expected = _EXPECTED.get(annotation) or _CLICK_TYPES.get(getattr(click_type, "name", ""))
    expected = expected or "有效的值"
    given = _given(param, argv)
    return f"应为{expected}" + (f"，收到 {given}" if given is not None else "")


def _given(param: Any, argv: Sequence[str]) -> str | None:
    opts = set(getattr(param, "opts", [])) | set(getattr(param, "secondary_opts", []))
    if getattr(param, "param_type_name", "") == "argument":
        return None
    value = None
    for i, arg in enumerate(argv):
        key, eq, rest = arg.partition("=")
        if key in opts:
            value = rest if eq else (argv[i + 1] if i + 1 < len(argv) else None)
    return value


def _commands(ctx: Any) -> str:
    command = getattr(ctx, "command", None)
    if command is None or not hasattr(command, "list_commands"):
        return "见 --help"
    return "、".join(command.list_commands(ctx))


def _unknown_command(ctx: Any, typed: str, command: str) -> str:
    available = _commands(ctx)
    if command == "replybook":
        return f"未知命令 {typed}（可用：{available}）"
    return f"{command} 没有子命令 {typed}（可用：{available}）"


def _command_words(root: Any, argv: Sequence[str]) -> list[str]:
    """The command typed (e.g. ["user", "add"]) when click raised its error without a context."""
    words: list[str] = []
    command = root
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg) if not arg.startswith("-") else None
        if sub is not None:
            words.append(arg)
            command = sub
    return words
