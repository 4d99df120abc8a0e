"""The journal: what it records, how it redacts, how it is queried."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from mock_calcom.errors import ConnectionDropped
from mock_calcom.journal import Journal, JournalEntry, JournalMiddleware, mark_fault

LIVE_SECRET = "a" * 64
DEAD_SECRET = "b" * 64
CLIENT_ID = "c" * 64
ACCESS = jwt.encode({"token_type": "Access Token", "clientId": "x"}, "k" * 32, algorithm="HS256")
REFRESH = jwt.encode({"token_type": "Refresh Token", "clientId": "x"}, "k" * 32, algorithm="HS256")
OTHER_JWT = jwt.encode({"sub": "someone"}, "k" * 32, algorithm="HS256")

Handler = Callable[[Request], Awaitable[Response]]


async def _ok(request: Request) -> Response:
    return JSONResponse({"ok": True})


def _journal(limit: int = 100, now: float = 1000.0) -> Journal:
    return Journal(clock=lambda: now, limit=lambda: limit,
                   secret_hashes=lambda: frozenset({hashlib.sha256(LIVE_SECRET.encode()).hexdigest()}))


def _client(journal: Journal, handler: Handler = _ok) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/{path:path}", handler,
                                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])
    transport = httpx.ASGITransport(app=JournalMiddleware(app, journal))
    return httpx.AsyncClient(transport=transport, base_url="https://api.cal.com")


async def _journaled(method: str, url: str, *, handler: Handler = _ok, **kwargs: Any) -> JournalEntry:
    """The entry of one request sent through a fresh journal."""
    journal = _journal()
    async with _client(journal, handler) as client:
        await client.request(method, url, **kwargs)
    entry = journal.last()
    assert entry is not None
    return entry


# -- what is recorded ------------------------------------------------------------------------

async def test_an_entry_has_time_method_scheme_host_path_query_headers_and_status() -> None:
    journal = _journal(now=1234.5)
    async with _client(journal) as client:
        await client.get("https://app.cal.com/auth/oauth2/authorize?client_id=abc&state=s1",
                         headers={"X-Trace": "t-1"})
    [entry] = journal.entries()
    assert (entry.time, entry.method, entry.scheme, entry.host, entry.path) == (
        1234.5, "GET", "https", "app.cal.com", "/auth/oauth2/authorize")
    assert entry.query == {"client_id": "abc", "state": "s1"}
    assert entry.request_headers["x-trace"] == "t-1"
    assert entry.status == 200
    assert entry.response_body == {"ok": True}
    assert entry.response_body_kind == "json"
    assert entry.fault is None


async def test_the_host_header_tells_the_web_app_from_the_api() -> None:
    journal = _journal()
    async with _client(journal) as client:
        await client.get("https://app.cal.com/x")
        await client.get("https://api.cal.com/x")
    assert [e.host for e in journal.entries()] == ["app.cal.com", "api.cal.com"]


async def test_a_request_body_is_recorded_even_when_no_handler_reads_it() -> None:
    entry = await _journaled("POST", "/v2/bookings", json={"start": "2026-01-06T10:00:00Z"})
    assert entry.request_body_kind == "json"
    assert entry.request_body == {"start": "2026-01-06T10:00:00Z"}


async def test_a_streamed_body_without_a_length_is_recorded_too() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"code=abc"
        yield b"&state=s1"

    entry = await _journaled("POST", "/api/auth/oauth/token", content=chunks(),
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert entry.request_headers["transfer-encoding"] == "chunked"
    assert entry.request_body == {"code": "<redacted:code>", "state": "s1"}


async def test_the_handler_still_receives_the_body_the_journal_read() -> None:
    async def echo(request: Request) -> Response:
        return PlainTextResponse(await request.body())

    async with _client(_journal(), echo) as client:
        response = await client.post("/anything", content=b"hello body")
    assert response.text == "hello body"


async def test_repeated_parameters_are_kept_as_a_list() -> None:
    entry = await _journaled("GET", "/v2/bookings?status=upcoming&status=past&take=3")
    assert entry.query == {"status": ["upcoming", "past"], "take": "3"}


async def test_a_body_that_is_neither_json_nor_form_is_kept_as_text() -> None:
    entry = await _journaled("POST", "/x", content=b"just words here", headers={"content-type": "text/plain"})
    assert (entry.request_body_kind, entry.request_body) == ("text", "just words here")


async def test_binary_bodies_are_summarised_not_stored() -> None:
    entry = await _journaled("POST", "/x", content=b"\xff\xfe\x00\x01")
    assert (entry.request_body_kind, entry.request_body) == ("binary", "<4 bytes>")


async def test_a_fault_noted_on_the_request_is_recorded() -> None:
    async def faulty(request: Request) -> Response:
        mark_fault(request.scope, "fault_7")
        return JSONResponse({}, status_code=503)

    entry = await _journaled("GET", "/v2/me", handler=faulty)
    assert (entry.status, entry.fault) == (503, "fault_7")


async def test_a_dropped_connection_is_recorded_without_a_status() -> None:
    async def drop(request: Request) -> Response:
        mark_fault(request.scope, "fault_1")
        raise ConnectionDropped("gone")

    journal = _journal()
    async with _client(journal, drop) as client:
        with pytest.raises(ConnectionDropped):
            await client.get("/v2/me")
    entry = journal.last()
    assert entry is not None
    assert (entry.status, entry.fault, entry.response_body) == (None, "fault_1", None)


async def test_entry_ids_follow_arrival_order() -> None:
    journal = _journal()
    async with _client(journal) as client:
        for n in range(3):
            await client.get(f"/n/{n}")
    assert [e.path for e in journal.entries()] == ["/n/0", "/n/1", "/n/2"]
    ids = [e.id for e in journal.entries()]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3


# -- redaction -------------------------------------------------------------------------------

async def test_token_request_form_fields_become_markers_naming_each_secret() -> None:
    entry = await _journaled("POST", "/v2/auth/oauth2/token", data={
        "client_id": CLIENT_ID, "client_secret": "wrong-secret", "grant_type": "authorization_code",
        "code": "the-code", "code_verifier": "verifier-123", "redirect_uri": "https://a.example/cb"})
    assert entry.request_body_kind == "form"
    assert entry.request_body == {
        "client_id": CLIENT_ID, "client_secret": "<redacted:client_secret>",
        "grant_type": "authorization_code", "code": "<redacted:code>",
        "code_verifier": "<redacted:code_verifier>", "redirect_uri": "https://a.example/cb"}


async def test_json_secrets_are_redacted_at_any_depth() -> None:
    entry = await _journaled("POST", "/x", json={
        "outer": {"refresh_token": "r-1", "list": [{"access_token": "a-1"}]}, "clientSecret": "camel"})
    assert entry.request_body == {
        "outer": {"refresh_token": "<redacted:refresh_token>",
                  "list": [{"access_token": "<redacted:access_token>"}]},
        "clientSecret": "<redacted:client_secret>"}


async def test_a_token_is_named_for_what_it_is_not_for_the_field_it_was_put_in() -> None:
    entry = await _journaled("POST", "/v2/auth/oauth2/token",
                             data={"grant_type": "refresh_token", "refresh_token": ACCESS})
    assert entry.request_body["refresh_token"] == "<redacted:access_token>"


async def test_an_access_token_in_the_query_string_stays_visible_as_a_marker() -> None:
    entry = await _journaled("GET", f"/v2/me?access_token={ACCESS}&take=1")
    assert entry.query == {"access_token": "<redacted:access_token>", "take": "1"}
    assert entry.query_string == "access_token=<redacted:access_token>&take=1"
    assert entry.markers() == {"query": ["access_token"]}
    assert ACCESS not in str(entry.to_dict())


async def test_a_token_under_an_innocent_name_is_recognised_by_its_value() -> None:
    entry = await _journaled("GET", f"/v2/me?t={REFRESH}")
    assert entry.query == {"t": "<redacted:refresh_token>"}


@pytest.mark.parametrize(("token", "shown"), [
    (ACCESS, "Bearer <redacted:access_token>"),
    (REFRESH, "Bearer <redacted:refresh_token>"),
    (OTHER_JWT, "Bearer <redacted:jwt>"),
    ("cal_live_0123456789abcdef0123456789abcdef", "Bearer <redacted:api_key>"),
    ("anything-else", "Bearer <redacted:token>"),
])
async def test_the_authorization_header_keeps_its_scheme_and_names_the_token(token: str, shown: str) -> None:
    entry = await _journaled("GET", "/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert entry.request_headers["authorization"] == shown


@pytest.mark.parametrize(("secret", "shown"), [
    (LIVE_SECRET, "Basic <redacted:client_secret>"),
    ("not-a-live-secret", "Basic <redacted:credentials>"),
])
async def test_basic_auth_says_whether_it_carried_a_live_client_secret(secret: str, shown: str) -> None:
    credentials = base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()
    entry = await _journaled("POST", "/v2/auth/oauth2/token",
                             headers={"Authorization": f"Basic {credentials}"})
    assert entry.request_headers["authorization"] == shown


async def test_a_live_client_secret_is_recognised_anywhere_but_other_hex_is_left_alone() -> None:
    entry = await _journaled("GET", f"/v2/auth/oauth2/clients/{CLIENT_ID}",
                             headers={"X-Secret": LIVE_SECRET, "X-Old": DEAD_SECRET})
    assert entry.path == f"/v2/auth/oauth2/clients/{CLIENT_ID}"
    assert entry.request_headers["x-secret"] == "<redacted:client_secret>"
    assert entry.request_headers["x-old"] == DEAD_SECRET


async def test_secrets_inside_free_text_are_replaced_in_place() -> None:
    entry = await _journaled("POST", "/x", content=f"token={ACCESS} and secret {LIVE_SECRET}.".encode(),
                             headers={"content-type": "text/plain"})
    assert entry.request_body == "token=<redacted:access_token> and secret <redacted:client_secret>."


async def test_a_json_body_sent_as_text_plain_is_still_redacted_field_by_field() -> None:
    entry = await _journaled("POST", "/v2/auth/oauth2/token", content=b'{"code": "abc", "client_id": "x"}',
                             headers={"content-type": "text/plain"})
    assert entry.request_body == {"code": "<redacted:code>", "client_id": "x"}


async def test_a_form_body_without_a_content_type_is_still_redacted_field_by_field() -> None:
    # Cal.com's G1 endpoints read any body as a form (FACTS §1.3).
    entry = await _journaled("POST", "/api/auth/oauth/token",
                             content=b"code=abc&grant_type=authorization_code",
                             headers={"content-type": "text/plain"})
    assert entry.request_body == {"code": "<redacted:code>", "grant_type": "authorization_code"}


async def test_multipart_secret_fields_are_redacted() -> None:
    entry = await _journaled("POST", "/v2/auth/oauth2/token",
                             files={"client_secret": (None, "s3cret"), "client_id": (None, "abc")})
    assert entry.request_body_kind == "multipart"
    assert "s3cret" not in entry.request_body
    assert "<redacted:client_secret>" in entry.request_body
    assert "abc" in entry.request_body


async def test_the_code_in_a_redirect_location_is_redacted_and_the_state_kept() -> None:
    async def redirect(request: Request) -> Response:
        return RedirectResponse("https://a.example/cb?keep=1&code=the-code&state=s%201", status_code=302)

    entry = await _journaled("GET", "/auth/oauth2/authorize", handler=redirect)
    assert entry.response_headers["location"] == (
        "https://a.example/cb?keep=1&code=<redacted:code>&state=s%201")


async def test_tokens_in_a_token_response_are_redacted() -> None:
    async def token(request: Request) -> Response:
        return JSONResponse({"access_token": ACCESS, "refresh_token": REFRESH, "token_type": "bearer",
                             "expires_in": 1800})

    entry = await _journaled("POST", "/v2/auth/oauth2/token", handler=token)
    assert entry.response_body == {"access_token": "<redacted:access_token>",
                                   "refresh_token": "<redacted:refresh_token>",
                                   "token_type": "bearer", "expires_in": 1800}
    assert entry.markers() == {"response_body": ["access_token", "refresh_token"]}


async def test_the_error_code_of_a_v2_envelope_is_not_mistaken_for_an_authorization_code() -> None:
    async def error(request: Request) -> Response:
        return JSONResponse({"status": "error", "error": {"code": "ForbiddenException"}}, status_code=403)

    entry = await _journaled("GET", "/v2/me", handler=error)
    assert entry.response_body["error"]["code"] == "ForbiddenException"


async def test_platform_secret_header_is_redacted() -> None:
    entry = await _journaled("GET", "/v2/me", headers={"x-cal-secret-key": "platform-secret"})
    assert entry.request_headers["x-cal-secret-key"] == "<redacted:platform_secret>"


# -- bounds and queries ----------------------------------------------------------------------

async def test_the_journal_keeps_the_newest_entries_up_to_its_limit() -> None:
    journal = _journal(limit=3)
    async with _client(journal) as client:
        for n in range(5):
            await client.get(f"/n/{n}")
    assert [e.path for e in journal.entries()] == ["/n/2", "/n/3", "/n/4"]
    assert journal.dropped == 2
    journal.clear()
    assert (len(journal), journal.dropped) == (0, 0)


async def test_a_lowered_limit_applies_to_the_next_entry() -> None:
    limit = [5]
    journal = Journal(clock=lambda: 0.0, limit=lambda: limit[0])
    async with _client(journal) as client:
        for n in range(4):
            await client.get(f"/n/{n}")
        limit[0] = 2
        await client.get("/n/4")
    assert [e.path for e in journal.entries()] == ["/n/3", "/n/4"]


async def test_entries_filter_by_host_path_prefix_method_and_limit() -> None:
    journal = _journal()
    async with _client(journal) as client:
        await client.get("https://app.cal.com/auth/oauth2/authorize")
        await client.post("https://api.cal.com/v2/auth/oauth2/token")
        await client.get("https://api.cal.com/v2/me")
        await client.get("https://api.cal.com/v2/bookings")
        await client.post("https://app.cal.com/api/auth/oauth/refreshToken")
    assert [e.path for e in journal.entries(host="api.cal.com", method="get")] == ["/v2/me", "/v2/bookings"]
    assert [e.path for e in journal.entries(path="/v2/", limit=2)] == ["/v2/me", "/v2/bookings"]
    assert [e.path for e in journal.token_requests()] == [
        "/v2/auth/oauth2/token", "/api/auth/oauth/refreshToken"]
    assert [e.path for e in journal.api_requests()] == ["/v2/me", "/v2/bookings"]
    assert [e.path for e in journal.authorize_requests()] == ["/auth/oauth2/authorize"]
    assert journal.entries(limit=0) == []


async def test_host_filter_matches_with_or_without_the_port() -> None:
    journal = _journal()
    async with _client(journal) as client:
        await client.get("http://127.0.0.1:8765/v2/me")
    assert len(journal.entries(host="127.0.0.1")) == 1
    assert len(journal.entries(host="127.0.0.1:8765")) == 1
    assert journal.entries(host="127.0.0.2") == []


# -- with a fake: its own secrets --------------------------------------------------------------

def test_a_fakes_client_secret_is_redacted_even_after_it_was_rotated_away() -> None:
    from mock_calcom import MockCalcom

    with MockCalcom() as fake:
        registered = fake.create_client("App", ["https://a.example/cb"])
        assert registered.client_secret is not None
        old_id = fake.get_client(registered.client_id).secrets[0].id
        with fake.client() as http:
            http.get("/v2/me", headers={"X-Leak": registered.client_secret})
        fake.add_client_secret(registered.client_id)
        fake.delete_client_secret(registered.client_id, old_id)
        entry = fake.journal.last()
        assert entry is not None
        assert entry.request_headers["x-leak"] == "<redacted:client_secret>"


def test_a_fakes_tokens_are_classified_in_the_journal() -> None:
    from urllib.parse import parse_qs, urlsplit

    from mock_calcom import MockCalcom

    with MockCalcom() as fake:
        fake.create_user("alice")
        app = fake.create_client("App", ["https://a.example/cb"], ["PROFILE_READ"])
        with fake.client() as http:
            location = http.get(fake.authorize_url(app.client_id, "https://a.example/cb",
                                                   ["PROFILE_READ"])).headers["location"]
            code = parse_qs(urlsplit(location).query)["code"][0]
            tokens = http.post("/v2/auth/oauth2/token", data={
                "client_id": app.client_id, "client_secret": app.client_secret,
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": "https://a.example/cb"}).json()
            http.get("/v2/me", params={"token": tokens["refresh_token"]})
        entries = fake.journal.entries()
        assert entries[0].response_headers["location"].startswith("https://a.example/cb?code=<redacted:code>")
        assert entries[1].markers() == {"request_body": ["client_secret", "code"],
                                        "response_body": ["access_token", "refresh_token"]}
        assert entries[2].query == {"token": "<redacted:refresh_token>"}
        assert code not in str([e.to_dict() for e in entries])
        assert tokens["access_token"] not in str([e.to_dict() for e in entries])


async def test_entries_after_an_id_are_what_happened_since() -> None:
    journal = _journal()
    async with _client(journal) as client:
        await client.get("/n/0")
        mark = journal.last()
        assert mark is not None
        await client.get("/n/1")
        await client.get("/n/2")
    assert [e.path for e in journal.entries(after=mark.id)] == ["/n/1", "/n/2"]
    assert journal.last(path="/n/1") is not None
    assert _journal().last() is None


async def test_a_stored_entry_keeps_its_headers_as_tuples() -> None:
    """The journal keeps thousands of entries: their header lists are stored as tuples of
    bytes pairs, which a garbage collection untracks, so full collections do not walk them
    all (lists stay tracked for as long as the entry is kept)."""
    journal = _journal()
    async with _client(journal) as client:
        await client.get("/x", headers={"x-one": "1"})
    raw = journal._snapshot()[-1]
    assert raw.start is not None
    assert type(raw.headers) is tuple
    assert type(raw.start[1]) is tuple
    assert journal.entries()[-1].request_headers["x-one"] == "1"


def test_the_entry_types_are_still_the_journal_modules_names() -> None:
    """They live in mock_calcom.journalentry (loaded on the first read); the journal module
    hands out the same objects."""
    import mock_calcom.journal as journal
    from mock_calcom import journalentry

    assert journal.JournalEntry is journalentry.JournalEntry is JournalEntry
    assert journal.JournalPage is journalentry.JournalPage
    assert journal.marker is journalentry.marker
    with pytest.raises(AttributeError):
        journal.NoSuchName  # noqa: B018


# -- an entry's cost counts every header byte (the plain loop must count as the chain did) ---

def test_an_entrys_cost_counts_every_header_name_and_value() -> None:
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mock_calcom.journal import _ENTRY_OVERHEAD, _Raw

    pairs = st.lists(st.tuples(st.binary(max_size=12), st.binary(max_size=40)), max_size=8).map(tuple)

    @settings(max_examples=60, deadline=None)
    @given(request=pairs, answer=st.none() | pairs, body=st.binary(max_size=30))
    def check(request: tuple[tuple[bytes, bytes], ...],
              answer: tuple[tuple[bytes, bytes], ...] | None, body: bytes) -> None:
        raw = _Raw(1, 0.0, "POST", "http", "/p", b"q=1", request, body, len(body),
                   None if answer is None else (200, answer), b"out", 3, None)
        headers = sum(map(len, itertools.chain.from_iterable(request)))
        if answer is not None:
            headers += sum(map(len, itertools.chain.from_iterable(answer)))
        assert raw.cost() == _ENTRY_OVERHEAD + len("/p") + len(b"q=1") + headers + len(body) + 3

    check()
