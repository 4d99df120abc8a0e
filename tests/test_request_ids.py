"""X-Request-Id on API v2 answers (FACTS §11.5): every /v2/ response carries one, errors and
throttled answers included; the token endpoint's errors echo the client's x-request-id or say
unknown-request-id."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from mock_calcom import MockCalcom, Settings

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TOKEN = "/v2/auth/oauth2/token"


@pytest.fixture
def fake() -> MockCalcom:
    return MockCalcom(Settings(seed=11))


@pytest.fixture
async def http(fake: MockCalcom) -> AsyncIterator[httpx.AsyncClient]:
    async with fake.async_client() as client:
        yield client


B = {"cal-api-version": "2024-08-13"}


@pytest.mark.parametrize(("method", "path", "headers", "status"), [
    ("GET", "/v2/me", {}, 401),                                        # a guard's error
    ("GET", "/v2/bookings/nope", B, 404),                              # a handler's error
    ("GET", "/v2/nothing-here", {}, 404),                              # no route at all
    ("GET", "/v2/slots?eventTypeId=x", {"cal-api-version": "2024-09-04"}, 400),  # a pipe's
    ("POST", "/v2/bookings/x/cancel", B, 400),                         # Body is required
])
async def test_every_v2_answer_has_a_request_id(http: httpx.AsyncClient, method: str, path: str,
                                                headers: dict[str, str], status: int) -> None:
    response = await http.request(method, path, headers=headers)
    assert response.status_code == status
    assert UUID4.fullmatch(response.headers["x-request-id"])


async def test_successes_have_one_too_and_ids_differ(fake: MockCalcom, http: httpx.AsyncClient) -> None:
    fake.create_user("alice")
    first = await http.get("/v2/slots", params={"eventTypeSlug": "30min", "username": "alice",
                                                "start": "2026-01-06", "end": "2026-01-07"},
                           headers={"cal-api-version": "2024-09-04"})
    second = await http.get("/v2/me")
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(UUID4.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


async def test_an_incoming_x_vercel_id_is_the_request_id(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/me", headers={"x-vercel-id": "fra1::abc-123"})
    assert response.headers["x-request-id"] == "fra1::abc-123"


async def test_throttled_answers_carry_a_request_id(fake: MockCalcom, http: httpx.AsyncClient) -> None:
    fake.update_settings(rate_limit_unauthenticated=True, rate_limit_ip=1)
    await http.get("/v2/me")
    throttled = await http.get("/v2/me")
    assert throttled.status_code == 429
    assert UUID4.fullmatch(throttled.headers["x-request-id"])


async def test_pages_outside_api_v2_have_none(http: httpx.AsyncClient) -> None:
    page = await http.get("https://app.cal.com/auth/oauth2/authorize")
    legacy = await http.post("https://app.cal.com/api/auth/oauth/token")
    assert "x-request-id" not in page.headers
    assert "x-request-id" not in legacy.headers


@pytest.mark.parametrize("sent", [None, "client-chosen-id-7"])
async def test_token_errors_echo_the_clients_x_request_id_or_say_unknown(
        http: httpx.AsyncClient, sent: str | None) -> None:
    headers = {"x-request-id": sent} if sent else {}
    response = await http.post(TOKEN, data={"client_id": "nope", "grant_type": "refresh_token",
                                            "refresh_token": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["x-request-id"] == (sent or "unknown-request-id")
    assert response.headers.get_list("x-request-id") == [sent or "unknown-request-id"]


async def test_a_token_success_gets_a_fresh_id_not_the_echo(fake: MockCalcom,
                                                            http: httpx.AsyncClient) -> None:
    user = fake.create_user("alice")
    client = fake.create_client("App", ["https://app.example/cb"], ["PROFILE_READ"])
    fake.set_consent("approve")
    authorize = await http.get(fake.authorize_url(client.client_id, "https://app.example/cb",
                                                  ["PROFILE_READ"], state="s"))
    code = httpx.URL(authorize.headers["location"]).params["code"]
    response = await http.post(TOKEN, data={
        "client_id": client.client_id, "client_secret": client.client_secret,
        "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb"},
        headers={"x-request-id": "client-chosen-id-7"})
    assert response.status_code == 200, response.text
    assert UUID4.fullmatch(response.headers["x-request-id"])
    assert user.username == "alice"


# -- the edge leaves an answer that already names its id alone (a shortcut: same headers) -----

def _with_request_id_in_full(message: dict[str, object], extra: list[tuple[bytes, bytes]] | None,
                             scope: dict[str, object], fake: MockCalcom) -> dict[str, object]:
    """What the edge did to every answer's start before the shortcut."""
    from mock_calcom.middleware import request_id_for

    if extra is None or message["type"] != "http.response.start":
        return message
    headers = [*message.get("headers", []), *extra]  # type: ignore[misc]
    if not any(name.lower() == b"x-request-id" for name, _ in headers):
        headers.append((b"x-request-id", request_id_for(scope, fake).encode("latin-1")))
    return {**message, "headers": headers}


@pytest.mark.parametrize("headers", [
    [(b"content-type", b"application/json"), (b"x-request-id", b"own")],   # the token route
    [(b"x-request-id", b"own"), (b"content-type", b"application/json")],
    [(b"X-Request-Id", b"own")],
    [(b"content-type", b"application/json")],
    [],
])
@pytest.mark.parametrize("extra", [None, [], [(b"x-ratelimit-limit", b"10")],
                                   [(b"x-request-id", b"limiter")]])
def test_an_answer_gets_the_headers_it_got_before_the_shortcut(
        headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]] | None) -> None:
    from mock_calcom.middleware import _with_request_id

    message = {"type": "http.response.start", "status": 200, "headers": list(headers)}
    scope: dict[str, object] = {"headers": []}
    got = _with_request_id(message, extra, scope, MockCalcom(Settings(seed=3)))
    assert got == _with_request_id_in_full(message, extra, scope, MockCalcom(Settings(seed=3)))
