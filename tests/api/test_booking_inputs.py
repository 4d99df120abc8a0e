"""Which input class each 2024-08-13 booking pipe validates a body against: the pipe picks one
by a key of the body, and only that class's fields are allowed (create-booking-input.pipe.ts
@51442f5e: ``recurrenceCount`` key -> recurring, ``instant === true`` -> instant;
cancel-booking-input.pipe.ts @5b6d63e6 and reschedule-booking-input.pipe.ts @f162fe23:
``seatUid`` key -> seated). The fake's event types have no seats, so a seated reschedule is an
ordinary one and a seated cancel names a seat that does not exist (bookings.service.ts
@cd764fd8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import envelope_error

CURRENT = {"cal-api-version": "2024-08-13"}


def _slot(fake: MockCalcom, days: int) -> str:
    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T13:00:00.000Z"


def _create(fake: MockCalcom, alice: User, **extra: Any) -> dict[str, Any]:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    return {"start": _slot(fake, 2), "eventTypeId": event_type.id,
            "attendee": {"name": "In Put", "email": "input@example.com", "timeZone": "Europe/Rome"}, **extra}


async def _refusal(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    message: str = envelope_error(response)["message"]
    return message


async def test_instant_belongs_to_the_instant_input_only(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    before = len(fake.model.resources.bookings)
    plain = await http.post("/v2/bookings", json=_create(fake, alice, instant=False), headers=CURRENT)
    assert await _refusal(plain) == "instant property is wrong,property instant should not exist "
    recurring = await http.post("/v2/bookings", json=_create(fake, alice, instant=True, recurrenceCount=2),
                                headers=CURRENT)
    assert await _refusal(recurring) == "instant property is wrong,property instant should not exist "
    instant = await http.post("/v2/bookings", json=_create(fake, alice, instant=True), headers=CURRENT)
    assert await _refusal(instant) == (
        "Instant bookings are only supported for team event types, not individual user event types.")
    assert len(fake.model.resources.bookings) == before


async def test_a_seated_cancel_allows_seat_uid_and_reason_and_names_no_real_seat(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    uid = (await http.post("/v2/bookings", json=_create(fake, alice), headers=CURRENT)).json()["data"]["uid"]
    cases = {
        "Invalid seatUid: this seat does not exist or has already been cancelled.":
            {"seatUid": "seat-1", "cancellationReason": "Ill"},
        "seatUid property is wrong,seatUid must be a string ": {"seatUid": 7},
        "cancelSubsequentBookings property is wrong,property cancelSubsequentBookings should not exist ":
            {"seatUid": "seat-1", "cancelSubsequentBookings": True},
    }
    for message, body in cases.items():
        response = await http.post(f"/v2/bookings/{uid}/cancel", json=body, headers=CURRENT)
        assert await _refusal(response) == message
    assert fake.model.resources.bookings.require(uid).status is BookingStatus.ACCEPTED


async def test_a_seated_reschedule_of_a_booking_without_seats_is_an_ordinary_one(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    uid = (await http.post("/v2/bookings", json=_create(fake, alice), headers=CURRENT)).json()["data"]["uid"]
    refused = await http.post(f"/v2/bookings/{uid}/reschedule", headers=CURRENT,
                              json={"start": _slot(fake, 3), "seatUid": "s", "reschedulingReason": "x"})
    assert await _refusal(refused) == (
        "reschedulingReason property is wrong,property reschedulingReason should not exist ")
    moved = await http.post(f"/v2/bookings/{uid}/reschedule", headers=CURRENT,
                            json={"start": _slot(fake, 3), "seatUid": "s"})
    assert moved.status_code == 201, moved.text
    assert moved.json()["data"]["rescheduledFromUid"] == uid


async def test_rescheduled_by_is_checked_with_its_own_message_and_may_be_empty(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    uid = (await http.post("/v2/bookings", json=_create(fake, alice), headers=CURRENT)).json()["data"]["uid"]
    refused = await http.post(f"/v2/bookings/{uid}/reschedule", headers=CURRENT,
                              json={"start": _slot(fake, 3), "rescheduledBy": "not-an-email"})
    assert await _refusal(refused) == "rescheduledBy property is wrong,Invalid rescheduledBy email format "
    moved = await http.post(f"/v2/bookings/{uid}/reschedule", headers=CURRENT,
                            json={"start": _slot(fake, 3), "rescheduledBy": ""})
    assert moved.status_code == 201, moved.text
