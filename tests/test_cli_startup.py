"""Start-up (issue 14 goal 5): the CLI imports a command's module only when the command runs, so
`replybook --help` never loads the web stack, numpy or openpyxl, and `replybook ask` never loads the
web server (nor alembic, once the matcher's snapshot holds the schema's head). Each check runs in a fresh interpreter, so nothing imported by other tests leaks in."""

from __future__ import annotations

import subprocess
import sys

import typer

from cli.main import COMMANDS, app
from tests.conftest import REPO

NOT_FOR_HELP = ("fastapi", "uvicorn", "jinja2", "numpy", "openpyxl", "sqlalchemy")
NOT_FOR_ASK = ("fastapi", "uvicorn", "starlette", "jinja2", "openpyxl")


def imported_after(*argv: str) -> tuple[set[str], str]:
    """The top-level packages loaded by running `replybook *argv` in a new process, and its stdout."""
    probe = (
        "import sys\n"
        "sys.argv = ['replybook', *sys.argv[1:]]\n"
        "from cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    modules = next(line for line in done.stdout.splitlines() if line.startswith("MODULES "))
    return set(modules.split()[1:]), done.stdout


def test_importing_the_cli_loads_no_command_module() -> None:
    code = "import sys, cli.main; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    loaded = set(done.stdout.split())
    assert "cli" in loaded
    assert loaded.isdisjoint(NOT_FOR_HELP), loaded & set(NOT_FOR_HELP)


def test_help_lists_every_command_without_importing_them() -> None:
    loaded, out = imported_after("--help")
    assert loaded.isdisjoint(NOT_FOR_HELP), loaded & set(NOT_FOR_HELP)
    for name in COMMANDS:
        assert f" {name} " in out
    assert "试一个问题：最接近的三条问答及分数" in out


def test_ask_does_not_start_the_web_stack(tmp_path) -> None:
    db = str(tmp_path / "s.db")
    subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", db, "init"],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    loaded, out = imported_after("--db", db, "ask", "发货要几天")
    assert "问题：发货要几天" in out
    assert "转人工：" in out
    assert loaded.isdisjoint(NOT_FOR_ASK), loaded & set(NOT_FOR_ASK)
    again, out_again = imported_after("--db", db, "ask", "发货要几天", "--at", "2026-12-10T10:00:00+08:00")
    assert "问题：发货要几天" in out_again
    assert again.isdisjoint({*NOT_FOR_ASK, "alembic"}), again & {*NOT_FOR_ASK, "alembic"}


def test_the_one_line_helps_are_the_commands_own() -> None:
    """The table in cli/main.py says what each command's docstring (or group help) says first."""
    root = typer.main.get_command(app)
    for name, lazy in COMMANDS.items():
        command = root.commands[name]  # type: ignore[attr-defined]
        assert command.name == name
        first = (command.help or "").strip().splitlines()[0]
        assert first == lazy.help, name
