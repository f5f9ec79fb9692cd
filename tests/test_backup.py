"""The whole shop in one archive, and the complete library file (issue 15 item 2): what a backup
holds, that a restore into an empty database on SQLite or PostgreSQL gives it all back (backup →
restore → backup: the same bytes), that a restore refuses a database that is not empty and writes
nothing when any part is bad."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from replybook.shop import backup
from replybook.store import db
from replybook.store.models import AutoReply, Campaign, Entry, Phrase, ReviewCount, ServiceScore, User
from replybook.store.timeutil import SHOP_TZ
from replybook.store.users import authenticate
from tests.conftest import Cli

AT = datetime(2026, 12, 1, 9, 30, tzinfo=SHOP_TZ)
TABLES = (Entry, AutoReply, Campaign, Phrase, ReviewCount, ServiceScore, User)


def _counts(engine: Engine) -> dict[str, int]:
    with db.session_scope(engine) as s:
        return {t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def _archive(engine: Engine) -> bytes:
    with db.session_scope(engine) as s:
        return backup.backup_bytes(s, now=AT)[0]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_archive_layout(sample_engine: Engine) -> None:
    members = _members(_archive(sample_engine))
    assert list(members) == ["manifest.json", "library.yaml", "phrases.json", "reviews.json", "users.json"]
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "replybook-backup" and manifest["format_version"] == 1
    assert manifest["created_at"] == "2026-12-01T09:30:00+08:00"
    library = members["library.yaml"].decode("utf-8")
    for section in ("\nbot:\n", "\nentries:\n", "\nautoreplies:\n", "\ncampaigns:\n", "questions_text:"):
        assert section in library
    phrases = json.loads(members["phrases.json"])
    assert {p["scope"] for p in phrases} == {"team", "personal"}
    assert {p["owner"] for p in phrases if p["scope"] == "personal"} == {"小美", "小雨"}
    users = json.loads(members["users.json"])
    assert users and all(set(u) == {"name", "role"} for u in users)  # no password hash leaves the shop
    assert b"password" not in members["users.json"] and b"$" not in members["users.json"]
    reviews = json.loads(members["reviews.json"])
    assert reviews["reviews"] and manifest["counts"]["reviews"] == len(reviews["reviews"])


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_backup_restore_backup_gives_the_same_bytes(
    sample_cli: Cli, sample_engine: Engine, target: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    archive = tmp_path / "shop.zip"
    result = sample_cli("backup", str(archive))
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output and "不含密码" in result.output
    # Its own database on PostgreSQL: the worker's shared one holds whatever earlier tests left there.
    url = (
        str(tmp_path / "restored.db") if target == "sqlite" else request.getfixturevalue("empty_pg_database")
    )
    result = Cli(url)("restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "恢复的用户没有密码" in result.output and "replybook user passwd" in result.output
    restored = db.make_engine(url)
    try:
        assert _counts(restored) == _counts(sample_engine)
        assert all(_counts(restored).values())
        assert _archive(restored) == _archive(sample_engine)
        with db.session_scope(restored) as s:
            assert authenticate(s, "小美", "demo1234") is None  # a restored user needs a new password
        assert Cli(url)("user", "passwd", "小美", input="new-pass-2026\n").exit_code == 0
        with db.session_scope(restored) as s:
            assert authenticate(s, "小美", "new-pass-2026") is not None
    finally:
        restored.dispose()


def test_the_manifest_timestamp_is_the_only_difference(sample_engine: Engine) -> None:
    with db.session_scope(sample_engine) as s:
        first = backup.backup_bytes(s, now=AT)[0]
        later = backup.backup_bytes(s, now=AT.replace(hour=23))[0]
    a, b = _members(first), _members(later)
    assert {k for k in a if a[k] != b[k]} == {"manifest.json"}
    assert json.loads(a["manifest.json"]) | {"created_at": ""} == json.loads(b["manifest.json"]) | {
        "created_at": ""
    }


def test_restore_refuses_a_database_that_is_not_empty(
    sample_cli: Cli, sample_engine: Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "shop.zip"
    sample_cli("backup", str(archive))
    before = _counts(sample_engine)
    result = sample_cli("restore", str(archive))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "数据库不是空的" in lines[0] and "问答 45 条" in lines[0]
    assert _counts(sample_engine) == before


def _rewritten(data: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    members = _members(data)
    members[member] = change(members[member])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _duplicate_last_phrase(body: bytes) -> bytes:
    rows = json.loads(body)
    return json.dumps(rows + [rows[-1]], ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("member", "change", "message"),
    [
        ("phrases.json", _duplicate_last_phrase, "已有编码"),
        (
            "manifest.json",
            lambda b: b.replace(b'"format_version": 1', b'"format_version": 9'),
            "备份格式版本 9",
        ),
        (
            "library.yaml",
            lambda b: b.replace(b"trigger: first_contact", b"trigger: sometimes", 1),
            "未知触发方式",
        ),
        ("reviews.json", lambda b: b"{not json", "不是 UTF-8 的 JSON"),
    ],
)
def test_a_bad_part_restores_nothing(
    sample_engine: Engine,
    tmp_path: Path,
    member: str,
    change,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    cli = Cli(str(tmp_path / "empty.db"))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_rewritten(_archive(sample_engine), member, change))
    result = cli("restore", str(bad))
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not any(_counts(db.make_engine(cli.url)).values())


def test_a_file_that_is_no_backup(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("a.json", "{}")
    result = cli("restore", str(other))
    assert result.exit_code == 2 and "不是 replybook 备份：缺少 manifest.json" in result.output
    (tmp_path / "plain.zip").write_text("hello", encoding="utf-8")
    result = cli("restore", str(tmp_path / "plain.zip"))
    assert result.exit_code == 2 and "不是 ZIP 文件" in result.output


def test_library_export_is_a_complete_bot_backup(
    sample_cli: Cli, sample_engine: Engine, tmp_path: Path
) -> None:
    full = tmp_path / "full.yaml"
    result = sample_cli("library", "export", str(full))
    assert result.exit_code == 0 and "条自动回复" in result.output and "个活动" in result.output
    fresh = Cli(str(tmp_path / "fresh.db"))
    assert fresh("init").exit_code == 0
    result = fresh("library", "import", str(full), "--dry-run")
    assert result.exit_code == 0 and "自动回复：将添加" in result.output and "+ 活动 " in result.output
    result = fresh("library", "import", str(full))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.yaml"
    assert fresh("library", "export", str(again)).exit_code == 0
    assert again.read_bytes() == full.read_bytes()
    counts = _counts(db.make_engine(fresh.url))
    assert counts["AutoReply"] == _counts(sample_engine)["AutoReply"] > 0
    assert counts["Campaign"] == _counts(sample_engine)["Campaign"] > 0
    result = fresh("library", "import", str(full))  # the same file again changes nothing
    assert "自动回复：已添加 0 条，已修改 0 条，已删除 0 条" in result.output
    assert "活动：已添加 0 个，已修改 0 个，已删除 0 个" in result.output


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "autoreplies:\n  - name: 欢迎\n    trigger: sometimes\n    text: 你好\n",
            "autoreplies 第 1 项（欢迎）",
        ),
        (
            "autoreplies:\n  - name: 欢迎\n    trigger: first_contact\n    text: 你好\n    colour: red\n",
            "未知字段 colour",
        ),
        (
            "campaigns:\n  - name: 双12\n    start: 2026-12-12\n    end: 2026-12-10\n",
            "结束时间必须晚于开始时间",
        ),
        ("campaigns:\n  - name: 双12\n", "start 和 end 应为时间"),
    ],
)
def test_a_bad_section_writes_nothing(cli: Cli, tmp_path: Path, section: str, message: str) -> None:
    lib = tmp_path / "lib.yaml"
    lib.write_text(
        "entries:\n  - category: shipping\n    question: 包邮吗\n    answers: [包邮]\n" + section,
        encoding="utf-8",
    )
    result = cli("library", "import", str(lib))
    assert result.exit_code == 2 and message in result.output, result.output
    assert not any(_counts(db.make_engine(cli.url)).values())
