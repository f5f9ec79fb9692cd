"""Chat-log exports as coverage input (issue 15 item 3): HDD7's ZIP, khgkk's workbook, plain blocks;
only buyer turns are questions, the counts of buyer/agent/unknown turns are printed, consecutive
buyer lines within seconds are one question, pictures are counted but not matched, times kept."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from replybook import campaigns
from replybook.coverage.question_files import parse_questions, read_question_file
from replybook.store.errors import ImportFormatError, ReplybookError
from replybook.store.timeutil import SHOP_TZ
from replybook.tabular import chatlog
from tests.chat_fixtures import AGENT, HDD7_SAMPLE, KHGKK_SAMPLE, SHOP, blocks, hdd7_zip, khgkk_xlsx
from tests.conftest import Cli


def _json_questions(result) -> list[str]:
    return [r["question"] for r in json.loads(result.stdout)["results"]]


def test_replybook_test_on_a_hdd7_zip_asks_only_the_buyers_questions(sample_cli: Cli, tmp_path: Path) -> None:
    # issue 15: `replybook test` on a HDD7-style ZIP made by the tests: only buyer turns are
    # questions; the counts of buyer/agent turns are printed
    path = tmp_path / "千牛聊天记录_2026-11-12.zip"
    path.write_bytes(hdd7_zip(HDD7_SAMPLE))
    result = sample_cli("test", str(path), "--format", "json", "--no-save")
    assert result.exit_code == 0, result.output
    assert _json_questions(result) == ["在吗 这件连衣裙有XL吗", "什么时候发货", "有优惠券吗"]
    assert "聊天记录 2 段：买家 5 条、客服 3 条、未知 1 条" in result.stderr
    assert "买家发的图片 1 条（不参与匹配），连发合并 1 条，得到问题 3 个" in result.stderr
    assert "官方小助手" in result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["chat"]["buyer"] == 5 and summary["chat"]["agent"] == 3


def test_replybook_test_on_a_khgkk_workbook(sample_cli: Cli, tmp_path: Path) -> None:
    # issue 15: `replybook test` on a khgkk-style .xlsx (客户ID | 聊天记录)
    path = tmp_path / "聊天记录.xlsx"
    path.write_bytes(khgkk_xlsx(KHGKK_SAMPLE))
    result = sample_cli("test", str(path), "--format", "json", "--no-save")
    assert result.exit_code == 0, result.output
    assert _json_questions(result) == ["能便宜点吗", "发什么快递", "可以退货吗"]
    assert "买家 4 条、客服 1 条、未知 0 条；买家发的图片 1 条" in result.stderr


def test_the_times_buyers_asked_stay_on_the_questions() -> None:
    # issue 15: keep the parsed times on the question (for the hourly load later)
    found = read_question_file(hdd7_zip(HDD7_SAMPLE), name="log.zip")
    first = found.questions[0]
    assert first.at == datetime(2026, 11, 11, 10, 0, 1, tzinfo=SHOP_TZ)  # the first line's time
    assert first.buyer == "tb_小王"
    assert [q.at.hour for q in found.questions if q.at] == [10, 10, 21]


def test_plain_text_blocks_with_and_without_a_customer_id() -> None:
    # issue 15: plain text in the same 时间\n昵称: 内容 block form
    text = "客户ID: tb_小王\n" + blocks(
        [("2026-11-11 10:00:00", "tb_小王", "包邮吗"), ("2026-11-11 10:00:10", AGENT, "亲，包邮哦")]
    )
    assert [q.text for q in parse_questions(text, "log.txt")] == ["包邮吗"]
    bare = blocks(
        [("2026-11-11 10:00:00", "顾客甲", "有赠品吗\n送什么"), ("2026-11-11 10:01:00", AGENT, "送发夹")]
    )
    found = read_question_file(bare.encode(), name="log.txt")
    assert [q.text for q in found.questions] == ["有赠品吗 送什么"]
    assert found.chat is not None and (found.chat.buyer, found.chat.agent) == (1, 1)


def test_a_log_without_a_buyer_turn_warns(sample_cli: Cli, tmp_path: Path) -> None:
    # issue 15: warn when a file yields no buyer turn
    path = tmp_path / "only_agents.zip"
    path.write_bytes(hdd7_zip({"tb_某人": [("2026-11-11", "10:00:00", AGENT, "亲，在的", "")]}))
    result = sample_cli("test", str(path), "--no-save")
    assert result.exit_code != 0
    assert "没有找到问题" in result.stderr and "买家 0 条、客服 1 条" in result.stderr


def test_replybook_users_and_sub_accounts_are_agents() -> None:
    # issue 15: a sender that is a replybook user, or has the form 店铺名:子账号, is an agent
    assert chatlog.role_of(f"{SHOP}:小美", "tb_x", set()) == chatlog.AGENT
    assert chatlog.role_of("小雨", "tb_x", {"小雨"}) == chatlog.AGENT
    assert chatlog.role_of("tb_x", "tb_x", set()) == chatlog.BUYER
    assert chatlog.role_of("路人", "tb_x", set()) == chatlog.UNKNOWN


def test_a_campaign_keeps_a_zip_as_its_question_set() -> None:
    # issue 15: chat logs as campaign question sets
    name, text = campaigns.read_question_set("千牛聊天记录_2026-11-12.zip", hdd7_zip(HDD7_SAMPLE))
    assert name == "千牛聊天记录_2026-11-12.zip.txt"
    assert [q.text for q in parse_questions(text, name)] == [
        "在吗 这件连衣裙有XL吗",
        "什么时候发货",
        "有优惠券吗",
    ]
    name, text = campaigns.read_question_set("log.xlsx", khgkk_xlsx(KHGKK_SAMPLE))
    assert [q.text for q in parse_questions(text, name)] == ["能便宜点吗", "发什么快递", "可以退货吗"]


def test_a_question_list_in_excel_reads_like_the_csv(tmp_path: Path) -> None:
    # issue 15: question sets in .xlsx (the CSV's columns)
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["问题", "次数"])
    book.active.append(["什么时候发货", 3])
    path = tmp_path / "q.xlsx"
    book.save(path)
    found = read_question_file(path)
    assert [(q.text, q.count) for q in found.questions] == [("什么时候发货", 3)] and found.chat is None


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04broken", hdd7_zip({}), b"PK\x05\x06" + b"\0" * 18],
)
def test_a_broken_zip_is_one_problem(data: bytes) -> None:
    with pytest.raises(ReplybookError):
        read_question_file(data, name="log.zip")


def test_a_member_that_is_not_hdd7_json_is_named() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("tb_a.json", "{not json")
        archive.writestr("tb_b.json", json.dumps({"user": "tb_b"}))
    with pytest.raises(ImportFormatError) as caught:
        read_question_file(out.getvalue(), name="log.zip")
    text = str(caught.value)
    assert "tb_a.json：无法读取 JSON" in text and "tb_b.json：应为" in text
