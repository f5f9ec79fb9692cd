# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""The scorecard's days on the web (issue 17 items 1 and 2): one agent's day typed by hand (add, edit,
the stale save, invalid input, delete and undo, history), and the uploads of a figures file and of
a chat log (preview, confirm, a refused file changes nothing); the page shows both response times
and says which the score uses."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlmodel import Session, func, select

from replybook.store.models import Revision
from replybook.store.models_scorecard import AgentDay
from tests.chat_fixtures import HDD7_SAMPLE, hdd7_zip
from tests.test_scorecard_chat_times import LOG
from tests.test_web import Browser, agent, anon, app, boss  # noqa: F401 - fixtures

NEW_DAY = {
    "day": "2026-12-01",
    "agent": "小美",
    "consultations": "50",
    "inquiries": "30",
    "orders": "12",
    "payers": "11",
    "sales": "1,234.50",
    "avg_response_seconds": "30",
    "first_response_seconds": "12.5",
    "reply_rate": "98.6%",
    "rate_3min": "",
    "praise": "1",
    "complaints": "0",
}


def days_of(boss: Browser, month: str, agent: str) -> list[dict[str, Any]]:
    response = boss.get(f"/api/scorecard/days?month={month}")
    assert response.status_code == 200
    return response.json()["agents"].get(agent, [])


def stored(app: Any) -> dict[str, int]:
    with Session(app.state.engine) as s:
        return {
            "days": s.exec(select(func.count()).select_from(AgentDay)).one(),
            "revisions": s.exec(select(func.count()).select_from(Revision)).one(),
        }


def a_november_day(boss: Browser, day: str = "2026-11-03") -> dict[str, Any]:
    found = next(d for d in days_of(boss, "2026-11", "小美") if d["day"] == day)
    assert found["id"] is not None
    return found


def test_a_day_typed_by_hand_is_stored_and_listed_with_its_edit_link(boss: Browser) -> None:
    form = boss.get("/scorecard/days/new")
    for label in (
        "日期",
        "客服",
        "咨询人数",
        "询单人数",
        "最终付款人数",
        "销售额",
        "平均响应时间（秒）",
        "回复率",
        "表扬",
        "投诉",
    ):
        assert label in form.text
    response = boss.post("/scorecard/days/new", NEW_DAY)
    assert response.status_code == 303 and response.headers["location"] == "/scorecard?month=2026-12#days"
    [day] = days_of(boss, "2026-12", "小美")
    assert day["report"]["sales"] == "1234.50" and day["report"]["reply_rate"] == "98.6%"
    assert day["report"]["first_response_seconds"] == "12.5" and day["report"]["rate_3min"] == ""
    page = boss.get("/scorecard?month=2026-12").text
    assert "已保存 2026-12-01 小美 的考核数据" in page
    assert f'href="/scorecard/days/{day["id"]}"' in page and "1234.50" in page
    assert f'href="/history/agentday/{day["id"]}"' in page
    # The 考核表 counts it: 小美 has a row for December now.
    assert [a["agent"] for a in boss.get("/api/scorecard?month=2026-12").json()["agents"]] == ["小美"]


def test_invalid_figures_are_named_in_chinese_and_nothing_is_saved(app: Any, boss: Browser) -> None:
    before = stored(app)
    bad = {**NEW_DAY, "consultations": "五十", "sales": "-3", "reply_rate": "120%", "day": "12月1日"}
    response = boss.post("/scorecard/days/new", bad)
    assert response.status_code == 422
    text = unescape(response.text)
    assert "日期：无法识别“12月1日”" in text
    assert "咨询人数：应为非负整数" in text and "销售额：" in text and "回复率：比率不能超过 100%" in text
    assert 'value="五十"' in text and 'value="-3"' in text and 'value="12月1日"' in text  # kept as typed
    assert stored(app) == before


def test_a_second_day_for_the_same_agent_is_refused(app: Any, boss: Browser) -> None:
    before = stored(app)
    response = boss.post("/scorecard/days/new", {**NEW_DAY, "day": "2026-11-03"})
    assert response.status_code == 409
    assert "2026-11-03 小美 已有考核数据" in unescape(response.text)
    assert stored(app) == before


def test_editing_a_day_saves_a_new_version_with_history(boss: Browser) -> None:
    day = a_november_day(boss)
    page = boss.get(f"/scorecard/days/{day['id']}")
    assert page.status_code == 200 and 'value="2206.46"' in page.text
    assert f'name="version" value="{day["version"]}"' in page.text
    changed = {**day["report"], "sales": "2300", "version": str(day["version"])}
    response = boss.post(f"/scorecard/days/{day['id']}", changed)
    assert response.status_code == 303
    after = a_november_day(boss)
    assert after["report"]["sales"] == "2300.00" and after["version"] == day["version"] + 1
    undo = re.search(r'action="/history/(\d+)/restore"', boss.get("/scorecard?month=2026-11").text)
    assert undo is not None  # the saved message offers 撤销 …
    history = boss.get(f"/history/agentday/{day['id']}").text
    assert "手工修改 2026-11-03 小美 的考核数据" in history and "2206.46" not in history  # shown in cents
    assert "220646" in history and "230000" in history
    assert f'href="/scorecard/days/{day["id"]}"' in history  # the history opens the day itself
    restored = boss.post(f"/history/{undo.group(1)}/restore")  # … which takes it back, to the day
    assert restored.status_code == 303 and restored.headers["location"].endswith(
        f"/scorecard/days/{day['id']}"
    )
    assert a_november_day(boss)["report"]["sales"] == "2206.46"


def test_a_stale_save_shows_both_versions_and_loses_nothing_typed(boss: Browser) -> None:
    day = a_november_day(boss)
    first = {**day["report"], "sales": "2300", "version": str(day["version"])}
    mine = {**day["report"], "praise": "7", "version": str(day["version"])}
    assert boss.post(f"/scorecard/days/{day['id']}", first).status_code == 303
    response = boss.post(f"/scorecard/days/{day['id']}", mine)
    assert response.status_code == 409
    text = unescape(response.text)
    assert "保存冲突" in text and "2300.00" in text
    # "Keep mine" resubmits what was typed, over the version now saved.
    assert 'name="praise" value="7"' in text
    assert f'name="version" value="{day["version"] + 1}"' in text
    assert a_november_day(boss)["report"]["praise"] == "1"  # nothing of the stale save was written
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    fields.pop("csrf_token")
    assert boss.post(f"/scorecard/days/{day['id']}", fields).status_code == 303
    kept = a_november_day(boss)["report"]
    assert kept["praise"] == "7" and kept["sales"] == "2206.46"  # mine, as typed


def test_deleting_a_day_can_be_undone(boss: Browser) -> None:
    day = a_november_day(boss)
    confirm = boss.get(f"/scorecard/days/{day['id']}/delete")
    assert "删除 2026-11-03 小美 的考核数据？" in confirm.text
    response = boss.post(f"/scorecard/days/{day['id']}/delete", {"version": str(day["version"])})
    assert response.status_code == 303
    assert all(d["day"] != "2026-11-03" or d["id"] is None for d in days_of(boss, "2026-11", "小美"))
    page = boss.get("/scorecard?month=2026-11").text
    assert "已删除 2026-11-03 小美 的考核数据" in page
    undo = re.search(r'action="/history/(\d+)/restore"', page)
    assert undo is not None
    assert boss.post(f"/history/{undo.group(1)}/restore").status_code == 303
    assert a_november_day(boss)["report"]["sales"] == "2206.46"


def test_the_day_pages_are_for_supervisors(agent: Browser) -> None:
    assert agent.get("/scorecard/days/new").status_code == 403
    assert agent.post("/scorecard/days/new", NEW_DAY).status_code == 403


# ---------------------------------------------------------------- uploads


FIGURES = (
    "日期,客服昵称,咨询人数,询单人数,最终付款人数,销售额,平均响应时间\n"
    "2026-11-03,毛菇小象:小美,70,40,14,2500,20\n"
    "2026-12-02,小雨,40,20,8,900.5,25\n"
).encode("gbk")


def preview(boss: Browser, name: str, data: bytes, **fields: str):
    return boss.client.post(
        "/scorecard/upload/preview",
        data={"csrf_token": boss.token, **fields},
        files={"file": (name, data)},
        follow_redirects=False,
    )


def confirm_fields(html: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'name="(token|expected)" value="([^"]*)"', html)}


def test_a_figures_file_is_previewed_then_imported(app: Any, boss: Browser) -> None:
    before = stored(app)
    response = preview(boss, "绩效.csv", FIGURES, kind="figures", mode="merge")
    assert response.status_code == 200, response.text
    text = unescape(response.text)
    assert "新增 1 天" in text and "修改 1 天" in text and "试运行" in text and "GB18030" in text.upper()
    assert "2206.46" in text and "2500.00" in text  # the stored figure it replaces, and the new one
    assert stored(app) == before  # a dry run
    done = boss.post("/scorecard/upload/confirm", confirm_fields(response.text))
    assert done.status_code == 303
    assert a_november_day(boss)["report"]["sales"] == "2500.00"
    assert days_of(boss, "2026-12", "小雨")[0]["report"]["sales"] == "900.50"
    assert "已导入每日考核数据 绩效.csv：新增 1 天，修改 1 天" in boss.get(done.headers["location"]).text


def test_a_refused_figures_file_changes_nothing(app: Any, boss: Browser) -> None:
    before = stored(app)
    bad = "日期,客服,咨询人数,销售额\n2026-11-03,小美,70,2500\n2026-11-04,小美,七十,2500\n".encode()
    response = preview(boss, "坏.csv", bad, kind="figures", mode="merge")
    assert response.status_code == 422
    text = unescape(response.text)
    assert "坏.csv：发现 1 个问题，未写入任何内容" in text and "第 3 行" in text and "C 列" in text
    assert "应为非负整数" in text
    assert stored(app) == before and list(app.state.uploads.folder.iterdir()) == []


def test_a_chat_log_is_previewed_with_each_agents_response_times(app: Any, boss: Browser) -> None:
    before = stored(app)
    response = preview(boss, "聊天记录.txt", LOG.encode(), kind="chatlog")
    assert response.status_code == 200, response.text
    text = unescape(response.text)
    # 小美: 3 turns in the window, 1 within 3 minutes (see test_scorecard_chat_times), average 177.5 s.
    row = re.search(r"<tr><td>小美</td>(.*?)</tr>", text, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells == ["1", "3", "1", "33.33%", "177.5", "300"]
    assert "新增 2 天" in text and stored(app) == before
    assert boss.post("/scorecard/upload/confirm", confirm_fields(response.text)).status_code == 303
    assert stored(app)["days"] == before["days"] + 2
    again = unescape(preview(boss, "聊天记录.txt", LOG.encode(), kind="chatlog").text)
    assert "另有 2 天不变" in again and "确认导入" not in again  # the same log twice: nothing to write


def test_the_page_shows_both_response_times_and_which_the_score_uses(boss: Browser) -> None:
    response = preview(boss, "聊天记录.txt", LOG.encode(), kind="chatlog")
    boss.post("/scorecard/upload/confirm", confirm_fields(response.text))
    page = unescape(boss.get("/scorecard?month=2026-11").text)
    assert "响应时间：报表与聊天记录" in page and "考核采用报表的" in page
    section = page.split('id="response-times"')[1].split("</section>")[0]
    assert "报表 " in section and "考核采用" in section and "（未采用）" in section
    api = boss.get("/api/scorecard?month=2026-11").json()
    mei = next(a for a in api["agents"] if a["agent"] == "小美")
    assert mei["sources"]["rate_3min"] == "report" and "rate_3min" in mei["other_source"]
    # The day lists the chat log's 3-minute rate next to the report's.
    assert a_november_day(boss)["chatlog"]["rate_3min"] == "33.33%"


def test_a_changed_plan_asks_again(boss: Browser) -> None:
    response = preview(boss, "绩效.csv", FIGURES, kind="figures", mode="merge")
    fields = confirm_fields(response.text)
    boss.post("/scorecard/days/new", {**NEW_DAY, "day": "2026-12-02", "agent": "小雨"})
    again = boss.post("/scorecard/upload/confirm", fields)
    assert again.status_code == 409 and "预览之后考核数据有了变化" in unescape(again.text)
    assert days_of(boss, "2026-12", "小雨")[0]["report"]["sales"] == "1234.50"


def agent_cells(html: str, agent: str) -> list[str]:
    row = re.search(rf"<tr><td>{agent}</td>(.*?)</tr>", unescape(html), re.S)
    assert row is not None, agent
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_qianniu_exporters_zip_gives_the_agents_response_times(boss: Browser) -> None:
    """小美 answered tb_小王 after 29 s and tb_小李 after 40 s: 2 of 2 within 3 minutes, average and
    first response (29 + 40) / 2 = 34.5 s. 小雨 answered the picture-and-question turn of tb_小王
    (10:01:00) at 10:02:20: 80 s; that conversation's first answer was 小美's, so no first response."""
    response = preview(boss, "千牛聊天记录_2026-11-12.zip", hdd7_zip(HDD7_SAMPLE), kind="chatlog")
    assert response.status_code == 200, response.text
    assert agent_cells(response.text, "小美") == ["1", "2", "2", "100%", "34.5", "34.5"]
    assert agent_cells(response.text, "小雨") == ["1", "1", "1", "100%", "80", "—"]


def test_a_refused_chat_log_changes_nothing(app: Any, boss: Browser) -> None:
    before = stored(app)
    response = preview(boss, "聊天记录.zip", b"PK\x03\x04 not really a zip", kind="chatlog")
    assert response.status_code == 422 and "聊天记录.zip" in unescape(response.text)
    assert stored(app) == before and list(app.state.uploads.folder.iterdir()) == []


def test_the_api_adds_changes_and_deletes_a_day_with_its_version(boss: Browser) -> None:
    headers = {"X-CSRF-Token": boss.token}
    created = boss.client.post("/api/scorecard/days", json=NEW_DAY, headers=headers)
    assert created.status_code == 200, created.text
    day = created.json()
    assert day["version"] == 1 and day["figures"]["sales"] == "1234.50"
    body = {**day["figures"], "praise": "3", "version": 1}
    assert boss.client.put(f"/api/scorecard/days/{day['id']}", json=body, headers=headers).status_code == 200
    stale = boss.client.put(f"/api/scorecard/days/{day['id']}", json=body, headers=headers)
    assert stale.status_code == 409
    bad = boss.client.post("/api/scorecard/days", json={**NEW_DAY, "payers": "x"}, headers=headers)
    assert bad.status_code == 422 and "最终付款人数：应为非负整数" in bad.json()["detail"]
    gone = boss.client.delete(f"/api/scorecard/days/{day['id']}?version=2", headers=headers)
    assert gone.status_code == 200 and gone.json()["undo_revision"]
    assert days_of(boss, "2026-12", "小美") == []


def test_saving_a_day_deleted_meanwhile_keeps_what_was_typed(boss: Browser) -> None:
    day = a_november_day(boss)
    boss.post(f"/scorecard/days/{day['id']}/delete", {"version": str(day["version"])})
    response = boss.post(f"/scorecard/days/{day['id']}", {**day["report"], "praise": "9", "version": "1"})
    assert response.status_code == 409
    text = unescape(response.text)
    assert "已被别人删除" in text and 'name="praise" value="9"' in text
    assert 'action="/scorecard/days/new"' in text


def test_a_chat_log_is_counted_by_the_rule_typed_on_the_page(app: Any, boss: Browser) -> None:
    """At 240 s 小美's late 10:00 turn (235 s) counts: 2 of 3. A bad window is refused, nothing kept."""
    before = stored(app)
    refused = preview(boss, "聊天记录.txt", LOG.encode(), kind="chatlog", window="早上8点起")
    assert refused.status_code == 422 and "统计时段：“早上8点起”应写成 开始-结束" in unescape(refused.text)
    assert stored(app) == before and list(app.state.uploads.folder.iterdir()) == []
    response = preview(boss, "聊天记录.txt", LOG.encode(), kind="chatlog", limit="240", window="08:00-24:00")
    text = unescape(response.text)
    assert response.status_code == 200 and "响应率按 240 秒内回复，08:00–24:00" in text
    row = re.search(r"<tr><td>小美</td>(.*?)</tr>", text, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[:4] == ["1", "3", "2", "66.67%"]
    assert boss.post("/scorecard/upload/confirm", confirm_fields(response.text)).status_code == 303
    assert stored(app)["days"] == before["days"] + 2
