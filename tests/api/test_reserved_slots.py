"""Slot reservations and bookings, both booking controllers: a booking that names a reservation
(``reservedSlotUid`` in the body, or the ``uid`` cookie reserving set) takes the slot only when
no other live reservation of it came first, and ends its own reservation; a booking that names
none is not checked against reservations at all.

Sources: the reserved-slot bookings e2e specs of the 2024-04-15 and 2024-08-13 controllers
(calcom/cal.com ``apps/api/v2/src/ee/bookings/*/controllers/e2e``), createBookingWithReservedSlot.ts,
and ``reservedSlotUid``'s documentation in reschedule-booking.input.ts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

CURRENT = {"cal-api-version": "2024-08-13"}
SLOTS = {"cal-api-version": "2024-09-04"}


def _slot(fake: MockCalcom, days: int = 2, hour: int = 13) -> str:
    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _event_type(fake: MockCalcom, alice: User) -> EventType:
    found = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert found is not None
    return found


def _reserve(fake: MockCalcom, alice: User, start: str, minutes: int = 5) -> str:
    at = dt.datetime.fromisoformat(start).timestamp()
    with fake.model.lock:
        return fake.model.resources.reservations.reserve(
            _event_type(fake, alice).id, at, at + 1800, minutes, None).uid


def _body(fake: MockCalcom, alice: User, start: str, **extra: Any) -> dict[str, Any]:
    return {"start": start, "eventTypeId": _event_type(fake, alice).id,
            "attendee": {"name": "Res Erve", "email": "reserve@example.com", "timeZone": "Europe/Rome"},
            **extra}


def _legacy_body(fake: MockCalcom, alice: User, start: str, **extra: Any) -> dict[str, Any]:
    return {"start": start, "eventTypeId": _event_type(fake, alice).id, "timeZone": "Europe/Rome",
            "language": "en", "metadata": {},
            "responses": {"name": "Res Erve", "email": "reserve@example.com"}, **extra}


async def _reservation(http: httpx.AsyncClient, uid: str) -> Any:
    return (await http.get(f"/v2/slots/reservations/{uid}", headers=SLOTS)).json()["data"]


async def test_a_booking_with_its_reservation_takes_the_slot_and_ends_the_reservation(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    uid = _reserve(fake, alice, start)
    response = await http.post("/v2/bookings", json=_body(fake, alice, start, reservedSlotUid=uid),
                               headers=CURRENT)
    assert response.status_code == 201, response.text
    assert await _reservation(http, uid) is None


async def test_a_reservation_second_in_line_is_refused_with_409_and_nothing_changes(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    first = _reserve(fake, alice, start)
    fake.model.clock.advance(60)
    second = _reserve(fake, alice, start)
    before = len(fake.model.resources.bookings)
    response = await http.post("/v2/bookings", json=_body(fake, alice, start, reservedSlotUid=second),
                               headers=CURRENT)
    assert response.status_code == 409
    assert envelope_error(response)["message"] == (
        "Someone else reserved this booking time slot before you. This time slot will be freed up in "
        "240 seconds.")
    assert len(fake.model.resources.bookings) == before
    assert await _reservation(http, first) is not None
    assert await _reservation(http, second) is not None


async def test_once_the_first_reservation_lapses_the_second_one_books(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    _reserve(fake, alice, start, minutes=1)
    second = _reserve(fake, alice, start, minutes=10)
    fake.model.clock.advance(120)
    response = await http.post("/v2/bookings", json=_body(fake, alice, start, reservedSlotUid=second),
                               headers=CURRENT)
    assert response.status_code == 201, response.text


async def test_a_booking_naming_no_reservation_is_not_checked_against_reservations(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    held = _reserve(fake, alice, start)
    response = await http.post("/v2/bookings", json=_body(fake, alice, start), headers=CURRENT)
    assert response.status_code == 201, response.text
    assert await _reservation(http, held) is not None


async def test_a_lapsed_or_unknown_reservation_uid_books_a_slot_nobody_holds(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    response = await http.post("/v2/bookings", json=_body(fake, alice, start, reservedSlotUid="gone"),
                               headers=CURRENT)
    assert response.status_code == 201, response.text


async def test_the_reservation_cookie_counts_like_the_body_field(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    first = _reserve(fake, alice, start)
    second = _reserve(fake, alice, start)
    refused = await http.post("/v2/bookings", json=_body(fake, alice, start),
                              headers={**CURRENT, "Cookie": f"uid={second}"})
    assert refused.status_code == 409
    taken = await http.post("/v2/bookings", json=_body(fake, alice, start),
                            headers={**CURRENT, "Cookie": f"uid={first}"})
    assert taken.status_code == 201, taken.text
    assert await _reservation(http, first) is None


async def test_a_reschedule_into_a_slot_reserved_by_someone_else_first_is_refused(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    booking = (await http.post("/v2/bookings", json=_body(fake, alice, _slot(fake, 2)),
                               headers=CURRENT)).json()["data"]
    target = _slot(fake, 3)
    _reserve(fake, alice, target)
    mine = _reserve(fake, alice, target)
    refused = await http.post(f"/v2/bookings/{booking['uid']}/reschedule", headers=CURRENT,
                              json={"start": target, "reservedSlotUid": mine})
    assert refused.status_code == 409
    assert fake.model.resources.bookings.require(booking["uid"]).status is BookingStatus.ACCEPTED
    other = _slot(fake, 4)
    own = _reserve(fake, alice, other)
    moved = await http.post(f"/v2/bookings/{booking['uid']}/reschedule", headers=CURRENT,
                            json={"start": other, "reservedSlotUid": own})
    assert moved.status_code == 201, moved.text
    assert await _reservation(http, own) is None


async def test_a_reserved_slot_uid_must_be_a_string(http: httpx.AsyncClient, fake: MockCalcom,
                                                   alice: User) -> None:
    response = await http.post("/v2/bookings", json=_body(fake, alice, _slot(fake), reservedSlotUid=7),
                               headers=CURRENT)
    assert response.status_code == 400
    assert envelope_error(response)["message"] == (
        "reservedSlotUid property is wrong,reservedSlotUid must be a string ")


async def test_legacy_create_follows_the_same_rule_with_an_http_exception(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    first = _reserve(fake, alice, start)
    second = _reserve(fake, alice, start)
    refused = await http.post("/v2/bookings", json=_legacy_body(fake, alice, start, reservedSlotUid=second))
    assert refused.status_code == 409
    assert envelope_error(refused)["code"] == "HttpException"
    taken = await http.post("/v2/bookings", json=_legacy_body(fake, alice, start, reservedSlotUid=first))
    assert taken.status_code == 201, taken.text
    assert await _reservation(http, first) is None


async def test_the_legacy_reserve_cookie_then_a_legacy_booking_consumes_it(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    end = start[:11] + "13:30:00.000Z"
    reserved = await http.post("/v2/slots/reserve", json={
        "eventTypeId": _event_type(fake, alice).id, "slotUtcStartDate": start, "slotUtcEndDate": end})
    uid = reserved.json()["data"]
    # The client keeps the ``uid`` cookie the reserve answer set and sends it with the booking.
    assert http.cookies.get("uid") == uid
    taken = await http.post("/v2/bookings", json=_legacy_body(fake, alice, start))
    assert taken.status_code == 201, taken.text
    assert await _reservation(http, uid) is None


async def test_legacy_reschedule_and_recurring_take_their_reservation(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    created = (await http.post("/v2/bookings", json=_legacy_body(fake, alice, _slot(fake, 2)))).json()["data"]
    target = _slot(fake, 3)
    own = _reserve(fake, alice, target)
    moved = await http.post("/v2/bookings", json=_legacy_body(
        fake, alice, target, rescheduleUid=created["uid"], reservedSlotUid=own))
    assert moved.status_code == 201, moved.text
    assert await _reservation(http, own) is None
    first = _slot(fake, 4)
    series_own = _reserve(fake, alice, first)
    later = (dt.datetime.fromisoformat(first) + dt.timedelta(weeks=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    made = await http.post("/v2/bookings/recurring", json=[
        _legacy_body(fake, alice, first, reservedSlotUid=series_own), _legacy_body(fake, alice, later)])
    assert made.status_code == 201, made.text
    assert await _reservation(http, series_own) is None


async def test_legacy_availability_hides_a_slot_someone_else_reserved_but_not_ones_own(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    query = (f"/v2/slots/available?eventTypeId={_event_type(fake, alice).id}"
             f"&startTime={start[:10]}&endTime={start[:10]}T23:59:59.000Z")

    async def times(cookie: str | None = None) -> list[str]:
        headers = {"Cookie": f"uid={cookie}"} if cookie else {}
        slots = (await http.get(query, headers=headers)).json()["data"]["slots"]
        return [slot["time"] for day in slots.values() for slot in day]

    assert start in await times()
    held = _reserve(fake, alice, start)
    assert start not in await times()
    assert start not in await times("someone-else")
    assert start in await times(held)


async def test_reserving_a_booked_slot_or_a_wrong_length_is_refused_as_cal_com_does(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    start = _slot(fake)
    made = await http.post("/v2/bookings", json=_body(fake, alice, start), headers=CURRENT)
    assert made.status_code == 201
    body = {"eventTypeId": _event_type(fake, alice).id, "slotStart": start}
    booked = await http.post("/v2/slots/reservations", json=body, headers=SLOTS)
    assert booked.status_code == 422
    message = "Can't reserve a slot if the event is already booked."
    assert envelope_error(booked) == {
        "code": "UnprocessableEntityException", "message": message,
        "details": {"message": message, "error": "Unprocessable Entity", "statusCode": 422}}
    fixed = await http.post("/v2/slots/reservations", headers=SLOTS,
                            json={**body, "slotStart": _slot(fake, 3), "slotDuration": 45})
    assert fixed.status_code == 400
    assert envelope_error(fixed)["message"] == (
        "You passed 'slotDuration' but this event type is not a variable length event type.")
    assert fake.model.resources.reservations._live() == []


async def test_a_custom_reservation_length_is_for_the_owner_or_a_teammate(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    from mock_calcom.model.resources.teams import Role

    body = {"eventTypeId": _event_type(fake, alice).id, "slotStart": _slot(fake), "reservationDuration": 10}
    stranger = await http.post("/v2/slots/reservations", json=body,
                               headers={**SLOTS, "Authorization": f"Bearer {mint(bob)}"})
    assert stranger.status_code == 403
    assert envelope_error(stranger)["message"] == (
        "authenticated user is not owner of event type, does not have memberships in common with owner of "
        "the event type, nor does belong to event type's team or org.")
    with fake.model.lock:
        team = fake.model.resources.teams.create("Both")
        fake.model.resources.teams.add_member(team, alice.id, Role.OWNER)
        fake.model.resources.teams.add_member(team, bob.id, Role.MEMBER)
    teammate = await http.post("/v2/slots/reservations", json=body,
                               headers={**SLOTS, "Authorization": f"Bearer {mint(bob)}"})
    assert teammate.status_code == 201, teammate.text
    assert teammate.json()["data"]["reservationDuration"] == 10


async def test_moving_an_unknown_reservation_is_a_404(http: httpx.AsyncClient, fake: MockCalcom,
                                                     alice: User) -> None:
    body = {"eventTypeId": _event_type(fake, alice).id, "slotStart": _slot(fake)}
    response = await http.patch("/v2/slots/reservations/nope", json=body, headers=SLOTS)
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Slot with uid=nope not found"
