"""API v2 rate limiting over HTTP (FACTS §7.5), in-process and over a real socket."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.middleware import THROTTLED_MESSAGE
from mock_calcom.model.tokens import Grant
from tests.conftest import Served

REDIRECT = "https://app.example.com/callback"


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings changes for one test: ``@pytest.mark.parametrize("overrides", [{...}])``."""
    return {}


@pytest.fixture
def settings(overrides: dict[str, Any]) -> Settings:
    return Settings(seed=11).replace(**overrides)


@pytest.fixture
def world(served: Served) -> World:
    fake, http, _ = served
    return World(fake, http)


class World:
    """A fake with one user and one client, and a client to talk to it."""

    def __init__(self, fake: MockCalcom, http: httpx.AsyncClient) -> None:
        self.fake = fake
        self.http = http
        model = fake.model
        with model.lock:
            self.user = model.create_user("alice")
            self.client, self.secret = model.clients.create(
                name="Acme", redirect_uris=[REDIRECT], scopes=["PROFILE_READ"],
                owner_user_id=self.user.id)
            self.uid = next(b.uid for b in model.resources.bookings._by_uid.values()
                            if b.host_id == self.user.id)

    def token(self) -> str:
        """A legacy token (no scopes): the scope guard lets it through everywhere."""
        with self.fake.model.lock:
            pair = self.fake.model.tokens.mint_pair(
                Grant(self.client.client_id, self.user.id, None, ()))
        return pair.access_token

    async def call(self, token: str | None, path: str | None = None,
                   **headers: str) -> httpx.Response:
        """A throttled API v2 route that answers 200 with or without a bearer: a booking by
        uid, which is public."""
        if path is None:
            path = f"/v2/bookings/{self.uid}"
            headers.setdefault("cal-api-version", "2024-08-13")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.get(path, headers=headers)

    def advance(self, seconds: float) -> None:
        self.fake.model.clock.advance(seconds)


def _limits(response: httpx.Response) -> tuple[str | None, str | None, str | None]:
    h = response.headers
    return (h.get("X-RateLimit-Limit-Default"), h.get("X-RateLimit-Remaining-Default"),
            h.get("X-RateLimit-Reset-Default"))


async def test_every_counted_response_carries_the_default_limit_headers(world: World) -> None:
    response = await world.call(world.token())
    assert response.status_code == 200
    assert _limits(response) == ("500", "499", "60")


async def test_error_responses_are_counted_and_carry_the_headers_too(world: World) -> None:
    token = world.token()
    response = await world.call(token, "/v2/auth/oauth2/clients/unknown")
    assert response.status_code == 404
    assert _limits(response) == ("500", "499", "60")
    assert _limits(await world.call(token)) == ("500", "498", "60")


async def test_the_request_over_the_limit_gets_a_throttler_envelope(world: World) -> None:
    token = world.token()
    world.fake.set_rate_limit(token, 3)
    for expected_remaining in ("2", "1", "0"):
        ok = await world.call(token)
        assert ok.status_code == 200
        assert _limits(ok)[1] == expected_remaining
    refused = await world.call(token)
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == "error"
    assert body["path"] == f"/v2/bookings/{world.uid}"
    assert body["error"] == {"code": "ThrottlerException", "message": THROTTLED_MESSAGE,
                             "details": THROTTLED_MESSAGE}
    assert _limits(refused) == ("3", "0", "60")
    assert "retry-after" not in refused.headers


async def test_a_blocked_token_is_refused_until_the_block_ends_on_the_fake_clock(
        world: World) -> None:
    token = world.token()
    world.fake.set_rate_limit(token, 1, window=60, block=60)
    assert (await world.call(token)).status_code == 200
    assert (await world.call(token)).status_code == 429
    world.advance(30)
    still = await world.call(token)
    assert still.status_code == 429
    assert _limits(still)[2] == "30"
    world.advance(30)
    assert (await world.call(token)).status_code == 200


#: Hundreds of requests: in-process only (the live variants above cover the socket path).
_IN_PROCESS = pytest.mark.parametrize("served", ["in_process"], indirect=True)


@_IN_PROCESS
async def test_the_default_limit_is_500_per_token(world: World) -> None:
    token = world.token()
    statuses = [(await world.call(token)).status_code for _ in range(501)]
    assert statuses.count(200) == 500
    assert statuses[-1] == 429
    other = await world.call(world.token() + "x")  # another bearer, another tracker
    assert other.status_code == 401  # a garbage bearer, counted afresh (not 429)
    assert _limits(other)[1] == "499"


@pytest.mark.parametrize("overrides", [dict(rate_limit=2)])
async def test_the_limit_follows_the_settings(world: World) -> None:
    token = world.token()
    assert [(await world.call(token)).status_code for _ in range(3)] == [200, 200, 429]


async def test_throttling_comes_before_authentication(world: World) -> None:
    """Global guards run before controller guards: a garbage bearer is counted, and once over
    the limit gets 429 whatever the route would have said about it."""
    garbage = "not-a-token"
    world.fake.set_rate_limit(garbage, 1)
    await world.call(garbage)
    assert (await world.call(garbage)).status_code == 429
    me = await world.call(garbage, "/v2/me")
    assert me.status_code == 429
    world.advance(60)
    assert (await world.call(garbage, "/v2/me")).status_code == 401


@_IN_PROCESS
async def test_requests_without_a_bearer_are_not_counted_by_default(world: World) -> None:
    responses = [await world.call(None) for _ in range(121)]  # the IP limit is 120
    assert {r.status_code for r in responses} == {200}
    assert _limits(responses[-1]) == (None, None, None)


@pytest.mark.parametrize("overrides", [dict(rate_limit_unauthenticated=True, rate_limit_ip=2)])
async def test_the_ip_tracker_can_be_switched_on(world: World) -> None:
    statuses = [(await world.call(None)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # cf-connecting-ip wins over the socket address, as in throttler-guard.ts.
    assert (await world.call(None, **{"cf-connecting-ip": "203.0.113.9"})).status_code == 200


@pytest.mark.parametrize("overrides", [
    dict(rate_limit_unauthenticated=True, rate_limit=2, rate_limit_ip=100)])
async def test_the_platform_client_id_header_is_tracked_before_the_ip(world: World) -> None:
    statuses = [(await world.call(None, **{"x-cal-client-id": "cid"})).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert (await world.call(None)).status_code == 200


async def test_unrouted_paths_are_not_counted(world: World) -> None:
    token = world.token()
    missing = await world.call(token, "/v2/no-such-endpoint")
    assert missing.status_code == 404
    assert _limits(missing) == (None, None, None)
    assert _limits(await world.call(token))[1] == "499"


async def test_paths_outside_api_v2_are_never_throttled(world: World) -> None:
    token = world.token()
    world.fake.set_rate_limit(token, 1)
    for _ in range(3):
        response = await world.http.get("/api/auth/oauth/me",
                                        headers={"Authorization": f"Bearer {token}"})
        assert response.status_code != 429
        assert _limits(response) == (None, None, None)


@pytest.mark.parametrize("overrides", [dict(rate_limit_reset_unit="timestamp")])
async def test_reset_can_be_sent_as_an_epoch_second(world: World) -> None:
    response = await world.call(world.token())
    assert _limits(response)[2] == str(int(world.fake.model.clock.now()) + 60)


@pytest.mark.parametrize("overrides", [dict(rate_limit_enabled=False, rate_limit=1)])
async def test_throttling_can_be_switched_off(world: World) -> None:
    token = world.token()
    responses = [await world.call(token) for _ in range(3)]
    assert {r.status_code for r in responses} == {200}
    assert _limits(responses[0]) == (None, None, None)


async def test_a_token_limit_can_be_set_and_cleared_over_the_control_plane(world: World) -> None:
    token = world.token()
    created = await world.http.post("/_mock/rate-limits", json={"token": token, "limit": 1})
    assert created.status_code == 200
    tracker = f"access_token_{hashlib.sha256(token.encode()).hexdigest()}"
    assert created.json() == {"tracker": tracker, "limit": 1, "window": 60, "block": 60}
    listed = (await world.http.get("/_mock/rate-limits")).json()
    assert listed["overrides"] == [created.json()]
    assert listed["defaults"]["access_token"]["limit"] == 500
    await world.call(token)
    assert (await world.call(token)).status_code == 429
    assert (await world.http.delete(f"/_mock/rate-limits/{tracker}")).status_code == 200
    assert (await world.http.delete(f"/_mock/rate-limits/{tracker}")).status_code == 404
    assert (await world.call(token)).status_code == 200


async def test_resetting_forgets_counts_and_blocks(world: World) -> None:
    token = world.token()
    world.fake.set_rate_limit(token, 1)
    await world.call(token)
    assert (await world.call(token)).status_code == 429
    assert (await world.http.post("/_mock/rate-limits/reset")).json() == {"reset": True}
    assert (await world.call(token)).status_code == 200


@pytest.mark.parametrize("body", [
    {"limit": 5}, {"token": "t"}, {"token": "t", "limit": 0}, {"token": "t", "limit": "5"},
    {"token": "t", "limit": 5, "window": -1}, {"token": "t", "limit": 5, "extra": 1},
    {"token": "t", "limit": True},
])
async def test_nonsense_rate_limit_requests_are_refused(world: World, body: dict[str, Any]) -> None:
    response = await world.http.post("/_mock/rate-limits", json=body)
    assert response.status_code == 400
    assert "error" in response.json()


async def test_throttled_answers_are_journaled(world: World) -> None:
    journal = getattr(world.fake, "journal", None)
    if journal is None:
        pytest.skip("the fake has no journal yet")
    token = world.token()
    world.fake.set_rate_limit(token, 1)
    await world.call(token)
    await world.call(token)
    assert journal.last().status == 429


async def test_a_version_no_controller_serves_is_not_counted(world: World) -> None:
    """Nest's version routing finds no handler, so no guard runs: a plain 404, no headers."""
    token = world.token()
    # 2024-09-04 is a known version no bookings controller serves (2024-04-15 legacy, FACTS §11.1).
    unversioned = await world.call(token, "/v2/bookings", **{"cal-api-version": "2024-09-04"})
    assert unversioned.status_code == 404
    assert _limits(unversioned) == (None, None, None)
    versioned = await world.call(token, "/v2/bookings", **{"cal-api-version": "2024-08-13"})
    assert _limits(versioned) == ("500", "499", "60")


async def test_version_neutral_endpoints_are_counted_without_the_header(world: World) -> None:
    response = await world.call(world.token(), "/v2/me")
    assert response.status_code == 200
    assert _limits(response) == ("500", "499", "60")


# -- FACTS §11.11: unauthenticated requests by IP, the throttler's API-key check ---------------

_IP_ON = pytest.mark.parametrize("overrides", [dict(rate_limit_unauthenticated=True)])


@_IP_ON
async def test_requests_without_a_bearer_are_limited_to_120_per_minute_per_ip(world: World) -> None:
    responses = [await world.call(None) for _ in range(121)]
    assert [r.status_code for r in responses[:120]] == [200] * 120
    assert _limits(responses[0]) == ("120", "119", "60")
    assert responses[120].status_code == 429
    world.advance(60)
    assert (await world.call(None)).status_code == 200


@_IP_ON
async def test_the_ip_tracker_is_the_sha256_of_the_address(world: World) -> None:
    await world.call(None, **{"cf-connecting-ip": "198.51.100.4"})
    key = "ip_" + hashlib.sha256(b"198.51.100.4").hexdigest()
    assert any(key in str(k) for k in world.fake.model.ratelimits._counters)


@_IP_ON
async def test_token_requests_and_anonymous_bookings_count_against_the_ip(world: World) -> None:
    world.fake.update_settings(rate_limit_ip=3)
    token = await world.http.post("/v2/auth/oauth2/token", data={})
    assert token.status_code == 400
    assert _limits(token) == ("3", "2", "60")
    booking = await world.http.post("/v2/bookings", json={},
                                    headers={"cal-api-version": "2024-08-13"})
    assert booking.status_code == 400
    assert _limits(booking) == ("3", "1", "60")
    await world.call(None)
    refused = await world.http.post("/v2/auth/oauth2/token", data={})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "ThrottlerException"


@pytest.mark.parametrize("key", ["cal_live_0123456789abcdef", "cal_abc"])
async def test_an_unknown_api_key_is_refused_by_the_throttler_without_limit_headers(
        world: World, key: str) -> None:
    for path in (None, "/v2/me", "/v2/auth/oauth2/clients/x"):
        response = await world.call(key, path)
        assert response.status_code == 401
        assert response.json()["error"] == {
            "code": "UnauthorizedException", "message": "CustomThrottlerGuard - Invalid API Key",
            "details": {"message": "CustomThrottlerGuard - Invalid API Key",
                        "error": "Unauthorized", "statusCode": 401}}
        assert _limits(response) == (None, None, None)
    # A route Cal.com does not have runs no guard: the plain 404.
    assert (await world.call(key, "/v2/no-such-route")).status_code == 404
