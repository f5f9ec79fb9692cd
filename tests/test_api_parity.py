"""Every page's data is reachable through /api/: each page route is mapped to the data or service
function it calls, the test checks the page really calls it and that some /api/ route calls it too.

A new page fails here until it is listed in PAGE_DATA (with an API twin calling the same function) or,
for pure-HTML forms and fragments, in HTML_ONLY with the reason.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from replybook import autoreplies, bot, phrases, scorecard
from replybook import campaigns as campaign_store
from replybook.coverage import ignored, teach
from replybook.coverage import runs as coverage_runs
from replybook.gold import reviews
from replybook.library import entries
from replybook.library import synonyms as synonym_lists
from replybook.scorecard import hand_days
from replybook.store import users
from replybook.store.settings import Settings
from replybook.web import botsettings as bot_page
from replybook.web import campaigns as campaigns_page
from replybook.web import categories as categories_page
from replybook.web import coverage as coverage_page
from replybook.web import dashboard as dashboard_page
from replybook.web import entries as entries_page
from replybook.web import gold as gold_page
from replybook.web import history as history_page
from replybook.web import importexport as importexport_page
from replybook.web import phrase_usage as usage_page
from replybook.web import phrases as phrases_page
from replybook.web import scorecard as scorecard_page
from replybook.web import scorecard_days as scorecard_days_page
from replybook.web import scorecard_model as scorecard_model_page
from replybook.web import synonyms as synonyms_page
from replybook.web import teach as teach_page
from replybook.web import tokens as tokens_page
from replybook.web import tryit as tryit_page
from replybook.web import users as users_page
from replybook.web import workbooks as workbooks_page
from replybook.web.app import create_app
from replybook.web.autoreplies import rule_public, rules_data
from tests.conftest import app_routes

# "METHOD /path" of a page → the data or service function the page calls (and its API twin calls).
PAGE_DATA: dict[str, Callable[..., Any]] = {
    "GET /": dashboard_page.dashboard_data,
    "GET /categories": categories_page.categories_data,
    "POST /categories": entries.add_category,
    "GET /entries": entries_page.list_data,
    "POST /entries/new": entries.create_entry,
    "GET /entries/{entry_id}": entries_page.entry_public,
    "POST /entries/{entry_id}": entries.update_entry,
    "POST /entries/{entry_id}/enabled": entries.set_enabled,
    "POST /entries/{entry_id}/delete": entries.delete_entry,
    "GET /autoreplies": rules_data,
    "POST /autoreplies/new": autoreplies.create_rule,
    "GET /autoreplies/{rule_id}": rule_public,
    "POST /autoreplies/{rule_id}": autoreplies.update_rule,
    "POST /autoreplies/{rule_id}/delete": autoreplies.delete_rule,
    "GET /phrases": phrases_page.phrases_data,
    "POST /phrases/new": phrases.create_phrase,
    "GET /phrases/{phrase_id}": phrases_page.phrase_public,
    "POST /phrases/{phrase_id}": phrases.update_phrase,
    "POST /phrases/{phrase_id}/inline": phrases.update_phrase,
    "POST /phrases/{phrase_id}/delete": phrases.delete_phrase,
    "POST /phrases/usage": usage_page.usage_of_log,
    "POST /phrases/usage/adopt": usage_page.adopt_phrase,
    "GET /export/backup.zip": usage_page.backup_zip,
    "GET /import": importexport_page.transfer_data,
    "POST /import/preview": importexport_page.preview_data,
    "POST /import/confirm": importexport_page.confirm_import,
    "GET /export/library.yaml": importexport_page.library_yaml,
    "GET /export/team.csv": importexport_page.phrases_csv,
    "GET /export/personal.csv": importexport_page.phrases_csv,
    "GET /export/shop.xlsx": workbooks_page.shop_xlsx,
    "GET /export/team.xlsx": workbooks_page.phrases_xlsx,
    "GET /export/personal.xlsx": workbooks_page.phrases_xlsx,
    "GET /export/template/{kind}.xlsx": workbooks_page.template_xlsx,
    "GET /try": tryit_page.try_data,
    "GET /coverage": coverage_page.runs_data,
    "POST /coverage": coverage_page.run_uploaded,
    "POST /coverage/campaign": coverage_page.run_campaign_questions,
    "GET /coverage/{run_id}": coverage_page.report_data,
    "POST /coverage/{run_id}/delete": coverage_runs.delete_run,
    "GET /campaigns": campaigns_page.campaigns_data,
    "POST /campaigns/new": campaign_store.create_campaign,
    "GET /campaigns/{campaign_id}": campaigns_page.campaign_public,
    "POST /campaigns/{campaign_id}": campaign_store.update_campaign,
    "POST /campaigns/{campaign_id}/delete": campaign_store.delete_campaign,
    "GET /campaigns/{campaign_id}/check": campaigns_page.run_check,
    "GET /campaigns/{campaign_id}/check/print": campaigns_page.run_check,
    "GET /bot": bot_page.bot_data,  # issue 16
    "POST /bot": bot.save_bot_settings,
    "GET /gold": gold_page.gold_data,
    "GET /scorecard": scorecard_page.scorecard_data,  # issue 17
    "POST /scorecard/days/new": hand_days.create_day,
    "GET /scorecard/days/{day_id}": scorecard_days_page.day_data,
    "POST /scorecard/days/{day_id}": hand_days.update_day,
    "POST /scorecard/days/{day_id}/delete": hand_days.delete_day,
    "POST /scorecard/upload/preview": scorecard_days_page.upload_preview,
    "POST /scorecard/upload/confirm": scorecard_days_page.confirm_upload,
    "GET /scorecard/model": scorecard_model_page.model_data,
    "POST /scorecard/model": scorecard.save_model,
    "POST /scorecard/model/preview": scorecard_model_page.model_preview,
    "POST /gold/day": gold_page.save_day,
    "POST /gold/import": reviews.import_reviews,
    "GET /history": history_page.recent_data,
    "GET /history/{item_type}/{item_id}": history_page.item_data,
    "POST /history/{revision_id}/restore": history_page.restore_revision,
    "GET /users": users_page.users_data,
    "POST /users": users.add_user,
    "POST /users/{name}/password": users_page.reset_password_of,
    "POST /users/{name}/logout": users_page.end_sessions_of,
    "POST /users/{name}/role": users_page.change_role_of,
    "POST /users/{name}/delete": users_page.remove_user_of,
    "POST /account/password": users_page.change_own_password,
    "GET /account": tokens_page.tokens_data,
    "POST /account/tokens": tokens_page.create_token_of,
    "POST /account/tokens/{token_id}/revoke": tokens_page.revoke_token_of,
    "POST /teach/wording": teach.teach_wording,  # issue 13 item 5
    "POST /teach/ignore": teach.teach_ignore,
    "GET /teach/entry": teach.entry_draft,
    "POST /teach/undo": teach.undo_changes,
    "GET /ignored": teach_page.ignored_data,
    "POST /ignored": ignored.add_ignored,
    "POST /ignored/{ignored_id}/remove": ignored.remove_ignored,
    "GET /synonyms": synonyms_page.synonyms_data,  # issue 13 item 1
    "POST /synonyms": synonym_lists.add_synonym,
    "GET /synonyms/{synonym_id}": synonyms_page.synonym_detail,
    "POST /synonyms/{synonym_id}": synonym_lists.edit_synonym,
    "POST /synonyms/{synonym_id}/delete": synonym_lists.remove_synonym,
}

# Pages with no data of their own, each with the reason (and where the API has what they show).
HTML_ONLY: dict[str, str] = {
    "GET /scorecard/days/new": "a blank day form; POST /api/scorecard/days creates",
    "GET /scorecard/days/{day_id}/delete": "the are-you-sure form; DELETE /api/scorecard/days/{id} deletes",
    "GET /scorecard.xlsx": "the 考核表 workbook of GET /api/scorecard's figures, for Excel",
    "GET /scorecard/model.yaml": "the model file of GET /api/scorecard/model's model, as the CLI exports it",
    "GET /scorecard.html": "the printable 考核表 of GET /api/scorecard's figures",
    "POST /scorecard/chats": "keeps a chat log for GET /scorecard?chats=; POST /api/scorecard/chats answers at once",
    "GET /login": "the login form; the API authenticates with basic auth or the session cookie",
    "POST /login": "starts a browser session; the API authenticates with basic auth or the session cookie",
    "POST /logout": "ends a browser session",
    "GET /entries/new": "a blank editor form; POST /api/entries creates",
    "GET /entries/{entry_id}/delete": "the are-you-sure form; DELETE /api/entries/{id} deletes",
    "GET /coverage/{run_id}/delete": "the are-you-sure form; DELETE /api/coverage/{id} deletes",
    "GET /autoreplies/new": "a blank editor form; POST /api/autoreplies creates",
    "GET /phrases/new": "a blank editor form; POST /api/phrases creates",
    "GET /phrases/usage": "the chat-log upload form; POST /api/phrases/usage gives the lists",
    "GET /phrases/{phrase_id}/row": "an htmx fragment of one list row; GET /api/phrases/{id} has its data",
    "GET /campaigns/new": "a blank editor form; POST /api/campaigns creates",
    "GET /help/formats": "docs/formats.md as a page; a document, not data (issue 10 item 18)",
    "GET /campaigns/{campaign_id}/delete": "the are-you-sure form; DELETE /api/campaigns/{id} deletes",
}


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def calls(endpoint: Callable[..., Any]) -> set[int]:
    """The functions ``endpoint`` names (``f`` or ``module.f``), by identity."""
    names = set(_names(endpoint.__code__))  # type: ignore[attr-defined]
    found: set[int] = set()
    for name in names:
        obj = endpoint.__globals__.get(name)  # type: ignore[attr-defined]
        if obj is None:
            continue
        found.add(id(obj))
        if isinstance(obj, types.ModuleType):
            found.update(id(getattr(obj, attr)) for attr in names if hasattr(obj, attr))
    return found


def _routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """("METHOD /path", route) for every route."""
    for method, path, route in app_routes(app):
        yield f"{method} {path}", route


def parity_problems(app: FastAPI) -> list[str]:
    """What keeps the API from reaching everything the pages do; empty when every page has a twin."""
    pages = {key: r for key, r in _routes(app) if not key.split(" ", 1)[1].startswith("/api/")}
    api_calls: set[int] = set()
    for key, route in _routes(app):
        if key.split(" ", 1)[1].startswith("/api/"):
            api_calls |= calls(route.endpoint)
    problems = []
    for key, route in pages.items():
        if key in HTML_ONLY:
            continue
        wanted = PAGE_DATA.get(key)
        if wanted is None:
            problems.append(f"{key}: a page with no entry in PAGE_DATA (nor HTML_ONLY)")
        elif id(wanted) not in calls(route.endpoint):
            problems.append(f"{key}: the page does not call {wanted.__qualname__}")
        elif id(wanted) not in api_calls:
            problems.append(f"{key}: no /api/ route calls {wanted.__module__}.{wanted.__qualname__}")
    problems += [
        f"{key}: listed but no such page" for key in (PAGE_DATA.keys() | HTML_ONLY.keys()) - pages.keys()
    ]
    return problems


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    # Routes only: nothing connects to the database until the app starts.
    url = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'unused.db'}"
    return create_app(Settings(database_url=url, secret_key="test-secret"))


def test_every_page_s_data_is_reachable_through_the_api(app: FastAPI) -> None:
    assert parity_problems(app) == []


def test_a_new_page_without_an_api_twin_fails_the_parity_check(app: FastAPI) -> None:
    extra = create_app(Settings(database_url=str(app.state.settings.database_url), secret_key="x"))

    @extra.get("/campaigns/{campaign_id}/staffing")
    def staffing_page(campaign_id: int) -> dict[str, Any]:
        return campaigns_page.campaign_public(campaigns_page.get_by_id(None, campaign_id))  # type: ignore[arg-type]

    @extra.post("/gold/month")
    def month_page() -> None:
        gold_page.gold_data  # noqa: B018 - names the function without an entry in PAGE_DATA

    assert parity_problems(extra) == [
        "GET /campaigns/{campaign_id}/staffing: a page with no entry in PAGE_DATA (nor HTML_ONLY)",
        "POST /gold/month: a page with no entry in PAGE_DATA (nor HTML_ONLY)",
    ]


def test_the_parity_check_sees_a_page_that_does_not_call_its_listed_function(app: FastAPI) -> None:
    from replybook.web.gold import save_day

    def enter_day() -> None:
        return None

    assert id(save_day) not in calls(enter_day)
    assert id(save_day) in calls(gold_page.enter_day)
    assert id(gold_page.save_day) in set().union(
        *(calls(r.endpoint) for key, r in _routes(app) if key == "POST /api/gold/day")
    )
