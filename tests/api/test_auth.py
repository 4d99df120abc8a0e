"""Authentication on API v2: Cal.com's 401 and 403 messages, guard order per controller
(issue #24840), optional auth, stateless tokens, and the acting user."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.responses import Response

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.auth import (
    NO_AUTH_MESSAGE,
    NO_TEAM_OWNER_MESSAGE,
    NO_USER_MESSAGE,
    ONLY_CLIENT_ID_MESSAGE,
    ONLY_SECRET_MESSAGE,
    PERMISSIONS_NO_AUTH_MESSAGE,
    Presented,
    authenticate,
    authenticate_presented,
    bearer_of,
    permissions_guard,
)
from mock_calcom.api.endpoint import API_AUTH, OPTIONAL_AUTH, PERMISSIONS_THEN_API_AUTH, Endpoint, Guard
from mock_calcom.errors import ApiError, UnauthorizedError
from mock_calcom.model.clients import ClientStatus
from mock_calcom.model.tokens import Grant
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error, headers_for

#: Endpoints where ApiAuthGuard decides first: no credentials or a bad bearer is a 401.
AUTH_FIRST = ["/v2/me", "/v2/schedules", "/v2/schedules/default", "/v2/calendars",
              "/v2/calendars/google/check", "/v2/conferencing"]
#: Handlers with @Permissions under a class-level PermissionsGuard: 403 instead.
PERMISSIONS_FIRST = [("GET", "/v2/bookings"), ("POST", "/v2/bookings/x/confirm"),
                     ("POST", "/v2/bookings/x/decline"), ("POST", "/v2/bookings/x/mark-absent"),
                     ("POST", "/v2/event-types"), ("GET", "/v2/event-types/1001"),
                     ("PATCH", "/v2/event-types/1001"), ("DELETE", "/v2/event-types/1001")]
INVALID = "Invalid Access Token."


def _unauthorized(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401, response.text
    error = envelope_error(response)
    assert error == {"code": "UnauthorizedException", "message": message,
                     "details": {"message": message, "error": "Unauthorized", "statusCode": 401}}


@pytest.mark.parametrize("path", AUTH_FIRST)
async def test_no_credentials_is_401_no_authentication_method_provided(
        http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path, headers=headers_for(path))
    _unauthorized(response, NO_AUTH_MESSAGE)
    assert response.json()["path"] == path


@pytest.mark.parametrize(("method", "path"), PERMISSIONS_FIRST)
async def test_no_credentials_on_a_permissions_first_handler_is_permissions_guards_403(
        http: httpx.AsyncClient, method: str, path: str) -> None:
    response = await http.request(method, path, headers=headers_for(path))
    assert response.status_code == 403
    assert envelope_error(response)["message"] == PERMISSIONS_NO_AUTH_MESSAGE


@pytest.mark.parametrize(("method", "path"), PERMISSIONS_FIRST)
async def test_an_expired_token_on_a_permissions_first_handler_is_403_no_oauth_client(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory,
        method: str, path: str) -> None:
    token = mint(alice, ["BOOKING_READ"])
    fake.model.clock.advance(1800)
    response = await http.request(method, path, headers=headers_for(path, token))
    assert response.status_code == 403
    error = envelope_error(response)
    assert error["code"] == "ForbiddenException"
    assert error["message"] == f"PermissionsGuard - no oAuth client found for access token={token}"
    assert error["details"]["statusCode"] == 403


@pytest.mark.parametrize("path", AUTH_FIRST)
async def test_an_expired_token_where_api_auth_guard_runs_first_is_401(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str) -> None:
    token = mint(alice)
    fake.model.clock.advance(1800)
    _unauthorized(await http.get(path, headers=headers_for(path, token)), INVALID)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v2/event-types"), ("POST", "/v2/bookings"), ("GET", "/v2/bookings/x"),
    ("POST", "/v2/bookings/x/cancel"), ("POST", "/v2/bookings/x/reschedule")])
async def test_optional_auth_endpoints_still_refuse_a_bad_bearer_with_401(
        http: httpx.AsyncClient, method: str, path: str) -> None:
    response = await http.request(method, path, headers=headers_for(path, "not-a-jwt"), json={})
    _unauthorized(response, INVALID)


async def test_a_token_is_valid_exactly_until_its_exp_on_the_fake_clock(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice)
    fake.model.clock.advance(1799)
    assert (await http.get("/v2/me", headers=headers_for("/v2/me", token))).status_code == 200
    fake.model.clock.advance(1)
    assert (await http.get("/v2/me", headers=headers_for("/v2/me", token))).status_code == 401


async def test_access_tokens_keep_working_after_their_client_is_rejected(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User) -> None:
    client, _ = fake.model.clients.create(name="App", redirect_uris=["https://app.example/cb"],
                                          scopes=["PROFILE_READ"])
    grant = Grant(client.client_id, alice.id, None, ("PROFILE_READ",))
    token = fake.model.tokens.mint_pair(grant).access_token
    fake.model.clients.update(client.client_id, status=ClientStatus.REJECTED)
    response = await http.get("/v2/me", headers=headers_for("/v2/me", token))
    assert response.status_code == 200
    assert response.json()["data"]["id"] == alice.id


async def test_a_refresh_token_is_not_an_access_token(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User) -> None:
    pair = fake.model.tokens.mint_pair(Grant("c", alice.id, None, ()))
    _unauthorized(await http.get("/v2/me", headers=headers_for("/v2/me", pair.refresh_token)), INVALID)


async def test_a_token_signed_by_another_fake_is_invalid(http: httpx.AsyncClient, alice: User) -> None:
    other = MockCalcom(Settings(seed=1))
    stranger = other.model.create_user("alice")
    token = other.model.tokens.mint_pair(Grant("c", stranger.id, None, ())).access_token
    _unauthorized(await http.get("/v2/me", headers=headers_for("/v2/me", token)), INVALID)


async def test_the_invalid_bearer_message_is_a_setting(alice: User) -> None:
    fake = MockCalcom(Settings(seed=5, api_invalid_token_message="ApiAuthStrategy - Invalid Bearer token"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app),
                                 base_url="https://api.cal.com") as http:
        response = await http.get("/v2/me", headers={"Authorization": "Bearer nope"})
    _unauthorized(response, "ApiAuthStrategy - Invalid Bearer token")


@pytest.mark.parametrize(("headers", "message"), [
    ({"x-cal-client-id": "abc"}, ONLY_CLIENT_ID_MESSAGE),
    ({"x-cal-secret-key": "s"}, ONLY_SECRET_MESSAGE),
    ({"x-cal-client-id": "abc", "x-cal-secret-key": "s"},
     "ApiAuthStrategy - oAuth client - Client with ID abc not found"),
    # The throttler looks API keys up before any guard (FACTS §11.11).
    ({"Authorization": "Bearer cal_live_123"}, "CustomThrottlerGuard - Invalid API Key"),
    ({"Authorization": "Bearer "}, NO_AUTH_MESSAGE),
    ({"Authorization": "bearer lowercase-is-not-stripped"}, INVALID),
])
async def test_other_credentials_fail_like_unknown_ones(
        http: httpx.AsyncClient, headers: dict[str, str], message: str) -> None:
    _unauthorized(await http.get("/v2/me", headers=headers), message)


async def test_an_api_key_never_reaches_the_controller_guards(http: httpx.AsyncClient) -> None:
    """CustomThrottlerGuard is global and runs first: an unknown key is its 401, on the
    bookings controller too, where PermissionsGuard would otherwise speak first."""
    response = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", "cal_live_123"))
    _unauthorized(response, "CustomThrottlerGuard - Invalid API Key")


def test_api_auth_strategy_still_refuses_api_keys_when_asked_directly(fake: MockCalcom) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        authenticate(fake.model, {"authorization": "Bearer cal_live_123"})
    assert caught.value.message == "ApiAuthStrategy - api key - Your api key is not valid"


async def test_permissions_guard_names_an_unknown_platform_client_id(http: httpx.AsyncClient) -> None:
    headers = headers_for("/v2/bookings", **{"x-cal-client-id": "p1"})
    response = await http.get("/v2/bookings", headers=headers)
    assert response.status_code == 403
    assert envelope_error(response)["message"] == "PermissionsGuard - no oAuth client found for client id=p1"


async def test_a_team_token_without_a_team_owner_is_401(
        http: httpx.AsyncClient, mint: TokenFactory) -> None:
    token = mint(None, team_id=7)
    _unauthorized(await http.get("/v2/me", headers=headers_for("/v2/me", token)), NO_TEAM_OWNER_MESSAGE)


async def test_a_token_of_an_unknown_user_is_401(http: httpx.AsyncClient, fake: MockCalcom) -> None:
    token = fake.model.tokens.mint_pair(Grant("c", 999, None, ())).access_token
    _unauthorized(await http.get("/v2/me", headers=headers_for("/v2/me", token)), NO_USER_MESSAGE)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/v2/event-types?username=alice", None),
    ("POST", "/v2/bookings/{uid}/cancel", {"cancellationReason": "x"}),
    ("GET", "/v2/bookings/{uid}", None),
])
async def test_optional_auth_endpoints_work_without_a_token(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, method: str, path: str,
        body: object) -> None:
    uid = next(b.uid for b in fake.model.resources.bookings._by_uid.values()
               if b.host_id == alice.id and b.status.value == "accepted")
    url = path.format(uid=uid)
    response = await http.request(method, url, json=body, headers=headers_for(url))
    assert response.status_code == 200, response.text


async def test_the_token_user_is_the_acting_user(
        http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    for user in (alice, bob):
        response = await http.get("/v2/me", headers=headers_for("/v2/me", mint(user)))
        assert response.json()["data"]["username"] == user.username


async def test_another_users_resources_are_never_served(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    token = mint(alice)
    bob_event = fake.model.resources.event_types.of_user(bob.id)[0].id
    bob_booking = next(b.uid for b in fake.model.resources.bookings._by_uid.values()
                       if b.host_id == bob.id and b.status.value == "pending")

    got = await http.get(f"/v2/event-types/{bob_event}", headers=headers_for("/v2/event-types", token))
    assert got.status_code == 404
    assert envelope_error(got)["message"] == f"Event type with id {bob_event} not found"
    patched = await http.patch(f"/v2/event-types/{bob_event}", json={"title": "mine"},
                               headers=headers_for("/v2/event-types", token))
    assert patched.status_code == 403
    assert envelope_error(patched)["message"] == (
        f"User with ID={alice.id} does not own event type with ID={bob_event}")
    schedule = await http.get(f"/v2/schedules/{bob.default_schedule_id}",
                              headers=headers_for("/v2/schedules", token))
    assert schedule.status_code == 403
    assert envelope_error(schedule)["message"] == (
        f"User with ID={alice.id} does not own schedule with ID={bob.default_schedule_id}")
    confirmed = await http.post(f"/v2/bookings/{bob_booking}/confirm",
                                headers=headers_for("/v2/bookings", token))
    assert confirmed.status_code == 404
    listed = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", token))
    assert all(b["hosts"][0]["id"] == alice.id for b in listed.json()["data"])
    assert fake.model.resources.event_types.get(bob_event).title != "mine"  # type: ignore[union-attr]




# -- one verification per request --------------------------------------------------------------

def _outcome(action: Callable[[], object]) -> object:
    try:
        return action()
    except ApiError as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("extra", [
    {}, {"x-cal-client-id": "c"}, {"x-cal-secret-key": "s"},
    {"x-cal-client-id": "c", "x-cal-secret-key": "s"},
])
@pytest.mark.parametrize("bearer", ["valid", "expired", "garbage", "cal_key", "teamless", None, ""])
@pytest.mark.parametrize("chain", [PERMISSIONS_THEN_API_AUTH, API_AUTH, OPTIONAL_AUTH])
def test_guards_sharing_one_verification_decide_as_each_verifying_alone(
        fake: MockCalcom, alice: User, mint: TokenFactory, bearer: str | None, extra: dict[str, str],
        chain: tuple[Guard, ...]) -> None:
    expired = mint(alice)
    tokens = {"valid": mint(alice, ["BOOKING_READ"]), "expired": expired, "garbage": "x.y.z",
              "cal_key": "cal_123", "teamless": mint(None), None: None, "": ""}
    with fake.model.lock:
        fake.model.tokens.force_expire(expired)
    headers = dict(extra)
    if tokens[bearer] is not None:
        headers["authorization"] = f"Bearer {tokens[bearer]}"
    endpoint = Endpoint("GET", "/v2/x", "x", lambda call: Response(), None, chain)

    def shared() -> object:
        return endpoint._guard(fake.model, Presented(headers))

    def alone() -> object:  # each guard decoding the bearer itself, as Cal.com's do
        caller = None
        for guard in chain:
            if guard == "permissions":
                permissions_guard(fake.model, headers)
            else:
                caller = authenticate(fake.model, headers, optional=guard == "optional_auth")
        return caller

    assert _outcome(shared) == _outcome(alone)


async def test_a_bookings_listing_verifies_its_bearer_once_and_judges_expiry_each_time(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    token = mint(alice, ["BOOKING_READ"])
    tokens = fake.model.tokens
    verify = tokens.verify_access
    seen: list[str] = []

    def counting(presented: str) -> object:
        seen.append(presented)
        return verify(presented)

    monkeypatch.setattr(tokens, "verify_access", counting)
    response = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", token))
    assert response.status_code == 200, response.text
    assert seen == [token]
    with fake.model.lock:
        fake.model.clock.advance(fake.settings.access_token_ttl + 1)
    expired = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", token))
    assert expired.status_code == 403, expired.text
    assert seen == [token, token]


@pytest.mark.parametrize("extra", [
    {}, {"x-cal-client-id": "c"}, {"x-cal-secret-key": "s"},
    {"x-cal-client-id": "c", "x-cal-secret-key": "s"}, {"x-cal-client-id": "", "x-cal-secret-key": "s"},
])
@pytest.mark.parametrize("bearer", ["valid", "expired", "garbage", "cal_key", "teamless", "team", "unknown",
                                    None, ""])
@pytest.mark.parametrize("chain", [PERMISSIONS_THEN_API_AUTH, API_AUTH, OPTIONAL_AUTH])
def test_an_endpoints_chain_decides_as_its_guards_one_after_another(
        fake: MockCalcom, alice: User, mint: TokenFactory, bearer: str | None, extra: dict[str, str],
        chain: tuple[Guard, ...]) -> None:
    # The chain an endpoint runs (one function for PermissionsGuard + ApiAuthGuard) against
    # the general loop over its guards, for every kind of bearer and platform header.
    expired = mint(alice)
    with fake.model.lock:
        unknown = fake.model.tokens.mint_pair(Grant("c", 999, None, ())).access_token
    tokens = {"valid": mint(alice, ["BOOKING_READ"]), "expired": expired, "garbage": "x.y.z",
              "cal_key": "cal_123", "teamless": mint(None), "team": mint(None, team_id=7),
              "unknown": unknown, None: None, "": ""}
    with fake.model.lock:
        fake.model.tokens.force_expire(expired)
    headers = dict(extra)
    if tokens[bearer] is not None:
        headers["authorization"] = f"Bearer {tokens[bearer]}"
    endpoint = Endpoint("GET", "/v2/x", "x", lambda call: Response(), None, chain)
    general = _outcome(lambda: endpoint._guard(fake.model, Presented(headers)))
    assert _outcome(lambda: endpoint._chain(fake.model, Presented(headers))) == general


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer ", "Bearer x", "bearer x", "Bearer Bearer x", "xBearer y", "Bearer", " Bearer x",
    "Basic abc", "Bearer  x", "Bearer Bearer ",
])
def test_the_presented_bearer_is_bearer_of_the_authorization_header(authorization: str | None) -> None:
    headers = {} if authorization is None else {"authorization": authorization}
    assert Presented(headers).token == bearer_of(authorization)


@pytest.mark.parametrize("extra", [
    {}, {"x-cal-client-id": "c"}, {"x-cal-secret-key": "s"},
    {"x-cal-client-id": "c", "x-cal-secret-key": "s"}, {"x-cal-client-id": "", "x-cal-secret-key": "s"},
])
@pytest.mark.parametrize("authorization", [
    "Bearer {valid}", "Bearer {expired}", "Bearer x.y.z", "Bearer cal_123", "Bearer {teamless}",
    "Bearer {team}", "Bearer {unknown}", None, "", "Bearer ", "bearer {valid}", "{valid}",
    "Bearer cal_", "Bearer Bearer {valid}", "Bearer  {valid}", "cal_1"])
@pytest.mark.parametrize("optional", [False, True])
def test_api_auth_guard_decides_as_it_does_on_presented_credentials(
        fake: MockCalcom, alice: User, mint: TokenFactory, authorization: str | None,
        extra: dict[str, str], optional: bool) -> None:
    # authenticate's own path for the usual bearer against authenticate_presented (the
    # general path), for every kind of bearer, spelling and platform header.
    expired = mint(alice)
    with fake.model.lock:
        unknown = fake.model.tokens.mint_pair(Grant("c", 999, None, ())).access_token
        fake.model.tokens.force_expire(expired)
    tokens = {"valid": mint(alice, ["BOOKING_READ"]), "expired": expired, "teamless": mint(None),
              "team": mint(None, team_id=7), "unknown": unknown}
    headers = dict(extra)
    if authorization is not None:
        headers["authorization"] = authorization.format(**tokens)
    general = _outcome(lambda: authenticate_presented(fake.model, Presented(headers),
                                                      optional=optional))
    assert _outcome(lambda: authenticate(fake.model, headers, optional=optional)) == general
