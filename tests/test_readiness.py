"""`replybook check --campaign`: the sample shop is ready; a shop made to fail each check is not."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from replybook import autoreplies
from replybook.campaigns import readiness
from replybook.library import entries
from replybook.store import db
from replybook.store.models import AutoReply, Category, Entry
from replybook.store.timeutil import SHOP_TZ
from tests.conftest import Cli


def _status(cli: Cli, name: str) -> tuple[int, dict]:
    result = cli("check", "--campaign", "聚划算", "--format", "json")
    doc = json.loads(result.stdout)
    return result.exit_code, next(c for c in doc["checks"] if c["name"] == name)


def _staff_the_peak(cli: Cli) -> None:
    """The sample shop's one gap (issue 16): 晚班 has one agent for an hour that needs two."""
    assert cli("bot", "shift", "晚班", "--add-agent", "小新").exit_code == 0


# issue 16: on the sample shop the check prints the hand-off rate, the peak hour and the staffing
# item; one hour is under-staffed, named with its gap; one more agent on that shift makes it pass
def test_sample_campaign_is_under_staffed_for_one_hour_until_an_agent_is_added(sample_cli: Cli) -> None:
    table = sample_cli("check", "--campaign", "聚划算")
    assert table.exit_code == 1 and "尚未就绪：1 项未通过" in table.output
    result = sample_cli("check", "--campaign", "聚划算", "--format", "json")
    doc = json.loads(result.stdout)
    staffing = next(c for c in doc["checks"] if c["name"] == "staffing")
    assert [c["name"] for c in doc["checks"] if c["status"] == "fail"] == ["staffing"]
    assert "预计转人工率（全自动）" in staffing["detail"] and "按次数加权" in staffing["detail"]
    assert "高峰 21:00–22:00" in staffing["detail"]
    assert (
        "人手不足：21:00–22:00 缺 1 人（加人：replybook bot shift 晚班 --add-agent 客服名）"
        in staffing["detail"]
    )
    assert staffing["items"][0] == "21:00–22:00 缺 1 人：需要 2 人，排班 1 人（晚班 16:00–24:00：小雨）"
    assert [h["label"] for h in doc["handoff"]["understaffed"]] == ["21:00–22:00"]
    # the 00:00–01:00 peak is outside the service hours: its hand-offs wait, they need no one on duty
    midnight = doc["handoff"]["hours"][0]
    assert midnight["in_service"] is False and midnight["handoffs"] > 0 and midnight["short"] == 0
    _staff_the_peak(sample_cli)
    after = sample_cli("check", "--campaign", "聚划算")
    assert after.exit_code == 0 and "可以开始活动" in after.output


def test_sample_campaign_is_ready(sample_cli: Cli) -> None:
    _staff_the_peak(sample_cli)
    result = sample_cli("check", "--campaign", "聚划算", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert doc["ready"] is True and doc["campaign"]["name"] == "聚划算"
    assert {c["status"] for c in doc["checks"]} <= {"pass", "warn"}
    for check in doc["checks"]:
        assert set(check) >= {"name", "status", "detail", "items"}
    coverage = next(c for c in doc["checks"] if c["name"] == "coverage")
    # the campaign's question file carries 次数: readiness weighs each question by how often it is asked
    assert coverage["status"] == "pass" and "campaign_questions.csv" in coverage["detail"]
    assert "按次数加权覆盖率" in coverage["detail"]


def test_table_and_html(sample_cli: Cli, tmp_path: Path) -> None:
    _staff_the_peak(sample_cli)
    table = sample_cli("check", "--campaign", "聚划算")
    assert table.exit_code == 0 and "可以开始活动" in table.output
    out = tmp_path / "check.html"
    html = sample_cli("check", "--campaign", "聚划算", "--format", "html", "--output", str(out))
    assert html.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "聚划算 活动前检查清单" in page and "可以开始活动" in page
    # a checklist to print: the window in shop time as people write it, not ISO 8601
    assert "活动时间：2026-12-10 00:00 至 2026-12-12 24:00" in page and "T00:00:00+08:00" not in page
    # issue 16: the printed checklist carries the staffing forecast and a sign-off line
    assert 'id="chart-staffing"' in page and "高峰 <b>21:00–22:00</b>" in page
    assert "负责人：" in page and "日期：" in page


def test_unknown_campaign_is_an_error(sample_cli: Cli) -> None:
    result = sample_cli("check", "--campaign", "双11")
    assert result.exit_code == 2 and "没有名为 '双11' 的活动" in result.output


def _edit(cli: Cli):
    return db.session_scope(db.make_engine(cli.url))


def test_too_few_entries_and_a_missing_category(sample_cli: Cli) -> None:
    with _edit(sample_cli) as s:
        greeting = s.exec(select(Category).where(Category.key == "greeting")).one()
        for e in s.exec(select(Entry).where(Entry.category_id == greeting.id)):
            entries.set_enabled(s, entry_id=e.id, enabled=False)
    code, check = _status(sample_cli, "entries")
    assert code == 1 and check["status"] == "fail"
    assert any("问候语" in item for item in check["items"])


def test_min_entries_is_set_per_campaign(sample_cli: Cli) -> None:
    assert sample_cli("campaign", "edit", "聚划算", "--min-entries", "100").exit_code == 0
    code, check = _status(sample_cli, "entries")
    assert code == 1 and "≥ 100" in check["detail"]


def test_campaign_greeting_missing(sample_cli: Cli) -> None:
    with _edit(sample_cli) as s:
        rule = s.exec(select(AutoReply).where(AutoReply.name == "聚划算首次接待")).one()
        autoreplies.delete_rule(s, rule_id=rule.id)
    code, check = _status(sample_cli, "campaign_autoreply")
    assert code == 1 and check["status"] == "fail"


def test_tied_auto_replies(sample_cli: Cli) -> None:
    with _edit(sample_cli) as s:
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
    code, check = _status(sample_cli, "autoreply_ties")
    assert code == 1 and check["status"] == "fail"
    assert any("聚划算首次接待" in item and "聚划算首次接待2" in item for item in check["items"])


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 12, 10, tzinfo=SHOP_TZ), datetime(2026, 12, 12, tzinfo=SHOP_TZ), "早于活动结束"),
        (datetime(2026, 12, 11, tzinfo=SHOP_TZ), datetime(2026, 12, 13, tzinfo=SHOP_TZ), "晚于活动开始"),
    ],
)
def test_promotion_window_out_of_step(sample_cli: Cli, start, end, expected) -> None:
    with _edit(sample_cli) as s:
        entry = s.exec(select(Entry).where(Entry.question == "聚划算价格是多少")).one()
        data = entries.entry_data(entry, "promotions")
        data.active_start, data.active_end = start, end
        entries.update_entry(s, entry_id=entry.id, data=data, expected_version=None)
    code, check = _status(sample_cli, "promotion_windows")
    assert code == 1 and any(expected in item for item in check["items"])


def test_checks_run_through_the_core(sample_engine) -> None:
    with db.session_scope(sample_engine) as s:
        result = readiness.run_checks(s, campaign="聚划算")
    assert [c.name for c in result.failing] == ["staffing"]


def test_empty_team_phrases_make_the_shop_not_ready(sample_cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "team.csv"
    empty.write_bytes("快捷短语编码,快捷短语,快捷短语分组\r\n".encode("gb18030"))
    assert sample_cli("import", str(empty), "--mode", "replace").exit_code == 0
    result = sample_cli("check", "--campaign", "聚划算", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["ready"] is False
    team = next(c for c in doc["checks"] if c["name"] == "team_phrases")
    assert team["status"] == "fail" and "团队短语 0 条" in team["detail"]
    table = sample_cli("check", "--campaign", "聚划算")
    assert table.exit_code == 1 and "尚未就绪" in table.output


def test_agent_with_too_few_personal_phrases(sample_cli: Cli, tmp_path: Path) -> None:
    few = tmp_path / "xm.csv"
    few.write_text("快捷短语编码,快捷短语,快捷短语分组\r\nhi,亲，您好~,问候\r\n", encoding="utf-8-sig")
    imported = sample_cli("import", str(few), "--scope", "personal", "--owner", "小美", "--mode", "replace")
    assert imported.exit_code == 0, imported.output
    code, check = _status(sample_cli, "personal_phrases")
    assert code == 1 and check["items"] == ["小美：1 条"]


def test_coverage_below_target(sample_cli: Cli, tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("今天能发吗\n你们有实体店吗\n能寄到国外吗\n可以视频看看实物吗\n", encoding="utf-8")
    result = sample_cli("check", "--campaign", "聚划算", "--questions", str(questions), "--format", "json")
    check = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "coverage")
    assert result.exit_code == 1 and check["status"] == "fail"
    assert "q.txt" in check["detail"] and check["items"], check


def test_ambiguous_pair(sample_cli: Cli) -> None:
    with _edit(sample_cli) as s:
        entries.create_entry(
            s,
            data=entries.EntryData(
                category="custom",
                question="什么时候能发货呀",
                answers=["另一个答案"],
                similar=["几天可以发货"],
            ),
        )
    code, check = _status(sample_cli, "ambiguous_pairs")
    assert code == 1 and check["status"] == "fail"
    assert any("什么时候能发货呀" in item for item in check["items"])


def test_gold_projection_is_only_a_warning(sample_cli: Cli) -> None:
    with _edit(sample_cli) as s:
        from replybook.store.models import ReviewCount

        for row in s.exec(select(ReviewCount)):
            s.delete(row)
    code, check = _status(sample_cli, "gold_team")
    assert check["status"] == "warn"
    result = sample_cli("check", "--campaign", "聚划算", "--format", "json")
    assert json.loads(result.stdout)["ready"] is (code == 0)


def test_colliding_phrase_codes_make_the_shop_not_ready(sample_cli: Cli, sample_engine) -> None:
    # two team codes that fold to the same shortcut (written past the core, e.g. by an old tool)
    from replybook.store.models import Phrase

    with db.session_scope(sample_engine) as s:
        s.add(Phrase(scope="team", owner="", code="ＨＩ", text="亲，您好~"))
        s.add(Phrase(scope="team", owner="", code="HI", text="亲，在的~"))
    code, check = _status(sample_cli, "phrase_codes")
    assert code == 1 and check["status"] == "fail"
    assert check["items"] and any("hi" in item.lower() for item in check["items"])


def test_personal_code_shadowing_a_team_code_is_only_a_warning(sample_cli: Cli, sample_engine) -> None:
    from replybook.store.models import Phrase

    _staff_the_peak(sample_cli)
    with db.session_scope(sample_engine) as s:
        team = s.exec(select(Phrase).where(Phrase.scope == "team")).first()
        assert team is not None
        s.add(Phrase(scope="personal", owner="小美", code=team.code, text="我自己的版本"))
    code, check = _status(sample_cli, "phrase_codes")
    assert code == 0 and check["status"] == "warn" and check["items"]


# ---------------------------------------------------------------- the campaign's questions live in the DB


def _campaign(cli: Cli, name: str = "聚划算"):
    from replybook import campaigns

    with _edit(cli) as s:
        c = campaigns.get_campaign(s, name)
        s.expunge(c)
        return c


# issue 10 item 10
def test_the_sample_campaign_s_questions_are_stored_in_the_database(sample_cli: Cli, tmp_path: Path) -> None:
    c = _campaign(sample_cli)
    assert c.questions_file == "campaign_questions.csv"
    assert c.questions_text and "次数" in c.questions_text.splitlines()[0]
    # a file given to `campaign edit --questions` is read once: deleting it afterwards changes nothing
    mine = tmp_path / "双12问题.txt"
    mine.write_text("什么时候发货\n聚划算价格是多少\n", encoding="utf-8")
    assert sample_cli("campaign", "edit", "聚划算", "--questions", str(mine)).exit_code == 0
    mine.unlink()
    code, check = _status(sample_cli, "coverage")
    assert check["status"] == "pass" and "双12问题.txt" in check["detail"], check
    listed = sample_cli("campaign", "list")
    assert "双12问题.txt" in listed.output and str(tmp_path) not in listed.output


# issue 10 item 10
def test_a_question_file_that_cannot_be_read_is_refused_and_changes_nothing(
    sample_cli: Cli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("问题,次数\n什么时候发货,很多\n", encoding="utf-8")
    result = sample_cli("campaign", "edit", "聚划算", "--questions", str(bad), "--min-entries", "1")
    assert result.exit_code == 2 and "bad.csv" in result.output and "第 2 行" in result.output
    c = _campaign(sample_cli)
    assert c.questions_file == "campaign_questions.csv" and c.min_entries == 30 and c.version == 1


# issue 10 item 10
def test_a_campaign_without_questions_fails_only_the_coverage_item(sample_cli: Cli) -> None:
    added = sample_cli("campaign", "add", "双12", "--start", "2026-12-10", "--end", "2026-12-12")
    assert added.exit_code == 0, added.output
    result = sample_cli("check", "--campaign", "双12", "--format", "json")
    assert result.exit_code == 1, result.output  # a verdict, not an aborted check (2)
    doc = json.loads(result.stdout)
    failed = [c["name"] for c in doc["checks"] if c["status"] == "fail"]
    assert failed == ["coverage"], doc["checks"]
    coverage = next(c for c in doc["checks"] if c["name"] == "coverage")
    assert "没有活动问题" in coverage["detail"] and "--questions" in coverage["detail"]
    table = sample_cli("check", "--campaign", "双12")
    assert table.exit_code == 1 and "尚未就绪" in table.output and "1 项未通过" in table.output


# issue 10 item 10
def test_the_migration_reads_each_campaign_s_question_file_into_the_database(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from replybook import campaigns

    kept = tmp_path / "kept.csv"
    kept.write_bytes("问题,次数\r\n什么时候发货,3\r\n".encode("gb18030"))
    engine = db.make_engine(str(tmp_path / "old.db"))
    command.upgrade(db._alembic_config(engine), "0003")
    with engine.begin() as conn:
        for i, (name, path) in enumerate([("聚划算", kept), ("双11", tmp_path / "gone.txt"), ("618", None)]):
            conn.execute(
                text(
                    'INSERT INTO campaign (name, start, "end", questions_path, coverage_target, min_entries,'
                    " min_personal_phrases, min_team_phrases, version)"
                    " VALUES (:n, :s, :e, :p, 0.9, 30, 10, 5, 1)"
                ),
                {
                    "n": name,
                    "s": f"2026-12-1{i} 00:00:00",
                    "e": f"2026-12-1{i + 1} 00:00:00",
                    "p": path and str(path),
                },
            )
    db.upgrade(engine)
    kept.unlink()  # the venv (or any folder) the path pointed into may go: the text stays
    with db.session_scope(engine) as s:
        entries.ensure_builtin_categories(s)
        juhuasuan = campaigns.get_campaign(s, "聚划算")
        assert juhuasuan.questions_file == "kept.csv"
        assert juhuasuan.questions_text == "问题,次数\r\n什么时候发货,3\r\n"
        gone = campaigns.get_campaign(s, "双11")
        assert gone.questions_file == "gone.txt" and gone.questions_text is None
        assert campaigns.get_campaign(s, "618").questions_file is None
        result = readiness.run_checks(s, campaign="双11")
    coverage = next(c for c in result.checks if c.name == "coverage")
    assert coverage.status == "fail" and "gone.txt" in coverage.detail and "重新上传" in coverage.detail
    engine.dispose()


# issue 10 item 10
def test_a_deleted_campaign_comes_back_from_history_with_its_questions(sample_cli: Cli) -> None:
    from replybook.store import history
    from replybook.store.models import Campaign

    c = _campaign(sample_cli)
    deleted = sample_cli("campaign", "delete", "聚划算")
    assert deleted.exit_code == 0, deleted.output
    assert "已删除活动 聚划算" in deleted.output and "历史" in deleted.output
    assert sample_cli("check", "--campaign", "聚划算").exit_code == 2
    with _edit(sample_cli) as s:
        assert s.exec(select(Campaign)).first() is None
        rev = history.revisions(s, "campaign", c.id)[0]
        assert rev.action == "delete"
        history.restore(s, rev.id, user="店长")
    back = _campaign(sample_cli)
    assert back.questions_text == c.questions_text and back.version == 3  # 1, the deletion 2, restored 3
    assert sample_cli("campaign", "delete", "没有的活动").exit_code == 2


# issue 10 item 11
@pytest.mark.parametrize(
    ("start", "end", "stored_start", "stored_end"),
    [
        ("2026-12-10", "2026-12-12", "2026-12-10T00:00:00+08:00", "2026-12-13T00:00:00+08:00"),
        ("2026-12-10", "2026-12-10", "2026-12-10T00:00:00+08:00", "2026-12-11T00:00:00+08:00"),
        ("2026-12-10T20:00", "2026-12-12T22:00", "2026-12-10T20:00:00+08:00", "2026-12-12T22:00:00+08:00"),
        ("2026-12-10", "2026-12-13T00:00:00+08:00", "2026-12-10T00:00:00+08:00", "2026-12-13T00:00:00+08:00"),
    ],
)
def test_a_date_only_campaign_end_is_inclusive(sample_cli: Cli, start, end, stored_start, stored_end) -> None:
    from replybook.store.timeutil import iso_shop

    added = sample_cli("campaign", "add", "双12", "--start", start, "--end", end)
    assert added.exit_code == 0, added.output
    c = _campaign(sample_cli, "双12")
    assert (iso_shop(c.start), iso_shop(c.end)) == (stored_start, stored_end)


# issue 10 item 11
def test_the_cli_says_the_end_day_is_included(sample_cli: Cli) -> None:
    added = sample_cli("campaign", "add", "双12", "--start", "2026-12-10", "--end", "2026-12-12")
    assert "2026-12-10 00:00 至 2026-12-12 24:00" in added.output, added.output
    edited = sample_cli("campaign", "edit", "双12", "--end", "2026-12-10")
    assert edited.exit_code == 0, edited.output
    assert _campaign(sample_cli, "双12").end == datetime(2026, 12, 11, tzinfo=SHOP_TZ)
    same = sample_cli("campaign", "add", "双13", "--start", "2026-12-10T08:00", "--end", "2026-12-10T08:00")
    assert same.exit_code == 2 and "结束时间必须晚于开始时间" in same.output


# issue 10 item 11
def test_the_sample_campaign_is_written_with_an_inclusive_end(sample_cli: Cli) -> None:
    import yaml

    from tests.conftest import SAMPLE

    shop = yaml.safe_load((SAMPLE / "shop.yaml").read_text(encoding="utf-8"))
    assert str(shop["campaigns"][0]["end"]) == "2026-12-12"
    c = _campaign(sample_cli)
    assert c.end == datetime(2026, 12, 13, tzinfo=SHOP_TZ)
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert "--start 2026-12-10 --end 2026-12-12" in readme


# issue 10 item 9
def test_the_campaign_check_counts_agents_not_the_supervisor(sample_cli: Cli) -> None:
    from replybook import phrases

    with _edit(sample_cli) as s:
        for code in ("boss1", "boss2"):
            phrases.create_phrase(
                s,
                data=phrases.PhraseData(
                    scope="personal", owner="店长", group="", code=code, text=f"店长的短语{code}"
                ),
            )
    code, check = _status(sample_cli, "personal_phrases")
    assert check["status"] == "pass", check
    assert "2 位客服" in check["detail"] and not any("店长" in item for item in check["items"])
