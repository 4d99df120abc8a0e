"""Fault injection over HTTP, in-process and over a real socket; token revoke/expire controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom import middleware as edge
from mock_calcom.faults import MAX_LATENCY, FaultRegistry, build_spec
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.tokens import Grant, TokenPair
from mock_calcom.transports import AsyncCalcomTransport, SyncCalcomTransport
from tests.conftest import Served

REDIRECT = "https://app.example.com/callback"
TOKEN_PATH = "/v2/auth/oauth2/token"


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=5)


class World:
    """A fake with a user and two confidential clients, and an httpx client on it."""

    def __init__(self, fake: MockCalcom, http: httpx.AsyncClient, mode: str) -> None:
        self.fake = fake
        self.http = http
        self.mode = mode
        model = fake.model
        with model.lock:
            self.user = model.create_user("alice")
            self.client, secret = model.clients.create(
                name="Acme", redirect_uris=[REDIRECT], scopes=["PROFILE_READ"],
                owner_user_id=self.user.id)
            self.other, other_secret = model.clients.create(
                name="Other", redirect_uris=[REDIRECT], scopes=["PROFILE_READ"],
                owner_user_id=self.user.id)
        assert secret is not None
        assert other_secret is not None
        self.secret, self.other_secret = secret, other_secret

    def pair(self, client_id: str | None = None) -> TokenPair:
        """A legacy token pair (no scopes: the scope guard lets it through everywhere)."""
        with self.fake.model.lock:
            return self.fake.model.tokens.mint_pair(
                Grant(client_id or self.client.client_id, self.user.id, None, ()))

    async def lookup(self, token: str | None = None, client_id: str | None = None,
                     method: str = "GET") -> httpx.Response:
        """The client-info route: answers 200 (or 405 for other methods) to a live token.
        Without one, a token of the looked-up client itself is sent (the lookup needs
        authentication), so a fault keyed on that client matches either way."""
        if token is None:
            token = self.pair(client_id).access_token
        headers = {"Authorization": f"Bearer {token}"}
        return await self.http.request(
            method, f"/v2/auth/oauth2/clients/{client_id or self.client.client_id}",
            headers=headers)

    async def refresh(self, refresh_token: str, *, as_json: bool = False) -> httpx.Response:
        fields = {"grant_type": "refresh_token", "client_id": self.client.client_id,
                  "client_secret": self.secret, "refresh_token": refresh_token}
        if as_json:
            return await self.http.post(TOKEN_PATH, json=fields)
        return await self.http.post(TOKEN_PATH, data=fields)


@pytest.fixture
def world(served: Served) -> World:
    return World(*served)


# -- respond -------------------------------------------------------------------------------

async def test_a_fault_answers_with_its_status_json_body_and_headers(world: World) -> None:
    world.fake.add_fault("/v2/auth/oauth2/clients/*", status=503, body={"message": "down"},
                         headers={"X-Fault": "yes"})
    response = await world.lookup()
    assert response.status_code == 503
    assert response.json() == {"message": "down"}
    assert response.headers["x-fault"] == "yes"
    assert response.headers["content-type"] == "application/json"


async def test_a_text_fault_is_sent_as_plain_text(world: World) -> None:
    world.fake.add_fault("/v2/*", status=502, text="<html>Bad gateway</html>",
                         headers={"Content-Type": "text/html"})
    response = await world.lookup()
    assert response.status_code == 502
    assert response.text == "<html>Bad gateway</html>"
    assert response.headers["content-type"] == "text/html"


async def test_a_faulted_request_never_reaches_the_fake(world: World) -> None:
    pair = world.pair()
    world.fake.add_fault(TOKEN_PATH, status=500, body={"error": "server_error"})
    assert (await world.refresh(pair.refresh_token)).status_code == 500
    world.fake.clear_faults()
    # The refresh token did not rotate: the fake never saw the first attempt.
    assert (await world.refresh(pair.refresh_token)).status_code == 200


async def test_a_faulted_request_is_not_counted_by_the_throttler(world: World) -> None:
    token = world.pair().access_token
    world.fake.set_rate_limit(token, 1)
    world.fake.add_fault("/v2/*", status=503, times=2)
    assert [(await world.lookup(token)).status_code for _ in range(2)] == [503, 503]
    assert (await world.lookup(token)).status_code == 200


# -- how often -----------------------------------------------------------------------------

async def test_a_once_fault_fires_once_then_requests_pass(world: World) -> None:
    fault = world.fake.add_fault("/v2/*", status=503, times=1)
    assert [(await world.lookup()).status_code for _ in range(3)] == [503, 200, 200]
    (listed,) = world.fake.faults
    assert listed.id == fault.id
    assert (listed.hits, listed.remaining, listed.exhausted) == (1, 0, True)


async def test_a_fault_fires_n_times(world: World) -> None:
    world.fake.add_fault("/v2/*", status=500, times=3)
    statuses = [(await world.lookup()).status_code for _ in range(5)]
    assert statuses == [500, 500, 500, 200, 200]


async def test_an_unlimited_fault_fires_until_removed(world: World) -> None:
    fault = world.fake.add_fault("/v2/*", status=500)
    assert [(await world.lookup()).status_code for _ in range(4)] == [500] * 4
    assert world.fake.faults[0].remaining is None
    removed = world.fake.remove_fault(fault.id)
    assert removed.hits == 4
    assert (await world.lookup()).status_code == 200


async def _pattern(fake: MockCalcom, http: httpx.AsyncClient, client_id: str, n: int) -> list[int]:
    fake.add_fault("/v2/*", status=503, probability=0.5)
    return [(await http.get(f"/v2/auth/oauth2/clients/{client_id}")).status_code
            for _ in range(n)]


async def test_probability_draws_are_seeded_so_a_flaky_run_replays(world: World) -> None:
    first = await _pattern(world.fake, world.http, world.client.client_id, 40)
    assert 0 < first.count(503) < 40
    fault = world.fake.faults[0]
    assert (fault.matched, fault.hits) == (40, first.count(503))
    # The same seed and the same fault ids: the same draws, request for request.
    again = MockCalcom(Settings(seed=5))
    with again.model.lock:
        user = again.model.create_user("alice")
        client, _ = again.model.clients.create(name="Acme", redirect_uris=[REDIRECT],
                                               owner_user_id=user.id)
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(again.app),
                                 base_url="https://api.cal.com") as http:
        assert await _pattern(again, http, client.client_id, 40) == first


# -- matching ------------------------------------------------------------------------------

async def test_a_fault_matches_only_its_methods(world: World) -> None:
    world.fake.add_fault("/v2/*", method=["POST", "PATCH"], status=503)
    assert (await world.lookup()).status_code == 200
    assert (await world.lookup(method="POST")).status_code == 503


async def test_a_regex_must_match_the_whole_path(world: World) -> None:
    world.fake.add_fault(path_regex=r"/v2/auth/oauth2/clients/[0-9a-f]{64}", status=503)
    assert (await world.lookup()).status_code == 503
    assert (await world.lookup(client_id="short")).status_code == 404
    world.fake.clear_faults()
    world.fake.add_fault(path_regex=r"/v2/auth", status=503)  # a prefix is not enough
    assert (await world.lookup()).status_code == 200


async def test_a_glob_star_crosses_slashes_and_ignores_the_query(world: World) -> None:
    world.fake.add_fault("/v2/auth*", status=503)
    response = await world.http.get(f"/v2/auth/oauth2/clients/{world.client.client_id}?x=1")
    assert response.status_code == 503


async def test_a_token_fault_leaves_other_tokens_alone(world: World) -> None:
    mine, theirs = world.pair().access_token, world.pair(world.other.client_id).access_token
    world.fake.add_fault("*", token=mine, status=401, body={"message": "Unauthorized"})
    assert (await world.lookup(mine)).status_code == 401
    assert (await world.lookup(theirs)).status_code == 200
    world.fake.model.clock.advance(1)  # a new iat: a token of the same grant that is not ``mine``
    assert (await world.lookup()).status_code == 200


async def test_a_client_fault_matches_by_the_bearer_tokens_claims(world: World) -> None:
    world.fake.add_fault("*", client_id=world.client.client_id, status=503)
    mine, theirs = world.pair().access_token, world.pair(world.other.client_id).access_token
    assert (await world.lookup(mine)).status_code == 503
    assert (await world.lookup(theirs, client_id=world.other.client_id)).status_code == 200


@pytest.mark.parametrize("as_json", [False, True])
async def test_a_client_fault_matches_by_the_token_requests_client_id(
        world: World, as_json: bool) -> None:
    world.fake.add_fault(TOKEN_PATH, client_id=world.other.client_id, status=503)
    faulted = await world.http.post(TOKEN_PATH, data={"grant_type": "refresh_token",
                                                      "client_id": world.other.client_id})
    assert faulted.status_code == 503
    # Another client's request passes, and its body (read to find the client) still arrives.
    passed = await world.refresh(world.pair().refresh_token, as_json=as_json)
    assert passed.status_code == 200
    assert passed.json()["token_type"] == "bearer"


async def test_a_body_read_in_chunks_is_matched_whole_and_replayed_whole(world: World) -> None:
    world.fake.add_fault(TOKEN_PATH, client_id=world.other.client_id, status=503)

    def chunked(client_id: str, secret: str, refresh_token: str) -> Any:
        body = urlencode({"grant_type": "refresh_token", "client_id": client_id,
                          "client_secret": secret, "refresh_token": refresh_token}).encode()

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 50):
                yield body[start:start + 50]

        return chunks()

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    other_pair = world.pair(world.other.client_id)
    faulted = await world.http.post(TOKEN_PATH, headers=form, content=chunked(
        world.other.client_id, world.other_secret, other_pair.refresh_token))
    assert faulted.status_code == 503
    passed = await world.http.post(TOKEN_PATH, headers=form, content=chunked(
        world.client.client_id, world.secret, world.pair().refresh_token))
    assert passed.status_code == 200


async def test_a_client_fault_matches_the_client_lookup_path(world: World) -> None:
    world.fake.add_fault("*", client_id=world.other.client_id, status=503)
    assert (await world.lookup(client_id=world.other.client_id)).status_code == 503
    assert (await world.lookup()).status_code == 200


async def test_the_control_plane_is_never_faulted(world: World) -> None:
    world.fake.add_fault("*", status=500)
    world.fake.add_fault(path_regex=".*", drop="before")
    response = await world.http.get("/_mock/faults")
    assert response.status_code == 200
    assert len(response.json()["faults"]) == 2
    assert (await world.http.delete("/_mock/faults")).json() == {"removed": 2}


# -- drops ---------------------------------------------------------------------------------

async def test_a_drop_before_hangs_up_and_the_fake_never_sees_the_request(world: World) -> None:
    pair = world.pair()
    world.fake.add_fault(TOKEN_PATH, drop="before", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await world.refresh(pair.refresh_token)
    assert (await world.refresh(pair.refresh_token)).status_code == 200


async def test_a_drop_after_loses_the_answer_of_work_that_was_done(world: World) -> None:
    """The refresh rotated server-side but the client never got the new tokens: retrying
    with the old refresh token is ``refresh_token_revoked`` (the Zapier reconnect story)."""
    pair = world.pair()
    world.fake.add_fault(TOKEN_PATH, drop="after", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await world.refresh(pair.refresh_token)
    retry = await world.refresh(pair.refresh_token)
    assert retry.status_code == 400
    assert retry.json() == {"error": "invalid_grant", "error_description": "refresh_token_revoked"}


def test_the_sync_transport_also_sees_a_dropped_connection() -> None:
    fake = MockCalcom(Settings(seed=5))
    fake.add_fault("/v2/*", drop="before")
    transport = SyncCalcomTransport(fake.app)
    try:
        with httpx.Client(transport=transport, base_url="https://api.cal.com") as http, \
                pytest.raises(httpx.RemoteProtocolError):
            http.get("/v2/auth/oauth2/clients/x")
    finally:
        transport.close()


# -- delays --------------------------------------------------------------------------------

async def test_a_latency_fault_waits_then_lets_the_request_through(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = edge._sleep

    async def watched(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr(edge, "_sleep", watched)
    world.fake.add_fault("/v2/*", latency=0.05, times=1)
    response = await world.lookup()
    assert response.status_code == 200
    assert response.json()["data"]["client_id"] == world.client.client_id
    if world.mode == "in_process":  # the live server's loop is another thread's: same module
        assert slept == [0.05]
    assert world.fake.faults[0].hits == 1


async def test_a_latency_fault_can_also_answer(world: World) -> None:
    world.fake.add_fault("/v2/*", latency=0.01, status=504, text="Gateway Timeout")
    response = await world.lookup()
    assert (response.status_code, response.text) == (504, "Gateway Timeout")


async def test_a_clock_fault_moves_the_fake_clock_before_the_request_runs(world: World) -> None:
    pair = world.pair()
    before = world.fake.model.clock.now()
    world.fake.add_fault(TOKEN_PATH, advance_clock=31 * 24 * 3600, times=1)
    # 31 days pass "in flight": the 30-day refresh token is dead on arrival.
    response = await world.refresh(pair.refresh_token)
    assert world.fake.model.clock.now() == before + 31 * 24 * 3600
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# -- the control plane ---------------------------------------------------------------------

async def test_faults_are_managed_over_the_control_plane(world: World) -> None:
    created = await world.http.post("/_mock/faults", json={
        "method": "GET", "path": "/v2/auth/*", "status": 503, "body": {"x": 1}, "times": 2})
    assert created.status_code == 201
    fault = created.json()
    assert fault["id"]
    assert (fault["hits"], fault["remaining"], fault["status"]) == (0, 2, 503)
    assert (await world.lookup()).status_code == 503
    one = (await world.http.get(f"/_mock/faults/{fault['id']}")).json()
    assert (one["hits"], one["matched"], one["remaining"]) == (1, 1, 1)
    listed = (await world.http.get("/_mock/faults")).json()["faults"]
    assert [f["id"] for f in listed] == [fault["id"]]
    removed = await world.http.delete(f"/_mock/faults/{fault['id']}")
    assert removed.status_code == 200
    assert removed.json()["hits"] == 1
    assert (await world.http.get(f"/_mock/faults/{fault['id']}")).status_code == 404
    assert (await world.http.delete(f"/_mock/faults/{fault['id']}")).status_code == 404
    assert (await world.lookup()).status_code == 200


@pytest.mark.parametrize("body", [
    {"path": "/v2/*"},                                      # no action
    {"status": 503, "drop": "before"},                      # two actions
    {"status": 99},
    {"status": "503"},
    {"status": 200, "body": {}, "text": "x"},
    {"body": {"x": 1}},                                     # a body without a status
    {"drop": "sideways"},
    {"latency": MAX_LATENCY + 1},
    {"latency": -1},
    {"advance_clock": -5},
    {"status": 503, "times": 0},
    {"status": 503, "probability": 0},
    {"status": 503, "probability": 1.5},
    {"status": 503, "method": "FETCH"},
    {"status": 503, "path": "/v2/*", "path_regex": "/v2/.*"},
    {"status": 503, "path_regex": "("},
    {"status": 503, "headers": {"X-A": 1}},
    {"status": 503, "probabilty": 0.5},                     # misspelt: refused, not ignored
    [1, 2],
])
async def test_nonsense_faults_are_refused(world: World, body: Any) -> None:
    response = await world.http.post("/_mock/faults", json=body)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)
    assert world.fake.faults == []


# -- token controls --------------------------------------------------------------------------

async def test_revoking_kills_every_refresh_token_of_the_client_and_user(world: World) -> None:
    first, second = world.pair(), world.pair()
    response = await world.http.post("/_mock/tokens/revoke", json={
        "client_id": world.client.client_id, "user_id": world.user.id})
    assert response.json() == {"revoked": 2}
    for pair in (first, second):
        refused = await world.refresh(pair.refresh_token)
        assert refused.json()["error_description"] == "refresh_token_revoked"
    # Access tokens are stateless JWTs: they live on.
    assert world.fake.model.tokens.verify_access(first.access_token)


def test_revoking_from_python_counts_rows_and_refuses_unknown_clients() -> None:
    fake = MockCalcom(Settings(seed=5))
    with fake.model.lock:
        user = fake.model.create_user("bob")
        client, _ = fake.model.clients.create(name="C", redirect_uris=[REDIRECT])
        fake.model.tokens.mint_pair(Grant(client.client_id, user.id, None, ()))
    assert fake.revoke_refresh_tokens(client.client_id, user.id) == 1
    assert fake.revoke_refresh_tokens(client.client_id, user.id) == 0
    from mock_calcom.errors import UnknownObjectError
    with pytest.raises(UnknownObjectError):
        fake.revoke_refresh_tokens("nope", user.id)


async def test_expiring_a_token_makes_it_answer_as_expired(world: World) -> None:
    pair = world.pair()
    response = await world.http.post("/_mock/tokens/expire", json={"token": pair.refresh_token})
    assert response.json() == {"expired": True}
    refused = await world.refresh(pair.refresh_token)
    assert refused.json() == {"error": "invalid_grant", "error_description": "invalid_refresh_token"}
    # Expiring it again is harmless; a token the fake never minted is refused.
    assert (await world.http.post("/_mock/tokens/expire",
                                  json={"token": pair.refresh_token})).status_code == 200
    assert (await world.http.post("/_mock/tokens/expire",
                                  json={"token": "garbage"})).status_code == 400


@pytest.mark.parametrize(("path", "body"), [
    ("/_mock/tokens/revoke", {"user_id": 1}),
    ("/_mock/tokens/revoke", {"client_id": "x"}),
    ("/_mock/tokens/revoke", {"client_id": "x", "user_id": 1, "team_id": 2}),
    ("/_mock/tokens/revoke", {"client_id": "x", "user_id": "1"}),
    ("/_mock/tokens/expire", {}),
    ("/_mock/tokens/expire", {"token": 5}),
    ("/_mock/tokens/expire", {"token": "t", "extra": True}),
])
async def test_nonsense_token_controls_are_refused(world: World, path: str,
                                                   body: dict[str, Any]) -> None:
    response = await world.http.post(path, json=body)
    assert response.status_code == 400


async def test_the_journal_names_the_fault_that_shaped_an_answer(world: World) -> None:
    journal = getattr(world.fake, "journal", None)
    if journal is None:
        pytest.skip("the fake has no journal yet")
    fault = world.fake.add_fault("/v2/*", status=503, times=1)
    dropped = world.fake.add_fault(TOKEN_PATH, drop="before", times=1)
    await world.lookup()
    await world.lookup()
    with pytest.raises(httpx.RemoteProtocolError):
        await world.refresh(world.pair().refresh_token)
    faulted, normal, hung_up = journal.entries()[-3:]
    assert (faulted.fault, faulted.status) == (fault.id, 503)
    assert (normal.fault, normal.status) == (None, 200)
    assert (hung_up.fault, hung_up.status) == (dropped.id, None)


# -- the registry as a model ------------------------------------------------------------------

def _registry() -> FaultRegistry:
    return FaultRegistry(Randomness(1).fork("faults"))


def test_the_first_registered_matching_fault_fires() -> None:
    registry = _registry()
    first = registry.add(build_spec(path="/v2/*", status=500))
    registry.add(build_spec(path="/v2/me", status=503))
    firing = registry.select("GET", "/v2/me", None)
    assert firing is not None
    assert firing.fault_id == first.id
    assert [f.hits for f in registry.list()] == [1, 0]


def test_a_fault_that_loses_its_draw_lets_the_next_one_try() -> None:
    registry = _registry()
    flaky = registry.add(build_spec(path="*", status=500, probability=0.01))
    steady = registry.add(build_spec(path="*", status=503))
    fired = [registry.select("GET", "/v2/me", None) for _ in range(20)]
    ids = [f.fault_id for f in fired if f is not None]
    assert len(ids) == 20
    assert ids.count(steady.id) >= 15
    assert registry.get(flaky.id).matched == 20


def test_an_exhausted_fault_no_longer_counts_matches() -> None:
    registry = _registry()
    once = registry.add(build_spec(path="*", status=500, times=1))
    assert registry.select("GET", "/x", None) is not None
    assert registry.select("GET", "/x", None) is None
    assert (registry.get(once.id).matched, registry.get(once.id).hits) == (1, 1)


def test_reset_forgets_faults_and_rate_limit_counts() -> None:
    fake = MockCalcom(Settings(seed=5))
    fake.add_fault("*", status=500)
    fake.set_rate_limit("tok", 1)
    fake.reset()
    assert fake.faults == []
    assert fake.model.ratelimits.overrides() == {}
