"""Gold-team (金牌客服) check (SPEC §6): the window arithmetic, the sample shop's hand-checkable figures,
the review-file import (encodings, all-or-nothing) and the CLI's exit statuses."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from replybook import gold
from replybook.store import db
from replybook.store.errors import ImportFormatError, InvalidValue
from replybook.store.models import ReviewCount, ServiceScore
from replybook.tabular.encodings import detect_and_decode
from tests.conftest import SAMPLE, Cli

D = date.fromisoformat
HEADER = "日期,来源,客服,很满意,满意,一般,不满意,很不满意"


# ---------------------------------------------------------------- the window: T−32 … T−3, both included

WINDOWS = [
    # T,            start,        end           — why this case
    ("2026-12-01", "2026-10-30", "2026-11-28"),  # SPEC §6's own example
    ("2026-11-01", "2026-09-30", "2026-10-29"),  # window reaches back over a 31-day month end
    ("2027-01-01", "2026-11-30", "2026-12-29"),  # across the year end
    ("2026-08-01", "2026-06-30", "2026-07-29"),  # July has 31 days
    ("2026-07-31", "2026-06-29", "2026-07-28"),  # T on a month's 31st
    ("2026-12-31", "2026-11-29", "2026-12-28"),  # T on the year's last day
    ("2026-01-31", "2025-12-30", "2026-01-28"),  # window starts in the previous year
    ("2026-03-01", "2026-01-28", "2026-02-26"),  # February of a common year (28 days)
    ("2028-03-01", "2028-01-29", "2028-02-27"),  # February of a leap year (29 days)
    ("2028-02-29", "2028-01-28", "2028-02-26"),  # T is the leap day
    ("2028-03-31", "2028-02-28", "2028-03-28"),  # window spans the leap day
]


@pytest.mark.parametrize(("on", "start", "end"), WINDOWS)
def test_review_window(on: str, start: str, end: str) -> None:
    window = gold.review_window(on=D(on))
    assert (window.start, window.end) == (D(start), D(end))
    assert window.days == 30


@pytest.mark.parametrize(
    ("on", "evaluation"),
    [("2026-11-01", "2026-12-01"), ("2026-11-30", "2026-12-01"), ("2026-12-01", "2027-01-01"),
     ("2026-12-31", "2027-01-01"), ("2028-02-29", "2028-03-01")],
)  # fmt: skip
def test_next_evaluation_is_first_of_next_month(on: str, evaluation: str) -> None:
    assert gold.next_evaluation(D(on)) == D(evaluation)


@pytest.mark.parametrize(
    ("offset", "counted"),
    [(33, False), (32, True), (17, True), (3, True), (2, False), (0, False)],
    ids=["T-33", "T-32", "T-17", "T-3", "T-2", "T"],
)
@pytest.mark.parametrize("on", ["2026-12-01", "2028-03-01", "2026-08-01"])
def test_boundary_days(session, on: str, offset: int, counted: bool) -> None:
    t = D(on)
    gold.set_day(session, day=t - timedelta(days=offset), source="bot", counts={"satisfied": 7})
    result = gold.check(session, on=t)
    assert result.figures.overall.reviews == (7 if counted else 0)


@pytest.mark.parametrize(
    ("score_offsets", "used"),
    [((3,), 3), ((2, 3), 3), ((2,), None), ((40, 2), 40), ((10, 5), 5)],
    ids=["on T-3", "T-2 ignored", "only T-2", "old score before window", "latest wins"],
)
def test_service_score_is_latest_on_or_before_t_minus_3(session, score_offsets, used) -> None:
    t = D("2026-12-01")
    for n, offset in enumerate(score_offsets):
        gold.set_day(session, day=t - timedelta(days=offset), source="bot", score=4.0 + n / 10)
    result = gold.check(session, on=t)
    if used is None:
        assert result.service_score is None and not result.eligible
        assert any("没有综合服务分" in r for r in result.reasons)
    else:
        assert result.service_score_day == t - timedelta(days=used)


# ---------------------------------------------------------------- the sample shop, figures checked by hand


def _json(cli: Cli, *args: str) -> tuple[int, dict]:
    result = cli("gold", "check", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_sample_2026_11_01_not_eligible_seven_reviews_short(sample_cli: Cli) -> None:
    code, got = _json(sample_cli, "--on", "2026-11-01")
    assert code == 1
    assert got["on"] == "2026-11-01"
    assert got["window"] == {"start": "2026-09-30", "end": "2026-10-29", "days": 30}
    assert (got["service_score"], got["service_score_day"]) == (4.04, "2026-10-29")
    assert got["reviews"]["total"] == 93 and got["reviews"]["bot"] == 30 and got["reviews"]["manual"] == 63
    assert got["reviews"]["satisfied"] == 83
    assert got["satisfaction_rate"] == 0.8925  # 83 / 93
    assert got["satisfaction"]["bot"] == {"reviews": 30, "satisfied": 23, "rate": 0.7667}
    assert got["satisfaction"]["manual"] == {"reviews": 63, "satisfied": 60, "rate": 0.9524}
    assert {k: v["reviews"] for k, v in got["satisfaction"]["agents"].items()} == {"小美": 31, "小雨": 32}
    assert got["reviews_needed"] == 7 and got["eligible"] is False
    assert got["reasons"] == ["评价数 93 少于 100，还差 7 条"]


def test_sample_2026_12_01_eligible(sample_cli: Cli) -> None:
    code, got = _json(sample_cli, "--on", "2026-12-01")
    assert code == 0
    assert got["window"]["start"] == "2026-10-30" and got["window"]["end"] == "2026-11-28"
    assert (got["service_score"], got["service_score_day"]) == (4.42, "2026-11-28")
    assert (got["reviews"]["total"], got["reviews"]["bot"], got["reviews"]["manual"]) == (121, 48, 73)
    assert got["reviews"]["satisfied"] == 108
    assert got["satisfaction"]["bot"]["satisfied"] == 39 and got["satisfaction"]["manual"]["satisfied"] == 69
    assert {k: v["reviews"] for k, v in got["satisfaction"]["agents"].items()} == {"小美": 37, "小雨": 36}
    assert got["reviews_needed"] == 0 and got["eligible"] is True and got["reasons"] == []
    assert got["thresholds"] == {"service_score": 3.6, "reviews": 100, "satisfaction_target": None}


def test_sample_early_scores_are_below_the_threshold(sample_cli: Cli) -> None:
    # The sample's first days score 3.53, 3.56, 3.57, 3.57; on 2026-10-07 the window ends on 10-04.
    code, got = _json(sample_cli, "--on", "2026-10-07")
    assert code == 1 and got["service_score"] == 3.57
    assert "综合服务分 3.57（2026-10-04）低于 3.6" in got["reasons"]


def test_sample_table_shows_each_figure_next_to_its_threshold(sample_cli: Cli) -> None:
    result = sample_cli("gold", "check", "--on", "2026-11-01")
    assert result.exit_code == 1
    out = result.stdout
    for text in ("2026-09-30 至 2026-10-29", "4.04（2026-10-29）", "≥ 3.6", "93", "≥ 100", "还差 7 条",
                 "89.25%（83/93）", "76.67%（23/30）", "95.24%（60/63）", "小美", "小雨",
                 "不符合金牌客服门槛", "预测：下次评定 2026-12-01"):  # fmt: skip
        assert text in out, text


def test_target_satisfaction_is_optional_and_decides_when_given(sample_cli: Cli) -> None:
    assert sample_cli("gold", "check", "--on", "2026-12-01", "--target-satisfaction", "85").exit_code == 0
    code, got = _json(sample_cli, "--on", "2026-12-01", "--target-satisfaction", "0.9")
    assert code == 1 and got["thresholds"]["satisfaction_target"] == 0.9
    assert got["reasons"] == ["满意率 89.26% 低于目标 90.00%"]
    table = sample_cli("gold", "check", "--on", "2026-12-01", "--target-satisfaction", "90%").stdout
    assert "目标 ≥ 90.00%" in table and "低于目标" in table


def test_sample_projection(sample_cli: Cli) -> None:
    _, got = _json(sample_cli, "--on", "2026-12-01")
    p = got["projection"]
    assert p["evaluation_day"] == "2027-01-01"
    assert (p["window"]["start"], p["window"]["end"]) == ("2026-11-30", "2026-12-29")
    assert (p["basis"]["start"], p["basis"]["end"], p["basis"]["reviews"]) == ("2026-11-17", "2026-11-30", 47)
    # 5 reviews known on 11-30, then 29 days at 47/14 a day: 5 + 97.36 → 102
    assert (p["known_days"], p["known_reviews"], p["remaining_days"], p["reviews"]) == (1, 5, 29, 102)
    assert p["service_score"] == 4.41 and p["eligible"] is True


def test_sample_history_one_line_a_month(sample_cli: Cli) -> None:
    result = sample_cli("gold", "history", "--format", "json")
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert [(m["on"], m["reviews"]["total"], m["eligible"]) for m in got] == [
        ("2026-11-01", 93, False),
        ("2026-12-01", 121, True),
    ]
    table = sample_cli("gold", "history", "--months", "1").stdout
    assert "2026-12-01" in table and "2026-11-01" not in table


# ---------------------------------------------------------------- projection, empty windows


def test_projection_at_a_steady_rate(session) -> None:
    day = D("2026-10-01")
    while day <= D("2026-11-30"):
        gold.set_day(session, day=day, source="manual", agent="小美", counts={"satisfied": 3, "neutral": 1})
        day += timedelta(days=1)
    gold.set_day(session, day=D("2026-10-01"), source="bot", score=4.2)
    p = gold.check(session, on=D("2026-11-20")).projection
    assert p is not None and p.evaluation_day == D("2026-12-01")
    # window 10-30 … 11-28: 21 days known (84 reviews), 9 to come at 4 a day
    assert (p.known_days, p.known.reviews, p.remaining_days, p.reviews) == (21, 84, 9, 120)
    assert p.satisfaction_rate == pytest.approx(0.75) and p.eligible


def test_empty_database_gives_null_rate_not_a_crash(cli: Cli) -> None:
    code, got = _json(cli, "--on", "2026-12-01", "--target-satisfaction", "0.9")
    assert code == 1
    assert got["reviews"]["total"] == 0 and got["satisfaction_rate"] is None
    assert got["satisfaction"]["bot"]["rate"] is None and got["satisfaction"]["agents"] == {}
    assert got["reviews_needed"] == 100 and got["service_score"] is None
    assert len(got["reasons"]) == 3 and got["projection"]["satisfaction_rate"] is None
    assert "—（无评价）" in cli("gold", "check", "--on", "2026-12-01").stdout
    assert "还没有评价数据" in cli("gold", "history").stdout


def test_default_on_is_today_in_shanghai(cli: Cli) -> None:
    from replybook.store.timeutil import today_shop

    _, got = _json(cli)
    assert got["on"] == today_shop().isoformat()


# ---------------------------------------------------------------- import


def _count(url: str) -> tuple[int, int]:
    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        reviews = s.exec(select(func.count()).select_from(ReviewCount)).one()
        scores = s.exec(select(func.count()).select_from(ServiceScore)).one()
    engine.dispose()
    return reviews, scores


EXCEL_ROWS = [
    "2026/11/1,机器人,,20,5,1,0,0,4.5",
    "2026/11/1,人工,小美,30,10,0,1,0,",
    "2026/11/2,人工,小雨,35,0,0,0,0,",
    ",,,,,,,,",  # Excel writes rows it thinks are used as empty cells
]


@pytest.mark.parametrize(
    ("encoding", "reported"), [("gbk", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_excel_file_imports(cli: Cli, tmp_path: Path, encoding: str, reported: str) -> None:
    text = "\r\n".join([HEADER + ",综合服务分", *EXCEL_ROWS]) + "\r\n"
    path = tmp_path / "评价.csv"
    path.write_bytes(text.encode(encoding))
    result = cli("gold", "import", str(path))
    assert result.exit_code == 0, result.output
    assert f"编码 {reported}" in result.stdout and "新增 3 行" in result.stdout
    assert _count(cli.url) == (3, 1)
    _, got = _json(cli, "--on", "2026-11-05")
    assert got["reviews"]["total"] == 102 and got["reviews"]["bot"] == 26 and got["service_score"] == 4.5
    assert got["satisfaction"]["agents"]["小美"] == {"reviews": 41, "satisfied": 40, "rate": 0.9756}


def test_sample_file_is_gbk_with_crlf() -> None:
    raw = (SAMPLE / "reviews.csv").read_bytes()
    text, encoding = detect_and_decode(raw)
    assert encoding == "gb18030" and b"\r\n" in raw and text.startswith(HEADER + ",综合服务分")


def test_review_and_score_files_separately(cli: Cli, tmp_path: Path) -> None:
    reviews = tmp_path / "r.csv"
    reviews.write_text(
        HEADER + "\n2026-11-01,机器人,,1,2,3,4,5\n2026-11-01,人工,,1,0,0,0,0\n", encoding="utf-8"
    )
    scores = tmp_path / "s.csv"
    scores.write_text("日期,综合服务分\n2026-11-01,4.8\n2026-11-02,4.7\n", encoding="gbk")
    assert "评价统计，编码 utf-8" in cli("gold", "import", str(reviews)).stdout
    out = cli("gold", "import", str(scores)).stdout
    assert "综合服务分，编码 gb18030" in out and "新增 2 天" in out
    assert _count(cli.url) == (2, 2)


PLATFORM_HEADER = "日期,来源,客服,非常满意,满意,一般,不满意,非常不满意"


def test_platform_level_labels_very_satisfied_and_very_dissatisfied_are_accepted(
    cli: Cli, tmp_path: Path
) -> None:
    platform = tmp_path / "平台导出.csv"
    platform.write_bytes(
        f"{PLATFORM_HEADER},综合服务分\r\n2026-11-01,人工,小美,30,10,0,1,2,4.5\r\n".encode("gbk")
    )
    ours = tmp_path / "ours.csv"
    ours.write_text(f"{HEADER}\n2026-11-02,机器人,,7,0,0,0,3\n", encoding="utf-8")
    for path in (platform, ours):
        result = cli("gold", "import", str(path))
        assert result.exit_code == 0, result.output
    _, got = _json(cli, "--on", "2026-11-05")
    assert got["reviews"]["total"] == 53 and got["satisfaction"]["agents"]["小美"]["satisfied"] == 40
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{PLATFORM_HEADER}\n2026-11-03,人工,小美,x,0,0,0,0\n", encoding="utf-8")
    result = cli("gold", "import", str(bad))
    assert result.exit_code == 2 and "第 2 行，非常满意：评价数应为非负整数" in result.output


BAD_ROWS = [
    ("2026-11-01,店小蜜,,1,0,0,0,0,", "来源", "未知来源 '店小蜜'"),
    ("2026-11-01,人工,小美,1,-2,0,0,0,", "满意", "不能为负数"),
    ("2026-11-01,人工,小美,1,0,x,0,0,", "一般", "非负整数"),
    ("2026-13-01,人工,小美,1,0,0,0,0,", "日期", "无法识别的日期"),
    ("2026-11-01,机器人,,1,0,0,0,0,5.1", "综合服务分", "0 到 5 之间"),
    ("2026-11-01,机器人,,1,0,0,0,0,-1", "综合服务分", "0 到 5 之间"),
    ("2026-11-01,机器人,,1,0,0,0,0,四点五", "综合服务分", "应为数字"),
    ("2026-11-01,机器人,小美,1,0,0,0,0,", "客服", "客服一栏应为空"),
    ("2026-11-02,机器人,,1,0,0,0,0,", "日期", "与第 2 行重复"),
    ("2026-11-01,人工,小美,1,0,0", None, "只有 6 列"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS)
def test_bad_row_names_row_and_column_and_changes_nothing(
    cli: Cli, tmp_path: Path, row: str, column: str | None, message: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(f"{HEADER},综合服务分\r\n2026-10-01,机器人,,1,0,0,0,0,4.0\r\n".encode("gbk"))
    assert cli("gold", "import", str(good)).exit_code == 0
    bad = tmp_path / "bad.csv"
    lines = [
        f"{HEADER},综合服务分",
        "2026-11-02,机器人,,3,0,0,0,0,4.2",
        "2026-11-03,人工,小雨,2,0,0,0,0,",
        row,
    ]
    bad.write_bytes("\r\n".join(lines).encode("gbk"))
    result = cli("gold", "import", str(bad))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "未写入任何内容" in result.output and message in result.output
    assert f"第 4 行，{column}" in result.output if column else "第 4 行" in result.output
    assert _count(cli.url) == (1, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "缺少表头"),
        ("日期,来源,很满意\n2026-11-01,人工,1\n", "表头缺少列：客服、满意"),
        ("date,score\n2026-11-01,4.5\n", "无法识别的表头"),
        (HEADER + "\n", "没有数据行"),
        ("日期,综合服务分\n2026-11-01,\n", "综合服务分不能为空"),
    ],
)
def test_bad_files(session, content: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as info:
        gold.import_reviews(session, content.encode(), source="x.csv")
    assert message in str(info.value)


def test_undecodable_file(session) -> None:
    with pytest.raises(ImportFormatError, match="无法识别文件编码"):
        gold.import_reviews(session, b"\x81\x30\xff\xff", source="x.csv")


def test_stored_day_is_an_error_unless_replace(cli: Cli, tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text(f"{HEADER},综合服务分\n2026-11-01,机器人,,1,0,0,0,0,4.0\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text(
        f"{HEADER},综合服务分\n2026-11-02,人工,小美,9,0,0,0,0,\n2026-11-01,机器人,,5,0,0,0,0,4.3\n",
        encoding="utf-8",
    )
    assert cli("gold", "import", str(first)).exit_code == 0
    result = cli("gold", "import", str(second))
    assert result.exit_code == 2 and "第 3 行" in result.output and "--mode replace" in result.output
    assert _count(cli.url) == (1, 1)
    dry = cli("gold", "import", str(second), "--mode", "replace", "--dry-run")
    assert dry.exit_code == 0 and "将导入" in dry.stdout and _count(cli.url) == (1, 1)
    result = cli("gold", "import", str(second), "--mode", "replace")
    assert result.exit_code == 0 and "新增 1 行，覆盖 1 行" in result.stdout and "覆盖 1 天" in result.stdout
    _, got = _json(cli, "--on", "2026-11-05")
    assert got["reviews"]["total"] == 14 and got["service_score"] == 4.3


# ---------------------------------------------------------------- CLI errors and exit statuses


@pytest.mark.parametrize(
    "args",
    [
        ("gold", "check", "--on", "明天"),
        ("gold", "check", "--on", "2026-12-01", "--format", "xml"),
        ("gold", "check", "--on", "2026-12-01", "--target-satisfaction", "120"),
        ("gold", "history", "--months", "0"),
        ("gold", "import", "/nonexistent/reviews.csv"),
        ("gold", "import", str(SAMPLE / "reviews.csv"), "--mode", "merge"),
    ],
)
def test_user_errors_exit_2_with_one_line(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 2 and "错误：" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("value", "fraction"), [("0.95", 0.95), ("95", 0.95), ("95%", 0.95), ("1", 1.0), ("0", 0.0)]
)
def test_parse_target(value: str, fraction: float) -> None:
    assert gold.parse_target(value) == pytest.approx(fraction)


# ---------------------------------------------------------------- manual entry (the web UI's service)


def test_set_day_overwrites_one_day(session) -> None:
    gold.set_day(session, day="2026-11-01", source="人工", agent="小美", counts={"very_satisfied": 4})
    gold.set_day(session, day="2026-11-01", source="manual", agent="小美", counts={"neutral": 2}, score=4.1)
    rows = session.exec(select(ReviewCount)).all()
    assert len(rows) == 1 and (rows[0].very_satisfied, rows[0].neutral, rows[0].total) == (0, 2, 2)
    assert session.get(ServiceScore, D("2026-11-01")).score == 4.1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"source": "店小蜜", "counts": {}},
        {"source": "bot", "agent": "小美", "counts": {}},
        {"source": "bot", "counts": {"satisfied": -1}},
        {"source": "bot", "counts": {"great": 1}},
        {"source": "bot", "score": 6},
        {"source": "bot"},
    ],
)
def test_set_day_rejects_bad_values(session, kwargs) -> None:
    with pytest.raises(InvalidValue):
        gold.set_day(session, day=D("2026-11-01"), **kwargs)


# ---------------------------------------------------------------- storage on SQLite and PostgreSQL


@pytest.mark.storage
def test_storage_import_check_replace(any_engine) -> None:
    raw = (SAMPLE / "reviews.csv").read_bytes()
    with db.session_scope(any_engine) as s:
        result = gold.import_reviews(s, raw, source="reviews.csv")
        assert (result.kind, result.review_rows, result.scores_added) == ("combined", 183, 61)
    with db.session_scope(any_engine) as s:
        december = gold.check(s, on=D("2026-12-01"))
        assert (december.figures.overall.reviews, december.figures.overall.satisfied) == (121, 108)
        assert december.eligible and december.service_score == 4.42
        assert [m.on for m in gold.history(s, months=12)] == [D("2026-11-01"), D("2026-12-01")]
    with db.session_scope(any_engine) as s, pytest.raises(ImportFormatError):
        gold.import_reviews(s, raw, source="reviews.csv")
    with db.session_scope(any_engine) as s:
        again = gold.import_reviews(s, raw, source="reviews.csv", mode="replace")
        assert (again.reviews_added, again.reviews_replaced, again.scores_replaced) == (0, 183, 61)
        gold.set_day(s, day=D("2026-11-28"), source="bot", counts={"very_dissatisfied": 20}, score=3.5)
    with db.session_scope(any_engine) as s:
        december = gold.check(s, on=D("2026-12-01"))
        assert december.service_score == 3.5 and not december.eligible
        stored = s.exec(
            select(ReviewCount).where(ReviewCount.day == D("2026-11-28"), ReviewCount.source == "bot")
        ).one()
        assert (stored.total, stored.very_dissatisfied) == (20, 20)  # overwritten, not added to
