"""The API twins of the pages' forms and uploads, called as a script would (basic auth, no CSRF) and as
a page's session would (cookie + X-CSRF-Token); the JSON is checked, and the database through the core."""

# ruff: noqa: F811 - the fixtures of tests/test_web.py are imported by name

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook import campaigns
from replybook.store import users
from replybook.store.models import Campaign, CoverageRun, Phrase, ReviewCount
from tests.conftest import SAMPLE
from tests.test_web import AGENT, SUPERVISOR, TEAM_CSV, Browser, agent, anon, app, basic, boss  # noqa: F401

BOSS, STAFF = basic(SUPERVISOR), basic(AGENT)


def test_a_coverage_run_can_be_started_through_the_api(anon: TestClient, sample_engine: Engine) -> None:
    body = (SAMPLE / "questions.txt").read_bytes()
    files = {"file": ("questions.txt", body, "text/plain")}
    done = anon.post("/api/coverage", data={"at": "2026-12-10T10:00"}, files=files, headers=BOSS)
    assert done.status_code == 201, done.text
    report = done.json()
    assert report["run"]["source"] == "questions.txt" and report["run"]["total"] > 0
    with Session(sample_engine) as s:
        stored = s.get(CoverageRun, report["run"]["id"])
    assert stored is not None and stored.user == SUPERVISOR and stored.total == report["run"]["total"]
    wrong = anon.post("/api/coverage", files={"file": ("q.xlsx", b"PK", "application/zip")}, headers=BOSS)
    assert wrong.status_code == 422 and ".txt" in wrong.json()["detail"]
    missing = anon.post("/api/coverage", data={"at": ""}, headers=BOSS)
    assert missing.status_code == 422 and "请先选择问题文件" in missing.json()["detail"]
    assert anon.post("/api/coverage", files=files, headers=STAFF).status_code == 403


def test_a_campaign_s_question_set_can_be_run_through_the_api(anon: TestClient) -> None:
    done = anon.post("/api/coverage/campaign", json={"campaign": "聚划算"}, headers=BOSS)
    assert done.status_code == 201, done.text
    report = done.json()
    assert report["run"]["source"] == "campaign_questions.csv"
    # issue 10 item 12: the sample's questions carry 次数, so the weighted figure decides, as in the check
    assert report["verdict"]["measure"] == "weighted_coverage"
    assert report["reached"] == (report["summary"]["weighted_coverage"] >= report["target"]) is True
    # The plain figure is reported beside it (issue 13's matcher covers 93 % of the distinct questions,
    # where the one before covered less than the target: the weighted figure decided either way).
    assert (
        0 < report["run"]["coverage"] <= 1
        and report["run"]["coverage"] != report["summary"]["weighted_coverage"]
    )
    unknown = anon.post("/api/coverage/campaign", json={"campaign": "没有的活动"}, headers=BOSS)
    assert unknown.status_code == 404 and "没有的活动" in unknown.json()["detail"]


def test_a_day_s_review_figures_can_be_entered_through_the_api(
    anon: TestClient, sample_engine: Engine
) -> None:
    day = {"day": "2026-11-30", "source": "manual", "agent": "小雨", "very_satisfied": 5, "satisfied": 2}
    asked = anon.post("/api/gold/day", json=day, headers=BOSS)  # the sample has figures for that day
    assert asked.status_code == 409 and "确认后才会替换" in asked.json()["detail"]
    seen = {"version": asked.json()["version"], "seen_score": asked.json()["score"]}
    assert anon.post("/api/gold/day", json={**day, **seen}, headers=BOSS).json() == {"saved": "2026-11-30"}
    with Session(sample_engine) as s:
        row = s.exec(
            select(ReviewCount).where(ReviewCount.agent == "小雨", ReviewCount.day == date(2026, 11, 30))
        ).first()
    assert row is not None and row.very_satisfied == 5 and row.satisfied == 2
    bad = anon.post("/api/gold/day", json={**day, "source": "机器猫"}, headers=BOSS)
    assert bad.status_code == 422 and "未知来源" in bad.json()["detail"]
    assert anon.post("/api/gold/day", json=day, headers=STAFF).status_code == 403


def test_review_figures_can_be_imported_through_the_api(anon: TestClient, sample_engine: Engine) -> None:
    csv = "日期,来源,客服,很满意,满意,一般,不满意,很不满意\n2026-11-29,人工,小雨,7,1,0,0,0\n".encode()
    done = anon.post(
        "/api/gold/import",
        files={"file": ("day.csv", csv, "text/csv")},
        data={"mode": "replace"},
        headers=BOSS,
    )
    assert done.status_code == 200, done.text
    assert done.json()["filename"] == "day.csv" and done.json()["review_rows"] == 1
    with Session(sample_engine) as s:
        rows = s.exec(select(ReviewCount).where(ReviewCount.agent == "小雨")).all()
    assert any(r.very_satisfied == 7 for r in rows)
    missing = anon.post("/api/gold/import", data={"mode": "add"}, headers=BOSS)
    assert missing.status_code == 422 and "评价统计 CSV" in missing.json()["detail"]


def test_the_gold_history_and_the_firing_auto_reply_are_in_the_api(anon: TestClient) -> None:
    months = anon.get("/api/gold/history", params={"months": 3}, headers=STAFF).json()
    assert len(months["history"]) <= 3
    firing = anon.get(
        "/api/autoreplies/firing", params={"at": "2026-12-10T10:00", "event": "first_contact"}, headers=STAFF
    ).json()
    assert firing["event"] == "first_contact" and firing["at"].startswith("2026-12-10T10:00")
    assert firing["rule"] is None or firing["rule"]["trigger"] in ("first_contact", "schedule", "keyword")
    bad = anon.get("/api/autoreplies/firing", params={"event": "什么"}, headers=STAFF)
    assert bad.status_code == 422 and "未知事件" in bad.json()["detail"]


def test_a_phrase_csv_is_previewed_then_imported_through_the_api(
    boss: Browser, sample_engine: Engine
) -> None:
    def team() -> dict[str, str]:
        with Session(sample_engine) as s:
            return {p.code: p.text for p in s.exec(select(Phrase).where(Phrase.scope == "team"))}

    before = team()
    headers = {"X-CSRF-Token": boss.token}
    preview = boss.client.post(
        "/api/import/preview",
        data={"kind": "phrases", "mode": "merge", "library": "team"},
        files={"file": ("team.csv", TEAM_CSV, "text/csv")},
        headers=headers,
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["preview"]["counts"] == {"added": 1, "changed": 1, "removed": 0}
    assert team() == before  # the preview is a dry run
    done = boss.client.post(
        "/api/import/confirm", json={"token": shown["token"], "expected": shown["expected"]}, headers=headers
    )
    assert done.status_code == 200 and done.json()["counts"]["added"] == 1
    assert team()["sf"] == "亲，顺丰需补差价哦"
    again = boss.client.post(
        "/api/import/confirm", json={"token": shown["token"], "expected": shown["expected"]}, headers=headers
    )
    assert again.status_code == 404 and "失效" in again.json()["detail"]


def test_a_changed_library_since_the_preview_asks_to_confirm_again(anon: TestClient) -> None:
    files = {"file": ("team.csv", TEAM_CSV, "text/csv")}
    fields = {"kind": "phrases", "mode": "merge", "library": "team"}
    shown = anon.post("/api/import/preview", data=fields, files=files, headers=BOSS).json()
    stale = anon.post(
        "/api/import/confirm", json={"token": shown["token"], "expected": "9,9,9"}, headers=BOSS
    )
    assert stale.status_code == 409 and stale.json()["expected"] == shown["expected"]
    refused = anon.post("/api/import/preview", data=fields, files=files, headers=STAFF)
    assert refused.status_code == 403 and "客服主管" in refused.json()["detail"]
    bad = anon.post(
        "/api/import/preview",
        data=fields,
        files={
            "file": ("bad.csv", "快捷短语编码,快捷短语,快捷短语分组\n,没有编码,问候\n".encode(), "text/csv")
        },
        headers=BOSS,
    )
    assert bad.status_code in (400, 422) and "第 2 行" in bad.json()["detail"]


def test_the_library_yaml_round_trips_through_the_api(anon: TestClient) -> None:
    exported = anon.get("/api/export/library.yaml", headers=STAFF)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    shown = anon.post(
        "/api/import/preview",
        data={"kind": "library", "mode": "merge"},
        files={"file": ("library.yaml", exported.content, "application/yaml")},
        headers=BOSS,
    ).json()
    assert shown["preview"]["counts"] == {"added": 0, "changed": 0, "removed": 0}
    team = anon.get("/api/export/team.csv", params={"encoding": "utf-8-sig"}, headers=STAFF)
    assert "快捷短语编码" in team.content.decode("utf-8-sig")
    mine = anon.get("/api/export/personal.csv", headers=STAFF)
    assert mine.status_code == 200 and "personal.csv" in mine.headers["content-disposition"]
    assert anon.get("/api/import", headers=STAFF).json()["libraries"] == [
        {"value": "personal", "label": f"我的个人短语（{AGENT}）"}
    ]


def test_campaigns_can_be_added_and_edited_through_the_api(anon: TestClient, sample_engine: Engine) -> None:
    body = {"name": "双12", "start": "2026-12-12T00:00:00+08:00", "end": "2026-12-13T00:00:00+08:00"}
    created = anon.post("/api/campaigns", json=body, headers=BOSS)
    assert created.status_code == 201, created.text
    c = created.json()
    assert anon.get(f"/api/campaigns/{c['id']}", headers=STAFF).json()["name"] == "双12"
    changed = anon.put(
        f"/api/campaigns/{c['id']}",
        json={**body, "coverage_target": 0.8, "version": c["version"]},
        headers=BOSS,
    )
    assert changed.status_code == 200 and changed.json()["coverage_target"] == 0.8
    stale = anon.put(f"/api/campaigns/{c['id']}", json={**body, "version": c["version"]}, headers=BOSS)
    assert stale.status_code == 409 and stale.json()["current"]["coverage_target"] == 0.8
    with Session(sample_engine) as s:
        assert campaigns.get_campaign(s, "双12").coverage_target == 0.8
    assert anon.post("/api/campaigns", json={**body, "name": "x"}, headers=STAFF).status_code == 403


def test_users_and_passwords_can_be_managed_through_the_api(anon: TestClient, sample_engine: Engine) -> None:
    added = anon.post(
        "/api/users", json={"name": "小新", "role": "agent", "password": "first123"}, headers=BOSS
    )
    assert added.status_code == 201 and added.json()["role_name"] == "客服"
    assert (
        anon.post("/api/users/小新/password", json={"password": "second12"}, headers=BOSS).status_code == 200
    )
    short = anon.post("/api/users/小新/password", json={"password": "x"}, headers=BOSS)
    assert short.status_code == 422 and "8 个字符" in short.json()["detail"]
    own = anon.post(
        "/api/account/password",
        json={"current": "second12", "new": "third123"},
        headers=basic("小新", "second12"),
    )
    assert own.status_code == 200
    wrong = anon.post(
        "/api/account/password",
        json={"current": "nope", "new": "fourth12"},
        headers=basic("小新", "third123"),
    )
    assert wrong.status_code == 422 and "当前密码不对" in wrong.json()["detail"]
    with Session(sample_engine) as s:
        assert users.authenticate(s, "小新", "third123") is not None
    assert (
        anon.post(
            "/api/users", json={"name": "y", "role": "agent", "password": "x" * 8}, headers=STAFF
        ).status_code
        == 403
    )


# issue 10 item 10
def test_a_campaign_s_questions_are_sent_and_stored_and_it_can_be_deleted_through_the_api(
    anon: TestClient, sample_engine: Engine
) -> None:
    body = {
        "name": "双12",
        "start": "2026-12-12",
        "end": "2026-12-12",
        "questions": {"filename": "双12.txt", "text": "什么时候发货\n聚划算价格是多少\n"},
    }
    created = anon.post("/api/campaigns", json=body, headers=BOSS)
    assert created.status_code == 201, created.text
    c = created.json()
    assert c["questions_file"] == "双12.txt" and c["questions_stored"] is True and "questions" not in c
    check = anon.get(f"/api/campaigns/{c['id']}/check", headers=STAFF).json()
    coverage = next(ch for ch in check["checks"] if ch["name"] == "coverage")
    assert "双12.txt" in coverage["detail"]
    bad = {**body, "name": "双13", "questions": {"filename": "bad.csv", "text": "问题,次数\n发货,很多\n"}}
    refused = anon.post("/api/campaigns", json=bad, headers=BOSS)
    assert refused.status_code == 422 and "bad.csv" in refused.json()["detail"]
    stale = anon.delete(f"/api/campaigns/{c['id']}", params={"version": 99}, headers=BOSS)
    assert stale.status_code == 409
    assert anon.delete(f"/api/campaigns/{c['id']}", headers=STAFF).status_code == 403
    gone = anon.delete(f"/api/campaigns/{c['id']}", params={"version": 1}, headers=BOSS)
    assert gone.status_code == 200 and gone.json()["deleted"] == c["id"]
    with Session(sample_engine) as s:
        assert s.exec(select(Campaign).where(Campaign.name == "双12")).first() is None
    undone = anon.post(f"/api/history/{gone.json()['undo_revision']}/restore", headers=BOSS)
    assert undone.status_code == 200, undone.text
    with Session(sample_engine) as s:
        assert campaigns.get_campaign(s, "双12").questions_file == "双12.txt"


# issue 10 item 11
def test_a_date_only_campaign_end_is_inclusive_through_the_api(anon: TestClient) -> None:
    body = {"name": "双12", "start": "2026-12-12", "end": "2026-12-12"}
    created = anon.post("/api/campaigns", json=body, headers=BOSS)
    assert created.status_code == 201, created.text
    c = created.json()
    assert (c["start"], c["end"]) == ("2026-12-12T00:00:00+08:00", "2026-12-13T00:00:00+08:00")
    changed = anon.put(
        f"/api/campaigns/{c['id']}", json={**body, "end": "2026-12-14", "version": 1}, headers=BOSS
    )
    assert changed.status_code == 200 and changed.json()["end"] == "2026-12-15T00:00:00+08:00"
    exact = anon.put(
        f"/api/campaigns/{c['id']}",
        json={**body, "end": "2026-12-14T22:00:00+08:00", "version": 2},
        headers=BOSS,
    )
    assert exact.json()["end"] == "2026-12-14T22:00:00+08:00"
