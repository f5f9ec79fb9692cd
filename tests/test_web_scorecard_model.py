# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""The scorecard model page (/scorecard/model, issue 17 item 3): the form shows the stored model, a
save is a new version that the 考核表 and `replybook score` use, a refused model is shown again as
typed with a one-line problem naming the field, a save from an old version shows the stale-save
page, and the model file goes down and comes back up through a dry-run preview."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlmodel import Session

from replybook.store import db, history
from tests.conftest import Cli
from tests.test_web import SUPERVISOR, Browser, agent, anon, app, boss  # noqa: F401 - fixtures


class FormFields(HTMLParser):
    """The fields one form of a page would post: (name, value) in page order, as a browser sends them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name") and a.get("name") != "csrf_token":
            self.fields.append((a["name"], a.get("value", "")))
        elif self.inside and tag == "select":
            self.select, self.options = a["name"], []
        elif self.select and tag == "option":
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select:
            chosen = [v for v, on in self.options if on] or [self.options[0][0]]
            self.fields.append((self.select, chosen[0]))
            self.select = None
        elif tag == "form":
            self.inside = False


def form_of(html: str, form_id: str = "model-form") -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def with_value(fields: list[tuple[str, str]], row_field: str, row_value: str, field: str, value: str):
    """The fields with ``field`` of the row whose ``row_field`` is ``row_value`` set to ``value``."""
    row = [v for k, v in fields if k == row_field].index(row_value)
    out, seen = [], -1
    for k, v in fields:
        if k == field:
            seen += 1
            v = value if seen == row else v
        out.append((k, v))
    return out


def stored(boss: Browser) -> dict:
    return boss.get("/api/scorecard/model").json()


def weights(data: dict) -> dict[str, float]:
    return {i["name"]: i["weight"] for i in data["model"]["indicators"]}


def test_the_page_shows_the_model_the_api_returns(boss: Browser) -> None:
    assert 'href="/scorecard/model"' in boss.get("/scorecard?month=2026-11").text
    page = boss.get("/scorecard/model")
    assert page.status_code == 200 and "示例方案，尚未保存" in page.text
    fields = form_of(page.text)
    data = stored(boss)
    assert data["version"] is None
    assert [v for k, v in fields if k == "ind_name" and v] == [i["name"] for i in data["model"]["indicators"]]
    assert [v for k, v in fields if k == "ind_weight" and v] == [
        "20",
        "10",
        "20",
        "10",
        "10",
        "10",
        "10",
        "10",
    ]
    formulas = [v for k, v in fields if k == "ind_formula"]
    assert formulas[:4] == ["主管打分", "主管打分", "销售额", "满意率"]
    assert [v for k, v in fields if k == "pt_formula"][:2] == [
        "最终付款人数 ÷ 询单人数",
        "最终付款人数 ÷ 下单人数",
    ]
    assert [v for k, v in fields if k in ("tier_from", "tier_rate") and v][:2] == ["30001", "1%"]
    assert ("version", "0") in fields and ("pay_base", "3000") in fields


def test_a_save_is_a_new_version_the_scorecard_and_the_cli_use(boss: Browser, sample_cli: Cli) -> None:
    before = json.loads(sample_cli("score", "--month", "2026-11", "--format", "json").output)
    fields = with_value(
        form_of(boss.get("/scorecard/model").text), "ind_name", "销售额", "ind_weight", "30%"
    )  # the column is in % already
    fields = with_value(fields, "ind_name", "其他", "ind_weight", "0")
    fields = [(k, "十二月方案" if k == "name" else v) for k, v in fields]
    saved = boss.post("/scorecard/model", fields)
    assert saved.status_code == 303 and saved.headers["location"] == "/scorecard/model"
    page = boss.get("/scorecard/model")
    assert "已保存考核方案“十二月方案”（第 1 版）" in page.text and "/history/scoremodel/1" in page.text
    assert weights(stored(boss))["销售额"] == 30 and stored(boss)["version"] == 1

    after = json.loads(sample_cli("score", "--month", "2026-11", "--format", "json").output)
    old = {a["agent"]: a for a in before["agents"]}["小美"]
    new = {a["agent"]: a for a in after["agents"]}["小美"]
    contribution = {i["name"]: i["contribution"] for i in old["indicators"]}
    score = {i["name"]: i["score"] for i in old["indicators"]}
    expected = old["total"] - contribution["销售额"] - contribution["其他"] + score["销售额"] * 0.30
    assert abs(new["total"] - expected) < 0.01 and new["total"] != old["total"]
    assert (
        f"{new['total']:.2f}" == "77.67"
    )  # 81.46 − 9.42 (销售额 at 20 %) − 8.5 (其他) + 14.14 (销售额 at 30 %)
    assert "2026-11 客服考核表（十二月方案）" in sample_cli("score", "--month", "2026-11").output

    # A second save's 撤销 (in the flash) restores the first.
    second = [(k, "第二版" if k == "name" else v) for k, v in form_of(page.text)]
    assert boss.post("/scorecard/model", second).status_code == 303
    page = boss.get("/scorecard/model")
    assert "已保存考核方案“第二版”（第 2 版）" in page.text
    undo = re.search(r'action="/history/(\d+)/restore"', page.text)
    assert undo is not None
    assert boss.post(f"/history/{undo.group(1)}/restore").status_code == 303
    assert (stored(boss)["model"]["name"], stored(boss)["version"]) == ("十二月方案", 3)


def test_a_bad_formula_is_one_line_naming_the_field_and_keeps_what_was_typed(boss: Browser) -> None:
    fields = with_value(
        form_of(boss.get("/scorecard/model").text), "ind_name", "销售额", "ind_formula", "销量"
    )
    fields = [(k, "我改过的方案" if k == "name" else v) for k, v in fields]
    refused = boss.post("/scorecard/model", fields)
    assert refused.status_code == 422
    error = re.search(
        r'<div class="error" role="alert" id="model-error">(.*?)(<ul>|</div>)', refused.text, re.S
    )
    assert error is not None
    line = unescape(error.group(1)).strip()
    assert "\n" not in line
    assert line.startswith("考核方案有误，没有保存：指标第 3 行（销售额），公式：未知的数据“销量”")
    assert form_of(refused.text) == fields  # every typed value is on the page again
    assert stored(boss)["version"] is None  # nothing saved


def test_weights_that_do_not_add_up_are_refused(boss: Browser) -> None:
    fields = with_value(form_of(boss.get("/scorecard/model").text), "ind_name", "其他", "ind_weight", "20")
    refused = boss.post("/scorecard/model", fields)
    assert refused.status_code == 422
    assert "考核方案有误，没有保存：指标：权重合计应为 100，现为 110" in unescape(refused.text)
    bad_number = with_value(fields, "ind_name", "其他", "ind_weight", "十")
    assert (
        "指标第 8 行（其他），权重：应为数字，现为 &#39;十&#39;"
        in boss.post("/scorecard/model", bad_number).text
    )
    assert stored(boss)["version"] is None


def test_a_save_from_an_old_version_shows_the_stale_save_page(app, boss: Browser) -> None:  # noqa: F811
    mine = with_value(form_of(boss.get("/scorecard/model").text), "ind_name", "销售额", "ind_weight", "25")
    mine = with_value(mine, "ind_name", "其他", "ind_weight", "5")
    with TestClient(app) as other_client:
        other = Browser(other_client, SUPERVISOR)
        theirs = with_value(
            form_of(other.get("/scorecard/model").text), "ind_name", "其他", "ind_group", "他的分组"
        )
        assert other.post("/scorecard/model", theirs).status_code == 303
    conflict = boss.post("/scorecard/model", mine)
    assert conflict.status_code == 409 and "保存冲突：考核方案" in conflict.text
    assert "销售额 25%" in conflict.text and "销售额 20%" in conflict.text
    assert weights(stored(boss))["销售额"] == 20  # nothing overwritten

    # 保存我的版本 posts everything typed again, against the version now saved.
    form = re.search(
        r'<form method="post" action="/scorecard/model" class="inline">(.*?)</form>', conflict.text, re.S
    )
    assert form is not None
    kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))
    assert ("version", "1") in kept
    assert (
        boss.post("/scorecard/model", [(k, unescape(v)) for k, v in kept if k != "csrf_token"]).status_code
        == 303
    )
    data = stored(boss)
    assert data["version"] == 2 and weights(data)["销售额"] == 25


def test_the_model_file_goes_down_and_comes_back_through_a_preview(boss: Browser) -> None:
    download = boss.get("/scorecard/model.yaml")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    text = download.content.decode("utf-8")
    assert "name: 示例考核方案" in text
    changed = text.replace("name: 示例考核方案", "name: 文件方案").replace("per_year: 100", "per_year: 150")
    upload = {"file": ("考核方案.yaml", changed.encode("utf-8"), "application/yaml")}
    preview = boss.client.post("/scorecard/model/preview", data={"csrf_token": boss.token}, files=upload)
    assert preview.status_code == 200 and "文件检查通过，还没有保存" in preview.text
    assert "每年工龄 150" in preview.text and "不同" in preview.text
    assert stored(boss)["version"] is None  # a preview saves nothing

    confirm = re.search(
        r'<form method="post" action="/scorecard/model" class="inline">(.*?)</form>', preview.text, re.S
    )
    assert confirm is not None
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm.group(1))
    assert (
        boss.post("/scorecard/model", [(k, unescape(v)) for k, v in fields if k != "csrf_token"]).status_code
        == 303
    )
    data = stored(boss)
    assert (data["version"], data["model"]["name"], data["model"]["pay"]["per_year"]) == (1, "文件方案", 150)


def test_a_bad_model_file_is_refused_by_the_preview(boss: Browser) -> None:
    text = (
        boss.get("/scorecard/model.yaml")
        .content.decode("utf-8")
        .replace("weight: 20, hand", "weight: 10, hand", 1)
    )
    upload = {"file": ("m.yaml", text.encode("utf-8"), "application/yaml")}
    refused = boss.client.post("/scorecard/model/preview", data={"csrf_token": boss.token}, files=upload)
    assert refused.status_code == 422
    assert "m.yaml 有误，没有保存：indicators：权重合计应为 100，现为 90" in refused.text
    gbk = {"file": ("m.yaml", "name: 方案".encode("gbk"), "application/yaml")}
    wrong = boss.client.post("/scorecard/model/preview", data={"csrf_token": boss.token}, files=gbk)
    assert "m.yaml：考核方案应为 UTF-8 编码的 YAML 文件" in wrong.text
    assert stored(boss)["version"] is None


def test_agents_neither_see_nor_change_the_model(agent: Browser) -> None:
    assert agent.get("/scorecard/model").status_code == 403
    assert agent.post("/scorecard/model", [("name", "x"), ("version", "0")]).status_code == 403


def test_a_save_after_the_model_was_taken_back_to_the_default_is_stale_too(
    boss: Browser, sample_cli: Cli
) -> None:
    assert boss.post("/scorecard/model", form_of(boss.get("/scorecard/model").text)).status_code == 303
    mine = with_value(form_of(boss.get("/scorecard/model").text), "ind_name", "其他", "ind_group", "我的分组")
    assert ("version", "1") in mine
    engine = db.make_engine(sample_cli.url)
    with Session(engine) as session:  # someone undoes the first save: no model stored any more
        history.undo(session, history.revisions(session, "scoremodel", 1)[0].id or 0, user="店长")
        session.commit()
    engine.dispose()
    conflict = boss.post("/scorecard/model", mine)
    assert conflict.status_code == 409 and "保存冲突：考核方案" in conflict.text
    assert "我的分组" not in stored(boss)["model"]["indicators"][7].get("group", "")
    kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', conflict.text)
    assert ("version", "0") in kept
