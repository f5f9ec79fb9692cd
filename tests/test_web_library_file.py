"""The complete library file on the web import page (issue 15 item 2): its auto-replies and campaigns
are previewed and imported with the entries, all or nothing, and the page's library.yaml is the same
complete file `replybook library export` writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from replybook import campaigns
from replybook.autoreplies.rules import list_rules
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli
from tests.test_web import Browser, _confirm, _preview

NEW_CAMPAIGN = """- name: 双12
  start: '2026-12-12T00:00:00+08:00'
  end: '2026-12-13T00:00:00+08:00'
  coverage_target: 0.85
  min_entries: 30
  min_personal_phrases: 10
  min_team_phrases: 5
"""


@pytest.fixture
def boss(sample_cli: Cli) -> Iterator[Browser]:
    from tests.test_web import _login

    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    yield from _login(app, "店长")


def _rule_text(engine: Engine, name: str) -> str:
    with Session(engine) as s:
        return next(r.text for r in list_rules(s) if r.name == name)


def _campaign_names(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return sorted(c.name for c in campaigns.list_campaigns(s))


def test_the_page_downloads_the_complete_file_the_cli_exports(
    boss: Browser, sample_cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "library.yaml"
    assert sample_cli("library", "export", str(out)).exit_code == 0
    page = boss.get("/export/library.yaml")
    assert page.status_code == 200
    assert page.text == out.read_text(encoding="utf-8")
    assert "\nautoreplies:\n" in page.text and "\ncampaigns:\n" in page.text


def test_a_complete_file_previews_and_imports_its_auto_replies_and_campaigns(
    boss: Browser, sample_engine: Engine
) -> None:
    text = boss.get("/export/library.yaml").text
    old = "亲，欢迎光临毛菇小象~我是智能客服"
    assert old in text
    text = text.replace(old, "亲，欢迎来到毛菇小象~我是智能客服", 1)
    text = text.replace("\ncampaigns:\n", "\ncampaigns:\n" + NEW_CAMPAIGN, 1)
    preview = _preview(boss, "library", "library.yaml", text.encode("utf-8"))
    assert preview.status_code == 200, preview.text
    assert "问答库、同义词、自动回复、活动" in preview.text
    assert "[自动回复] 首次接待" in preview.text and "[活动] 双12" in preview.text
    assert _rule_text(sample_engine, "首次接待").startswith(old)  # the preview wrote nothing
    assert _campaign_names(sample_engine) == ["聚划算"]
    assert _confirm(boss, preview.text).status_code == 303
    assert _rule_text(sample_engine, "首次接待").startswith("亲，欢迎来到毛菇小象")
    assert _campaign_names(sample_engine) == ["双12", "聚划算"]


def test_a_bad_auto_reply_in_the_file_refuses_the_whole_file(boss: Browser, sample_engine: Engine) -> None:
    text = boss.get("/export/library.yaml").text
    text = text.replace("  trigger: first_contact\n", "  trigger: 天天\n", 1)
    text = text.replace("\ncampaigns:\n", "\ncampaigns:\n" + NEW_CAMPAIGN, 1)
    response = _preview(boss, "library", "library.yaml", text.encode("utf-8"))
    assert response.status_code == 422
    assert "自动回复" in response.text and "天天" in response.text
    assert _campaign_names(sample_engine) == ["聚划算"]
