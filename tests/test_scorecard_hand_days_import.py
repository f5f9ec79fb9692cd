# ruff: noqa: F811 - the fixtures of test_web are imported under their own names
"""An import leaves a day typed by hand on the web as it was typed (a supervisor's correction, or a
day no report gave), in either mode, unless the shop asks for it to be overwritten; the dry run and
the web preview list such a day as kept and say why. Days an import brought are replaced as
before."""

from __future__ import annotations

from datetime import date
from html import unescape
from pathlib import Path

from sqlmodel import Session, select

from replybook import scorecard
from replybook.scorecard import day_uploads, hand_days
from replybook.store.models_scorecard import AgentDay
from tests.test_web import Browser, agent, anon, app, boss  # noqa: F401 - fixtures
from tests.test_web_scorecard_days import NEW_DAY, confirm_fields, days_of, preview


def report(*rows: str) -> bytes:
    return ("日期,客服,咨询人数,销售额\n" + "".join(f"{r}\n" for r in rows)).encode()


def typed(day: str, agent: str, consultations: str) -> hand_days.DayData:
    return hand_days.parse_day({"day": day, "agent": agent, "consultations": consultations})


def figures(session: Session) -> dict[tuple[str, str], int | None]:
    rows = session.exec(select(AgentDay).where(AgentDay.source == "report"))
    return {(r.day.isoformat(), r.agent): r.consultations for r in rows}


def _shop_with_hand_days(session: Session) -> None:
    scorecard.import_days(
        session,
        report("2026-11-01,小美,10,100", "2026-11-02,小美,11,100", "2026-11-03,小美,12,100"),
        source="十一月.csv",
    )
    hand_days.create_day(session, typed("2026-11-02", "小王", "5"), user="店长")  # no report had it
    corrected = hand_days.stored_day(session, date(2026, 11, 3), "小美")
    assert corrected is not None
    hand_days.update_day(
        session, corrected.id or 0, typed("2026-11-03", "小美", "99"), expected_version=None, user="店长"
    )


REPLACING = report("2026-11-01,小美,20,200", "2026-11-03,小美,21,200")


def test_a_replace_import_replaces_imported_days_and_keeps_days_typed_by_hand(session: Session) -> None:
    _shop_with_hand_days(session)
    plan = day_uploads.plan_figures(session, REPLACING, source="新.csv", mode="replace")
    actions = {(d.day.isoformat(), d.agent): d.action for d in plan.days}
    assert actions == {
        ("2026-11-01", "小美"): "change",
        ("2026-11-03", "小美"): "keep",  # corrected by hand: the file's 21 is not taken
        ("2026-11-02", "小美"): "remove",  # imported, not in the file
        ("2026-11-02", "小王"): "keep",  # typed by hand, not in the file
    }
    assert all(d.typed_by_hand == (d.action == "keep") for d in plan.days)
    assert any("2 天是在网页上手工录入的" in n and "保留" in n for n in plan.notes), plan.notes
    result = scorecard.import_days(session, REPLACING, source="新.csv", mode="replace")
    assert (result.updated, result.removed, result.kept) == (1, 1, 2)
    assert figures(session) == {
        ("2026-11-01", "小美"): 20,
        ("2026-11-03", "小美"): 99,
        ("2026-11-02", "小王"): 5,
    }


def test_a_merge_import_keeps_a_day_typed_by_hand_too(session: Session) -> None:
    _shop_with_hand_days(session)
    result = scorecard.import_days(session, REPLACING, source="新.csv", mode="merge")
    assert (result.updated, result.removed, result.kept) == (1, 0, 1)
    assert figures(session)[("2026-11-03", "小美")] == 99


def test_asked_to_the_import_overwrites_and_removes_days_typed_by_hand(session: Session) -> None:
    _shop_with_hand_days(session)
    plan = day_uploads.plan_figures(
        session, REPLACING, source="新.csv", mode="replace", overwrite_hand_days=True
    )
    hand = {(d.day.isoformat(), d.agent): d.action for d in plan.days if d.typed_by_hand}
    assert hand == {("2026-11-03", "小美"): "change", ("2026-11-02", "小王"): "remove"}
    assert any("将被文件替换或删除" in n for n in plan.notes), plan.notes
    result = scorecard.import_days(
        session, REPLACING, source="新.csv", mode="replace", overwrite_hand_days=True
    )
    assert (result.updated, result.removed, result.kept) == (2, 2, 0)
    assert figures(session) == {("2026-11-01", "小美"): 20, ("2026-11-03", "小美"): 21}
    # What the import wrote is an imported day from now on: the next replace import replaces it.
    scorecard.import_days(session, report("2026-11-01,小美,30,300"), source="再.csv", mode="replace")
    assert figures(session) == {("2026-11-01", "小美"): 30, ("2026-11-03", "小美"): 21}


def test_the_web_preview_says_a_day_typed_by_hand_is_kept(boss: Browser) -> None:
    assert boss.post("/scorecard/days/new", NEW_DAY).status_code == 303  # 2026-12-01 小美, by hand
    file = report("2026-12-01,小雨,40,900", "2026-12-02,小雨,41,900")  # the same days, other agents
    response = preview(boss, "十二月.csv", file, kind="figures", mode="replace")
    assert response.status_code == 200, response.text
    text = unescape(response.text)
    assert "保留 1 天" in text and "保留（手工录入）" in text and "删除 0 天" in text
    assert "1 天是在网页上手工录入的" in text
    assert boss.post("/scorecard/upload/confirm", confirm_fields(response.text)).status_code == 303
    assert days_of(boss, "2026-12", "小美")[0]["report"]["sales"] == "1234.50"

    again = report("2026-12-01,小雨,42,900")  # 2026-12-01 only: the hand-typed day is not in it
    asked = preview(boss, "十二月.csv", again, kind="figures", mode="replace", overwrite_hand_days="1")
    text = unescape(asked.text)
    assert "删除 1 天" in text and "手工录入" in text and "将被文件替换或删除" in text
    assert boss.post("/scorecard/upload/confirm", confirm_fields(asked.text)).status_code == 303
    assert all(d["id"] is None for d in days_of(boss, "2026-12", "小美"))


def test_the_migration_marks_the_days_whose_last_change_was_typed_by_hand(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from replybook.store import db

    engine = db.make_engine(str(tmp_path / "old.db"))
    command.upgrade(db._alembic_config(engine), "0015")
    history_rows = [  # (day id, version, summary)
        (1, 1, "手工录入 2026-11-02 小王 的考核数据"),
        (2, 1, "新增 2026-11-03 小美 的考核数据（导入 r.csv）"),
        (2, 2, "手工修改 2026-11-03 小美 的考核数据"),
        (3, 1, "手工录入 2026-11-04 小美 的考核数据"),
        (3, 2, "更新 2026-11-04 小美 的考核数据（导入 r.csv）"),  # typed, then an import replaced it
    ]
    with engine.begin() as conn:
        for day_id, day in ((1, "2026-11-02"), (2, "2026-11-03"), (3, "2026-11-04")):
            conn.execute(
                text(
                    "INSERT INTO agent_day (id, day, agent, source, version) VALUES (:id, :day, '小美', 'report', 1)"
                ),
                {"id": day_id, "day": day},
            )
        for day_id, version, summary in history_rows:
            conn.execute(
                text(
                    "INSERT INTO revision (item_type, item_id, version, action, data, summary, at) "
                    "VALUES ('agentday', :id, :v, 'update', '{}', :s, '2026-11-05 00:00:00')"
                ),
                {"id": day_id, "v": version, "s": summary},
            )
    db.upgrade(engine)
    with Session(engine) as s:
        marked = {r.id: r.typed_by_hand for r in s.exec(select(AgentDay))}
    assert marked == {1: True, 2: True, 3: False}
    engine.dispose()
