"""Who gets a legacy body (FACTS §11.1, §11.9): the global OAuthPermissionsGuard reads the
bearer on every legacy handler, none of which carries ``@OAuthPermissions``."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.scopes import NOT_AVAILABLE_MESSAGE
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


def _accepted(fake: MockCalcom, user: User) -> str:
    return next(b.uid for b in fake.model.resources.bookings._by_uid.values()
                if b.host_id == user.id and b.status is BookingStatus.ACCEPTED)


@pytest.mark.parametrize("path", ["/v2/bookings", "/v2/event-types", "/v2/schedules"])
async def test_a_scoped_token_is_refused_by_default_even_with_the_matching_scope(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str) -> None:
    token = mint(alice, ["BOOKING_READ", "EVENT_TYPE_READ", "SCHEDULE_READ"])
    response = await http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == NOT_AVAILABLE_MESSAGE


async def test_the_scope_guard_acts_on_legacy_handlers_without_any_auth_guard(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    uid = _accepted(fake, alice)
    token = mint(alice, ["BOOKING_WRITE"])
    assert (await http.get(f"/v2/bookings/{uid}")).status_code == 200
    refused = await http.post(f"/v2/bookings/{uid}/cancel", json={},
                              headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    booking = fake.model.resources.bookings.get(uid)
    assert booking is not None
    assert booking.status is BookingStatus.ACCEPTED


async def test_anyone_holding_a_uid_may_cancel_through_the_legacy_handler(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    uid = _accepted(fake, alice)
    response = await http.post(f"/v2/bookings/{uid}/cancel", json={})
    assert response.status_code == 200
    booking = fake.model.resources.bookings.get(uid)
    assert booking is not None
    assert booking.status is BookingStatus.CANCELLED


@pytest.mark.parametrize("scopes", [(), ("READ_BOOKING",), ("READ_PROFILE", "READ_BOOKING")])
async def test_legacy_tokens_get_the_legacy_body(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, scopes: tuple[str, ...]) -> None:
    response = await http.get("/v2/bookings", headers={"Authorization": f"Bearer {mint(alice, scopes)}"})
    assert response.status_code == 200
    assert "bookings" in response.json()["data"]


async def test_the_setting_serves_scoped_tokens(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    fake.model.apply_settings(Settings(seed=20240813, legacy_serve_scoped_tokens=True))
    token = mint(alice, ["BOOKING_READ"])
    response = await http.get("/v2/bookings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert "bookings" in response.json()["data"]


async def test_a_bad_bearer_on_a_guarded_legacy_handler_is_the_permissions_guards_403(
        http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/event-types", headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "PermissionsGuard - no oAuth client found for access token=garbage")
