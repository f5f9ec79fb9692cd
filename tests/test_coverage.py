"""`replybook test` and `replybook ask` as a supervisor runs them on the sample shop (SPEC §7)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlmodel import select

from replybook.coverage.question_files import read_questions
from replybook.store import db
from replybook.store.models import CoverageRun
from tests.conftest import SAMPLE, Cli

AT = ("--at", "2026-12-10T10:00:00+08:00")


def run_json(cli: Cli, path: Path | str, *args: str) -> dict:
    result = cli("test", str(path), "--format", "json", *AT, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_table_report_on_the_sample_questions(sample_cli: Cli) -> None:
    result = sample_cli("test", str(SAMPLE / "questions.txt"), *AT)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "覆盖率测试：348 个问题" in out
    assert "覆盖率 " in out and "已覆盖" in out and "未覆盖" in out
    assert "发货查件（shipping）" in out
    assert "建议标准问题" in out  # clusters of uncovered questions
    assert "已保存本次测试结果" in out


def test_json_has_the_spec_shape_and_input_order(sample_cli: Cli) -> None:
    data = run_json(sample_cli, SAMPLE / "questions.txt")
    s = data["summary"]
    assert s["total"] == 348 == s["covered"] + s["ambiguous"] + s["uncovered"]
    assert 0.0 <= s["coverage"] <= 1.0 and s["coverage"] == round(s["covered"] / 348, 4)
    assert set(s["by_category"]["shipping"]) >= {"total", "covered"}
    lines = (SAMPLE / "questions.txt").read_text(encoding="utf-8").splitlines()
    assert [r["question"] for r in data["results"]] == [ln for ln in lines if ln.strip()]
    first = data["results"][0]
    assert set(first) >= {"question", "status", "category", "entry", "matched", "score"}
    by_question = {r["question"]: r for r in data["results"]}
    assert by_question["今天能发吗"]["entry"] == "什么时候发货"
    assert by_question["今天能发吗"]["status"] == "covered"
    assert by_question["你们有实体店吗"]["status"] == "uncovered"
    assert data["clusters"] and data["clusters"][0]["size"] >= data["clusters"][-1]["size"]


def test_labelled_questions_report_accuracy(sample_cli: Cli) -> None:
    data = run_json(sample_cli, SAMPLE / "questions_labelled.csv")
    s = data["summary"]
    assert s["labelled"] == 348 and s["accuracy"] >= 0.74
    assert s["per_category"]["shipping"]["precision"] > 0.8
    assert s["confused_pairs"][0]["count"] >= s["confused_pairs"][-1]["count"]
    wrong = [r for r in data["results"] if not r["correct"]]
    assert len(wrong) == s["labelled"] - s["correct"]
    table = sample_cli("test", str(SAMPLE / "questions_labelled.csv"), *AT, "--no-save").output
    assert "准确率" in table and "精确率" in table and "最常混淆" in table


def test_campaign_entries_count_only_inside_their_window(sample_cli: Cli) -> None:
    before = run_json(sample_cli, SAMPLE / "questions.txt", "--at", "2026-12-01T10:00:00+08:00")
    during = run_json(sample_cli, SAMPLE / "questions.txt")
    assert during["summary"]["entries"] == before["summary"]["entries"] + 4
    assert during["summary"]["covered"] > before["summary"]["covered"]


def test_fail_under(sample_cli: Cli) -> None:
    result = sample_cli("test", str(SAMPLE / "questions.txt"), *AT, "--fail-under", "99", "--no-save")
    assert result.exit_code == 1
    assert "低于 --fail-under 99%" in result.stderr
    assert sample_cli("test", str(SAMPLE / "questions.txt"), *AT, "--fail-under", "50").exit_code == 0


def test_html_report_is_standalone_with_charts(sample_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = sample_cli(
        "test", str(SAMPLE / "questions_labelled.csv"), *AT, "--format", "html", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert 'id="chart-category"' in page and 'id="chart-scores"' in page and "<rect" in page
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert "覆盖率测试报告" in page and "建议新增问答" in page and "准确率" in page
    assert "你们有实体店吗" in page


def test_csv_report(sample_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    assert sample_cli("test", str(SAMPLE / "questions.txt"), *AT, "-f", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:6] == ["问题", "状态", "分类", "标准问题", "匹配问法", "分数"]
    assert len(rows) == 349
    assert {r[1] for r in rows[1:]} <= {"已覆盖", "有歧义", "未覆盖"}


def test_run_is_saved_unless_no_save(sample_cli: Cli) -> None:
    run_json(sample_cli, SAMPLE / "questions.txt")
    run_json(sample_cli, SAMPLE / "questions.txt", "--no-save")
    engine = db.make_engine(sample_cli.url)
    with db.session_scope(engine) as s:
        runs = s.exec(select(CoverageRun)).all()
        assert len(runs) == 1
        run = runs[0]
        assert run.total == 348 and run.covered + run.ambiguous + run.uncovered == 348
        assert run.report["summary"]["coverage"] == run.coverage
        assert len(run.report["results"]) == 348
    engine.dispose()


def test_counts_weight_the_coverage(sample_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("问题,次数\n今天能发吗,9\n你们有实体店吗,1\n", encoding="utf-8")
    s = run_json(sample_cli, path)["summary"]
    assert s["coverage"] == 0.5 and s["weighted_coverage"] == 0.9


def test_chat_log_keeps_buyer_turns_only(sample_cli: Cli, tmp_path: Path) -> None:
    text_log = tmp_path / "chat.txt"
    text_log.write_text(
        "2026-11-20 10:01:02 买家 小王: 今天能发吗\n"
        "2026-11-20 10:01:30 客服 小美: 亲，下午4点前付款当天发哦\n"
        "2026-11-20 10:02:00 买家 小王: 好的谢谢\n",
        encoding="utf-8",
    )
    assert [r["question"] for r in run_json(sample_cli, text_log)["results"]] == ["今天能发吗", "好的谢谢"]
    csv_log = tmp_path / "chat.csv"
    csv_log.write_bytes(
        "时间,角色,内容\n2026-11-20 10:01,买家,包邮吗\n2026-11-20 10:02,客服,包邮的亲\n".encode("gb18030")
    )
    assert [r["question"] for r in run_json(sample_cli, csv_log)["results"]] == ["包邮吗"]


def test_column_option_and_bad_input(sample_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("编号,买家说的\n1,今天能发吗\n", encoding="utf-8")
    assert run_json(sample_cli, path, "--column", "买家说的")["results"][0]["entry"] == "什么时候发货"
    missing = sample_cli("test", str(path), "--column", "不存在")
    assert missing.exit_code == 2 and "没有名为 '不存在' 的列" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("问题,次数\n包邮吗,很多\n", encoding="utf-8")
    result = sample_cli("test", str(bad))
    assert result.exit_code == 2 and "第 2 行" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("今天能发吗", ["什么时候发货", "今天能发吗", "已覆盖", "答案：亲，现货付款后48小时内"]),
        ("你们有实体店吗", ["未覆盖", "机器人不会回答"]),
    ],
)
def test_ask_shows_top_entries_answer_and_auto_reply(
    sample_cli: Cli, question: str, expect: list[str]
) -> None:
    result = sample_cli("ask", question, *AT)
    assert result.exit_code == 0, result.output
    for text in expect:
        assert text in result.output
    assert "自动回复（首次接待）：" in result.output


def test_ask_shows_three_entries(sample_cli: Cli) -> None:
    out = sample_cli("ask", "几天能发货", *AT).output
    assert all(f"│ {i} " in out for i in (1, 2, 3))


def test_read_questions_keeps_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text("亲，今天能发吗？ \n\n  ＸＬ有货吗\n", encoding="utf-8")
    assert [q.text for q in read_questions(path)] == ["亲，今天能发吗？ ", "  ＸＬ有货吗"]


# issue 10 item 7
def test_a_category_label_may_be_its_key_or_its_name(sample_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("问题,分类\n在吗,问候语\n今天能发吗,shipping\n今天能发吗,发货查件\n", encoding="utf-8")
    s = run_json(sample_cli, path)["summary"]
    assert s["labelled"] == 3 and s["accuracy"] == 1.0
    assert s["per_category"]["greeting"] == {"precision": 1.0, "recall": 1.0, "support": 1}
    assert set(s["per_category"]) == {"greeting", "shipping"}


# issue 10 item 7
@pytest.mark.parametrize(
    ("body", "expect"),
    [
        ("问题,分类\n在吗,greeting\n今天能发吗,问候\n", ["第 3 行", "分类", "问候", "问候语"]),
        (
            "问题,标准问题\n今天能发吗,什么时候发货\n在吗,没有这条问答\n",
            ["第 3 行", "标准问题", "没有这条问答"],
        ),
    ],
)
def test_a_label_that_names_no_category_or_entry_is_an_error_naming_the_row(
    sample_cli: Cli, tmp_path: Path, body: str, expect: list[str]
) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(body, encoding="utf-8")
    result = sample_cli("test", str(path), *AT)
    assert result.exit_code == 2 and "Traceback" not in result.output
    for text in expect:
        assert text in result.stderr
    assert "labels.csv" in result.stderr
    with db.session_scope(db.make_engine(sample_cli.url)) as s:
        assert s.exec(select(CoverageRun)).all() == []  # bad input changes nothing


# issue 10 item 7
def test_a_csv_without_a_question_column_is_an_error_unless_column_is_given(
    sample_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "q.csv"
    path.write_text("编号,买家说的\n1,今天能发吗\n", encoding="utf-8")
    result = sample_cli("test", str(path), *AT)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "q.csv" in result.stderr and "问题" in result.stderr and "编号、买家说的" in result.stderr
    assert "--column" in result.stderr
    assert run_json(sample_cli, path, "--column", "买家说的")["results"][0]["entry"] == "什么时候发货"


# issue 10 item 7
@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("快捷短语编码,快捷短语,快捷短语分组\nfh,亲，48小时内发货,发货\n", "快捷短语"),
        ("快捷编码,快捷短语内容\nfh,亲，48小时内发货\n", "快捷短语"),
        ("日期,来源,客服,很满意,满意,一般,不满意,很不满意\n2026-11-20,人工,小美,5,1,0,0,0\n", "评价"),
        ("日期,综合服务分\n2026-11-20,4.8\n", "评价"),
    ],
)
def test_a_quick_phrase_or_review_csv_says_what_it_is(
    sample_cli: Cli, tmp_path: Path, header: str, says: str
) -> None:
    path = tmp_path / "other.csv"
    path.write_text(header, encoding="utf-8")
    result = sample_cli("test", str(path), *AT)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert says in result.stderr and "不是问题文件" in result.stderr


def test_html_report_has_the_ignored_card_and_lists_the_ignored_questions(
    sample_cli: Cli, tmp_path: Path
) -> None:
    assert sample_cli("ignore", "add", "你们老板的电话号码多少").exit_code == 0
    asked = tmp_path / "asked.txt"
    asked.write_text(
        "你们老板的电话号码多少\n什么时候发货\n你们老板的电话号码多少？\n老板电话给一个\n", encoding="utf-8"
    )
    out = tmp_path / "report.html"
    assert sample_cli("test", str(asked), *AT, "--no-save", "-f", "html", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    card = page.split('id="card-ignored"', 1)[1].split("</div>", 1)[0]
    assert "已忽略<b>2</b>" in card
    listed = page.split('id="ignored"', 1)[1].split("</table>", 1)[0]
    assert "<td>你们老板的电话号码多少</td>" in listed and "<td>你们老板的电话号码多少？</td>" in listed
    assert "老板电话给一个" not in listed and "什么时候发货" not in listed


def test_html_report_without_ignored_questions_has_no_ignored_card(sample_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert (
        sample_cli(
            "test", str(SAMPLE / "questions.txt"), *AT, "--no-save", "-f", "html", "-o", str(out)
        ).exit_code
        == 0
    )
    assert 'id="card-ignored"' not in out.read_text(encoding="utf-8")
