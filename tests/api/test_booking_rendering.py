"""A booking's serialised form is reused only while nothing it shows has changed."""

from __future__ import annotations

import json
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.api.bookings import booking_json, booking_out
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, headers_for


async def _listed(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", token))
    assert response.status_code == 200, response.text
    return {b["uid"]: b for b in response.json()["data"]}


def _past_booking_uid(fake: MockCalcom, user: User) -> str:
    now = fake.model.clock.now()
    return next(b.uid for b in fake.model.resources.bookings._by_uid.values()
                if b.host_id == user.id and b.end < now and b.status.value == "accepted")


async def test_marking_absent_twice_in_one_frozen_instant_shows_the_second_mark(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ", "BOOKING_WRITE"])
    uid = _past_booking_uid(fake, alice)
    email = fake.model.resources.bookings.require(uid).attendees[0].email
    path = f"/v2/bookings/{uid}/mark-absent"
    for absent in (True, False, True):
        response = await http.post(path, headers=headers_for(path, token),
                                   json={"attendees": [{"email": email, "absent": absent}]})
        assert response.status_code == 200, response.text
        assert (await _listed(http, token))[uid]["attendees"][0]["absent"] is absent


async def test_a_hosts_new_name_shows_on_bookings_listed_before(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ", "PROFILE_WRITE", "PROFILE_READ"])
    before = await _listed(http, token)
    response = await http.patch("/v2/me", headers=headers_for("/v2/me", token), json={"name": "Alice B"})
    assert response.status_code == 200, response.text
    after = await _listed(http, token)
    assert {b["hosts"][0]["name"] for b in before.values()} == {"Alice Host"}
    assert {b["hosts"][0]["name"] for b in after.values()} == {"Alice B"}


def test_the_cached_form_is_the_booking_serialised_and_follows_assignments(
        fake: MockCalcom, alice: User) -> None:
    booking = fake.model.resources.bookings.require(_past_booking_uid(fake, alice))
    first = booking_json(booking, alice)
    assert booking_json(booking, alice) is first
    assert json.loads(first) == booking_out(booking, alice)
    booking.title = "Renamed"
    assert json.loads(booking_json(booking, alice))["title"] == "Renamed"
