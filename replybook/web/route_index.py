"""Finding a request's route without asking every route of the app.

FastAPI (since 0.137) keeps each ``include_router`` as one node of a tree and, for every request,
asks each node in turn whether the path is its own, all the way down, then asks the chosen one
again: with this app's 300-odd routes that cost 0.7 ms for ``/api/me`` and 1.1 ms for ``/api/try``,
more than the rest of the request (benchmarks/README.md, "The shared request path").

``RouteIndex`` is one route placed first in the app's list: it groups the routes that follow by the
first segment of their path (two under ``/api/``), and asks only the group the request's path
belongs to, in the app's order. A route whose path starts with a parameter is in every group. When no
route of the group matches the request in full (a 404, a 405, a missing slash) the index answers "no
match" and FastAPI goes through its whole list as before, so what is chosen, and every answer that
is not a match, is exactly what it was. The routes stay where they were: the OpenAPI document and the
route walkers see the same list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRouter
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

ANY = "*"  # the key of a route that may match paths of every group
CHOSEN = "replybook.route_index.chosen"  # where matches() leaves the route for handle()


def path_key(path: str) -> str:
    """The group of ``path``: its first segment, or ``api/`` and the second under ``/api/``; ANY when
    that part of a route's path is a parameter."""
    segments = path.lstrip("/").split("/")
    first = segments[0]
    if "{" in first:
        return ANY
    if first == "api" and len(segments) > 1:
        return ANY if "{" in segments[1] else f"api/{segments[1]}"
    return first


def router_keys(router: APIRouter, prefix: str = "") -> frozenset[str]:
    """The groups of an included router's routes; ANY if it holds anything without a path (a router
    included in it), which is then asked for every request."""
    keys: set[str] = set()
    for route in router.routes:
        path = getattr(route, "path", None)
        keys.add(path_key(prefix + path) if isinstance(path, str) else ANY)
    return frozenset(keys)


class RouteIndex(BaseRoute):
    """The app's routes after it, by the group of their path (see the module's docstring)."""

    def __init__(self, routes: Iterable[tuple[BaseRoute, frozenset[str]]]):
        everywhere: list[tuple[int, BaseRoute]] = []
        groups: dict[str, list[tuple[int, BaseRoute]]] = {}
        for order, (route, keys) in enumerate(routes):
            if ANY in keys:
                everywhere.append((order, route))
                continue
            for key in keys:
                groups.setdefault(key, []).append((order, route))
        self._everywhere = [route for _, route in everywhere]
        self._groups: dict[str, list[BaseRoute]] = {
            key: [route for _, route in sorted(members + everywhere, key=lambda m: m[0])]
            for key, members in groups.items()
        }

    def candidates(self, path: str) -> Sequence[BaseRoute]:
        return self._groups.get(path_key(path), self._everywhere)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        for route in self.candidates(scope["path"]):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                return Match.FULL, {**child_scope, CHOSEN: route}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(CHOSEN)
        await route.handle(scope, receive, send)


def index_routes(app: FastAPI, keys: dict[int, frozenset[str]]) -> RouteIndex:
    """Put a RouteIndex first in ``app``'s routes, over every route there now. ``keys`` gives, by the
    ``id`` of a top-level entry, the groups of an included router's routes (``router_keys``); any
    other entry is grouped by its own path, or asked for every request if it has none."""
    entries: list[tuple[BaseRoute, frozenset[str]]] = []
    for route in app.router.routes:
        path: Any = getattr(route, "path", None)
        if id(route) in keys:
            entries.append((route, keys[id(route)]))
        elif isinstance(path, str):
            entries.append((route, frozenset({path_key(path)})))
        else:
            entries.append((route, frozenset({ANY})))
    index = RouteIndex(entries)
    app.router.routes.insert(0, index)
    return index
