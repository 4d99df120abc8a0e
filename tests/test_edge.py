"""The app's one edge layer and the shortcuts on its hot path: each gives exactly what the
slower general form gives."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.envelope import JsonBytes, pagination, pagination_json, to_json
from mock_calcom.asgi import header, headers_of
from mock_calcom.middleware import uuid4_text


@settings(max_examples=50)
@given(st.binary(min_size=16, max_size=16))
def test_a_request_id_is_the_uuid4_of_its_random_bytes(random16: bytes) -> None:
    assert uuid4_text(random16) == str(uuid.UUID(bytes=random16, version=4))


@settings(max_examples=50)
@given(st.integers(0, 300), st.integers(1, 250), st.integers(0, 600),
       st.sampled_from(["both", "returnedItems", "itemsReturned"]))
def test_cached_pagination_bytes_are_the_pagination_serialised(skip: int, take: int, total: int,
                                                               field: str) -> None:
    expected = to_json(pagination(skip=skip, take=take, total=total, field=field))  # type: ignore[arg-type]
    assert pagination_json(skip, take, total, field) == expected
    assert pagination_json(skip, take, total, field) == expected


@pytest.mark.parametrize("status", [200, 201, 400, 204, 304])
def test_json_bytes_answer_as_a_json_response_would(status: int) -> None:
    value = {"status": "success", "data": [1, "é", None]}
    fast = JsonBytes(to_json(value), status_code=status)
    slow = JSONResponse(value, status_code=status)
    assert (fast.status_code, fast.raw_headers, fast.body) == (slow.status_code, slow.raw_headers,
                                                               slow.body)


def test_the_header_dict_keeps_the_first_of_repeated_headers_and_is_built_once() -> None:
    scope = {"headers": [(b"authorization", b"Bearer a"), (b"x-one", b"1"),
                         (b"authorization", b"Bearer b")]}
    headers = headers_of(scope)
    assert headers == {"authorization": "Bearer a", "x-one": "1"}
    assert headers["authorization"] == header(scope, b"authorization")
    assert headers_of(scope) is headers


async def test_a_handler_error_after_the_answer_started_is_not_rendered_twice() -> None:
    """Starlette's rule, kept by the edge: once a response started, no 500 page follows; the
    error goes on to the server and the journal keeps the answer that was started."""
    fake = MockCalcom(Settings(seed=3))

    class Half:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise ValueError("after the start")

    fake.app.router.routes.insert(0, Route("/v2/half", Half()))
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.cal.com") as client:
        with pytest.raises(ValueError, match="after the start"):
            await client.get("/v2/half")
    entry = fake.journal.last(path="/v2/half")
    assert entry is not None
    assert entry.status == 200


async def test_an_unexpected_error_is_a_plain_500_journaled_and_raised() -> None:
    fake = MockCalcom(Settings(seed=3))

    class Broken:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            raise KeyError("boom")

    fake.app.router.routes.insert(0, Route("/v2/broken", Broken()))
    transport = httpx.ASGITransport(app=fake.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.cal.com") as client:
        response = await client.get("/v2/broken")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    entry = fake.journal.last(path="/v2/broken")
    assert entry is not None
    assert entry.status == 500


async def test_a_cal_com_error_gets_its_envelope_request_id_and_journal_entry() -> None:
    fake = MockCalcom(Settings(seed=3))
    async with fake.async_client() as client:
        response = await client.get("/v2/me/")
    assert response.status_code == 401
    assert json.loads(response.content)["status"] == "error"
    assert "x-request-id" in response.headers
    entry = fake.journal.last()
    assert entry is not None
    assert (entry.path, entry.status) == ("/v2/me/", 401)  # the path as sent


@pytest.mark.parametrize("url", [
    "https://app.example/callback?code=abc&state=xyz",
    "https://app.example/c b?x=%20&y=é#frag",
    "http://localhost:3000/?error=access_denied&state=a+b",
])
@pytest.mark.parametrize("status", [302, 303])
def test_the_authorize_redirect_answers_as_starlettes_redirect_would(url: str, status: int) -> None:
    from starlette.responses import RedirectResponse

    from mock_calcom.oauth.authorize import Redirect

    fast, slow = Redirect(url, status_code=status), RedirectResponse(url, status_code=status)
    assert (fast.status_code, fast.raw_headers, fast.body) == (slow.status_code, slow.raw_headers,
                                                               slow.body)


async def _conversation(fake: MockCalcom) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """One of every kind of answer the edge shapes: an OAuth dance, API reads with and without
    a version, a throttled read, an error, a trailing slash, an unknown route and a 404."""
    from urllib.parse import parse_qs, urlsplit

    demo = fake.seed_demo()
    client = demo.client
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(transport=fake.async_transport(),
                                 base_url="https://api.cal.com") as http:
        redirect = await http.get(fake.authorize_url(client.client_id, demo.redirect_uri,
                                                     demo.scopes, state="s"))
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        form = {"client_id": client.client_id, "client_secret": client.client_secret or "",
                "redirect_uri": demo.redirect_uri}
        token = await http.post("/v2/auth/oauth2/token",
                                data={**form, "grant_type": "authorization_code", "code": code})
        pair = token.json()
        refreshed = await http.post("/v2/auth/oauth2/token", data={
            "client_id": client.client_id, "client_secret": client.client_secret or "",
            "grant_type": "refresh_token", "refresh_token": pair["refresh_token"]})
        bad = await http.post("/v2/auth/oauth2/token", data={**form, "grant_type": "nope"},
                              headers={"x-request-id": "mine"})
        auth = {"authorization": f"Bearer {refreshed.json()['access_token']}"}
        fake.set_rate_limit(refreshed.json()["access_token"], 4)
        answers += [redirect, token, refreshed, bad]
        for path, headers in (("/v2/bookings", {**auth, "cal-api-version": "2024-08-13"}),
                              ("/v2/bookings/", {**auth, "cal-api-version": "2024-08-13"}),
                              ("/v2/me", auth), ("/v2/me", {}), ("/v2/nowhere", auth),
                              ("/v2/bookings", {**auth, "cal-api-version": "2024-08-13"}),
                              ("/v2/me", auth), ("/elsewhere", {})):
            answers.append(await http.get(path, headers=headers))
    assert [a.status_code for a in answers].count(429) >= 1
    return [(a.status_code, list(a.headers.multi_items()), a.content) for a in answers]


async def test_the_edge_answers_the_same_with_or_without_a_fault_set_elsewhere() -> None:
    """With no fault set the edge runs in one frame; with one set (here: one that never
    matches) it runs its stages one by one. Two fakes of one seed must give the same bytes,
    request ids included, and journal the same."""
    plain, faulted = MockCalcom(Settings(seed=11)), MockCalcom(Settings(seed=11))
    faulted.add_fault("/never/matches", status=503)
    assert await _conversation(plain) == await _conversation(faulted)
    assert ([e.to_dict() for e in plain.journal.entries()]
            == [e.to_dict() for e in faulted.journal.entries()])


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_a_scope_endpoint_answers_as_the_same_handler_given_a_request(method: str) -> None:
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response

    from mock_calcom.asgi import RequestEndpoint, ScopeEndpoint, fake_in, fake_of

    class App:
        fake = "the fake"

    async def by_scope(scope: Scope) -> Response:
        return PlainTextResponse(f"{fake_in(scope)} {scope['path_params']['id']} "
                                 f"{scope['query_string'].decode()}")

    async def by_request(request: Request) -> Response:
        return PlainTextResponse(f"{fake_of(request)} {request.path_params['id']} "
                                 f"{request.scope['query_string'].decode()}")

    async def answer(endpoint: ScopeEndpoint | RequestEndpoint) -> list[Message]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": "/x/7", "query_string": b"a=1",
                 "headers": [], "app": App(), "path_params": {"id": "7"}}
        await endpoint(scope, receive, send)
        return sent

    fast, slow = await answer(ScopeEndpoint(by_scope)), await answer(RequestEndpoint(by_request))
    assert fast == slow
    assert fast[1]["body"] == b"the fake 7 a=1"


# -- one header dict for every layer: the same answers as a scan of the header list ----------

_HEADER_NAMES = [b"content-length", b"transfer-encoding", b"x-mock-tenant", b"authorization",
                 b"host", b"x-other"]
_header_lists = st.lists(st.tuples(st.sampled_from(_HEADER_NAMES),
                                   st.sampled_from([b"0", b" 0 ", b"00", b"\xa00", b"0\t", b"5",
                                                    b"", b"chunked", b"t1"])), max_size=6)


def _declares_body_by_scan(scope: Scope) -> bool:
    """``asgi.declares_body`` as it was written: one scan of the header list."""
    for key, value in scope["headers"]:
        if key == b"transfer-encoding" or (key == b"content-length" and value.strip() != b"0"):
            return True
    return False


@settings(max_examples=200)
@given(_header_lists)
def test_whether_a_body_is_declared_is_judged_as_a_scan_of_the_headers_would(
        headers: list[tuple[bytes, bytes]]) -> None:
    from mock_calcom.asgi import declares_body

    assert declares_body({"headers": headers}) == _declares_body_by_scan({"headers": headers})


@settings(max_examples=100)
@given(_header_lists)
def test_every_header_read_from_the_dict_is_the_first_the_scan_finds(
        headers: list[tuple[bytes, bytes]]) -> None:
    """The tenant header (app.py), the bearer and the rest are read from the dict."""
    scope = {"headers": headers}
    for name in _HEADER_NAMES:
        assert headers_of(scope).get(name.decode()) == header(scope, name)


# -- the socket's edge knows whether an answer started from uvicorn's own cycle --------------

class _Cycle:
    """A stand-in for uvicorn's per-request cycle: ``send`` is its method, and it says
    whether the response started (``response_started``), as uvicorn's does."""

    def __init__(self) -> None:
        self.response_started = False
        self.messages: list[Message] = []
        self.transport = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
        self.messages.append(message)


@pytest.mark.parametrize("fails", ["before the start", "after the start", "cancelled before",
                                   "cancelled after", "never"])
async def test_the_socket_edge_answers_alike_with_uvicorns_cycle_or_a_tracked_send(
        fails: str) -> None:
    import asyncio

    from mock_calcom.server import _Edge

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if fails in ("after the start", "cancelled after", "never"):
            await send({"type": "http.response.start", "status": 201, "headers": []})
        if fails.startswith("cancelled"):
            raise asyncio.CancelledError
        if fails != "never":
            raise ValueError("boom")
        await send({"type": "http.response.body", "body": b"done"})

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "path": "/v2/x", "headers": []}
    edge = _Edge(app)
    cycle, second = _Cycle(), _Cycle()
    await edge(scope, receive, cycle.send)
    await edge(scope, receive, second.send)  # a cycle of a class the edge has seen
    assert second.messages == cycle.messages
    plain: list[Message] = []

    async def send(message: Message) -> None:  # no cycle behind it: a StartTracker watches
        plain.append(message)

    await _Edge(app)(scope, receive, send)
    assert cycle.messages == plain
    assert [m.get("status") for m in plain if m["type"] == "http.response.start"] == {
        "before the start": [500], "after the start": [201], "cancelled before": [503],
        "cancelled after": [201], "never": [201]}[fails]


@settings(max_examples=300)
@example("Bearer cal_x")
@example("Bearerxcal_")
@example("caBearer l_")
@example("xBearer cal_")
@example("Bearer  cal_")
@given(st.one_of(st.none(), st.text(alphabet="Bearcl_ xB", max_size=16),
                 st.builds("".join, st.lists(st.sampled_from(["Bearer ", "cal_", "ca", "l_",
                                                              "Bearer", " ", "x"]), max_size=5))))
def test_an_api_key_is_told_as_the_guards_replace_and_test_would(authorization: str | None) -> None:
    from mock_calcom.middleware import _is_api_key

    expected = bool(authorization) and authorization.replace(  # type: ignore[union-attr]
        "Bearer ", "", 1).startswith("cal_")
    assert _is_api_key(authorization) == expected


async def test_the_socket_edge_calls_what_calling_the_app_would() -> None:
    """``direct_call``: an object whose class (or a base) defines ``__call__`` in Python is
    called through that method bound to it, never through an attribute of the instance;
    anything else is called as it is."""
    from mock_calcom.server import direct_call

    calls: list[tuple[str, object]] = []

    class Base:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            calls.append(("class", self))

    class Edge(Base):
        pass

    edge = Edge()
    setattr(edge, "__call__", lambda *args: calls.append(("instance", edge)))  # noqa: B010

    async def function(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(("function", None))

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    for app in (edge, function):
        await app({}, receive, send)
        await direct_call(app)({}, receive, send)
    assert calls == [("class", edge), ("class", edge), ("function", None), ("function", None)]
    assert direct_call(function) is function


# -- the header dict of a header list seen lately is copied from a memo ----------------------

def _decoded_by_hand(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """``asgi.headers_of`` as it was written: every name and value decoded."""
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in reversed(headers)}


def _fresh(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The same list in new objects, as each request brings its own."""
    return [(bytes(bytearray(k)), bytes(bytearray(v))) for k, v in headers]


@settings(max_examples=150)
@given(st.lists(st.lists(st.tuples(st.sampled_from([*_HEADER_NAMES, b"X-Up", b"\xe9t\xe9"]),
                                   st.binary(max_size=12)), max_size=5),
                min_size=1, max_size=4))
def test_a_header_dict_from_the_memo_is_the_dict_decoded_from_the_list(
        lists: list[list[tuple[bytes, bytes]]]) -> None:
    for headers in [*lists, *lists, *reversed(lists)]:
        first = headers_of({"headers": _fresh(headers)})
        assert first == _decoded_by_hand(headers)
        assert list(first.items()) == list(_decoded_by_hand(headers).items())  # same order
        first["x-changed"] = "by a reader"  # each request's dict is its own
        again = headers_of({"headers": _fresh(headers)})
        assert again == _decoded_by_hand(headers)
        assert again is not first


def test_header_lists_of_other_shapes_are_decoded_as_before() -> None:
    pairs = [[b"authorization", b"Bearer a"], [b"host", b"h"]]  # lists: no tuple key
    assert headers_of({"headers": pairs}) == {"authorization": "Bearer a", "host": "h"}
    assert headers_of({"headers": [(b"a", b"1"), (b"a", b"2")]}) == {"a": "1"}
    assert headers_of({"headers": []}) == {}


def test_the_header_memo_keeps_neither_large_lists_nor_more_than_its_bound() -> None:
    from mock_calcom import asgi

    long_value = [(b"x-big", b"v" * (asgi._MEMO_CHARACTERS + 1))]
    many = [(b"x-%d" % i, b"1") for i in range(asgi._MEMO_HEADERS + 1)]
    for headers in (long_value, many):
        assert headers_of({"headers": headers}) == _decoded_by_hand(headers)
        assert tuple(headers) not in asgi._DICTS
    for i in range(asgi._MEMO_LISTS + 10):
        headers_of({"headers": [(b"x-n", b"%d" % i)]})
        assert 0 < len(asgi._DICTS) <= asgi._MEMO_LISTS
