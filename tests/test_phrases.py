"""Quick phrases (SPEC §8, issue 3): the services on SQLite and PostgreSQL, the Qianniu CSV import and
export through the CLI, and the checks of `replybook phrases lint`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from replybook import phrases
from replybook.store import db, history
from replybook.store.errors import (
    ConflictError,
    ImportFormatError,
    InvalidValue,
    PermissionDenied,
    StaleVersionError,
)
from replybook.store.models import Phrase, Revision
from replybook.store.users import add_user
from tests.conftest import Cli

HEADER = "快捷短语编码,快捷短语,快捷短语分组\r\n"

# A Qianniu export from Chinese Windows: GBK, quoted commas and line breaks, the legacy escapes,
# a full-width code, an empty group.
QIANNIU_GBK = (
    HEADER + "hi,亲，您好，欢迎光临~,问候\r\n"
    'kd,"亲，默认发中通或韵达, 如需顺丰可以补差价哦~",物流\r\n'
    'jhs,"聚划算12月10日0点开始\r\n前500名送发夹",活动\r\n'
    "yfx,运费险&#13;&#10;退换货运费由保险公司赔付&#44;请放心,售后\r\n"
    "ＦＨ,付款后48小时内发货,物流\r\n"
    "bye,感谢光临，期待再见~,\r\n"
).encode("gbk")
QIANNIU_ROWS = {
    "hi": ("亲，您好，欢迎光临~", "问候"),
    "kd": ("亲，默认发中通或韵达, 如需顺丰可以补差价哦~", "物流"),
    "jhs": ("聚划算12月10日0点开始\n前500名送发夹", "活动"),
    "yfx": ("运费险\n退换货运费由保险公司赔付,请放心", "售后"),
    "fh": ("付款后48小时内发货", "物流"),
    "bye": ("感谢光临，期待再见~", ""),
}
# A newer personal file: UTF-8 with a BOM, the older header words, emoji.
PERSONAL_BOM = (
    "快捷编码,快捷短语内容,快捷短语分组\r\nnh,亲亲你好呀😊,问候\r\nxie,不客气哦🌸~,问候\r\n"
).encode("utf-8-sig")


def library(s: Session, scope: str = "team", owner: str = "") -> dict[str, tuple[str, str]]:
    return {p.code: (p.text, p.group_name) for p in phrases.list_phrases(s, scope=scope, owner=owner or None)}


def team(code: str, text: str, group: str = "") -> phrases.PhraseData:
    return phrases.PhraseData("team", "", group, code, text)


def mine(owner: str, code: str, text: str, group: str = "") -> phrases.PhraseData:
    return phrases.PhraseData("personal", owner, group, code, text)


def agents(s: Session, *names: str) -> None:
    """Personal phrases belong to users (issue 10 item 9): add the agents a test files phrases under."""
    for name in names:
        add_user(s, name=name, role="agent", password="secret12")


# ---------------------------------------------------------------- services, on both databases


@pytest.mark.storage
def test_add_edit_move_remove_with_history(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        p = phrases.create_phrase(
            s, data=team(" ＦＨ ", "付款后48小时内发货\r\n活动期间72小时", "物流"), user="店长"
        )
        assert (p.code, p.text, p.version, p.updated_by) == (
            "fh",
            "付款后48小时内发货\n活动期间72小时",
            1,
            "店长",
        )
        pid = p.id
    with db.session_scope(any_engine) as s:
        data = phrases.phrase_data(phrases.get_phrase(s, pid))
        data.text = "付款后24小时内发货"
        assert (
            phrases.update_phrase(s, phrase_id=pid, data=data, expected_version=1, user="店长").version == 2
        )
        assert phrases.move_phrase(s, phrase_id=pid, group="发货", user="店长").group_name == "发货"
        with pytest.raises(StaleVersionError):
            phrases.update_phrase(s, phrase_id=pid, data=data, expected_version=1, user="店长")
    with db.session_scope(any_engine) as s:
        with pytest.raises(StaleVersionError):
            phrases.delete_phrase(s, phrase_id=pid, expected_version=2, user="店长")
        phrases.delete_phrase(s, phrase_id=pid, expected_version=3, user="店长")
    with db.session_scope(any_engine) as s:
        revs = history.revisions(s, "phrase", pid)
        assert [r.action for r in revs] == ["delete", "update", "update", "create"]
        assert revs[-1].data["text"] == "付款后48小时内发货\n活动期间72小时"
        restored = history.restore(s, revs[-1].id, user="店长")
    with db.session_scope(any_engine) as s:
        assert library(s) == {"fh": ("付款后48小时内发货\n活动期间72小时", "物流")}
        assert [r.version for r in revs] == [4, 3, 2, 1]  # the deletion is a version of its own
        assert restored.version == 5


@pytest.mark.storage
def test_a_new_phrase_never_takes_a_deleted_phrases_id(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        phrases.create_phrase(s, data=team("a", "一"))
        gone = phrases.create_phrase(s, data=team("b", "二")).id
        phrases.delete_phrase(s, phrase_id=gone)
        again = phrases.create_phrase(s, data=team("c", "三")).id
        phrases.delete_phrase(s, phrase_id=again)
        plan = phrases.import_phrases(s, io.BytesIO((HEADER + "d,四,\r\ne,五,\r\n").encode()), mode="replace")
        assert [i.code for i in plan.removed] == ["a"]
    with db.session_scope(any_engine) as s:
        new_ids = {p.id for p in phrases.list_phrases(s)}
        assert len(new_ids) == 2 and min(new_ids) > again > gone
        assert all(len(history.revisions(s, "phrase", i)) == 1 for i in new_ids)


@pytest.mark.storage
@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (team("", "x"), InvalidValue, "编码不能为空"),
        (team("a", "  "), InvalidValue, "短语内容不能为空"),
        (team("a", "x", "两\n行"), InvalidValue, "分组名"),
        (mine("", "a", "x"), InvalidValue, "需要指定所属客服"),
        (phrases.PhraseData("shop", "", "", "a", "x"), InvalidValue, "未知范围"),
        (phrases.PhraseData("team", "", "", "a", "x", "ftp://x"), InvalidValue, "图片地址"),
        (team("ＨＩ", "x"), ConflictError, "团队短语里已有编码 hi"),
    ],
)
def test_invalid_phrases(any_engine: Engine, data: phrases.PhraseData, error: type, message: str) -> None:
    with db.session_scope(any_engine) as s:
        phrases.create_phrase(s, data=team("hi", "你好"))
    with db.session_scope(any_engine) as s, pytest.raises(error, match=message):
        phrases.create_phrase(s, data=data)


@pytest.mark.storage
def test_codes_are_unique_per_library_and_shadowing_is_a_warning(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        agents(s, "小美", "小雨")
        phrases.create_phrase(s, data=team("hi", "团队的你好"))
        phrases.create_phrase(s, data=mine("小美", "hi", "小美的你好"))
        phrases.create_phrase(s, data=mine("小雨", "hi", "小雨的你好"))
        assert "遮住团队短语" in (phrases.shadow_warning(s, scope="personal", owner="小美", code="hi") or "")
        assert "小美、小雨" in (phrases.shadow_warning(s, scope="team", owner="", code="hi") or "")
        assert phrases.shadow_warning(s, scope="personal", owner="小美", code="zz") is None


@pytest.mark.storage
def test_agents_edit_only_their_own_phrases(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        add_user(s, name="小美", role="agent", password="secret12")
        add_user(s, name="店长", role="supervisor", password="secret12")
        agents(s, "小雨")
        phrases.create_phrase(s, data=mine("小美", "nh", "你好"), user="小美")
        phrases.create_phrase(s, data=team("hi", "你好"), user="店长")
        phrases.create_phrase(s, data=mine("小雨", "ny", "你好"), user="店长")
        with pytest.raises(PermissionDenied):
            phrases.create_phrase(s, data=team("bye", "再见"), user="小美")
        with pytest.raises(PermissionDenied):
            phrases.delete_phrase(
                s, phrase_id=phrases.find_phrase(s, scope="personal", owner="小雨", code="ny").id, user="小美"
            )
        with pytest.raises(PermissionDenied):
            phrases.plan_phrase_import(s, io.BytesIO(PERSONAL_BOM), scope="team")  # planning is allowed …
            phrases.import_phrases(s, io.BytesIO(PERSONAL_BOM), scope="team", user="小美")  # … writing is not


@pytest.mark.storage
def test_list_filters(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        agents(s, "小美")
        phrases.create_phrase(s, data=team("fh", "付款后48小时内发货", "物流"))
        phrases.create_phrase(s, data=team("hi", "您好 100%", "问候"))
        phrases.create_phrase(s, data=team("x", "未分组的"))
        phrases.create_phrase(s, data=mine("小美", "FH", "小美发货", "物流"))

        def codes(**filters) -> list[str]:
            return [f"{p.owner or '团队'}:{p.code}" for p in phrases.list_phrases(s, **filters)]

        assert codes() == ["团队:x", "团队:fh", "团队:hi", "小美:fh"]
        assert codes(scope="personal") == ["小美:fh"]
        assert codes(owner="小美") == ["小美:fh"]
        assert codes(group="物流") == ["团队:fh", "小美:fh"]
        assert codes(group="") == ["团队:x"]
        assert codes(text="发货") == ["团队:fh", "小美:fh"]
        assert codes(text="FH") == ["团队:fh", "小美:fh"]
        assert codes(text="100%") == ["团队:hi"]
        assert codes(text="1_0") == []


# ---------------------------------------------------------------- import and export, on both databases


@pytest.mark.storage
def test_qianniu_gbk_file_imports_every_row_right(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        plan = phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK), user="店长")
        assert (plan.encoding, plan.detected, plan.rows, len(plan.added)) == ("gb18030", True, 6, 6)
    with db.session_scope(any_engine) as s:
        assert library(s) == QIANNIU_ROWS
        assert (
            s.exec(select(func.count()).select_from(Revision).where(Revision.action == "create")).one() == 6
        )
        fh = phrases.find_phrase(s, scope="team", code="fh")
        rev = history.revisions(s, "phrase", fh.id)[0]
        assert rev.data == history.snapshot(fh) and rev.user == "店长"


@pytest.mark.storage
def test_bom_file_imports_as_a_personal_library(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        agents(s, "小美")
        plan = phrases.import_phrases(s, io.BytesIO(PERSONAL_BOM), scope="personal", owner="小美")
        assert plan.encoding == "utf-8-sig" and plan.library == "小美 的个人短语"
    with db.session_scope(any_engine) as s:
        assert library(s, "personal", "小美") == {
            "nh": ("亲亲你好呀😊", "问候"),
            "xie": ("不客气哦🌸~", "问候"),
        }
        assert library(s) == {}


@pytest.mark.storage
def test_merge_replace_and_dry_run(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK))
    update = (
        HEADER
        + "hi,亲，您好~,问候\r\n"
        + 'kd,"亲，默认发中通或韵达, 如需顺丰可以补差价哦~",快递\r\n'
        + "new,新短语,\r\n"
    ).encode()
    with db.session_scope(any_engine) as s:
        plan = phrases.import_phrases(s, io.BytesIO(update), mode="replace", dry_run=True)
        assert [(i.code, i.row) for i in plan.added] == [("new", 4)]
        assert plan.added[:5] == [plan.added[0]] == [phrases.PlanItem("new", 4)] and len(plan.added) == 1
        assert [(i.code, i.fields) for i in plan.changed] == [("hi", ("text",)), ("kd", ("group",))]
        assert [i.code for i in plan.removed] == ["bye", "fh", "jhs", "yfx"]
    with db.session_scope(any_engine) as s:
        assert library(s) == QIANNIU_ROWS  # the dry run wrote nothing
        plan = phrases.import_phrases(s, io.BytesIO(update), mode="merge", user="店长")
        assert (len(plan.added), len(plan.changed), len(plan.removed), plan.unchanged) == (1, 2, 0, 0)
    with db.session_scope(any_engine) as s:
        now = library(s)
        assert (
            now["hi"] == ("亲，您好~", "问候")
            and now["kd"] == (QIANNIU_ROWS["kd"][0], "快递")
            and now["new"] == ("新短语", "")
        )
        assert len(now) == 7
        hi = phrases.find_phrase(s, scope="team", code="hi")
        assert hi.version == 2 and history.revisions(s, "phrase", hi.id)[0].data["text"] == "亲，您好~"
        plan = phrases.import_phrases(s, io.BytesIO(update), mode="replace", user="店长")
        assert (len(plan.added), len(plan.changed), len(plan.removed), plan.unchanged) == (0, 0, 4, 3)
    with db.session_scope(any_engine) as s:
        assert set(library(s)) == {"hi", "kd", "new"}
        deleted = s.exec(select(Revision).where(Revision.action == "delete")).all()
        assert sorted(r.data["code"] for r in deleted) == ["bye", "fh", "jhs", "yfx"]
        restored = history.restore(s, next(r.id for r in deleted if r.data["code"] == "jhs"), user="店长")
        assert restored.text == QIANNIU_ROWS["jhs"][0]


@pytest.mark.storage
def test_import_keeps_the_image_of_a_changed_phrase(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        data = team("cm", "尺码表见图", "尺码")
        data.image_url = "https://img.example.com/size.png"
        phrases.create_phrase(s, data=data)
    with db.session_scope(any_engine) as s:
        plan = phrases.import_phrases(s, io.BytesIO((HEADER + "cm,尺码表请看图片,尺码\r\n").encode()))
        assert [i.fields for i in plan.changed] == [("text",)]
    with db.session_scope(any_engine) as s:
        cm = phrases.find_phrase(s, scope="team", code="cm")
        assert (cm.text, cm.image_url, cm.version) == (
            "尺码表请看图片",
            "https://img.example.com/size.png",
            2,
        )
        assert history.revisions(s, "phrase", cm.id)[0].data == history.snapshot(cm)


@pytest.mark.storage
def test_replace_touches_only_its_own_library(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        agents(s, "小美", "小雨")
        phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK))
        phrases.import_phrases(s, io.BytesIO(PERSONAL_BOM), scope="personal", owner="小美")
        phrases.import_phrases(s, io.BytesIO(PERSONAL_BOM), scope="personal", owner="小雨")
    with db.session_scope(any_engine) as s:
        plan = phrases.import_phrases(
            s, io.BytesIO((HEADER + "hi,x,\r\n").encode()), scope="personal", owner="小美", mode="replace"
        )
        assert "与团队短语同名" in plan.warnings[0]
    with db.session_scope(any_engine) as s:
        assert library(s, "personal", "小美") == {"hi": ("x", "")}
        assert len(library(s, "personal", "小雨")) == 2 and library(s) == QIANNIU_ROWS


@pytest.mark.storage
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_export_import_export_is_byte_identical(any_engine: Engine, tmp_path: Path, encoding: str) -> None:
    with db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK))
        # Code-point order, whatever the database's collation: '' < 'B' < 'a' < '物流' < '问候'.
        phrases.create_phrase(s, data=team("zz", "大写分组", "B"))
        phrases.create_phrase(s, data=team("zy", "小写分组", "a"))
        phrases.create_phrase(s, data=team("emoji", "好的😊👌", "a"))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    with db.session_scope(any_engine) as s:
        result = phrases.export_phrases(s, first, encoding=encoding)
        assert result.count == 9 and result.warnings == []
        phrases.import_phrases(s, first, mode="replace")
        phrases.export_phrases(s, second, encoding=encoding)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_bytes().decode(encoding)
    assert text.startswith(HEADER) and text.endswith("\r\n")
    codes = [line.split(",")[0] for line in text.split("\r\n")[1:-1]]  # inner breaks are bare LFs
    assert codes == ["bye", "zz", "emoji", "zy", "yfx", "jhs", "fh", "kd", "hi"]


@pytest.mark.storage
def test_bad_files_change_nothing(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK))
    bad = (HEADER + "hi,改了,问候\r\nnew,新的,\r\nkd,没有分组列\r\n").encode()
    with pytest.raises(ImportFormatError) as caught, db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO(bad), mode="replace")
    assert [str(p) for p in caught.value.problems] == ["第 4 行，快捷短语分组：只有 2 列，缺少 快捷短语分组"]
    with db.session_scope(any_engine) as s:
        assert library(s) == QIANNIU_ROWS


@pytest.mark.storage
def test_a_file_changed_after_planning_is_refused(any_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_bytes(QIANNIU_GBK)
    with db.session_scope(any_engine) as s:
        plan = phrases.plan_phrase_import(s, path)
        path.write_bytes(QIANNIU_GBK.replace(b"hi,", b"hj,"))
        with pytest.raises(ConflictError, match="被改动过"):
            phrases.apply_phrase_import(s, plan)


@pytest.mark.storage
@pytest.mark.parametrize("meddle", ["edit", "delete"])
def test_a_library_changed_after_planning_is_refused(any_engine: Engine, meddle: str) -> None:
    with db.session_scope(any_engine) as s:
        phrases.import_phrases(s, io.BytesIO(QIANNIU_GBK))
    update = (HEADER + "hi,改过的问候,问候\r\n").encode()
    with db.session_scope(any_engine) as s:
        plan = phrases.plan_phrase_import(s, io.BytesIO(update), mode="replace")
        assert [i.code for i in plan.changed] == ["hi"] and len(plan.removed) == 5
    with db.session_scope(any_engine) as s:  # someone else saves in between
        target = phrases.find_phrase(s, scope="team", code="hi" if meddle == "edit" else "kd")
        if meddle == "edit":
            phrases.move_phrase(s, phrase_id=target.id, group="别人改的")
        else:
            phrases.delete_phrase(s, phrase_id=target.id)
    with pytest.raises(ConflictError, match="他人修改"), db.session_scope(any_engine) as s:
        phrases.apply_phrase_import(s, plan)  # the transaction rolls back: the removals too
    with db.session_scope(any_engine) as s:
        assert len(library(s)) == (6 if meddle == "edit" else 5)
        assert "hi" not in library(s) or library(s)["hi"][0] == QIANNIU_ROWS["hi"][0]


@pytest.mark.storage
def test_export_warns_on_formulas_and_neutralises(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        phrases.create_phrase(s, data=team("dh", '=HYPERLINK("http://x")'))
        phrases.create_phrase(s, data=team("ok", "正常"))
        out = io.BytesIO()
        result = phrases.export_phrases(s, out)
        assert len(result.warnings) == 1 and "dh" in result.warnings[0]
        assert b'dh,"=HYPERLINK(""http://x"")",' in out.getvalue()
        out = io.BytesIO()
        phrases.export_phrases(s, out, neutralise_formulas=True)
        assert b'dh,"\t=HYPERLINK(""http://x"")",' in out.getvalue()  # issue 10 item 8: a TAB


@pytest.mark.storage
def test_lint(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        agents(s, "小美")
        phrases.create_phrase(s, data=team("f", "发货说明", "物流"))
        phrases.create_phrase(s, data=team("fh", "付款后48小时内发货", "物流"))
        phrases.create_phrase(s, data=team("fh2", "付款后48小时内发货", "物流"))
        phrases.create_phrase(s, data=team("long", "很" * 301, "问候"))
        phrases.create_phrase(s, data=team("x", "未分组"))
        phrases.create_phrase(s, data=mine("小美", "fh", "小美的发货", "物流"))
        phrases.create_phrase(s, data=mine("小美", "hi", "小美的你好", "问候"))
        # A code stored before folding existed (raw database write): the lint still finds it.
        s.add(Phrase(scope="team", owner="", code="HI", text="你好", group_name="问候"))
        s.add(Phrase(scope="team", owner="", code="hi", text="您好", group_name="问候"))
    with db.session_scope(any_engine) as s:
        found = {(f.kind, f.library, f.codes) for f in phrases.lint_phrases(s)}
        assert found == {
            ("unfolded", "团队短语", ("HI",)),
            ("collision", "团队短语", ("HI", "hi")),
            ("prefix", "团队短语", ("f", "fh", "fh2")),
            ("prefix", "团队短语", ("fh", "fh2")),
            ("duplicate_text", "团队短语", ("fh", "fh2")),
            ("too_long", "团队短语", ("long",)),
            ("ungrouped", "团队短语", ("x",)),
            ("shadow", "小美 的个人短语", ("fh", "hi")),
            ("prefix", "小美 的个人短语", ("fh", "fh2")),
            ("prefix", "小美 的个人短语", ("f", "fh")),
        }
        findings = phrases.lint_phrases(s, max_length=1000, owner="小美")
        assert {f.kind for f in findings} == {"shadow", "prefix"}
        assert phrases.lint_phrases(s)[0].severity == "error"


# ---------------------------------------------------------------- the CLI, as issue 3 shows it


def count_phrases(url: str) -> list[tuple[str, str, str, str, str, int]]:
    with db.session_scope(db.make_engine(url)) as s:
        rows = s.exec(select(Phrase)).all()
        return sorted((p.scope, p.owner, p.code, p.text, p.group_name, p.version) for p in rows)


def test_cli_import_reports_encoding_and_counts(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "qianniu.csv"
    path.write_bytes(QIANNIU_GBK)
    result = cli("import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "GB18030" in result.output and "自动识别" in result.output
    assert "将添加 6 条" in result.output and "+ fh（第 7 行）" in result.output and "未写入" in result.output
    assert count_phrases(cli.url) == []
    result = cli("import", str(path))
    assert result.exit_code == 0 and "已添加 6 条" in result.output
    with db.session_scope(db.make_engine(cli.url)) as s:
        assert library(s) == QIANNIU_ROWS
    personal = tmp_path / "小美.csv"
    personal.write_bytes(PERSONAL_BOM)
    assert cli("user", "add", "小美", "--role", "agent", input="secret12\nsecret12\n").exit_code == 0
    result = cli("import", str(personal), "--scope", "personal", "--owner", "小美")
    assert result.exit_code == 0 and "UTF-8（带 BOM）" in result.output and "小美 的个人短语" in result.output
    with db.session_scope(db.make_engine(cli.url)) as s:
        assert library(s, "personal", "小美")["nh"] == ("亲亲你好呀😊", "问候")


def test_cli_round_trip_is_byte_identical(sample_cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "team.csv", tmp_path / "again.csv"
    result = sample_cli("export", str(first))
    assert result.exit_code == 0 and "已导出团队短语 10 条" in result.output
    assert first.read_bytes().startswith(HEADER.encode("gb18030"))
    assert sample_cli("import", str(first), "--mode", "replace").exit_code == 0
    assert sample_cli("export", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    bom = tmp_path / "bom.csv"
    assert sample_cli("export", str(bom), "--encoding", "utf-8-sig").exit_code == 0
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    xm = tmp_path / "xm.csv"
    assert sample_cli("export", str(xm), "--scope", "personal", "--owner", "小美").exit_code == 0
    assert "😊".encode("gb18030") in xm.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "编码,内容,分组\r\nhi,x,\r\n".encode("gbk"),
            "第 1 行，编码、内容、分组：表头不对",
            id="wrong header",
        ),
        pytest.param(bytes(range(256)) * 40, "t.csv：发现", id="random bytes"),
        pytest.param(
            (HEADER + "hi,你好,问候\r\nkd,中通\r\n").encode("gbk"),
            "第 3 行，快捷短语分组：只有 2 列",
            id="short row",
        ),
        pytest.param(
            (HEADER + "hi,你好,问候\r\nHI,又一个,问候\r\n").encode("gbk"),
            "第 3 行，快捷短语编码：编码 hi 与第 2 行重复",
            id="dup",
        ),
    ],
)
def test_cli_bad_file_fails_and_changes_nothing(
    sample_cli: Cli, tmp_path: Path, content: bytes, message: str
) -> None:
    before = count_phrases(sample_cli.url)
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    for mode in ("merge", "replace"):
        result = sample_cli("import", str(path), "--mode", mode)
        assert result.exit_code == 2, result.output
        assert (
            message in result.output
            and "未写入任何内容" in result.output
            and "Traceback" not in result.output
        )
    assert count_phrases(sample_cli.url) == before


def test_cli_owner_needs_personal_scope(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(PERSONAL_BOM)
    result = cli("import", str(path), "--owner", "小美")
    assert result.exit_code == 2 and "--scope personal" in result.output
    result = cli("export", str(tmp_path / "x.csv"), "--scope", "personal")
    assert result.exit_code == 2 and "--owner" in result.output


def test_import_reports_progress(session: Session) -> None:
    seen: list[tuple[str, int, int]] = []
    phrases.import_phrases(session, io.BytesIO(QIANNIU_GBK), progress=lambda *a: seen.append(a))
    assert [stage for stage, _, _ in seen] == ["校验", "写入"]
    assert all(done == total == len(QIANNIU_GBK) for _, done, total in seen)


def test_cli_phrases_commands(cli: Cli) -> None:
    assert cli("user", "add", "小美", "--role", "agent", input="secret12\nsecret12\n").exit_code == 0
    assert (
        cli("phrases", "add", "ＦＨ", "付款后48小时内发货\\n活动期间72小时", "--group", "物流").exit_code == 0
    )
    result = cli("phrases", "add", "fh", "小美的发货", "--scope", "personal", "--owner", "小美")
    assert result.exit_code == 0 and "遮住团队短语" in result.output
    assert cli("phrases", "add", "fh", "重复").exit_code == 2
    assert cli("phrases", "edit", "fh", "--group", "发货", "--text", "24小时内发货").exit_code == 0
    listed = cli("phrases", "list", "--group", "发货")
    assert listed.exit_code == 0 and "24小时内发货" in listed.output and "共 1 条" in listed.output
    lint = cli("phrases", "lint")
    assert lint.exit_code == 0 and "遮住团队短语" in lint.output
    assert cli("phrases", "lint", "--strict").exit_code == 1
    assert cli("phrases", "rm", "fh").exit_code == 0
    assert cli("phrases", "rm", "fh").exit_code == 2
    assert count_phrases(cli.url) == [("personal", "小美", "fh", "小美的发货", "", 1)]


def test_cli_export_formula_warning(cli: Cli, tmp_path: Path) -> None:
    assert cli("phrases", "add", "jg", "=1+1").exit_code == 0
    result = cli("export", str(tmp_path / "t.csv"))
    assert result.exit_code == 0 and "公式" in result.output and "--neutralise-formulas" in result.output
    assert cli("export", str(tmp_path / "t.csv"), "--neutralise-formulas").exit_code == 0
    assert "jg,\t=1+1,".encode("gb18030") in (tmp_path / "t.csv").read_bytes()


FORMULA_PHRASES = [
    ("-a", "=1+1", "@活动"),
    ("dh", "+86 电话 400-800", ""),
    ("yh", "-5元优惠券", "=组"),
    ("at", "@客服 小美", "物流"),
    ("pt", "普通短语😊", "物流"),
]


# issue 10 item 8
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_neutralised_export_imports_as_the_same_phrases(cli: Cli, tmp_path: Path, encoding: str) -> None:
    for code, text, group in FORMULA_PHRASES:
        assert cli("phrases", "add", "--group", group, "--", code, text).exit_code == 0
    before = count_phrases(cli.url)
    path = tmp_path / "team.csv"
    result = cli("export", str(path), "--neutralise-formulas", "--encoding", encoding)
    assert result.exit_code == 0 and "TAB" in result.output, result.output
    assert ",\t=1+1,".encode("gb18030") in path.read_bytes()  # ASCII: the same bytes in both
    dry = cli("import", str(path), "--dry-run")
    assert dry.exit_code == 0 and "将添加 0 条，将修改 0 条，将删除 0 条，未变 5 条" in dry.output, dry.output
    assert cli("import", str(path), "--mode", "replace").exit_code == 0
    assert count_phrases(cli.url) == before  # same texts, groups and versions: nothing was rewritten
    other = Cli(str(tmp_path / "other.db"))
    assert other("init").exit_code == 0 and other("import", str(path)).exit_code == 0
    assert {(c, t, g) for _, _, c, t, g, _ in count_phrases(other.url)} == set(FORMULA_PHRASES)


# issue 10 item 8
def test_question_marks_where_the_export_had_emoji_are_a_warning_in_the_dry_run(
    sample_cli: Cli, tmp_path: Path
) -> None:
    exported = tmp_path / "xm.csv"
    assert sample_cli("export", str(exported), "--scope", "personal", "--owner", "小美").exit_code == 0
    # Excel's "ANSI" re-save on Chinese Windows writes GBK, which has no emoji: each becomes ?.
    text = exported.read_bytes().decode("gb18030") + "xin,新的短语~?,\r\nwt,在吗?,\r\n"
    path = tmp_path / "ansi.csv"
    path.write_bytes(text.encode("gbk", errors="replace"))
    assert "服务?".encode("gbk") in path.read_bytes()
    result = sample_cli("import", str(path), "--scope", "personal", "--owner", "小美", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "将修改 2 条" in result.output
    lines = [line for line in result.output.splitlines() if "表情" in line]
    assert len(lines) == 2, result.output
    assert " nh" in lines[0] and " cf" in lines[0] and "ANSI" in lines[0] and "😊" in lines[0]
    assert " xin" in lines[1] and "wt" not in lines[1]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(HEADER.encode() + "xin,新的短语~?,\r\n".encode())
    result = sample_cli("import", str(utf8), "--scope", "personal", "--owner", "小美", "--dry-run")
    assert result.exit_code == 0 and "表情" not in result.output  # no ANSI re-save happened to it


def test_documented_examples_run(sample_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command's `Example:` line, in the order a supervisor would type them, on the sample shop."""
    import shlex

    from cli import phrases as commands

    monkeypatch.chdir(tmp_path)  # the examples write team.csv in the current folder
    order = [commands.export, commands.import_, commands.list_, commands.add, commands.edit, commands.rm]
    order.append(commands.lint)
    for command in order:
        example = (command.__doc__ or "").partition("Example: replybook ")[2].strip()
        result = sample_cli(*shlex.split(example))
        assert result.exit_code == 0, (example, result.output)
    assert (tmp_path / "team.csv").read_bytes().startswith(HEADER.encode("gb18030"))
    assert not any(row[2] == "sf" for row in count_phrases(sample_cli.url))


def test_sample_shop_has_phrases(sample_cli: Cli) -> None:
    rows = count_phrases(sample_cli.url)
    assert sum(1 for r in rows if r[0] == "team") == 10
    assert {r[1] for r in rows if r[0] == "personal"} == {"小美", "小雨"}
    jhs = next(r for r in rows if r[2] == "jhs")
    assert "\n活动期间" in jhs[3]


# issue 10 item 9
def test_a_personal_phrase_for_someone_who_is_not_a_user_is_refused_with_the_list(
    sample_cli: Cli, tmp_path: Path
) -> None:
    before = count_phrases(sample_cli.url)
    mine = tmp_path / "mine.csv"
    mine.write_text("快捷短语编码,快捷短语,快捷短语分组\r\nhi,亲，您好~,问候\r\n", encoding="utf-8-sig")
    for args in (
        ("import", str(mine), "--scope", "personal", "--owner", "小每"),
        ("import", str(mine), "--scope", "personal", "--owner", "小每", "--dry-run"),
        ("phrases", "add", "hi", "你好", "--scope", "personal", "--owner", "小每"),
        ("export", str(tmp_path / "x.csv"), "--scope", "personal", "--owner", "小每"),
    ):
        result = sample_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "没有用户“小每”" in lines[0] and "店长、小美、小雨" in lines[0], (
            result.output
        )
    assert count_phrases(sample_cli.url) == before
    assert not (tmp_path / "x.csv").exists()
    known = sample_cli("import", str(mine), "--scope", "personal", "--owner", "小美", "--dry-run")
    assert known.exit_code == 0, known.output


# issue 10 item 9
def test_the_core_refuses_a_phantom_library(session: Session) -> None:
    with pytest.raises(InvalidValue, match="还没有任何用户"):
        phrases.create_phrase(session, data=mine("小美", "hi", "你好"))
    add_user(session, name="小美", role="agent", password="secret12")
    phrases.create_phrase(session, data=mine("小美", "hi", "你好"))
    with pytest.raises(InvalidValue, match="没有用户“小雨”.*现有用户：小美"):
        phrases.plan_phrase_import(session, io.BytesIO(PERSONAL_BOM), scope="personal", owner="小雨")
