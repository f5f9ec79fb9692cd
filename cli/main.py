"""The `replybook` command: one Typer app whose commands and command groups are loaded lazily.

Each command's module (and with it the web stack, numpy, the coverage engine, openpyxl…) is imported
only when that command runs; `replybook --help` prints the names and one-line helps listed here
without importing any of them (tests/test_cli_startup.py checks both the laziness and that these
lines match the commands' own help)."""

from __future__ import annotations

import os

import typer

from .common import state
from .lazy import LazyCommand, ReplybookGroup

# name → (module in cli/, the typer function or sub-app in it, its one-line help for `--help`)
COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand("setup", "init", "创建数据库，或把它升级到当前结构；可顺便载入入门问答或示例店铺。"),
    "demo": LazyCommand("setup", "demo", "演示：新建一个载入示例店铺的 SQLite 数据库，然后启动网页。"),
    "serve": LazyCommand("setup", "serve", "启动网页界面和 JSON API。"),
    "test": LazyCommand("coverage", "test", "覆盖率测试：把顾客问题与 --at 时刻生效的机器人问答逐一匹配。"),
    "ask": LazyCommand(
        "ask",
        "ask",
        "试一个问题：最接近的三条问答及分数、机器人会发的答案、会不会转人工及原因、此刻会触发的自动回复。",
    ),
    "calibrate": LazyCommand(
        "coverage",
        "calibrate",
        "按标注问题为本店选阈值和差距（使“已覆盖”的准确率达到目标），存为本店设置，并打印准确率/召回率曲线。",
    ),
    "import": LazyCommand(
        "phrases",
        "import_",
        "把千牛快捷短语 CSV 导入团队或某位客服的短语库（要么全部导入，要么什么都不写）。",
    ),
    "export": LazyCommand("phrases", "export", "把团队（或某位客服）的快捷短语导出为千牛快捷短语 CSV。"),
    "template": LazyCommand(
        "workbook",
        "template",
        "写一个可填写的 Excel 模板：表头、两行示例、分类和启用的下拉列表，说明工作表解释每一列。",
    ),
    "check": LazyCommand(
        "check", "check", "活动前检查：逐项检查客服配置是否就绪；全部通过退出码 0，有未通过项 1，出错 2。"
    ),
    "backup": LazyCommand(
        "backup",
        "backup",
        "把整个店铺（问答库、分类、机器人设置、自动回复、活动及问题集、全部快捷短语、评价数据、用户）备份到一个 .zip。",
    ),
    "restore": LazyCommand(
        "backup", "restore", "把备份恢复到一个空数据库（没有的话先创建）；全部成功或全部不写。"
    ),
    "library": LazyCommand("library", "app", "问答库文件（YAML）的导入与导出。"),
    "user": LazyCommand("users", "app", "用户与角色（客服主管 supervisor / 客服 agent）。"),
    "phrases": LazyCommand("phrases", "app", "快捷短语（团队 / 个人）：查看、添加、修改、删除、检查。"),
    "campaign": LazyCommand("campaigns", "app", "活动（聚划算等）：名称、时间、问题文件与检查门槛。"),
    "gold": LazyCommand("gold", "app", "金牌客服门槛：评价数与综合服务分的导入、检查与历史。"),
    "bot": LazyCommand("bot", "app", "机器人设置：模式（半自动/全自动）、转人工规则、值班班次与排班参数。"),
    "score": LazyCommand("score", "app", "客服绩效考核：每月考核表、每日考核数据导入、主管打分。"),
    "teach": LazyCommand("teach", "app", "教机器人：把问题加为相似问法、新建问答、忽略，或撤销。"),
    "synonyms": LazyCommand(
        "synonyms", "app", "同义词：核心词和它的同义词（匹配前两边的同义词都换成核心词）。"
    ),
    "ignore": LazyCommand(
        "teach", "ignore_app", "忽略的问题：机器人不该回答的问题（覆盖测试算作正确的未覆盖）。"
    ),
}


class RootGroup(ReplybookGroup):
    lazy_commands = COMMANDS


app = typer.Typer(
    cls=RootGroup,
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


def main() -> None:
    # replybook reads pypinyin's table of single characters only (coverage/signals.py): its table of
    # phrases would add most of a second to every command that matches a question.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    app()


if __name__ == "__main__":  # python -m cli.main (the benchmarks start a server this way)
    main()
