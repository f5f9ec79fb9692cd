"""The CLI as a user meets it: help, clean errors, init, users, library commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from replybook.store import db, users
from replybook.store.models import Category, Entry
from tests.conftest import SAMPLE, Cli


def test_help_lists_command_groups() -> None:
    from typer.testing import CliRunner

    from cli.main import app

    out = CliRunner().invoke(app, ["--help"]).output
    for group in ("init", "demo", "serve", "library", "user"):
        assert group in out


def test_every_command_has_help_with_an_example() -> None:
    import typer

    from cli.main import app

    command = typer.main.get_command(app)

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, cmd

    for path, cmd in walk(command, []):
        example = (cmd.help or "").partition("Example:")[2]
        assert "replybook " + path[-1] in example or "replybook " + " ".join(path) in example, (
            f"replybook {' '.join(path)} has no example"
        )


def test_init_starter_loads_the_catalogue(cli: Cli) -> None:
    result = cli("init", "--starter")
    assert result.exit_code == 0, result.output
    engine = db.make_engine(cli.url)
    with db.session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() >= 48
        per_cat = s.exec(select(Category.key, func.count(Entry.id)).join(Entry).group_by(Category.key)).all()
    assert len(per_cat) == 6 and min(n for _, n in per_cat) >= 8


def test_library_import_export(cli: Cli, tmp_path: Path) -> None:
    result = cli("library", "import", str(SAMPLE / "library.yaml"))
    assert result.exit_code == 0 and "已添加 45 条" in result.output
    out = tmp_path / "out.yaml"
    assert cli("library", "export", str(out)).exit_code == 0
    library_part, synonyms = out.read_text(encoding="utf-8").split("synonyms:\n", 1)
    assert library_part == (SAMPLE / "library.yaml").read_text(encoding="utf-8")
    assert synonyms.startswith(
        "- word: 快递\n  similar: [物流, 包裹, 件, 快件]\n"
    )  # a new shop's starter ones


def test_library_import_names_the_categories_it_adds(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib.yaml"
    lib.write_text(
        "categories:\n  - key: shop_figures\n    name: 店铺数字问题\n"
        "entries:\n  - category: shop_figures\n    question: 有多少粉丝\n    answers: [十万]\n",
        encoding="utf-8",
    )
    result = cli("library", "import", str(lib), "--dry-run")
    assert result.exit_code == 0 and "将新增分类 1 个：店铺数字问题（shop_figures）" in result.output
    result = cli("library", "import", str(lib))
    assert result.exit_code == 0 and "已新增分类 1 个" in result.output, result.output


def test_bad_library_file_one_clear_message(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entries:\n  - category: shipping\n    question: 包邮吗\n    answers: []\n", encoding="utf-8"
    )
    result = cli("library", "import", str(bad))
    assert result.exit_code == 2
    assert "第 1 条（包邮吗）" in result.output and "answers" in result.output
    assert "Traceback" not in result.output


def test_missing_file(cli: Cli) -> None:
    result = cli("library", "import", "/nonexistent/lib.yaml")
    assert result.exit_code == 2 and "找不到文件" in result.output


def test_unreachable_database(tmp_path: Path) -> None:
    result = Cli("postgresql+psycopg://nobody@127.0.0.1:1/none")(
        "library", "export", str(tmp_path / "x.yaml")
    )
    assert result.exit_code == 2 and "无法连接数据库" in result.output and "Traceback" not in result.output


def test_uninitialised_database_says_run_init(tmp_path: Path) -> None:
    (tmp_path / "new.db").touch()  # an existing SQLite file without the schema
    result = Cli(str(tmp_path / "new.db"))("library", "export", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2 and "replybook init" in result.output


def test_user_add_reads_password_from_stdin(cli: Cli) -> None:
    result = cli("user", "add", "小美", "--role", "agent", input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    with db.session_scope(db.make_engine(cli.url)) as s:
        assert users.authenticate(s, "小美", "s3cret-pass") is not None
        assert users.authenticate(s, "小美", "wrong") is None
    assert cli("user", "add", "小美", "--role", "agent", input="another1\n").exit_code == 2
    bad_role = cli("user", "add", "阿强", "--role", "boss", input="s3cret-pass\n")
    assert bad_role.exit_code == 2 and "supervisor" in bad_role.output


def test_env_var_selects_database(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    target = tmp_path / "env.db"
    result = CliRunner().invoke(app, ["init"], env={"REPLYBOOK_DATABASE_URL": f"sqlite:///{target}"})
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_sample_shop_loads(sample_cli: Cli) -> None:
    with db.session_scope(db.make_engine(sample_cli.url)) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() >= 30
        assert users.authenticate(s, "店长", "demo1234").role == "supervisor"


def test_demo_builds_a_fresh_sample_database(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from replybook.store.models import CoverageRun

    target = tmp_path / "demo.db"
    target.write_bytes(b"not a database: demo starts afresh")
    result = CliRunner().invoke(app, ["demo", "--file", str(target), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "问答 45 条" in result.output and "覆盖率" in result.output
    with db.session_scope(db.make_engine(str(target))) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == 45
        run = s.exec(select(CoverageRun)).one()
        assert run.total == 348 and 0 < run.coverage < 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("test", "/nonexistent/questions.txt"), "找不到文件 /nonexistent/questions.txt"),
        (("gold", "import", "/nonexistent/reviews.csv"), "找不到文件 /nonexistent/reviews.csv"),
        (
            ("check", "--campaign", "聚划算", "--questions", "/nonexistent/q.txt"),
            "找不到文件 /nonexistent/q.txt",
        ),
    ],
)
def test_a_missing_file_is_named_in_chinese_for_every_command(sample_cli: Cli, args, message) -> None:
    result = sample_cli(*args)
    assert result.exit_code == 2 and message in result.output
    assert "No such file" not in result.output and "Traceback" not in result.output


def test_a_folder_given_as_a_file_says_so(sample_cli: Cli, tmp_path: Path) -> None:
    result = sample_cli("test", str(tmp_path))
    assert result.exit_code == 2 and f"{tmp_path} 是文件夹" in result.output
    assert "Is a directory" not in result.output


def test_a_mistyped_database_path_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = Cli(str(missing))("library", "export", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2 and "不存在" in result.output and "replybook --db" in result.output
    assert not missing.exists()


# issue 10 item 4
def test_library_import_keeps_a_redundant_wording_and_warns_once_per_entry(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib.yaml"
    lib.write_text(
        "entries:\n  - category: greeting\n    question: 有人在吗\n"
        "    similar: [有人在吗呀, 在不在, 在不在啊]\n    answers: [在的]\n",
        encoding="utf-8",
    )
    result = cli("library", "import", str(lib))
    assert result.exit_code == 0, result.output
    assert "已添加 1 条" in result.output
    assert result.output.count("提醒：第 1 条（有人在吗）") == 1
    assert "“有人在吗呀”" in result.output and "“在不在啊”" in result.output
    with db.session_scope(db.make_engine(cli.url)) as s:
        assert s.exec(select(Entry)).one().similar == ["有人在吗呀", "在不在", "在不在啊"]


# issue 10 item 5
def test_a_replace_dry_run_lists_what_it_would_remove(cli: Cli, tmp_path: Path) -> None:
    assert cli("library", "import", str(SAMPLE / "library.yaml")).exit_code == 0
    one = tmp_path / "one.yaml"
    one.write_text(
        "entries:\n  - category: greeting\n    question: 在吗\n    answers: [在的亲]\n", encoding="utf-8"
    )
    result = cli("library", "import", str(one), "--mode", "replace", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "将修改 1 条，将删除 44 条" in result.output
    assert "  - [shipping] 什么时候发货" in result.output and "  ~ [greeting] 在吗" in result.output
    assert "not bound" not in result.output
    with db.session_scope(db.make_engine(cli.url)) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == 45


# issue 10 item 6
def test_library_import_reads_a_gbk_file(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "gbk.yaml"
    lib.write_bytes(
        "entries:\n  - category: shipping\n    question: 什么时候发货\n    answers: [48小时内]\n".encode(
            "gbk"
        )
    )
    result = cli("library", "import", str(lib))
    assert result.exit_code == 0 and "已添加 1 条" in result.output, result.output


# ---------------------------------------------------------------- issue 10 item 15: every error in Chinese

ENGLISH_CLICK = ("Usage", "Error", "Try ", "No such", "Missing", "Invalid", "Got unexpected", "requires")


def _one_chinese_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("错误："), result.output
    assert not any(word in lines[0] for word in ENGLISH_CLICK), lines[0]
    return lines[0]


# issue 10 item 15
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("library", "import", "--foo", "x.yaml"),
            "错误：未知选项 --foo（用 replybook library import --help 查看用法）",
        ),
        (("library", "import", "--dry-rum", "x.yaml"), "未知选项 --dry-rum（是不是 --dry-run？）"),
        (("library", "import"), "缺少参数 FILE"),
        (("user", "add"), "缺少参数 NAME"),
        (("frobnicate",), "未知命令 frobnicate（可用："),
        (("gold", "show"), "replybook gold 没有子命令 show（可用："),
        (("serve", "--port", "abc"), "选项 --port 应为整数，收到 abc"),
        (("test", "--threshold", "高", "q.txt"), "选项 --threshold 应为数字，收到 高"),
        (("gold", "history", "--months"), "选项 --months 后面缺少值"),
        (("library", "import", "a.yaml", "b.yaml"), "多余的参数 b.yaml"),
        (("--bogus", "init"), "未知选项 --bogus（用 replybook --help 查看用法）"),
    ],
)
def test_usage_errors_are_one_chinese_line(cli: Cli, args, expected) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert expected in _one_chinese_line(result)


# issue 10 item 15
def test_a_command_group_without_a_command_still_shows_its_help(cli: Cli) -> None:
    result = cli("campaign")
    assert "add" in result.output and "list" in result.output and "Traceback" not in result.output


# issue 10 item 15
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("library", "import", "{dir}"), "{dir} 是文件夹"),
        (("library", "export", "{dir}"), "{dir} 是文件夹"),
        (("import", "{dir}"), "{dir} 是文件夹"),
        (("library", "export", "{dir}/no/such/x.yaml"), "无法写入 {dir}/no/such/x.yaml：所在文件夹不存在"),
        (("export", "{dir}/no/such/x.csv"), "无法写入 {dir}/no/such/x.csv：所在文件夹不存在"),
    ],
)
def test_file_problems_are_said_in_chinese_not_os_text(cli: Cli, tmp_path: Path, args, expected) -> None:
    result = cli(*(a.format(dir=tmp_path) for a in args))
    assert result.exit_code == 2
    line = _one_chinese_line(result)
    assert expected.format(dir=tmp_path) in line
    assert "Is a directory" not in line and "No such file" not in line and "Errno" not in line


# issue 10 item 15
def test_an_entry_error_names_its_fields_in_chinese(cli: Cli, tmp_path: Path) -> None:
    from replybook.library import entries
    from replybook.store.errors import InvalidValue

    with db.session_scope(db.make_engine(cli.url)) as s:
        data = entries.EntryData(category="nope", question="包邮吗", answers=[])
        with pytest.raises(InvalidValue) as caught:
            entries.create_entry(s, data=data)
    message = str(caught.value)
    assert "分类" in message and "答案" in message
    assert "category" not in message and "answers" not in message


# issue 10 item 15
def test_auto_reply_problems_name_fields_and_events_in_chinese() -> None:
    from replybook import autoreplies

    found = autoreplies.validate(autoreplies.AutoReplyData(name="夜间", trigger="schedule", text="稍后回复"))
    found += autoreplies.validate(autoreplies.AutoReplyData(name="忙", trigger="busy", text="稍等"))
    found += autoreplies.validate(autoreplies.AutoReplyData(name="x", trigger="hello", text="x"))
    text = "；".join(found)
    assert "服务时间" in text and "排队人数" in text and "首次接待" in text
    assert "service_hours" not in text and "busy_threshold" not in text


# issue 10 item 15
def test_campaign_check_messages_show_shop_time_and_event_names(sample_cli: Cli) -> None:
    import json
    from datetime import datetime

    from replybook import autoreplies
    from replybook.store.timeutil import SHOP_TZ

    with db.session_scope(db.make_engine(sample_cli.url)) as s:
        autoreplies.create_rule(
            s,
            data=autoreplies.AutoReplyData(
                name="聚划算首次接待2",
                trigger="first_contact",
                text="欢迎来到聚划算",
                active_start=datetime(2026, 12, 11, tzinfo=SHOP_TZ),
                active_end=datetime(2026, 12, 12, tzinfo=SHOP_TZ),
            ),
        )
    result = sample_cli("check", "--campaign", "聚划算", "--format", "json")
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    items = checks["autoreply_ties"]["items"]
    assert items and all("first_contact" not in i and "+08:00" not in i for i in items), items
    assert any("当天首次咨询" in i and "2026-12-1" in i for i in items), items
    table = sample_cli("check", "--campaign", "聚划算").output
    assert "+08:00" not in table and "T00:00" not in table


# issue 10 item 15
@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_urls_use_the_shipped_driver(scheme: str) -> None:
    assert db.resolve_url(f"{scheme}://shop:pw@db.example:5432/replybook") == (
        "postgresql+psycopg://shop:pw@db.example:5432/replybook"
    )


def _local_postgres() -> str:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex(("127.0.0.1", 5432)) != 0:
            pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    return "postgres://127.0.0.1:5432"


# issue 10 item 15
def test_init_on_a_postgresql_database_that_does_not_exist_says_createdb() -> None:
    import uuid

    name = f"replybook_missing_{uuid.uuid4().hex[:8]}"
    result = Cli(f"{_local_postgres()}/{name}")("init")
    assert result.exit_code == 2
    line = _one_chinese_line(result)
    assert f"createdb {name}" in line and "不存在" in line, line
    assert "FATAL" not in line and "does not exist" not in line


# issue 10 item 15
def test_serve_on_a_busy_port_says_so_before_claiming_it_started(cli: Cli) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert result.exit_code == 2
    line = _one_chinese_line(result)
    assert f"端口 {port} 已被占用" in line
    assert "已启动" not in result.output


# issue 10 item 15
def test_a_bad_setting_in_the_environment_is_one_chinese_line(cli: Cli) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(app, ["--db", cli.url, "serve"], env={"REPLYBOOK_PORT": "abc"})
    assert result.exit_code == 2
    assert "环境变量 REPLYBOOK_PORT 的值 'abc' 无效，应为整数" in _one_chinese_line(result)
