# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""GET/PUT /api/scorecard/model (issue 17 item 3): the model and its version, a save as a new
version, 409 with the current version on a stale one, 422 with the Chinese problem on an invalid
model, nothing written then; only supervisors."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from tests.test_web import AGENT, SUPERVISOR, anon, app, basic  # noqa: F401 - fixtures


def test_get_then_put_saves_a_new_version(anon: TestClient) -> None:
    got = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR))
    assert got.status_code == 200
    data = got.json()
    assert data["version"] is None and data["model"]["name"] == "示例考核方案"
    assert data["model"]["indicators"][2] == {
        "name": "销售额",
        "group": "销售",
        "weight": 20,
        "figure": "sales",
        "target": 120000,
    }
    model = copy.deepcopy(data["model"])
    model["indicators"][0]["weight"], model["indicators"][1]["weight"] = 25, 5
    put = anon.put("/api/scorecard/model", json={"model": model, "version": None}, headers=basic(SUPERVISOR))
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1 and put.json()["model"]["indicators"][0]["weight"] == 25
    again = anon.put("/api/scorecard/model", json={"model": model, "version": 1}, headers=basic(SUPERVISOR))
    assert again.json()["version"] == 2
    card = anon.get("/api/scorecard?month=2026-11", headers=basic(SUPERVISOR)).json()
    assert card["columns"][0] == {
        "name": "综合服务评分",
        "weight": 25.0,
        "formula": "主管打分",
    }  # the 考核表's


def test_a_stale_version_is_409_with_the_current_version(anon: TestClient) -> None:
    model = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]
    first = anon.put(
        "/api/scorecard/model", json={"model": model, "version": None}, headers=basic(SUPERVISOR)
    )
    assert first.status_code == 200
    mine = copy.deepcopy(model) | {"name": "我的方案"}
    stale = anon.put("/api/scorecard/model", json={"model": mine, "version": None}, headers=basic(SUPERVISOR))
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == 1 and body["current"]["version"] == 1
    assert body["detail"] == "考核方案已被他人修改（你编辑的是第 0 版，当前是第 1 版），你的修改没有保存"
    assert (
        anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]["name"] == "示例考核方案"
    )


def test_an_invalid_model_is_422_in_one_chinese_line_and_nothing_is_saved(anon: TestClient) -> None:
    model = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]
    bad = copy.deepcopy(model)
    bad["indicators"][2]["figure"] = "sold"
    refused = anon.put(
        "/api/scorecard/model", json={"model": bad, "version": None}, headers=basic(SUPERVISOR)
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "\n" not in detail
    assert detail.startswith("考核方案有误，没有保存：indicators 第 3 项，figure：未知的数据 'sold'")
    heavy = copy.deepcopy(model)
    heavy["indicators"][0]["weight"] = 30
    refused = anon.put(
        "/api/scorecard/model", json={"model": heavy, "version": None}, headers=basic(SUPERVISOR)
    )
    assert refused.json() == {
        "detail": "考核方案有误，没有保存：indicators：权重合计应为 100，现为 110",
        "problems": ["indicators：权重合计应为 100，现为 110"],
    }
    assert anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["version"] is None


def test_a_dry_run_says_what_would_change_and_saves_nothing(anon: TestClient) -> None:
    model = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]
    model["pay"]["base"] = 3200
    dry = anon.put(
        "/api/scorecard/model?dry_run=true", json={"model": model, "version": None}, headers=basic(SUPERVISOR)
    )
    assert dry.status_code == 200
    changes = {c["part"]: c for c in dry.json()["changes"]}
    assert changes["工资"]["differs"] and not changes["指标"]["differs"]
    assert changes["工资"]["new"][0].startswith("底薪 3200")
    assert anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["version"] is None


def test_only_supervisors_read_or_write_the_model(anon: TestClient) -> None:
    model = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]
    assert anon.get("/api/scorecard/model", headers=basic(AGENT)).status_code == 403
    put = anon.put("/api/scorecard/model", json={"model": model, "version": None}, headers=basic(AGENT))
    assert put.status_code == 403 and "只有客服主管" in put.json()["detail"]
    assert anon.put("/api/scorecard/model", json={"model": model, "version": None}).status_code == 401
    assert anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["version"] is None


def test_a_formula_of_the_wrong_type_is_a_problem_too(anon: TestClient) -> None:
    model = anon.get("/api/scorecard/model", headers=basic(SUPERVISOR)).json()["model"]
    model["indicators"][2]["figure"] = ["sales"]
    model["points"][0]["ratio"] = [["payers"], "inquiries"]
    refused = anon.put(
        "/api/scorecard/model", json={"model": model, "version": None}, headers=basic(SUPERVISOR)
    )
    assert refused.status_code == 422
    assert [p.split("：")[0] for p in refused.json()["problems"]] == [
        "indicators 第 3 项，figure",
        "points 第 1 项，ratio",
    ]
