"""A booking's serialised form is reused only while nothing it shows has changed."""

from __future__ import annotations

import json
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.api.bookings import booking_json, booking_out, bookings_json
from mock_calcom.api.envelope import to_json
from mock_calcom.model.resources.bookings import Booking
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


def _fresh(fake: MockCalcom, bookings: list[Booking]) -> list[bytes]:
    """The slow path: every booking serialised from scratch."""
    return [to_json(booking_out(b, fake.model.users.get(b.host_id))) for b in bookings]


def test_a_listings_forms_are_the_bookings_serialised_through_every_kind_of_change(
        fake: MockCalcom, alice: User, bob: User) -> None:
    store = fake.model.resources.bookings
    mine = store.involving(alice)
    assert mine
    first = bookings_json(mine, fake.model.users)
    assert first == _fresh(fake, mine)
    assert all(a is b for a, b in zip(bookings_json(mine, fake.model.users), first, strict=True))
    mine[0].title = "Renamed"  # the booking changes
    alice.name = "Alice Renamed"  # a shown field of the host changes
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    alice.time_zone = "America/New_York"
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    # Another host object with the same id (the store replaced it): its fields are shown.
    with fake.model.lock:
        twin = User(id=alice.id, username="alice2", email="twin@example.com", name="Twin")
        # At the same revision as the host it replaces: only its identity tells them apart.
        object.__setattr__(twin, "revision", alice.revision)
        fake.model.users._users[alice.id] = twin
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    assert booking_json(mine[0], twin) == _fresh(fake, mine)[0]
    # A booking whose host is unknown shows getHost's placeholder.
    assert booking_json(mine[0], None) == to_json(booking_out(mine[0], None))


def test_every_assignment_to_a_user_moves_its_revision(alice: User) -> None:
    before = alice.revision
    alice.name = "Other"
    alice.email = "other@example.com"
    assert alice.revision == before + 2
