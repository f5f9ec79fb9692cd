"""`replybook ask` from the matcher's snapshot (coverage/snapshot.py, issue 14 goal 5): the same answer
as a fresh build, to the last score, and never a stale one — an edit of the library, the synonyms or
the shop's threshold, another database at the same path, another moment, a torn file and an older
schema are each seen by the next ask."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from replybook.coverage import snapshot
from replybook.coverage.live import answer
from replybook.coverage.matching import Matcher
from replybook.library.settings import set_setting
from replybook.library.synonyms import add_synonym
from replybook.store import db, history
from replybook.store.models import Entry
from replybook.store.timeutil import parse_datetime
from tests.conftest import CAMPAIGN_START, SAMPLE, Cli

AT = ("--at", "2026-12-10T10:00:00+08:00")
QUESTIONS = ["今天能发货吗", "發貨要幾天", "在吗", "老板电话多少", "xl有货么", "能便宜点吗", "[图片]"]


def ask(cli: Cli, question: str, *extra: str) -> str:
    result = cli("ask", question, *extra)
    assert result.exit_code == 0, result.output
    return result.output


def snapshot_of(cli: Cli) -> Path:
    return snapshot.snapshot_file(Path(cli.url))


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_answers_the_same_with_and_without_the_snapshot(sample_cli: Cli, question: str) -> None:
    built = ask(sample_cli, question, *AT)
    assert snapshot_of(sample_cli).exists()
    assert ask(sample_cli, question, *AT) == built
    snapshot_of(sample_cli).unlink()
    assert ask(sample_cli, question, *AT) == built


def test_the_loaded_matcher_scores_every_labelled_question_as_a_fresh_one(sample_engine: Engine) -> None:
    database = Path(sample_engine.url.database or "")
    with db.session_scope(sample_engine) as s:
        snapshot.build(s, at=CAMPAIGN_START, found=snapshot.lookup(database, at=CAMPAIGN_START))
        fresh = Matcher.build(s, at=CAMPAIGN_START)
    found = snapshot.lookup(database, at=CAMPAIGN_START)
    assert found.schema_current and found.library is not None
    loaded = found.library.matcher
    with (SAMPLE / "questions_labelled.csv").open(encoding="utf-8-sig") as f:
        questions = [row["问题"] for row in csv.DictReader(f)]
    assert len(questions) > 20
    for q in questions:
        assert answer(loaded, q, 3) == answer(fresh, q, 3), q


def _entry(engine: Engine, question: str) -> Entry:
    with db.session_scope(engine) as s:
        return s.exec(select(Entry).where(Entry.question == question)).one()


def test_an_edit_of_the_library_is_answered_by_the_next_ask(sample_cli: Cli, sample_engine: Engine) -> None:
    assert "现货付款后48小时内" in ask(sample_cli, "今天能发货吗", *AT)
    before = snapshot_of(sample_cli).read_bytes()
    entry = _entry(sample_engine, "什么时候发货")
    with db.session_scope(sample_engine) as s:
        history.update(
            s,
            s.get(Entry, entry.id),
            {"answers": ["亲，改过的答案：明天发"]},
            expected_version=None,
            user="test",
        )
    out = ask(sample_cli, "今天能发货吗", *AT)
    assert "答案：亲，改过的答案：明天发" in out
    assert snapshot_of(sample_cli).read_bytes() != before  # written again for the library as it is now


def test_a_synonym_and_the_threshold_are_seen_at_once(sample_cli: Cli, sample_engine: Engine) -> None:
    assert "同义词：" not in ask(sample_cli, "能开票吗", *AT)
    with db.session_scope(sample_engine) as s:
        add_synonym(s, word="发票", similar=["开票"])
    assert "同义词：开票 → 发票" in ask(sample_cli, "能开票吗", *AT)
    with db.session_scope(sample_engine) as s:
        set_setting(s, "match_threshold", "99")
    assert "低于阈值 99" in ask(sample_cli, "今天能发货吗", *AT)


def test_another_database_with_the_same_counters_is_not_taken_for_the_first(sample_cli: Cli) -> None:
    ask(sample_cli, "今天能发货吗", *AT)
    # A row changed with no counter moved: what a database made again at the same path can look like.
    with sqlite3.connect(sample_cli.url) as conn:
        conn.execute(
            "UPDATE entry SET answers = ? WHERE question = ?", ('["另一个店的答案"]', "什么时候发货")
        )
    assert "答案：另一个店的答案" in ask(sample_cli, "今天能发货吗", *AT)


def test_each_moment_gets_its_own_active_set(sample_cli: Cli) -> None:
    during = ask(sample_cli, "今天能发货吗", *AT)
    before = ask(sample_cli, "今天能发货吗", "--at", "2026-12-01T10:00:00+08:00")
    assert "生效问答 44 条" in during and "生效问答 40 条" in before
    assert ask(sample_cli, "今天能发货吗", *AT) == during


def test_a_torn_snapshot_is_built_again(sample_cli: Cli) -> None:
    built = ask(sample_cli, "今天能发货吗", *AT)
    path = snapshot_of(sample_cli)
    path.write_bytes(path.read_bytes()[:300])
    assert ask(sample_cli, "今天能发货吗", *AT) == built
    assert snapshot.lookup(Path(sample_cli.url), at=parse_datetime(AT[1])).library is not None


def test_an_older_schema_is_refused_with_a_snapshot_beside_it(sample_cli: Cli) -> None:
    ask(sample_cli, "今天能发货吗", *AT)
    with sqlite3.connect(sample_cli.url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    result = sample_cli("ask", "今天能发货吗", *AT)
    assert result.exit_code != 0
    assert "结构版本较旧" in result.output


@pytest.mark.parametrize(
    ("option", "expect"),
    [
        ("shop.db", Path("shop.db").resolve()),
        ("sqlite:////tmp/x/shop.db", Path("/tmp/x/shop.db")),
        ("sqlite+pysqlite:////tmp/x/shop.db", Path("/tmp/x/shop.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:////tmp/x/shop.db?mode=ro", None),
        ("postgresql://u@h/db", None),
    ],
)
def test_the_snapshot_is_for_sqlite_files(option: str, expect: Path | None) -> None:
    assert snapshot.sqlite_file(option) == expect
