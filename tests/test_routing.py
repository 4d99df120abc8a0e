"""The indexed router dispatches exactly as Starlette's scan of every route, trying fewer."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Message

from mock_calcom import MockCalcom, Settings
from mock_calcom.routing import IndexedRouter, LazyRoutes

_FAKE = MockCalcom()

def _indexed(router: object) -> IndexedRouter:
    assert isinstance(router, IndexedRouter)
    return router


_ROUTER = _indexed(_FAKE.app.router)
_ROUTES: list[BaseRoute] = _ROUTER.routes


def _scope(method: str, path: str) -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
            "query_string": b""}


def _first_match(routes: list[BaseRoute], method: str, path: str) -> tuple[BaseRoute | None, Match]:
    """Starlette's rule: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(_scope(method, path))
        if match is Match.FULL:
            return route, match
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial, Match.PARTIAL if partial is not None else Match.NONE


def _concrete(path: str, value: str) -> str:
    return re.sub(r"{([a-zA-Z_]\w*)(:int)?}", lambda m: "7" if m.group(2) else value,
                  re.sub(r"{([a-zA-Z_]\w*):path}", value + "/more", path))


_PATHS = sorted({_concrete(r.path, v) for r in _ROUTES if isinstance(r, Route)
                 for v in ("abc", "default", "7", "me")})
_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS")


@pytest.mark.parametrize("path", _PATHS)
def test_every_declared_route_dispatches_as_a_full_scan_would(path: str) -> None:
    for method in _METHODS:
        assert _first_match(_ROUTER.candidates(path), method, path) == _first_match(_ROUTES, method, path)


@settings(max_examples=200, deadline=None)  # not a timed test: the machine may be loaded
@given(st.lists(st.sampled_from(["v2", "bookings", "_mock", "auth", "oauth2", "me", "x", "", "7",
                                 "schedules", "default", "api", "clients", "token"]),
                min_size=0, max_size=5),
       st.sampled_from(_METHODS))
def test_any_path_dispatches_as_a_full_scan_would(segments: list[str], method: str) -> None:
    path = "/" + "/".join(segments)
    assert _first_match(_ROUTER.candidates(path), method, path) == _first_match(_ROUTES, method, path)


def test_a_bookings_request_tries_a_few_routes_not_all() -> None:
    assert len(_ROUTES) > 20
    assert len(_ROUTER.candidates("/v2/bookings")) <= 3
    assert len(_ROUTER.candidates("/v2/bookings/abc")) < len(_ROUTES) // 3
    assert len(_ROUTER.candidates("/v2/auth/oauth2/token")) <= 3


def test_a_route_added_later_is_dispatched() -> None:
    fake = MockCalcom()
    router = _indexed(fake.app.router)
    router.candidates("/v2/extra")

    async def extra(request: object) -> None:  # pragma: no cover - never called
        return None

    router.routes.append(Route("/v2/extra", extra))
    assert any(getattr(r, "path", "") == "/v2/extra" for r in router.candidates("/v2/extra"))


async def test_an_unknown_path_still_gets_the_404_envelope() -> None:
    async with _FAKE.async_client() as client:
        response = await client.get("/v2/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Cannot GET /v2/nothing/here"


def test_the_direct_table_picks_the_route_a_full_scan_picks() -> None:
    fake = MockCalcom()
    router = _indexed(fake.app.router)
    routes: list[BaseRoute] = router.routes
    router.candidates("/v2/bookings")  # builds the index
    index = router._index
    assert index is not None
    assert ("/v2/bookings", "GET") in index.direct
    for (path, method), route in index.direct.items():
        assert _first_match(routes, method, path) == (route, Match.FULL)
    # A method no route of the path serves is not in the table: the scan gives the 405.
    assert ("/v2/bookings", "PUT") not in index.direct


def test_a_route_added_later_in_front_of_a_direct_one_wins() -> None:
    fake = MockCalcom()
    router = _indexed(fake.app.router)
    router.candidates("/v2/me")

    async def shadow(request: object) -> None:  # pragma: no cover - never called
        return None

    router.routes.insert(0, Route("/v2/me", shadow, methods=["GET"]))
    assert router._direct("/v2/me", "GET") is None  # the stale table is not used
    router.candidates("/v2/me")
    assert router._direct("/v2/me", "GET") is router.routes[0]


# -- routes loaded on first need ----------------------------------------------------------------

def _pending(router: IndexedRouter) -> bool:
    """Whether the router still holds a stand-in (its private list: reading ``routes`` loads)."""
    return any(type(route) is LazyRoutes for route in router._routes)


async def _nowhere(request: object) -> None:  # pragma: no cover - never called
    return None


def test_lazy_routes_take_their_place_in_the_same_list_when_the_routes_are_read() -> None:
    loads: list[int] = []
    first, inner, last = (Route(p, _nowhere, methods=["GET"]) for p in ("/a", "/v2/inner", "/z"))

    def load() -> list[BaseRoute]:
        loads.append(1)
        return [inner, Route("/v2/more", _nowhere)]

    router = IndexedRouter(routes=[first, LazyRoutes("v2", load), last])
    held = router._routes
    assert router.candidates("/a") == [first]
    assert loads == []
    # Before loading, a path outside the segment still gets its direct dispatch: the stand-in
    # is not among its candidates.
    assert router._direct("/z", "GET") is last
    assert loads == []
    routes = router.routes
    assert routes is held
    assert [getattr(r, "path", None) for r in routes] == ["/a", "/v2/inner", "/v2/more", "/z"]
    assert router.routes is held
    assert loads == [1]
    assert router.candidates("/v2/inner") == [inner]


def test_a_path_under_the_segment_loads_the_routes_before_its_candidates_are_given() -> None:
    inner = Route("/v2/inner", _nowhere, methods=["GET"])
    router = IndexedRouter(routes=[Route("/a", _nowhere), LazyRoutes("v2", lambda: [inner])])
    assert router.candidates("/v2/inner") == [inner]
    assert router._routes == [router._routes[0], inner]
    with pytest.raises(RuntimeError):  # a stand-in asked about its own paths is a bug
        LazyRoutes("v2", list).matches(_scope("GET", "/v2/inner"))


def test_the_api_surface_is_all_under_its_stand_ins_segment() -> None:
    """The app may leave the API unloaded for any path outside /v2 only because none of its
    routes can match one."""
    from mock_calcom.app import _API

    loaded = _API.load()
    assert loaded
    assert all(type(r) is Route and r.path.startswith("/v2/") for r in loaded)


@settings(max_examples=60, deadline=None)  # not a timed test: the machine may be loaded
@given(st.lists(st.sampled_from(["v2", "bookings", "_mock", "auth", "oauth2", "me", "x", "", "7",
                                 "clock", "token", "api", "openapi.json", "v2x"]),
                min_size=0, max_size=4),
       st.sampled_from(_METHODS))
def test_a_fresh_app_routes_any_path_as_its_full_list_would_loading_only_under_v2(
        segments: list[str], method: str) -> None:
    path = "/" + "/".join(segments)
    router = _indexed(MockCalcom().app.router)
    assert _pending(router)
    assert _first_match(router.candidates(path), method, path) == _first_match(_ROUTES, method, path)
    assert _pending(router) == (path.split("/")[1] != "v2")
    assert router.routes == _ROUTES


@pytest.mark.parametrize("first", ["/_mock/clock", "/v2/auth/oauth2/token", "/v2/me"])
async def test_an_app_answers_the_same_whether_its_api_was_loaded_first_or_on_demand(
        first: str) -> None:
    """Two fakes of one seed, one with every route loaded before its first request: the same
    bytes (request ids included) and the same route list."""
    from tests.test_edge import _conversation

    lazy, eager = (MockCalcom(Settings(seed=5, rate_limit_unauthenticated=True)) for _ in "12")
    assert eager.app.routes
    assert not _pending(_indexed(eager.app.router))
    answers = []
    for fake in (lazy, eager):
        async with fake.async_client() as client:
            start = [await client.request(m, first) for m in ("GET", "POST", "DELETE")]
        answers.append([(r.status_code, r.headers.multi_items(), r.content) for r in start])
    assert _pending(_indexed(lazy.app.router)) == (first == "/_mock/clock")
    assert answers[0] == answers[1]
    assert await _conversation(lazy) == await _conversation(eager)
    assert lazy.app.routes == eager.app.routes == _ROUTES


@pytest.mark.parametrize("root_path", ["", "/mount"])
@pytest.mark.parametrize("path", ["/_mock/clock", "/v2/bookings", "/nowhere"])
async def test_the_router_reads_the_route_path_below_a_root_path_as_starlette_does(
        root_path: str, path: str) -> None:
    """The direct table is looked up by the route path (Starlette's ``get_route_path``): the
    path below the app's root path."""
    router = _indexed(MockCalcom().app.router)
    router.candidates("/v2/bookings")  # builds the index
    seen: list[object] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        seen.append(message)

    scope = {**_scope("GET", root_path + path), "root_path": root_path,
             "app": MockCalcom().app, "state": {}}
    try:
        await router.app(scope, receive, send)
    except Exception as exc:  # a route's own error (no auth): the route was chosen
        seen.append(type(exc).__name__)
    expected, match = _first_match(_ROUTES, "GET", path)
    assert scope.get("route") is (expected if match is Match.FULL else None)


async def test_a_request_is_dispatched_to_the_route_a_full_scan_picks_for_its_method() -> None:
    """Through ``IndexedRouter.app`` (the direct table's lookup included), every declared
    path with every method reaches the route Starlette's scan would give it."""
    fake = MockCalcom()
    router = _indexed(fake.app.router)
    router.candidates("/v2/bookings")  # builds the index, so the direct table is used

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    for path in _PATHS:
        for method in _METHODS:
            scope = {**_scope(method, path), "app": fake.app, "state": {}}
            with contextlib.suppress(Exception):  # the route's own answer does not matter
                await router.app(scope, receive, send)
            assert scope.get("route") is _first_match(_ROUTES, method, path)[0], (method, path)


# -- the tail table: a fixed head, then one ``str`` parameter ----------------------------------

async def _plain(scope: object, receive: object, send: object) -> None:  # pragma: no cover
    return None


class _Asgi:
    async def __call__(self, scope: object, receive: object, send: object) -> None:
        return None  # pragma: no cover


def _tricky_routes() -> list[BaseRoute]:
    """Routes in front of tail-shaped ones that may or may not take their paths."""
    from starlette.routing import Mount

    return [
        Route("/a/b/me", _plain, methods=["GET"]),
        Route("/a/b/{x:int}", _plain, methods=["GET"]),  # takes /a/b/7 before /a/b/{name}
        Route("/a/b/{name}", _plain, methods=["GET", "POST"]),
        Route("/a/c/{rest:path}", _plain, methods=["GET"]),  # any depth: blocks the next
        Route("/a/c/{name}", _plain, methods=["GET", "PUT"]),
        Route("/a/d/{name}", _plain, methods=["PUT"]),
        Route("/a/d/{other}", _plain, methods=["PUT", "GET"]),  # PUT taken above, GET here
        Route("/a/{seg}/x", _plain, methods=["DELETE"]),  # takes /a/e/x for DELETE
        Route("/a/e/{name}", _plain, methods=["DELETE", "GET"]),
        Route("/a/g/x{name}", _plain, methods=["GET"]),  # part of a segment: takes /a/g/xyz
        Route("/a/g/{name}", _plain, methods=["GET"]),
        Route("/a/h/{name}/{more}", _plain, methods=["GET"]),  # one segment more: never
        Route("/a/h/{name}", _plain, methods=["GET"]),
        Route("/a/i/z", _plain, methods=["GET"]),  # a fixed path, and that path with a \n
        Route("/a/i/{name}", _plain, methods=["GET"]),
        Route("/a/k/z", _Asgi()),  # fixed, every method: no direct entry, yet it comes first
        Route("/a/k/{name}", _plain, methods=["GET"]),
        Mount("/m/n", _plain),  # not read by the index: blocks the route after it
        Route("/m/n/{name}", _plain, methods=["GET"]),
        Route("/m/o/{name}", _Asgi()),  # an ASGI app, no methods: every method, to the scan
        Route("/q/{name}", _plain, methods=["GET"]),  # a one-segment head: left to the scan
    ]


async def _dispatched(router: IndexedRouter, method: str, path: str) -> tuple[object, object]:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    scope: dict[str, object] = {**_scope(method, path), "app": _FAKE.app, "state": {},
                                "path_params": {"outer": "kept"}}
    with contextlib.suppress(Exception):  # the route's own answer does not matter
        await router.app(scope, receive, send)
    return scope.get("route"), scope.get("path_params")


def _scanned(routes: list[BaseRoute], method: str, path: str) -> tuple[object, object]:
    """Starlette's scan: the route it picks and the path parameters it puts in the scope."""
    partial = None
    for route in routes:
        match, child = route.matches({**_scope(method, path), "path_params": {"outer": "kept"}})
        if match is Match.FULL:
            return route, child["path_params"]
        if match is Match.PARTIAL and partial is None:
            partial = (route, child["path_params"])
    if partial is not None:
        return partial
    return None, {"outer": "kept"}


def test_the_tail_table_holds_only_routes_nothing_before_them_can_take() -> None:
    router = IndexedRouter(routes=_tricky_routes())
    router.candidates("/a")  # builds the index
    index = router._index
    assert index is not None
    assert {(key, route.path) for key, (route, _) in index.tail.items()} == {
        (("/a/b", "POST"), "/a/b/{name}"), (("/a/c", "PUT"), "/a/c/{name}"),
        (("/a/d", "PUT"), "/a/d/{name}"), (("/a/d", "GET"), "/a/d/{other}"),
        (("/a/d", "HEAD"), "/a/d/{other}"), (("/a/e", "GET"), "/a/e/{name}"),
        (("/a/e", "HEAD"), "/a/e/{name}"), (("/a/h", "GET"), "/a/h/{name}"),
        (("/a/h", "HEAD"), "/a/h/{name}"), (("/a/i", "GET"), "/a/i/{name}"),
        (("/a/i", "HEAD"), "/a/i/{name}"), (("/a/k", "GET"), "/a/k/{name}"),
        (("/a/k", "HEAD"), "/a/k/{name}")}


_TRICKY_PATHS = [
    "/" + "/".join(parts)
    for first in ("a", "m", "q", "x")
    for second in ("b", "c", "d", "e", "g", "h", "i", "k", "n", "o", "z", "")
    for third in ("me", "7", "x", "xyz", "z", "z\n", "me\n", "abc", "", " z ", "x.y", "k")
    for parts in ((first,), (first, second), (first, second, third),
                  (first, second, third, "y"), (first, second, third, ""))]


@pytest.mark.parametrize("method", _METHODS)
async def test_a_path_is_dispatched_with_the_route_and_parameters_a_full_scan_gives(
        method: str) -> None:
    routes = _tricky_routes()
    router = IndexedRouter(routes=routes)
    router.candidates("/a")  # builds the index, so its tables are used
    for path in dict.fromkeys(_TRICKY_PATHS):
        assert await _dispatched(router, method, path) == _scanned(routes, method, path), path


async def test_every_declared_api_path_gets_the_route_and_parameters_a_full_scan_gives() -> None:
    router = _indexed(MockCalcom().app.router)
    router.candidates("/v2/bookings")  # builds the index
    assert router._index is not None
    assert router._index.tail  # the API's routes fill it
    for path in [*_PATHS, *(p + "\n" for p in _PATHS), *(p + "/" for p in _PATHS)]:
        for method in _METHODS:
            assert await _dispatched(router, method, path) == _scanned(_ROUTES, method, path), (
                method, path)


def test_no_tail_table_while_routes_wait_to_be_loaded() -> None:
    """A path under a stand-in's segment must reach ``candidates``, which loads its routes."""
    router = IndexedRouter(routes=[Route("/v2/x/{name}", _plain, methods=["GET"]),
                                   LazyRoutes("v2", lambda: [])])
    router.candidates("/other")  # builds the index without loading
    assert router._index is not None
    assert not router._index.tail
    router.candidates("/v2/x/y")  # loads
    assert router._index is not None
    assert ("/v2/x", "GET") in router._index.tail
