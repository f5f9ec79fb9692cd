"""The CLI as a user meets it: help, clean errors, init, users, library commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from replybook import db, users
from replybook.models import Category, Entry
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
    assert out.read_text(encoding="utf-8") == (SAMPLE / "library.yaml").read_text(encoding="utf-8")


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
    from replybook.models import CoverageRun

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
