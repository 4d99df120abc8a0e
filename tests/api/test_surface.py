"""The coverage table (mock_calcom/api/surface.py) against Cal.com's published document and the
fake's routes, and the auth answer of every operation that never serves an OAuth token.

The document comes from ``$CALCOM_OPENAPI`` (``.ci/run`` sets it); the tests that need it skip,
saying so, when it is unset.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.api import platform
from mock_calcom.api.auth import NO_AUTH_MESSAGE, PERMISSIONS_NO_AUTH_MESSAGE
from mock_calcom.api.endpoint import Endpoint
from mock_calcom.api.routes import ENDPOINTS, REFUSING_ENDPOINTS
from mock_calcom.api.scopes import NOT_AVAILABLE, NOT_AVAILABLE_MESSAGE
from mock_calcom.api.surface import EXTRA, OAUTH_PACKAGE, SURFACE, Serving
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error
from tests.api.openapi_schema import ENV

_METHODS = ("get", "post", "put", "patch", "delete")


def _document_operations() -> set[tuple[str, str]]:
    location = os.environ.get(ENV)
    if not location:
        pytest.skip(f"{ENV} is not set: no Cal.com OpenAPI document to compare the table with")
    document = json.loads(Path(location).read_text(encoding="utf-8"))
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in _METHODS}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_operation_of_the_published_document_has_a_row() -> None:
    missing = sorted(_document_operations() - set(SURFACE))
    assert not missing, "operations of Cal.com's document missing from api/surface.py SURFACE: " + \
        ", ".join(f"{m} {p}" for m, p in missing)


def test_no_row_names_an_operation_the_document_lacks() -> None:
    stale = sorted(set(SURFACE) - _document_operations())
    assert not stale, "SURFACE rows not in the document (move them to EXTRA): " + ", ".join(
        f"{m} {p}" for m, p in stale)


def test_every_served_api_endpoint_has_a_row() -> None:
    served = {(e.method, e.path) for e in (*ENDPOINTS, *REFUSING_ENDPOINTS)}
    assert not served - set(SURFACE) - set(EXTRA)


def test_endpoints_are_listed_once() -> None:
    # A legacy 2024-04-15 endpoint is another version of its path's row, not a second row.
    pairs = [(e.method, e.path) for e in (*ENDPOINTS, *REFUSING_ENDPOINTS) if not e.legacy]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(("key", "serving"), [(k, r.serving) for k, r in {**SURFACE, **EXTRA}.items()],
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v))
def test_each_row_is_served_the_way_it_says(key: tuple[str, str], serving: Serving,
                                            fake: MockCalcom) -> None:
    stateful = {(e.method, e.path) for e in ENDPOINTS}
    refusing = {(e.method, e.path) for e in REFUSING_ENDPOINTS}
    if serving is Serving.STATEFUL:
        if key in OAUTH_PACKAGE:
            routes = {(m, _shape(p)) for m, p in _app_routes(fake)}
            assert (key[0], _shape(key[1])) in routes
        else:
            # Stateful operations that never succeed for the fake's personal bookings
            # (reassign, by-seat) are tested with the refusing ones.
            assert key in stateful | refusing
    else:
        assert key in refusing


def _app_routes(fake: MockCalcom) -> set[tuple[str, str]]:
    from starlette.routing import Route
    out = set()
    for route in fake.app.routes:
        if isinstance(route, Route):
            for method in route.methods or ():
                out.add((method, route.path))
    return out


# -- operations that never serve a third-party token ------------------------------------------

_ROLES = (403, platform.ROLES_NO_ORG)
_CLIENT = (403, platform.CLIENT_GUARD_NO_ORG)
#: What a legacy (unscoped) OAuth token of a user without an organization gets, per operation.
LEGACY_ANSWERS: dict[str, tuple[int, str]] = {
    "ApiKeysController_refresh": (401, platform.API_KEY_ONLY),
    "OAuthFlowController_refreshTokens": (400, platform.INVALID_CLIENT_CREDENTIALS),
    **{f"OAuthClientsController_{n}": _ROLES for n in (
        "createOAuthClient", "getOAuthClients", "getOAuthClientById", "updateOAuthClient",
        "deleteOAuthClient")},
    **{f"OAuthClientWebhooksController_{n}": _ROLES for n in (
        "createOAuthClientWebhook", "getOAuthClientWebhooks", "deleteAllOAuthClientWebhooks",
        "updateOAuthClientWebhook", "getOAuthClientWebhook", "deleteOAuthClientWebhook")},
    **{f"OAuthClientUsersController_{n}": _CLIENT for n in (
        "getManagedUsers", "createUser", "getUserById", "updateUser", "deleteUser", "forceRefresh")},
}
_INVALID_CALENDAR = (400, "Invalid calendar type, available calendars are: ")
_NO_CONNECTION = (400, "Calendar connection not found")
_GOOGLE_ONLY = (400, "Meeting details are currently only available for Google Calendar")
LEGACY_ANSWERS.update({
    "CalendarsController_redirect": _INVALID_CALENDAR,
    "CalendarsController_save": _INVALID_CALENDAR,
    "CalendarsController_syncCredentials": _INVALID_CALENDAR,
    **{f"CalUnifiedCalendarsController_{n}": _NO_CONNECTION for n in (
        "listConnectionEvents", "createConnectionEvent", "getConnectionEvent", "updateConnectionEvent",
        "deleteConnectionEvent")},
    **{f"CalUnifiedCalendarsController_{n}": _GOOGLE_ONLY for n in (
        "getCalendarEventDetails", "updateCalendarEvent", "deleteCalendarEvent",
        "getCalendarEventDetails_singularPath", "updateCalendarEvent_singularPath",
        "listCalendarEvents", "createCalendarEvent")},
})
_NO_BOOKING = (404, "Booking with uid=1 was not found in the database")
LEGACY_ANSWERS.update({
    "BookingsController_2024_08_13_getBookingBySeatUid": (
        404, "Booking with seatUid=1 was not found in the database"),
    "BookingsController_2024_08_13_reassignBooking": _NO_BOOKING,
    "BookingsController_2024_08_13_reassignBookingToUser": _NO_BOOKING,
})
_NOT_EMULATED = "mock-calcom does not emulate {}; Cal.com would call it here"
LEGACY_ANSWERS.update({
    "ConferencingController_redirect": (400, "Invalid conferencing app, available apps are: "),
    "ConferencingController_save": (400, "Missing `state` query param"),
    "StripeController_redirect": (400, _NOT_EMULATED.format("Stripe Connect's OAuth consent screen")),
    "StripeController_save": (400, _NOT_EMULATED.format("Stripe Connect's OAuth token exchange")),
    "StripeController_check": (404, "Credentials for stripe not found."),
})
_BODY = {"refreshToken": "managed-user-refresh-token"}


def test_every_refusing_operation_has_a_legacy_answer() -> None:
    assert {e.operation_id for e in REFUSING_ENDPOINTS} == set(LEGACY_ANSWERS)


async def _send(http: httpx.AsyncClient, endpoint: Endpoint, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if endpoint.versions:
        headers["cal-api-version"] = min(endpoint.versions)
    return await http.request(endpoint.method, _concrete(endpoint.path), headers=headers,
                              json=_BODY if endpoint.reads_body else None)


@pytest.mark.parametrize("endpoint", REFUSING_ENDPOINTS, ids=lambda e: e.operation_id)
async def test_without_credentials_the_first_guard_refuses(
        endpoint: Endpoint, http: httpx.AsyncClient) -> None:
    response = await _send(http, endpoint, None)
    if endpoint.guards and endpoint.guards[0] == "permissions":
        expected = (403, PERMISSIONS_NO_AUTH_MESSAGE)
    elif not endpoint.guards or endpoint.guards[0] == "optional_auth":
        expected = LEGACY_ANSWERS[endpoint.operation_id]
    else:
        expected = (401, NO_AUTH_MESSAGE)
    assert (response.status_code, envelope_error(response)["message"]) == expected


@pytest.mark.parametrize("endpoint", REFUSING_ENDPOINTS, ids=lambda e: e.operation_id)
async def test_a_scoped_token_is_refused_by_the_scope_guard_or_the_controller(
        endpoint: Endpoint, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await _send(http, endpoint, mint(alice, USER_SCOPES))
    # Without an auth guard the bearer is never decoded, so no scope is checked (the choice
    # GET /v2/slots already makes; where Cal.com wires its scope guard is UNCONFIRMED).
    refused = endpoint.scopes is NOT_AVAILABLE and bool(endpoint.guards)
    expected = (403, NOT_AVAILABLE_MESSAGE) if refused else LEGACY_ANSWERS[endpoint.operation_id]
    if isinstance(endpoint.scopes, tuple) and not set(endpoint.scopes) <= set(USER_SCOPES):
        # Team scopes are not among the user scopes the token holds.
        expected = (403, "insufficient_scope: token does not have the required scopes. Required: "
                         f"{', '.join(endpoint.scopes)}. Token has: {', '.join(USER_SCOPES)}")
    assert (response.status_code, envelope_error(response)["message"]) == expected


@pytest.mark.parametrize("endpoint", REFUSING_ENDPOINTS, ids=lambda e: e.operation_id)
async def test_a_legacy_token_gets_the_controller_s_own_refusal(
        endpoint: Endpoint, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    status, message = LEGACY_ANSWERS[endpoint.operation_id]
    response = await _send(http, endpoint, mint(alice, ()))
    assert response.status_code == status, response.text
    assert envelope_error(response)["message"] == message


async def test_a_member_of_an_organization_is_told_it_is_not_a_platform(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    alice.organization_id = 77
    response = await http.get("/v2/oauth-clients", headers={"Authorization": f"Bearer {mint(alice)}"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == platform.ROLES_NOT_PLATFORM
    users = await http.get("/v2/oauth-clients/abc/users", headers={"Authorization": f"Bearer {mint(alice)}"})
    assert users.status_code == 404
    assert envelope_error(users)["message"] == platform.CLIENT_GUARD_NOT_FOUND


async def test_managed_user_refresh_validates_its_body_first(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.post("/v2/oauth/abc/refresh", json={"refreshToken": 5},
                               headers={"Authorization": f"Bearer {mint(alice)}"})
    assert response.status_code == 400
    assert envelope_error(response)["details"]["errors"][0]["constraints"] == {
        "isString": "refreshToken must be a string"}
