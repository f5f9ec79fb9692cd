"""Phrase usage from chat logs (issue 15 item 4): the agents' turns matched against the quick
phrases, exactly or near-exactly; the phrases never used; hand-typed repeats proposed as team
phrases, and one made a team phrase with its history."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from sqlmodel import select

from replybook.store import db
from replybook.store.models import Phrase, Revision
from tests.chat_fixtures import SHOP, blocks, hdd7_zip, khgkk_xlsx
from tests.conftest import Cli
from tests.test_web import agent, app, boss  # noqa: F401 - the logged-in browsers

AGENT = f"{SHOP}:小美"
TYPED = "亲，这款是纯棉的，可以机洗哦"
CHATS = {
    "tb_1": [
        ("2026-11-11", "10:00:00", "tb_1", "在吗", ""),
        ("2026-11-11", "10:00:10", AGENT, "亲，您好，欢迎光临~", ""),  # the phrase hi, exactly
        ("2026-11-11", "10:01:00", "tb_1", "什么面料", ""),
        ("2026-11-11", "10:01:20", AGENT, TYPED, ""),
    ],
    "tb_2": [
        ("2026-11-12", "11:00:00", "tb_2", "你好", ""),
        ("2026-11-12", "11:00:05", AGENT, "亲,您好,欢迎光临!", ""),  # punctuation changed: still hi
        ("2026-11-12", "11:01:00", "tb_2", "能机洗吗", ""),
        ("2026-11-12", "11:01:30", AGENT, "亲，这款是纯棉的，可以机洗的哦", ""),  # near the same reply
    ],
    "tb_3": [
        ("2026-11-13", "12:00:00", "tb_3", "面料呢", ""),
        ("2026-11-13", "12:00:30", f"{SHOP}:小雨", TYPED, ""),
        ("2026-11-13", "12:01:00", f"{SHOP}:小雨", "好的", ""),  # too short to be worth a phrase
    ],
}


@pytest.fixture
def phrase_cli(cli: Cli, tmp_path: Path) -> Cli:
    team = tmp_path / "team.csv"
    team.write_text(
        "快捷短语编码,快捷短语,快捷短语分组\nhi,亲，您好，欢迎光临~,问候\nfh,亲，付款后48小时内发货哦,物流\n",
        encoding="utf-8",
    )
    assert cli("import", str(team), "--scope", "team").exit_code == 0
    return cli


@pytest.mark.parametrize("shape", ["hdd7", "khgkk", "blocks"])
def test_usage_lists_most_used_never_used_and_proposals(phrase_cli: Cli, tmp_path: Path, shape: str) -> None:
    if shape == "hdd7":
        log = tmp_path / "千牛聊天记录_2026-11-14.zip"
        log.write_bytes(hdd7_zip(CHATS))
    else:
        rows = {b: [(f"{d} {t}", who, text) for d, t, who, text, _ in chats] for b, chats in CHATS.items()}
        if shape == "khgkk":
            log = tmp_path / "聊天记录.xlsx"
            log.write_bytes(khgkk_xlsx(rows))
        else:
            log = tmp_path / "chat.txt"
            log.write_text(
                "\n\n".join(f"客户ID: {b}\n\n{blocks(m)}" for b, m in rows.items()), encoding="utf-8"
            )
    result = phrase_cli("phrases", "usage", str(log))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "客服发言 6 条，其中用了快捷短语 2 条" in out
    assert "2 次  团队短语 hi：亲，您好，欢迎光临~（最近 2026-11-12 11:00）" in out
    never = out.split("从没用过的快捷短语")[1].split("反复手打")[0]
    assert "fh" in never and "hi" not in never
    proposals = out.split("反复手打")[1]
    assert f"1. 3 次：{TYPED}" in proposals and "好的" not in proposals


def test_add_makes_a_proposal_a_team_phrase_with_history(phrase_cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "log.zip"
    log.write_bytes(hdd7_zip(CHATS))
    result = phrase_cli("phrases", "usage", str(log), "--add", "1")
    assert result.exit_code == 0 and f"已设为团队短语 cy1（分组 常用回复）：{TYPED}" in result.output
    with db.session_scope(db.make_engine(phrase_cli.url)) as s:
        phrase = s.exec(select(Phrase).where(Phrase.code == "cy1")).one()
        assert (phrase.scope, phrase.owner, phrase.text) == ("team", "", TYPED)
        assert s.exec(
            select(Revision).where(Revision.item_type == "phrase", Revision.item_id == phrase.id)
        ).one()
    again = phrase_cli("phrases", "usage", str(log))  # now a phrase: used 3 times, no longer proposed
    assert "3 次  团队短语 cy1" in again.output and "（0 条建议）" in again.output
    wrong = phrase_cli("phrases", "usage", str(log), "--add", "5")
    assert wrong.exit_code == 2 and "没有第 5 条建议" in wrong.output


def test_a_file_that_is_no_chat_log(phrase_cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("只是一些笔记\n没有时间\n", encoding="utf-8")
    result = phrase_cli("phrases", "usage", str(other))
    assert result.exit_code == 2 and "不是聊天记录" in result.output


def test_the_usage_view_on_the_phrases_page(boss, agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = boss.get("/phrases")
    assert 'href="/phrases/usage"' in page.text
    upload = boss.client.post(
        "/phrases/usage",
        data={"csrf_token": boss.token},
        files={"file": ("千牛聊天记录_2026-11-14.zip", hdd7_zip(CHATS), "application/zip")},
    )
    assert upload.status_code == 200, upload.text
    text = unescape(upload.text)
    assert "客服发言 6 条" in text and "从没用过的快捷短语" in text and TYPED in text
    assert "<script>" not in upload.text and 'action="/phrases/usage/adopt"' in upload.text
    assert agent.post("/phrases/usage/adopt", {"text": TYPED}).status_code == 403  # team phrases: supervisors
    done = boss.post("/phrases/usage/adopt", {"text": TYPED})
    assert done.status_code == 303
    assert TYPED in unescape(boss.get("/phrases?library=team").text)
    refused = boss.client.post("/phrases/usage/adopt", data={"text": TYPED}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token, no phrase


def test_the_backup_download(boss, agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert 'href="/export/backup.zip"' in boss.get("/import").text
    response = boss.get("/export/backup.zip")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    restored = Cli(str(tmp_path / "restored.db"))
    archive = tmp_path / "shop.zip"
    archive.write_bytes(response.content)
    assert restored("restore", str(archive)).exit_code == 0
    assert agent.get("/export/backup.zip").status_code == 403
