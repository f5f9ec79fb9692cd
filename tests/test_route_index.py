"""The route index (web/route_index.py) picks, for every route the app serves, the same entry of the
app's route list as FastAPI's own walk through the whole list; anything that is not a full match (an
unknown path, a wrong method, a missing slash) is left to that walk, so 404, 405 and the slash
redirect answer as before."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Match

from replybook.store.settings import Settings
from replybook.web.app import create_app
from replybook.web.route_index import ANY, RouteIndex, path_key
from tests.conftest import Cli, app_routes


@pytest.fixture
def app(sample_cli: Cli):
    return create_app(Settings(database_url=sample_cli.url, secret_key="t"))


def _scope(method: str, path: str) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }


def _walk(routes, scope: dict):
    """FastAPI's own choice: the first entry that matches in full."""
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return route
    return None


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", ""),
        ("/entries", "entries"),
        ("/entries/{entry_id}", "entries"),
        ("/api/try", "api/try"),
        ("/api/entries/{entry_id}", "api/entries"),
        ("/api", "api"),
        ("/{anything}", ANY),
        ("/api/{kind}/x", ANY),
        ("/static", "static"),
    ],
)
def test_a_path_belongs_to_the_group_of_its_first_segment_or_two_under_api(path: str, key: str) -> None:
    assert path_key(path) == key


def test_the_index_chooses_what_the_whole_list_chooses_for_every_route(app) -> None:
    index = app.router.routes[0]
    assert isinstance(index, RouteIndex)
    others = app.router.routes[1:]
    checked = 0
    for method, path, _route in app_routes(app):
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        scope = _scope(method, concrete)
        match, child = index.matches(dict(scope))
        assert match == Match.FULL, (method, path)
        assert child["replybook.route_index.chosen"] is _walk(others, scope), (method, path)
        checked += 1
    assert checked > 150  # every page and API route, not a sample


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nothing-here"), ("DELETE", "/api/me"), ("GET", "/api/nothing"), ("GET", "/entries/")],
)
def test_what_is_not_a_full_match_is_left_to_fastapis_walk(app, method: str, path: str) -> None:
    match, _ = app.router.routes[0].matches(_scope(method, path))
    assert match == Match.NONE


def test_unknown_paths_wrong_methods_and_slashes_answer_as_before(app) -> None:
    with TestClient(app) as client:
        assert client.get("/nothing-here").status_code == 404
        assert client.get("/api/nothing").json() == {"detail": "Not Found"}
        assert client.delete("/api/me").status_code == 405
        slash = client.get("/login/", follow_redirects=False)
        assert (slash.status_code, slash.headers["location"]) == (307, "http://testserver/login")
