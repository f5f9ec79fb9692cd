"""The shop's stored scorecard model (issue 17 item 3): default until saved, versioned with undo,
the CLI's show / export / import (a bad file: one Chinese line, nothing written)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from replybook import scorecard
from replybook.store import history


def test_the_stored_model_is_used_and_undo_restores_the_previous(session: Session) -> None:
    default = scorecard.get_model(session)
    assert default.version is None and default.name == "示例考核方案"
    first = scorecard.save_model(session, default, user="店长")
    text = scorecard.model_yaml(first).replace("name: 示例考核方案", "name: 十二月方案")
    second = scorecard.save_model(
        session, scorecard.parse_model(text, source="t"), expected_version=first.version, user="店长"
    )
    assert (second.version, scorecard.get_model(session).name) == (2, "十二月方案")
    latest = history.revisions(session, "scoremodel", 1)[0]
    history.undo(session, latest.id or 0, user="店长")
    assert scorecard.get_model(session).name == "示例考核方案"


def test_cli_import_of_a_bad_file_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    assert cli("score", "model", "export", str(path)).exit_code == 0
    path.write_text(
        path.read_text(encoding="utf-8").replace("weight: 20, hand", "weight: 10, hand", 1), "utf-8"
    )
    bad = cli("score", "model", "import", str(path))
    assert bad.exit_code == 2 and "权重合计应为 100，现为 90" in bad.output
    assert "默认方案，尚未保存" in cli("score", "model", "show").output
