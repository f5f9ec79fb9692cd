"""Nothing a user reads points at a document they do not have (issue 10 item 18): no help text,
template or README mentions the project's private SPEC, and docs/formats.md — shipped with replybook
and served at /help/formats — names every column and key the parsers accept."""

from __future__ import annotations

import click
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli_app
from replybook import library
from replybook.coverage import question_files
from replybook.gold import review_csv
from replybook.library.entries import BUILTIN_CATEGORIES
from replybook.phrases import qianniu_csv
from replybook.scorecard import figures_file
from replybook.store.errors import ImportFormatError
from replybook.store.resources import data_dir, formats_doc
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import REPO, Cli

FORMATS = REPO / "docs" / "formats.md"


def command_paths() -> list[list[str]]:
    """Every command of the CLI, as the words a user types before --help."""
    found: list[list[str]] = [[]]

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found.append([*path, name])
                walk(sub, [*path, name])

    walk(typer.main.get_command(cli_app), [])
    return found


def help_of(path: list[str]) -> str:
    result = CliRunner().invoke(cli_app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (path, result.output)
    return result.output


# issue 10 item 18
@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "replybook")
def test_no_help_text_mentions_spec(path: list[str]) -> None:
    assert "SPEC" not in help_of(path)


# issue 10 item 18
@pytest.mark.parametrize(
    "path",
    [
        ["import"],
        ["library", "import"],
        ["gold", "import"],
        ["score", "import"],
        ["test"],
        ["campaign", "add"],
        ["campaign", "edit"],
    ],
    ids=" ".join,
)
def test_the_help_of_every_file_import_points_at_the_formats_doc(path: list[str]) -> None:
    assert "docs/formats.md" in help_of(path)


# issue 10 item 18
def test_no_template_or_readme_mentions_spec() -> None:
    read = [*sorted(data_dir("templates").rglob("*.html")), REPO / "README.md", REPO / "DEVELOPERS.md"]
    assert len(read) > 10
    offenders = [str(path.relative_to(REPO)) for path in read if "SPEC" in path.read_text(encoding="utf-8")]
    assert offenders == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/formats.md" in readme


# issue 10 item 18
def test_a_library_file_error_points_at_the_formats_doc() -> None:
    with pytest.raises(ImportFormatError) as caught:
        library.read_library("- just a list\n", source="x.yaml", known_categories=set())
    assert "SPEC" not in str(caught.value) and "docs/formats.md" in str(caught.value)


def accepted_names() -> dict[str, set[str]]:
    """Every column name and key a parser reads, taken from the parsers themselves."""
    return {
        "quick-phrase CSV": set(qianniu_csv.HEADER_NAMES),
        "review CSV": {
            *review_csv.REVIEW_HEADER,
            *review_csv.SCORE_HEADER,
            *review_csv.LEVEL_ALIASES,
            *review_csv.SOURCE_NAMES,
        },
        "question file": {
            *question_files.QUESTION_COLUMNS,
            *question_files.EXPECTED_COLUMNS,
            *question_files.CATEGORY_COLUMNS,
            *question_files.COUNT_COLUMNS,
            *question_files.ROLE_COLUMNS,
            *question_files.BUYER_ROLES,
        },
        "scorecard figures": {name for c in figures_file.COLUMNS for name in (c.name, *c.aliases)},
        "library YAML": {*library.ENTRY_KEYS, "shop", "categories", "entries", "key", "name", "start", "end"}
        | {key for key, _ in BUILTIN_CATEGORIES},
    }


# issue 10 item 18
@pytest.mark.parametrize("kind", sorted(accepted_names()))
def test_the_formats_doc_names_every_column_the_parsers_accept(kind: str) -> None:
    text = FORMATS.read_text(encoding="utf-8")
    missing = sorted(name for name in accepted_names()[kind] if f"`{name}`" not in text)
    assert missing == [], f"docs/formats.md does not name these {kind} columns: {missing}"


# issue 10 item 18
def test_the_formats_doc_ships_with_replybook_and_is_served(sample_cli: Cli) -> None:
    assert formats_doc().read_bytes() == FORMATS.read_bytes()
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    with TestClient(app) as client:
        assert client.get("/help/formats", follow_redirects=False).status_code in (303, 401)
        login = client.get("/login")
        token = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"name": "店长", "password": "demo1234", "csrf_token": token, "next": "/"})
        shown = client.get("/help/formats")
        assert shown.status_code == 200 and "快捷短语编码" in shown.text and "综合服务分" in shown.text
        for page in ("/import", "/gold", "/coverage"):
            assert 'href="/help/formats"' in client.get(page).text, page
