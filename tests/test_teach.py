"""The teach loop (issue 13 item 5): a question the bot misses becomes a similar wording, a new entry
or an ignored question, through the API and the CLI; re-running the coverage shows it covered (or
已忽略, not counted as missing), and undo restores the miss."""

# ruff: noqa: F811 - the fixtures of tests/test_web.py are imported by name

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook.coverage import Question, run_coverage
from replybook.coverage.teach import entry_draft, strip_chat_filler
from replybook.store.timeutil import SHOP_TZ
from tests.conftest import Cli
from tests.test_web import SUPERVISOR, Browser, anon, app, basic, boss  # noqa: F401

BOSS = basic(SUPERVISOR)
AT = datetime(2026, 12, 10, 10, 0, tzinfo=SHOP_TZ)
MISS = "可以发到台湾吗"  # uncovered in the sample shop (its nearest entry scores below the threshold)
BOSS_PHONE = "你们老板的电话号码多少"


def status_of(engine: Engine, question: str) -> tuple[str, str | None]:
    with Session(engine) as s:
        report = run_coverage(s, [Question(question), Question("什么时候发货")], at=AT)
        row = report.results[0]
        return row["status"], row["entry"]


def summary_of(engine: Engine, *questions: str) -> dict:
    with Session(engine) as s:
        return run_coverage(s, [Question(q) for q in questions], at=AT).summary


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("亲，在吗？能发顺丰吗", "能发顺丰吗"),
        ("亲亲 今天能发货吗", "今天能发货吗"),
        ("您好，可以开发票吗", "可以开发票吗"),
        ("请问什么时候发货", "什么时候发货"),
        ("能发顺丰吗？谢谢亲", "能发顺丰吗"),
        ("亲子装有吗", "亲子装有吗"),  # 亲 inside a word stays
        ("客服电话多少", "客服电话多少"),
        ("在吗", "在吗"),  # never down to nothing
    ],
)
def test_chat_filler_is_stripped_from_a_taught_question(typed: str, kept: str) -> None:
    assert strip_chat_filler(typed) == kept


def test_a_miss_taught_as_a_similar_wording_is_covered_and_undo_restores_it(
    anon: TestClient, sample_engine: Engine
) -> None:
    assert status_of(sample_engine, MISS)[0] == "uncovered"
    taught = anon.post("/api/teach/wording", json={"question": MISS, "entry": "偏远地区能发吗"}, headers=BOSS)
    assert taught.status_code == 200, taught.text
    body = taught.json()
    assert "偏远地区能发吗" in body["changed"] and body["undo"]["url"] == "/api/teach/undo"
    assert status_of(sample_engine, MISS) == ("covered", "偏远地区能发吗")
    history = anon.get(f"/api/history/entry/{body['entry_id']}", headers=BOSS).json()
    assert (
        history["revisions"][0]["summary"].startswith("修改问答")
        and history["revisions"][0]["user"] == SUPERVISOR
    )
    undone = anon.post("/api/teach/undo", json={"revisions": body["revisions"]}, headers=BOSS)
    assert undone.status_code == 200 and undone.json()["changed"].startswith("已撤销")
    assert status_of(sample_engine, MISS)[0] == "uncovered"
    again = anon.post("/api/teach/undo", json={"revisions": body["revisions"]}, headers=BOSS)
    assert again.status_code == 409 and "无法撤销" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"question": MISS, "entry": "没有这条"}, 404, "没有标准问题为“没有这条”的问答"),
        ({"question": "？！", "entry": "偏远地区能发吗"}, 422, "至少一个问题"),
        ({"question": "西藏可以寄吗", "entry": "偏远地区能发吗"}, 422, "已经是问答“偏远地区能发吗”的问法"),
        ({"question": "几天能到", "entry": "偏远地区能发吗"}, 409, "已在问答"),
    ],
)
def test_a_wording_that_cannot_be_taught_says_why_and_changes_nothing(
    anon: TestClient, body: dict, status: int, message: str
) -> None:
    refused = anon.post("/api/teach/wording", json=body, headers=BOSS)
    assert refused.status_code == status and message in refused.json()["detail"]


def test_a_new_entry_is_prefilled_from_a_cluster_with_the_category_the_nearest_entries_vote_for(
    anon: TestClient, sample_engine: Engine
) -> None:
    cluster = ["亲，在吗？能发海外吗", "可以发到台湾吗谢谢"]
    draft = anon.get("/api/teach/entry", params={"question": cluster}, headers=BOSS).json()
    assert draft["question"] == "能发海外吗" and draft["similar"] == ["可以发到台湾吗"]
    assert draft["category"] == next(iter(draft["votes"]))  # the summed vote, best first
    with Session(sample_engine) as s:
        assert entry_draft(s, questions=cluster, at=AT).category == draft["category"]
    made = anon.post(
        "/api/teach/entry", json={"questions": cluster, "answers": ["亲，暂时只发国内哦"]}, headers=BOSS
    )
    assert made.status_code == 201, made.text
    assert status_of(sample_engine, MISS) == ("covered", "能发海外吗")
    anon.post("/api/teach/undo", json={"revisions": made.json()["revisions"]}, headers=BOSS)
    assert status_of(sample_engine, MISS)[0] == "uncovered"
    gone = anon.get(f"/api/entries/{made.json()['entry_id']}", headers=BOSS)
    assert gone.status_code == 404


def test_an_ignored_question_counts_as_correctly_uncovered_not_as_missing(
    anon: TestClient, sample_engine: Engine
) -> None:
    before = summary_of(sample_engine, BOSS_PHONE, MISS, "什么时候发货")
    ignored = anon.post("/api/teach/ignore", json={"question": BOSS_PHONE}, headers=BOSS)
    assert ignored.status_code == 200, ignored.text
    after = summary_of(sample_engine, "你们老板的电话号码多少？", MISS, "什么时候发货")  # same normal form
    assert after["ignored"] == 1 and after["total"] == 3
    assert after["uncovered"] == before["uncovered"] - (before["uncovered"] == 2)
    assert after["coverage"] == round(after["covered"] / 2, 4)  # of the answerable questions
    assert status_of(sample_engine, BOSS_PHONE)[0] == "ignored"
    listed = anon.get("/api/ignored", headers=BOSS).json()
    assert [i["question"] for i in listed["ignored"]] == [BOSS_PHONE]
    twice = anon.post("/api/teach/ignore", json={"question": BOSS_PHONE}, headers=BOSS)
    assert twice.status_code == 409 and "已在忽略列表里" in twice.json()["detail"]
    anon.post("/api/teach/undo", json={"revisions": ignored.json()["revisions"]}, headers=BOSS)
    assert status_of(sample_engine, BOSS_PHONE)[0] != "ignored"
    assert anon.get("/api/ignored", headers=BOSS).json()["total"] == 0


def test_un_ignoring_can_be_undone_from_history(anon: TestClient, sample_engine: Engine) -> None:
    added = anon.post(
        "/api/ignored", json={"question": BOSS_PHONE, "note": "不报老板电话"}, headers=BOSS
    ).json()
    removed = anon.delete(f"/api/ignored/{added['id']}", headers=BOSS).json()
    assert status_of(sample_engine, BOSS_PHONE)[0] != "ignored"
    anon.post(f"/api/history/{removed['undo_revision']}/restore", headers=BOSS)
    assert status_of(sample_engine, BOSS_PHONE)[0] == "ignored"


def test_the_teach_loop_from_the_command_line(sample_cli: Cli, sample_engine: Engine, tmp_path: Path) -> None:
    taught = sample_cli("teach", "wording", MISS, "--entry", "偏远地区能发吗")
    assert taught.exit_code == 0 and "加为问答“偏远地区能发吗”的相似问法" in taught.output
    assert status_of(sample_engine, MISS) == ("covered", "偏远地区能发吗")
    undo = taught.output.splitlines()[-1].removeprefix("撤销：replybook ").split()
    assert sample_cli(*undo).exit_code == 0
    assert status_of(sample_engine, MISS)[0] == "uncovered"

    draft = sample_cli("teach", "entry", "亲，能发海外吗")
    assert "标准问题 能发海外吗" in draft.output and status_of(sample_engine, MISS)[0] == "uncovered"
    made = sample_cli("teach", "entry", "亲，能发海外吗", MISS, "--answer", "亲，暂时只发国内哦")
    assert made.exit_code == 0 and "已新建问答“能发海外吗”" in made.output
    assert status_of(sample_engine, MISS) == ("covered", "能发海外吗")

    assert sample_cli("ignore", "add", BOSS_PHONE).exit_code == 0
    assert f"#1 {BOSS_PHONE}" in sample_cli("ignore", "list").output
    asked = tmp_path / "asked.txt"
    asked.write_text(f"{BOSS_PHONE}\n什么时候发货\n", encoding="utf-8")
    tested = sample_cli("test", str(asked), "--at", "2026-12-10 10:00", "--no-save")
    assert "已忽略 1（不计入覆盖率）" in tested.output, tested.output
    assert status_of(sample_engine, BOSS_PHONE)[0] == "ignored"
    assert "已取消忽略" in sample_cli("ignore", "remove", BOSS_PHONE).output
    assert status_of(sample_engine, BOSS_PHONE)[0] != "ignored"
    missing = sample_cli("ignore", "remove", BOSS_PHONE)
    assert missing.exit_code != 0 and "忽略列表里没有" in missing.output


def test_the_try_box_offers_the_three_actions_and_the_page_says_what_changed(
    boss: Browser, sample_engine: Engine
) -> None:
    page = boss.get("/try", params={"q": MISS}).text
    assert 'action="/teach/wording"' in page and 'action="/teach/ignore"' in page and "新建问答" in page
    typed = boss.get(
        "/try", params={"q": MISS}, headers={"HX-Request": "true"}
    ).text  # the as-you-type fragment
    assert 'action="/teach/wording"' in typed and "<html" not in typed
    done = boss.post(
        "/teach/wording",
        {"question": MISS, "entry": _entry_id(sample_engine, "偏远地区能发吗"), "next": f"/try?q={MISS}"},
    )
    assert done.status_code == 303 and unquote(done.headers["location"]) == f"/try?q={MISS}"
    after = boss.get(done.headers["location"]).text
    assert "相似问法" in after and 'action="/teach/undo"' in after and "已覆盖" in after
    assert (
        boss.post("/teach/ignore", {"question": BOSS_PHONE, "next": "//evil.example"}).headers["location"]
        == "/try"
    )
    assert BOSS_PHONE in boss.get("/ignored").text


def _entry_id(engine: Engine, question: str) -> str:
    from tests.test_web import entry_by_question

    found = entry_by_question(engine, question)
    assert found is not None
    return str(found.id)


def test_the_coverage_report_and_the_campaign_check_offer_the_actions(
    boss: Browser, anon: TestClient, sample_engine: Engine
) -> None:
    files = {"file": ("asked.txt", f"{MISS}\n{BOSS_PHONE}\n什么时候发货\n".encode(), "text/plain")}
    run = anon.post("/api/coverage", data={"at": "2026-12-10T10:00"}, files=files, headers=BOSS).json()["run"]
    report = boss.get(f"/coverage/{run['id']}").text
    assert report.count('action="/teach/ignore"') >= 2 and 'action="/teach/wording"' in report
    assert f'name="next" value="/coverage/{run["id"]}"' in report
    done = boss.post("/teach/ignore", {"question": BOSS_PHONE, "next": f"/coverage/{run['id']}"})
    assert done.headers["location"] == f"/coverage/{run['id']}"
    again = anon.post("/api/coverage", data={"at": "2026-12-10T10:00"}, files=files, headers=BOSS).json()[
        "run"
    ]
    shown = boss.get(f"/coverage/{again['id']}").text
    assert 'id="ignored-count">已忽略 1<' in shown
    check = boss.get("/campaigns/1/check").text
    assert 'action="/teach/wording"' in check and 'action="/teach/ignore"' in check


def test_new_entry_opens_the_editor_prefilled_and_its_save_can_be_undone(boss: Browser) -> None:
    opened = boss.get(
        "/teach/entry", params={"question": ["亲，在吗？能发海外吗", MISS]}, follow_redirects=False
    )
    assert opened.status_code == 303 and opened.headers["location"].startswith("/entries/new?")
    editor = boss.get(opened.headers["location"]).text
    assert 'value="能发海外吗"' in editor and MISS in editor
    saved = boss.post(
        "/entries/new",
        {
            "category": "shipping",
            "question": "能发海外吗",
            "similar": MISS,
            "answers": "亲，暂时只发国内哦",
            "enabled": "on",
        },
    )
    page = boss.get(saved.headers["location"]).text
    assert "已新增问答“能发海外吗”" in page and 'action="/teach/undo"' in page


def test_ask_says_an_ignored_question_is_on_the_ignore_list(sample_cli: Cli) -> None:
    # issue 13: `replybook ask` tells an ignored question as the try box does (the match still shown)
    before = sample_cli("ask", BOSS_PHONE)
    assert before.exit_code == 0 and "忽略列表" not in before.output
    assert sample_cli("ignore", "add", BOSS_PHONE).exit_code == 0
    after = sample_cli("ask", "你们老板的电话号码多少？")  # the same normal form
    assert after.exit_code == 0, after.output
    assert f"忽略列表：这句话在忽略列表里（“{BOSS_PHONE}”）" in after.output
    assert "转人工：" in after.output


def test_a_question_taught_as_a_wording_leaves_the_ignore_list_and_undo_puts_it_back(
    sample_engine: Engine,
) -> None:
    from replybook.coverage.ignored import find_ignored
    from replybook.coverage.teach import teach_ignore, teach_wording, undo_changes
    from replybook.store import history

    with Session(sample_engine) as s:
        ignored_id = teach_ignore(s, questions=[MISS], user="boss").ignored_ids[0]
        s.commit()
    assert status_of(sample_engine, MISS)[0] == "ignored"
    with Session(sample_engine) as s:
        taught = teach_wording(s, questions=[f"亲，{MISS}"], entry="偏远地区能发吗", user="boss")
        s.commit()
    assert taught.ignored_ids == [ignored_id] and "已移出忽略列表" in taught.text
    assert status_of(sample_engine, MISS) == ("covered", "偏远地区能发吗")
    with Session(sample_engine) as s:
        assert find_ignored(s, MISS) is None
        assert history.revisions(s, "ignored", ignored_id)[0].summary == f"取消忽略 {MISS}"
        undo_changes(s, revisions=taught.revisions, user="boss")
        s.commit()
    assert status_of(sample_engine, MISS)[0] == "ignored"


def test_a_question_taught_as_a_new_entry_leaves_the_ignore_list(
    anon: TestClient, sample_engine: Engine
) -> None:
    anon.post("/api/teach/ignore", json={"question": MISS}, headers=BOSS)
    made = anon.post(
        "/api/teach/entry", json={"questions": [MISS], "answers": ["亲，台湾可以发哦"]}, headers=BOSS
    )
    assert made.status_code == 201, made.text
    assert len(made.json()["ignored_ids"]) == 1 and "已移出忽略列表" in made.json()["changed"]
    assert anon.get("/api/ignored", headers=BOSS).json()["total"] == 0
    assert status_of(sample_engine, MISS)[0] == "covered"


def test_the_web_teach_button_takes_the_question_off_the_ignore_list(
    boss: Browser, sample_engine: Engine
) -> None:
    boss.post("/teach/ignore", {"question": MISS, "next": "/ignored"})
    assert MISS in boss.get("/ignored").text
    done = boss.post(
        "/teach/wording",
        {"question": MISS, "entry": _entry_id(sample_engine, "偏远地区能发吗"), "next": "/ignored"},
    )
    page = boss.get(done.headers["location"]).text
    assert "已移出忽略列表" in page
    assert f"<td>{MISS}</td>" not in page and status_of(sample_engine, MISS)[0] == "covered"
    listed = boss.get("/history", params={"type": "ignored"}).text  # the history shows it leave
    assert listed.index("删除</span> 忽略的问题") < listed.index("新增</span> 忽略的问题") and MISS in listed


def test_the_menu_links_the_ignored_questions_next_to_the_coverage(boss: Browser) -> None:
    import re

    page = boss.get("/ignored").text
    nav = page.split('aria-label="主菜单"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"', nav)
    assert links[links.index("/coverage") + 1] == "/ignored"
    assert '<a href="/ignored" aria-current="page">忽略的问题</a>' in nav
    assert '<a href="/coverage" aria-current="page">' not in nav


def test_the_web_new_entry_editor_takes_its_wordings_off_the_ignore_list(
    boss: Browser, sample_engine: Engine
) -> None:
    boss.post("/teach/ignore", {"question": MISS, "next": "/ignored"})
    editor = boss.get("/teach/entry", params={"question": [MISS]}).text
    assert MISS in editor  # the editor prefilled with it
    fields = [("category", "shipping"), ("question", MISS), ("similar", ""), ("keywords", "")]
    saved = boss.post("/entries/new", [*fields, ("answers", "亲，台湾可以发哦"), ("enabled", "on")])
    assert saved.status_code == 303, saved.text
    shown = boss.get(saved.headers["location"]).text
    assert "已移出忽略列表" in shown and status_of(sample_engine, MISS)[0] == "covered"
    assert f"<td>{MISS}</td>" not in boss.get("/ignored").text
