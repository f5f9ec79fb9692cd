"""Many saves in one transaction (an import): each save checks its wordings against the library and
the transaction's own uncommitted rows, reading only what moved since the previous save (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from replybook import library
from replybook.library import entries, owners
from replybook.library.entries import EntryData
from replybook.store import db
from replybook.store.errors import ConflictError

LIBRARY = 300  # entries: more than one block of ids


def _data(question: str, similar: list[str] | None = None) -> EntryData:
    return EntryData(category="shipping", question=question, answers=["答"], similar=similar or [])


def _yaml(items: list[tuple[str, list[str]]]) -> str:
    lines = ["entries:"]
    for question, similar in items:
        lines += [
            "  - category: shipping",
            f"    question: {question}",
            f"    similar: [{', '.join(similar)}]",
            "    answers: [答]",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def stocked(any_engine: Engine) -> Engine:
    with db.session_scope(any_engine) as s:
        for i in range(LIBRARY):
            entries.create_entry(s, data=_data(f"第{i}个问题", [f"第{i}个问法"]))
    with db.session_scope(any_engine) as s:
        entries.create_entry(s, data=_data("热身"))  # a save outside an import learns the library
    return any_engine


def test_an_import_normalises_each_entry_it_writes_once(
    stocked: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two entries in different blocks swap a wording, one keeps it, 400 are new: every save of the
    # import checks against all of them, yet reads back only the entry it wrote (was: every entry
    # the import had written so far, 16.1 s for 1,000 entries).
    items = [(f"第{i}个问题", [f"第{i}个问法"]) for i in range(LIBRARY)]
    items[10] = ("第10个问题", ["第290个问法"])
    items[290] = ("第290个问题", ["第10个问法"])
    items += [(f"新问题{i}", [f"新问法{i}"]) for i in range(400)]
    path = tmp_path / "library.yaml"
    path.write_text(_yaml(items), encoding="utf-8")
    calls: list[str] = []
    real = owners.normalise
    monkeypatch.setattr(owners, "normalise", lambda w: calls.append(w) or real(w))
    with db.session_scope(stocked) as s:
        plan = library.import_library(s, path)
    assert (len(plan.add), len(plan.change)) == (400, 2)
    # the 400 new entries' wordings read back once, the two changed ones' a few times (805 here);
    # re-reading every entry the import wrote so far at each save made it about 160,000
    assert len(calls) <= 2 * 400 + 20, len(calls)
    with db.session_scope(stocked) as s:
        text = library.export_text(s)
    assert "question: 第10个问题\n    similar: [第290个问法]" in text
    assert "question: 第290个问题\n    similar: [第10个问法]" in text
    assert text.count("\n  - category:") == LIBRARY + 1 + 400


def test_a_refused_import_still_finds_a_wording_taken_earlier_in_the_same_file(
    stocked: Engine, tmp_path: Path
) -> None:
    with db.session_scope(stocked) as s:
        first = library.export_text(s)
    with pytest.raises(ConflictError, match="问法 '第5个问法' 已在问答 #6"), db.session_scope(stocked) as s:
        for i in range(300):  # the import's own entries fill a block of their own
            entries.create_entry(s, data=_data(f"导入{i}", [f"导入问法{i}"]))
        with pytest.raises(ConflictError, match="问法 '导入问法3' 已在问答 #305（导入3）"):
            entries.create_entry(s, data=_data("导入末尾", ["导入问法3"]))
        entries.create_entry(s, data=_data("最后一条", ["第5个问法"]))
    with db.session_scope(stocked) as s:  # all or nothing
        assert library.export_text(s) == first


def test_saves_in_one_transaction_follow_its_own_edits_and_deletions(stocked: Engine) -> None:
    with db.session_scope(stocked) as s:
        extra = [entries.create_entry(s, data=_data(f"本次{i}", [f"本次问法{i}"])) for i in range(260)]
        with pytest.raises(ConflictError, match="问法 '本次问法7' 已在问答"):
            entries.create_entry(s, data=_data("又一条", ["本次问法7"]))
        data = entries.entry_data(extra[7], "shipping")
        data.similar = []
        entries.update_entry(s, entry_id=extra[7].id or 0, data=data, expected_version=None)
        entries.create_entry(s, data=_data("又一条", ["本次问法7"]))  # freed in this transaction
        entries.delete_entry(s, entry_id=3)  # 第2个问题, committed before
        entries.create_entry(s, data=_data("第2个问题", ["第2个问法"]))
        with pytest.raises(ConflictError, match="问法 '又一条' 已在问答"):
            entries.create_entry(s, data=_data("再一条", ["又一条"]))
        with pytest.raises(ConflictError, match="问法 '第200个问法' 已在问答 #201"):
            entries.create_entry(s, data=_data("再一条", ["第200个问法"]))
    # committed: a save outside the transaction sees the same
    with pytest.raises(ConflictError, match="问法 '本次问法7' 已在问答"), db.session_scope(stocked) as s:
        entries.create_entry(s, data=_data("再一条", ["本次问法7"]))


def test_a_rolled_back_savepoint_is_not_remembered(stocked: Engine) -> None:
    # On SQLite the entry created after the rollback gets the rolled-back entry's id (303), at the
    # same version: only the second one's wordings count.
    with db.session_scope(stocked) as s:
        entries.create_entry(s, data=_data("开头"))  # the transaction has written library rows
        savepoint = s.begin_nested()
        entries.create_entry(s, data=_data("撤销的问题", ["撤销的问法"]))
        with pytest.raises(ConflictError):
            entries.create_entry(s, data=_data("试一下", ["撤销的问法"]))
        savepoint.rollback()
        kept = entries.create_entry(s, data=_data("留下的问题", ["留下的问法"]))
        entries.create_entry(s, data=_data("试一下", ["撤销的问法"]))
        with pytest.raises(ConflictError, match=f"问法 '留下的问法' 已在问答 #{kept.id}（留下的问题）"):
            entries.create_entry(s, data=_data("再试", ["留下的问法"]))


def test_an_import_applied_as_planned_skips_each_saves_check(
    stocked: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nobody wrote the library between the plan and the apply: the plan's checks of the whole file
    # still hold, so no save asks which entry holds its wordings (each asking made 10,000 entries
    # take 81 CPU s).
    path = tmp_path / "library.yaml"
    path.write_text(_yaml([(f"新问题{i}", [f"新问法{i}"]) for i in range(50)]), encoding="utf-8")
    asked: list[list[str]] = []
    real = entries.find_owner
    monkeypatch.setattr(
        entries, "find_owner", lambda s, keys, **kw: asked.append(keys) or real(s, keys, **kw)
    )
    with db.session_scope(stocked) as s:
        plan = library.import_library(s, path)
    assert (len(plan.add), asked) == (50, [])
    with db.session_scope(stocked) as s:
        assert library.export_text(s).count("\n  - category:") == LIBRARY + 1 + 50


def test_a_save_between_the_plan_and_the_apply_is_checked_again(stocked: Engine, tmp_path: Path) -> None:
    # The preview planned against the library; someone then saved an entry holding a wording of the
    # file. The apply sees the counter moved and checks each save: the conflict is refused, not stored.
    path = tmp_path / "library.yaml"
    path.write_text(_yaml([("导入的问题", ["刚被占用的问法"]), ("另一条", ["别的问法"])]), encoding="utf-8")
    with db.session_scope(stocked) as s:
        before = library.export_text(s)
    with pytest.raises(ConflictError, match="问法 '刚被占用的问法' 已在问答"), db.session_scope(stocked) as s:
        plan = library.plan_import(s, path.read_text(encoding="utf-8"), source=str(path))
        s.commit()  # the plan's reads end; on SQLite its transaction holds no lock
        with db.session_scope(stocked) as other:
            entries.create_entry(other, data=_data("别人刚加的", ["刚被占用的问法"]))
        library.apply_import(s, plan)
    with db.session_scope(stocked) as s:
        text = library.export_text(s)
    assert "question: 别人刚加的" in text and "导入的问题" not in text and "另一条" not in text
    assert text.count("\n  - category:") == before.count("\n  - category:") + 1
