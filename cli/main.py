"""The `replybook` command: one Typer app, one sub-app per command group."""

from __future__ import annotations

import typer

from . import (
    backup,
    bot,
    campaigns,
    check,
    coverage,
    gold,
    library,
    phrases,
    score,
    setup,
    teach,
    users,
    workbook,
)
from .common import ReplybookGroup, state

app = typer.Typer(
    cls=ReplybookGroup,
    help="replybook：千牛客服回复配置管理——机器人问答库、自动回复、快捷短语、覆盖率测试、金牌客服门槛。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="REPLYBOOK_DATABASE_URL",
        help="数据库：SQLite 文件路径或 SQLAlchemy 地址（默认 ./replybook.db）",
    ),
) -> None:
    """Manage a Taobao/Tmall shop's Qianniu customer-service reply configuration."""
    state(ctx).db = db


app.command("init")(setup.init)
app.command("demo")(setup.demo)
app.command("serve")(setup.serve)
app.command("test")(coverage.test)
app.command("ask")(coverage.ask)
app.command("calibrate")(coverage.calibrate)
app.add_typer(library.app, name="library")
app.add_typer(users.app, name="user")
app.command("import")(phrases.import_)
app.command("export")(phrases.export)
app.command("template")(workbook.template)
app.add_typer(phrases.app, name="phrases")
app.add_typer(campaigns.app, name="campaign")
app.command("check")(check.check)
app.add_typer(gold.app, name="gold")
app.add_typer(bot.app, name="bot")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(score.app, name="score")
app.add_typer(teach.app, name="teach")
app.add_typer(teach.ignore_app, name="ignore")


def main() -> None:
    app()


if __name__ == "__main__":  # python -m cli.main (the benchmarks start a server this way)
    main()
