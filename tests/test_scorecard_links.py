# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""Links back to the reply configuration (issue 17 item 5) on the sample shop and a small chat log:
each agent's personal quick phrases, quick phrases against typed by hand, and the uncovered buyer
questions they answered most (the coverage matcher's verdict, the ignored list respected), in the
table, the JSON, the .xlsx, the printable HTML 考核表 and the scorecard page."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import SAMPLE, Cli
from tests.test_web import AGENT, SUPERVISOR, Browser, anon, app, basic, boss  # noqa: F401 - fixtures

BOSS, STAFF = basic(SUPERVISOR), basic(AGENT)

SHOP = "毛菇小象女装旗舰店"
MEI, YU = f"{SHOP}:小美", f"{SHOP}:小雨"


def _conversation(buyer: str, messages: list[tuple[str, str, str]]) -> str:
    blocks = "\n\n".join(f"{at}\n{who}: {text}" for at, who, text in messages)
    return f"客户ID: {buyer}\n\n{blocks}\n"


# 小美 in November: 5 questions answered — 在吗 (covered), 支持货到付款吗 twice in two wordings,
# 你们有实体店吗, 可以定制logo吗 (uncovered: 4); her messages: nh (her phrase, exactly), cmb (her
# phrase with the punctuation changed), 3 typed by hand. The bot's answer to tb_e's question does not
# count as answering: 小美's reply after it does. tb_d asked in October: not this month's.
# 小雨: 你们有实体店吗 (uncovered) and 你们老板电话多少 (on the ignored list): 2 answered, 1 uncovered;
# zai is her phrase, one reply typed.
LOG = "\n".join(
    [
        _conversation(
            "tb_a",
            [
                ("2026-11-05 10:00:00", "tb_a", "在吗"),
                ("2026-11-05 10:00:20", MEI, "亲亲你好呀~我是小美，很高兴为您服务😊"),
                ("2026-11-05 10:01:00", "tb_a", "支持货到付款吗"),
                ("2026-11-05 10:02:00", MEI, "亲，暂不支持货到付款哦"),
                ("2026-11-05 10:03:00", "tb_a", "你们有实体店吗"),
                ("2026-11-05 10:04:00", MEI, "亲，我们只有网店哦"),
            ],
        ),
        _conversation(
            "tb_e",
            [
                ("2026-11-06 11:00:00", "tb_e", "支持货到付款吗？"),
                ("2026-11-06 11:00:05", "店小蜜", "亲，小蜜没听懂，正在为您转人工"),
                ("2026-11-06 11:00:30", MEI, "亲，暂时不支持哦"),
                ("2026-11-06 11:01:00", "tb_e", "可以定制logo吗"),
                (
                    "2026-11-06 11:01:30",
                    MEI,
                    "亲,详情页最下面有尺码表哦,告诉小美您的身高体重,帮您推荐尺码~",
                ),
            ],
        ),
        _conversation(
            "tb_c",
            [
                ("2026-11-07 20:00:00", "tb_c", "你们有实体店吗"),
                ("2026-11-07 20:00:40", YU, "在的在的，亲请讲~"),
                ("2026-11-07 20:01:00", "tb_c", "你们老板电话多少"),
                ("2026-11-07 20:01:30", YU, "亲，这个不方便透露哦"),
            ],
        ),
        _conversation(
            "tb_d",
            [
                ("2026-10-30 09:00:00", "tb_d", "支持货到付款吗"),
                ("2026-10-30 09:00:30", MEI, "不支持的亲"),
            ],
        ),
    ]
)


@pytest.fixture
def shop(sample_cli: Cli, tmp_path: Path) -> tuple[Cli, Path]:
    log = tmp_path / "聊天记录.txt"
    log.write_text(LOG, encoding="utf-8")
    assert sample_cli("score", "chatlog", str(log)).exit_code == 0
    assert sample_cli("ignore", "add", "你们老板电话多少").exit_code == 0
    return sample_cli, log


def _teach(*wordings: str) -> str:
    return "/teach/entry?" + "&".join(f"question={quote(w)}" for w in wordings)


def test_the_json_has_each_agents_links(shop: tuple[Cli, Path]) -> None:
    cli, log = shop
    result = cli("score", "--month", "2026-11", "--format", "json", "--chats", str(log))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["chat_logs"] == [str(log)]
    links = {a["agent"]: a["reply_configuration"] for a in data["agents"]}
    mei, yu = links["小美"], links["小雨"]
    assert (mei["personal_phrases"], mei["phrase_messages"], mei["typed_messages"]) == (13, 2, 3)
    assert mei["phrase_share"] == 0.4
    questions = mei["uncovered_questions"]
    assert (questions["answered"], questions["uncovered"]) == (5, 4)
    assert [(q["question"], q["count"]) for q in questions["top"]] == [
        ("支持货到付款吗", 2),
        ("你们有实体店吗", 1),
        ("可以定制logo吗", 1),
    ]
    first = questions["top"][0]
    assert first["wordings"] == ["支持货到付款吗", "支持货到付款吗？"]
    assert first["teach"] == _teach("支持货到付款吗", "支持货到付款吗？")
    assert first["candidates"] and {"entry_id", "question", "score"} <= set(first["candidates"][0])
    assert (yu["personal_phrases"], yu["phrase_messages"], yu["typed_messages"]) == (13, 1, 1)
    assert yu["uncovered_questions"]["answered"] == 2
    assert [q["question"] for q in yu["uncovered_questions"]["top"]] == ["你们有实体店吗"]


def test_without_a_chat_log_the_questions_are_not_known(shop: tuple[Cli, Path]) -> None:
    cli, _ = shop
    data = json.loads(cli("score", "--month", "2026-11", "--format", "json").output)
    mei = next(a for a in data["agents"] if a["agent"] == "小美")["reply_configuration"]
    assert mei["uncovered_questions"] is None and mei["phrase_messages"] == 2
    assert data["chat_logs"] == []
    missing = cli("score", "--month", "2026-11", "--chats", "没有这个.txt")
    assert missing.exit_code != 0 and "找不到文件 没有这个.txt" in missing.output


def test_the_table_lists_them_with_the_teach_link(shop: tuple[Cli, Path]) -> None:
    cli, log = shop
    result = cli("score", "--month", "2026-11", "--chats", str(log), "--site", "http://127.0.0.1:8640/")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "个人快捷短语 13 条，聊天记录中快捷短语占 40%（2 条 / 手打 3 条）" in out
    assert "回答 5 个买家问题，其中 4 个问答库没有覆盖；回答最多的：" in out
    assert (
        f"1. 支持货到付款吗（2 次）→ 教机器人 http://127.0.0.1:8640{_teach('支持货到付款吗', '支持货到付款吗？')}"
        in out
    )
    assert "个人快捷短语 13 条，聊天记录中快捷短语占 50%（1 条 / 手打 1 条）" in out
    assert "回答 2 个买家问题，其中 1 个问答库没有覆盖；回答最多的：" in out
    assert "你们老板电话多少" not in out  # ignored: correctly uncovered, not missing


def test_the_workbook_has_a_reply_configuration_sheet(shop: tuple[Cli, Path], tmp_path: Path) -> None:
    cli, log = shop
    target = tmp_path / "考核表.xlsx"
    args = ("score", "--month", "2026-11", "--format", "xlsx", "-o", str(target), "--chats", str(log))
    assert cli(*args, "--site", "http://127.0.0.1:8640").exit_code == 0
    book = load_workbook(target)
    assert book.sheetnames == ["2026-11", "2026-11 回复配置"]
    sheet = book["2026-11 回复配置"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:7] == [
        "客服",
        "个人快捷短语",
        "快捷短语条数",
        "手打条数",
        "快捷短语占比",
        "回答的买家问题",
        "其中未覆盖",
    ]
    by_agent = {r[0]: r for r in rows[2:4]}
    assert by_agent["小美"][1:7] == [13, 2, 3, by_agent["小美"][4], 5, 4]
    assert by_agent["小美"][4].startswith("=IF(") and by_agent["小雨"][1:4] == [13, 1, 1]
    questions = [r[:5] for r in rows if r[0] in ("小美", "小雨") and isinstance(r[1], int) and r[3]]
    questions = [r for r in questions if isinstance(r[2], str)]
    assert questions == [
        ["小美", 1, "支持货到付款吗", 2, "支持货到付款吗？"],
        ["小美", 2, "你们有实体店吗", 1, None],
        ["小美", 3, "可以定制logo吗", 1, None],
        ["小雨", 1, "你们有实体店吗", 1, None],
    ]
    link = next(r for r in sheet.iter_rows() if r[2].value == "支持货到付款吗")[5]
    assert link.hyperlink.target == "http://127.0.0.1:8640" + _teach("支持货到付款吗", "支持货到付款吗？")


def test_the_printable_html(shop: tuple[Cli, Path], tmp_path: Path) -> None:
    cli, log = shop
    target = tmp_path / "考核表.html"
    result = cli("score", "--month", "2026-11", "--format", "html", "-o", str(target), "--chats", str(log))
    assert result.exit_code == 0, result.output
    assert f"已写入 {target}（2 位客服）" in " ".join(result.output.split())
    page = target.read_text(encoding="utf-8")
    assert "<link" not in page and "<script" not in page and "src=" not in page  # nothing fetched
    text = unescape(page)
    data = json.loads(cli("score", "--month", "2026-11", "--format", "json").output)
    for row in data["agents"]:
        assert f"第 {row['rank']} 名 · {row['agent']}：总分 {row['total']:.2f}%" in text
        assert f"{row['pay']:,.2f}" in text and f"{row['commission']:,.2f}" in text
        for item in row["indicators"]:
            assert f"{item['contribution']:.2f}%" in text
    assert "上月总分" in text and "较上月" in text and "加权合计" in text
    assert "个人快捷短语 13 条；聊天记录中用快捷短语 2 条，手打 3 条（快捷短语占 40%）" in " ".join(
        text.replace("<strong>", "").replace("</strong>", "").split()
    )
    assert "支持货到付款吗</span>（2 次，2 种问法）" in text
    assert "教机器人 →" not in text  # no --site: no link that would lead nowhere
    assert "指定网页版地址（--site）后" in text


def test_the_page_shows_each_agents_section_and_teaches_from_it(
    shop: tuple[Cli, Path], boss: Browser
) -> None:
    _, log = shop
    page = boss.get("/scorecard?month=2026-11")
    text = " ".join(unescape(page.text).replace("<strong>", "").replace("</strong>", "").split())
    assert (
        "<h3>小美</h3> <p>个人快捷短语 13 条；聊天记录中用快捷短语 2 条，手打 3 条（快捷短语占 40%）" in text
    )
    assert "个人快捷短语 13 条；聊天记录中用快捷短语 1 条，手打 1 条（快捷短语占 50%）" in text
    assert text.count("回答最多的未覆盖问题：需要本月的聊天记录。") == 2
    posted = boss.post(
        "/scorecard/chats",
        {"month": "2026-11"},
        files={"file": ("聊天记录.txt", log.read_bytes(), "text/plain")},
    )
    assert posted.status_code == 303
    target = posted.headers["location"]
    assert target.startswith("/scorecard?month=2026-11&chats=")
    page = boss.get(target)
    text = " ".join(unescape(page.text).replace("<strong>", "").replace("</strong>", "").split())
    assert "本月回答 5 个买家问题，其中 4 个问答库没有覆盖。" in text
    assert "本月回答 2 个买家问题，其中 1 个问答库没有覆盖。" in text
    assert "支持货到付款吗</span>（2 次，2 种问法）" in text
    assert (
        f'<a href="{_teach("支持货到付款吗", "支持货到付款吗？")}">教机器人 →</a>'.replace("&", "&amp;")
        in page.text
    )
    assert (
        'action="/teach/ignore"' in page.text
        and f'name="next" value="{target.replace("&", "&amp;")}"' in page.text
    )
    # 忽略 from the page: it comes back to the same page, where the question is no longer listed
    done = boss.post("/teach/ignore", {"question": "可以定制logo吗", "next": target})
    assert done.status_code == 303 and done.headers["location"] == target
    again = unescape(boss.get(target).text).replace("<strong>", "").replace("</strong>", "")
    assert (
        "已忽略“可以定制logo吗”" in again
        and "可以定制logo吗</span>" not in again
        and "其中 3 个问答库没有覆盖" in again
    )
    # the downloads carry the chat log too; the workbook's teach links point at this site
    book = load_workbook(
        __import__("io").BytesIO(boss.get(target.replace("/scorecard?", "/scorecard.xlsx?")).content)
    )
    sheet = book["2026-11 回复配置"]
    link = next(r for r in sheet.iter_rows() if r[2].value == "支持货到付款吗")[5]
    assert link.hyperlink.target.startswith("http://testserver/teach/entry?question=")
    printable = boss.get(target.replace("/scorecard?", "/scorecard.html?"))
    assert printable.status_code == 200 and "需要本月的聊天记录" not in printable.text
    assert 'href="http://testserver/teach/entry?question=' in printable.text
    assert "支持货到付款吗</span>（2 次，2 种问法）" in unescape(printable.text)


def test_a_lost_upload_and_a_file_that_is_no_chat_log(shop: tuple[Cli, Path], boss: Browser) -> None:
    _, log = shop
    posted = boss.post(
        "/scorecard/chats", {"month": "2026-11"}, files={"file": ("l.txt", log.read_bytes(), "text/plain")}
    )
    page = boss.get(posted.headers["location"].replace("chats=", "chats=x"))
    assert "上传的文件已失效" in page.text and "客服绩效考核 · 2026-11" in page.text
    bad = boss.post(
        "/scorecard/chats", {"month": "2026-11"}, files={"file": ("l.txt", b"\x00\x01", "text/plain")}
    )
    assert bad.status_code == 303 and bad.headers["location"] == "/scorecard?month=2026-11"


def test_the_api_twin_takes_the_chat_log(shop: tuple[Cli, Path], anon: TestClient) -> None:
    _, log = shop
    sent = {"file": ("聊天记录.txt", log.read_bytes(), "text/plain")}
    assert anon.post("/api/scorecard/chats?month=2026-11", files=sent, headers=STAFF).status_code == 403
    data = anon.post("/api/scorecard/chats?month=2026-11", files=sent, headers=BOSS).json()
    mei = next(a for a in data["agents"] if a["agent"] == "小美")["reply_configuration"]
    assert [(q["question"], q["count"]) for q in mei["uncovered_questions"]["top"]][0] == (
        "支持货到付款吗",
        2,
    )
    assert data["chat_logs"] == ["聊天记录.txt"]
    empty = {"file": ("x.txt", b"", "text/plain")}
    bad = anon.post("/api/scorecard/chats?month=2026-11", files=empty, headers=BOSS)
    assert bad.status_code == 400 and "没有读到聊天记录" in bad.text


def test_the_sample_shops_chat_log(sample_cli: Cli) -> None:
    """The demo of README: sample_data/chats_2026-11.txt on the sample shop. 小美 answered 6 questions
    (刺绣 twice in two wordings and 实体店 not covered) with 3 of her phrases and 3 typed; 小雨 answered 4
    (货到付款, 实体店, 刺绣 not covered) with 1 phrase and 3 typed."""
    log = str(SAMPLE / "chats_2026-11.txt")
    assert sample_cli("score", "chatlog", log).exit_code == 0
    out = sample_cli("score", "--month", "2026-11", "--chats", log).output
    assert "个人快捷短语 13 条，聊天记录中快捷短语占 50%（3 条 / 手打 3 条）" in out
    assert "回答 6 个买家问题，其中 3 个问答库没有覆盖；回答最多的：" in out
    assert "1. 可以刺绣名字吗（2 次）→ 教机器人 /teach/entry?question=" in out
    assert "个人快捷短语 13 条，聊天记录中快捷短语占 25%（1 条 / 手打 3 条）" in out
    assert "回答 4 个买家问题，其中 3 个问答库没有覆盖；回答最多的：" in out


def test_a_chat_log_of_another_month(shop: tuple[Cli, Path], tmp_path: Path) -> None:
    cli, log = shop
    out = cli("score", "--month", "2026-10", "--chats", str(log)).output
    assert (
        "回答的 1 个买家问题" not in out and "回答 1 个买家问题，其中 1 个问答库没有覆盖" in out
    )  # 小美, tb_d
    assert "聊天记录里没有本月由其回答的买家问题" in out  # 小雨 answered nothing in October
