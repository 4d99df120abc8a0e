"""Scope enforcement on API v2: every mapped endpoint with and without its scope, legacy
tokens, endpoints closed to third-party tokens, and the rules of the check itself."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.api import scopes
from mock_calcom.api.dispatch import _Versioned
from mock_calcom.api.endpoint import Endpoint, _EndpointApp
from mock_calcom.api.routes import ENDPOINTS, REFUSING_ENDPOINTS, routes
from mock_calcom.api.scopes import (
    ENDPOINT_SCOPES,
    NOT_AVAILABLE,
    NOT_AVAILABLE_MESSAGE,
    PUBLIC,
    check_scopes,
    missing_scopes,
)
from mock_calcom.errors import ForbiddenError
from mock_calcom.model.scopes import KNOWN_SCOPES, USER_SCOPES
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error
from tests.api.scenarios import SCENARIOS, Ctx

SCOPED = [e for e in ENDPOINTS if isinstance(e.scopes, tuple) and e.scopes]
PUBLIC_ENDPOINTS = [e for e in ENDPOINTS if e.scopes == PUBLIC]
CLOSED = [e for e in ENDPOINTS if e.scopes is NOT_AVAILABLE]


def _other_scope(required: tuple[str, ...]) -> str:
    """A real user scope that does not satisfy ``required`` (the READ/WRITE twin when there is
    one: WRITE must not stand in for READ, nor READ for WRITE)."""
    scope = required[0]
    twin = scope.replace("_READ", "_WRITE") if scope.endswith("_READ") else scope.replace("_WRITE", "_READ")
    return twin if twin not in required else "PROFILE_READ"


def test_the_scope_map_covers_exactly_the_served_endpoints() -> None:
    served = {(e.method, e.path) for e in (*ENDPOINTS, *REFUSING_ENDPOINTS)}
    # Legacy handlers carry no @OAuthPermissions at all (tests/api/test_legacy_auth.py).
    current = {(e.method, e.path) for e in ENDPOINTS if not e.legacy}
    assert current <= set(ENDPOINT_SCOPES) <= served

@pytest.mark.parametrize("endpoint", SCOPED, ids=lambda e: e.operation_id)
async def test_a_token_with_the_required_scope_is_let_through(
        endpoint: Endpoint, fake: MockCalcom, http: httpx.AsyncClient, alice: User,
        mint: TokenFactory) -> None:
    assert isinstance(endpoint.scopes, tuple)
    status, scenario = SCENARIOS[endpoint.operation_id]
    response = await scenario(Ctx(fake, http, alice, mint(alice, endpoint.scopes)))
    assert response.status_code == status, response.text


@pytest.mark.parametrize("endpoint", SCOPED, ids=lambda e: e.operation_id)
async def test_a_token_without_the_required_scope_gets_403_insufficient_scope(
        endpoint: Endpoint, fake: MockCalcom, http: httpx.AsyncClient, alice: User,
        mint: TokenFactory) -> None:
    assert isinstance(endpoint.scopes, tuple)
    held = _other_scope(endpoint.scopes)
    _, scenario = SCENARIOS[endpoint.operation_id]
    response = await scenario(Ctx(fake, http, alice, mint(alice, [held])))
    assert response.status_code == 403
    error = envelope_error(response)
    assert error["code"] == "ForbiddenException"
    assert error["message"] == (
        "insufficient_scope: token does not have the required scopes. "
        f"Required: {', '.join(endpoint.scopes)}. Token has: {held}")
    assert error["details"] == {"message": error["message"], "error": "Forbidden", "statusCode": 403}


@pytest.mark.parametrize("endpoint", PUBLIC_ENDPOINTS, ids=lambda e: e.operation_id)
async def test_public_booking_endpoints_need_no_scope(
        endpoint: Endpoint, fake: MockCalcom, http: httpx.AsyncClient, alice: User,
        mint: TokenFactory) -> None:
    status, scenario = SCENARIOS[endpoint.operation_id]
    response = await scenario(Ctx(fake, http, alice, mint(alice, ["SCHEDULE_READ"])))
    assert response.status_code == status, response.text


@pytest.mark.parametrize("endpoint", CLOSED, ids=lambda e: e.operation_id)
async def test_endpoints_without_a_scope_mapping_refuse_scoped_tokens(
        endpoint: Endpoint, fake: MockCalcom, http: httpx.AsyncClient, alice: User,
        mint: TokenFactory) -> None:
    _, scenario = SCENARIOS[endpoint.operation_id]
    response = await scenario(Ctx(fake, http, alice, mint(alice, USER_SCOPES)))
    assert response.status_code == 403
    assert envelope_error(response)["message"] == NOT_AVAILABLE_MESSAGE


@pytest.mark.parametrize("scopes", [(), ("READ_BOOKING",), ("READ_PROFILE", "READ_BOOKING"),
                                    ("WEBHOOK_READ", "READ_PROFILE")],
                         ids=["no-scopes", "read-booking", "both-legacy", "unmapped-only"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.operation_id)
async def test_legacy_tokens_bypass_every_scope_check(
        endpoint: Endpoint, scopes: tuple[str, ...], fake: MockCalcom, http: httpx.AsyncClient,
        alice: User, mint: TokenFactory) -> None:
    status, scenario = SCENARIOS[endpoint.operation_id]
    response = await scenario(Ctx(fake, http, alice, mint(alice, scopes)))
    assert response.status_code == status, response.text


async def test_get_booking_by_uid_is_closed_to_scoped_tokens_by_default(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    """Undecorated and absent from the docs' scope-free list: the guard's 403 (FACTS §11.9)."""
    status, scenario = SCENARIOS["BookingsController_2024_08_13_getBooking"]
    closed = await scenario(Ctx(fake, http, alice, mint(alice, ["BOOKING_READ"])))
    assert closed.status_code == 403
    assert envelope_error(closed) == {
        "code": "ForbiddenException", "message": NOT_AVAILABLE_MESSAGE,
        "details": {"message": NOT_AVAILABLE_MESSAGE, "error": "Forbidden", "statusCode": 403}}
    fake.update_settings(booking_get_open_to_scoped_tokens=True)
    opened = await scenario(Ctx(fake, http, alice, mint(alice, ["BOOKING_READ"])))
    assert opened.status_code == status, opened.text


async def test_a_token_with_only_unmapped_scopes_skips_the_check(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    """SCOPE_TO_PERMISSION has no WEBHOOK_READ: no mapped scope, no check (FACTS §11.8)."""
    token = mint(alice, ["WEBHOOK_READ"])
    response = await http.get("/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    token = mint(alice, ["WEBHOOK_READ", "BOOKING_READ"])
    response = await http.get("/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. "
        "Required: PROFILE_READ. Token has: WEBHOOK_READ, BOOKING_READ")


async def test_write_scope_does_not_imply_read(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_WRITE"])
    response = await http.get("/v2/bookings", headers={"Authorization": f"Bearer {token}",
                                                      "cal-api-version": "2024-08-13"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. "
        "Required: BOOKING_READ. Token has: BOOKING_WRITE")


async def test_the_403_lists_every_scope_the_token_has_joined_by_comma_space(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ", "SCHEDULE_WRITE", "APPS_READ"])
    response = await http.get("/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. "
        "Required: PROFILE_READ. Token has: BOOKING_READ, SCHEDULE_WRITE, APPS_READ")


def test_org_scope_satisfies_team_scope_but_not_the_reverse() -> None:
    assert missing_scopes(["ORG_PROFILE_READ"], ["TEAM_PROFILE_READ"]) == []
    assert missing_scopes(["TEAM_PROFILE_READ"], ["ORG_PROFILE_READ"]) == ["ORG_PROFILE_READ"]
    assert missing_scopes(["ORG_PROFILE_READ"], ["PROFILE_READ"]) == ["PROFILE_READ"]


def test_only_the_missing_scopes_are_named_as_required() -> None:
    with pytest.raises(ForbiddenError) as caught:
        check_scopes(["BOOKING_READ"], ("BOOKING_READ", "SCHEDULE_READ", "PROFILE_READ"))
    assert caught.value.message == (
        "insufficient_scope: token does not have the required scopes. "
        "Required: SCHEDULE_READ, PROFILE_READ. Token has: BOOKING_READ")


def test_a_token_mixing_legacy_and_new_scopes_is_enforced() -> None:
    with pytest.raises(ForbiddenError):
        check_scopes(["READ_PROFILE", "BOOKING_READ"], ("PROFILE_READ",))
    check_scopes(["READ_PROFILE", "READ_BOOKING"], NOT_AVAILABLE)


@settings(max_examples=40)
@given(st.lists(st.sampled_from(sorted(KNOWN_SCOPES)), max_size=6),
       st.sampled_from(sorted(scopes.ENDPOINT_SCOPES)))
def test_the_remembered_scope_verdict_is_the_computed_one_for_every_token(
        held: list[str], endpoint: tuple[str, str]) -> None:
    required = scopes.ENDPOINT_SCOPES[endpoint]
    expected = scopes.refusal.__wrapped__(tuple(held), required)
    for _ in range(2):  # computed, then remembered
        if expected is None:
            scopes.check_scopes(held, required)
        else:
            with pytest.raises(ForbiddenError) as refused:
                scopes.check_scopes(held, required)
            assert refused.value.message == expected


def _all_endpoints() -> list[Endpoint]:
    found: list[Endpoint] = []
    for route in routes:
        app = getattr(route, "endpoint", None)
        if isinstance(app, _Versioned):
            found += app.group
        elif isinstance(app, _EndpointApp):
            found.append(app.endpoint)
    return found


@pytest.mark.parametrize("opened", [False, True])
def test_each_endpoints_remembered_requirement_is_the_maps_under_the_settings(opened: bool) -> None:
    config = Settings(booking_get_open_to_scoped_tokens=opened)
    endpoints = _all_endpoints()
    assert len(endpoints) > 50
    for endpoint in endpoints:
        assert endpoint._requirement(config) == scopes.requirement_under(
            config, endpoint.method, endpoint.path), endpoint.operation_id
    uid_read = next(e for e in endpoints if (e.method, e.path, e.legacy) == ("GET", scopes._B, False))
    assert (uid_read._requirement(config) == scopes.PUBLIC) is opened
