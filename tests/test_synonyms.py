"""The shop's synonyms (同义词, issue 13 item 1): a versioned list the matcher reads on both sides,
checked on every write, kept up to date in the try box's cached matcher, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.coverage.live import MatcherCache, answer
from replybook.coverage.matching import Matcher
from replybook.library import entries
from replybook.library import synonyms as syn
from replybook.store import db, history
from replybook.store.errors import ConflictError, InvalidValue, ReplybookError, StaleVersionError
from tests.conftest import CAMPAIGN_START, Cli


def _entry(s: Session, question: str, answer: str = "好的") -> int:
    e = entries.create_entry(
        s, data=entries.EntryData(category="shipping", question=question, answers=[answer])
    )
    s.flush()
    return e.id or 0


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_scope(engine) as s:
        syn.add_synonym(s, word="快递", similar=["物流", "包裹"])
        syn.add_synonym(s, word="发票", similar="开票、票据")
    return engine


@pytest.mark.parametrize(
    ("word", "similar", "error", "message"),
    [
        ("", ["x"], InvalidValue, "核心词不能为空"),
        ("！", ["x"], InvalidValue, "核心词不能为空"),
        ("退货", [], InvalidValue, "“退货”至少要有一个同义词"),
        ("退货", ["退货"], InvalidValue, "同义词“退货”就是核心词本身"),
        ("快递", ["快件"], ConflictError, "核心词“快递”重复：#1 快递 和 新的一组 快递"),
        ("ＫＵＡＩＤＩ", ["x"], None, None),
        ("物流", ["流转"], ConflictError, "“物流”既是 新的一组 物流 的核心词，又是 #1 快递 的同义词"),
        ("退货", ["快递"], ConflictError, "“快递”既是 #1 快递 的核心词，又是 新的一组 退货 的同义词"),
        ("邮寄", ["包裹"], ConflictError, "同义词“包裹”同时在 #1 快递 和 新的一组 邮寄 里"),
    ],
)
def test_a_bad_group_is_refused_with_one_line_and_nothing_written(
    shop: Engine, word: str, similar: list[str], error: type[Exception] | None, message: str | None
) -> None:
    with Session(shop) as s:
        if error is None:
            syn.add_synonym(s, word=word, similar=similar)
            return
        with pytest.raises(error) as caught:
            syn.add_synonym(s, word=word, similar=similar)
        assert str(caught.value).startswith(message or ""), str(caught.value)
        assert "\n" not in str(caught.value)
        s.rollback()
        assert [i.word for i in syn.list_synonyms(s)] == ["快递", "发票"]


def test_edit_checks_the_version_and_history_undoes_it(shop: Engine) -> None:
    with db.session_scope(shop) as s:
        item = syn.find_synonym(s, "快递")
        syn.edit_synonym(
            s, item.id or 0, word="快递", similar=["物流", "快件"], expected_version=1, user="店长"
        )
    with Session(shop) as s, pytest.raises(StaleVersionError):
        syn.edit_synonym(s, item.id or 0, word="快递", similar=["件"], expected_version=1, user="小美")
    with db.session_scope(shop) as s:
        revs = history.revisions(s, "synonym", item.id or 0)
        assert [(r.version, r.action) for r in revs] == [(2, "update"), (1, "create")]
        assert revs[0].data["similar_words"] == ["物流", "快件"]
        history.undo(s, revs[0].id or 0, user="店长")
    with Session(shop) as s:
        assert syn.find_synonym(s, "快递").similar_words == ["物流", "包裹"]


def test_an_import_is_checked_as_a_whole_before_anything_is_written(shop: Engine) -> None:
    groups = [{"word": "退货", "similar": ["退回"]}, {"word": "退款", "similar": ["退回"]}]
    with (
        Session(shop) as s,
        pytest.raises(ReplybookError, match="同义词“退回”同时在 第 1 组 退货 和 第 2 组 退款 里"),
    ):
        syn.import_synonyms(s, groups)
    with Session(shop) as s, pytest.raises(InvalidValue, match="synonyms 第 1 组：不认识的字段 similiar"):
        syn.import_synonyms(s, [{"word": "退货", "similiar": ["退回"]}])
    with db.session_scope(shop) as s:
        plan = syn.import_synonyms(s, [{"word": "快递", "similar": ["物流"]}, *groups[:1]], mode="replace")
        assert plan.summary() == "同义词：添加 1 组，修改 1 组，删除 1 组，未变 0 组"
    with Session(shop) as s:
        assert syn.export_synonyms(s) == [
            {"word": "快递", "similar": ["物流"]},
            {"word": "退货", "similar": ["退回"]},
        ]


def test_matching_reads_both_sides_with_the_shop_synonyms_and_a_new_one_after_an_edit(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        target = _entry(s, "可以开发票吗", "可以的，下单时备注抬头")
        _entry(s, "几天能到")
    cache = MatcherCache()
    with Session(engine) as s:
        before = cache.get(s, CAMPAIGN_START)
        assert answer(before, "能给个收据吗")[0].entry_id != target
        cache.get(s, CAMPAIGN_START)
        assert cache.synonym_reads == 1  # asked twice, read once
    with db.session_scope(engine) as s:
        syn.add_synonym(s, word="发票", similar=["收据"])
    with Session(engine) as s:
        live = cache.get(s, CAMPAIGN_START)
        assert cache.synonym_reads == 2
        assert live.classify("能给个收据吗").entry_id == target
        assert live.prepare("能给个收据吗") == Matcher.build(s, at=CAMPAIGN_START).prepare("能给个发票吗")
    with db.session_scope(engine) as s:
        item = syn.find_synonym(s, "发票")
        syn.edit_synonym(s, item.id or 0, word="发票", similar=["收据"], enabled=False, expected_version=1)
    with Session(engine) as s:
        assert cache.get(s, CAMPAIGN_START).classify("能给个收据吗").entry_id != target  # off: not applied
        assert cache.synonym_reads == 3


def test_a_similar_word_the_segmenter_cuts_apart_still_fires(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        syn.add_synonym(s, word="客服", similar=["人工客服小姐姐"])
        matcher = Matcher.build(s, at=CAMPAIGN_START)
    assert matcher.prepare("人工客服小姐姐在吗") == matcher.prepare("客服在吗")


def test_init_loads_the_starter_lexicon_once(cli: Cli, tmp_path: Path) -> None:
    listed = cli("synonyms", "list")
    assert "#1 快递：物流、包裹、件、快件" in listed.output
    assert "#3 顺丰：sf、顺风" in listed.output
    assert cli("synonyms", "remove", "顺丰").output.strip() == "已删除同义词 顺丰"
    again = cli("init")
    assert "同义词" not in again.output
    assert "顺丰" not in cli("synonyms", "list").output


def test_the_cli_adds_edits_removes_exports_and_imports(cli: Cli, tmp_path: Path) -> None:
    added = cli("synonyms", "add", "发票", "开票", "票据")
    assert added.exit_code == 0 and "已新增同义词 #26 发票：开票、票据" in added.output
    wrong = cli("synonyms", "add", "开发票", "包裹")
    assert wrong.exit_code != 0
    assert (
        wrong.output.strip() == "错误：同义词“包裹”同时在 #1 快递 和 新的一组 开发票 里：一个词只能在一组里"
    )
    edited = cli("synonyms", "edit", "发票", "开票", "收据")
    assert "已修改同义词 #26 发票：开票、收据（第 2 版）" in edited.output
    asked = cli("ask", "能给我开票吗")
    assert "同义词：开票 → 发票" in asked.output
    out = tmp_path / "synonyms.yaml"
    assert "已导出同义词 26 组" in cli("synonyms", "export", "-o", str(out)).output
    cli("synonyms", "remove", "#26")
    cli("synonyms", "remove", "快递")
    plan = cli("synonyms", "import", str(out), "--dry-run")
    assert plan.output.strip() == "同义词：将添加 2 组，将修改 0 组，将删除 0 组，未变 24 组"
    assert "#1 快递" not in cli("synonyms", "list").output
    assert "同义词：添加 2 组" in cli("synonyms", "import", str(out)).output
    assert "发票：开票、收据" in cli("synonyms", "list").output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "synonyms:\n  - word: 快递\n    similar: [物流]\n  - word: 物流\n    similar: [件]\n",
        encoding="utf-8",
    )
    refused = cli("synonyms", "import", str(bad))
    assert refused.exit_code != 0
    assert refused.output.strip().startswith(
        "错误：“物流”既是 第 2 组 物流 的核心词，又是 第 1 组 快递 的同义词"
    )


def test_ask_names_the_synonym_that_fired_on_the_sample_shop(sample_cli: Cli) -> None:
    asked = sample_cli("ask", "我的包裹到哪了", "--at", "2026-12-10T10:00:00+08:00")
    assert "同义词：包裹 → 快递" in asked.output


def test_the_migration_moves_the_synonyms_setting_into_the_table(tmp_path: Path) -> None:
    import json

    from alembic import command
    from sqlalchemy import text

    engine = db.make_engine(str(tmp_path / "old.db"))
    command.upgrade(db._alembic_config(engine), "0014")
    groups = [{"word": "快递", "similar": ["物流", "包裹"]}, {"word": "快递", "similar": ["件"]}]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO setting (key, value) VALUES ('synonyms', :v)"), {"v": json.dumps(groups)}
        )
    db.upgrade(engine)
    with Session(engine) as s:
        assert syn.export_synonyms(s) == [{"word": "快递", "similar": ["物流", "包裹"]}]
        assert s.exec(text("SELECT count(*) FROM setting WHERE key = 'synonyms'")).one()[0] == 0  # type: ignore[call-overload]
        syn.edit_synonym(s, 1, word="快递", similar=["物流"], expected_version=1)  # a versioned item like any
    engine.dispose()
