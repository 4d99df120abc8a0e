"""Recurring bookings and the reschedule read of ``BookingsController_2024_04_15`` (requests
without ``cal-api-version``), and how the 2024-08-13 controller sees the same bookings.

Sources: bookings.controller.ts @d3367926 (``createRecurringBooking``, ``getBookingForReschedule``),
RecurringBookingService.ts (``handleNewRecurringBooking``), get-booking.ts @03670679
(``getBookingForReschedule``), 2024-08-13 bookings.service.ts @cd764fd8 (``getBooking``,
``cancelBooking``), output.service.ts (``recurringBookingUid``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error
from tests.api.openapi_schema import ENV, OpenApiDocument

CURRENT = {"cal-api-version": "2024-08-13"}
#: getBooking's select (get-booking.ts @03670679) with getBookingForReschedule's attendees.
RESCHEDULE_FIELDS = {"id", "uid", "startTime", "endTime", "description", "customInputs", "responses",
                     "smsReminderNumber", "location", "eventTypeId", "status", "eventType", "attendees",
                     "user"}


def _slot(fake: MockCalcom, days: int, hour: int = 13) -> str:
    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _item(fake: MockCalcom, alice: User, start: str, **changes: Any) -> dict[str, Any]:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    body: dict[str, Any] = {
        "start": start, "eventTypeId": event_type.id, "timeZone": "Europe/London", "language": "en",
        "metadata": {}, "responses": {"name": "Rita Recur", "email": "rita@example.com"}}
    body.update(changes)
    return body


def _weekly(fake: MockCalcom, alice: User, count: int = 3, first_days: int = 2) -> list[dict[str, Any]]:
    first = dt.datetime.fromisoformat(_slot(fake, first_days))
    return [_item(fake, alice, (first + dt.timedelta(weeks=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
            for i in range(count)]


async def test_a_recurring_booking_creates_every_occurrence_with_one_recurring_event_id(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    before = len(fake.model.resources.bookings)
    response = await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert [b["startTime"] for b in data] == [item["start"] for item in _weekly(fake, alice)]
    series = {b["recurringEventId"] for b in data}
    assert len(series) == 1
    assert None not in series
    assert all(b["status"] == "ACCEPTED" and b["responses"]["email"] == "rita@example.com" for b in data)
    assert len(fake.model.resources.bookings) == before + 3


async def test_the_same_occurrences_are_read_through_the_2024_08_13_controller(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    series = data[0]["recurringEventId"]
    one = await http.get(f"/v2/bookings/{data[1]['uid']}", headers=CURRENT)
    assert one.status_code == 200
    assert one.json()["data"]["recurringBookingUid"] == series
    # The series' uid reads every occurrence, earliest first (getOutputRecurringBookings).
    everything = await http.get(f"/v2/bookings/{series}", headers=CURRENT)
    assert everything.status_code == 200
    assert [b["uid"] for b in everything.json()["data"]] == [b["uid"] for b in data]
    listing = await http.get("/v2/bookings?status=recurring", headers={
        **CURRENT, "Authorization": f"Bearer {mint(alice, ['BOOKING_READ'])}"})
    assert {b["uid"] for b in listing.json()["data"]} == {b["uid"] for b in data}


async def test_the_legacy_list_reports_the_series_in_recurring_info(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    response = await http.get("/v2/bookings?filters[status]=recurring",
                              headers={"Authorization": f"Bearer {mint(alice)}"})
    body = response.json()["data"]
    assert [b["uid"] for b in body["bookings"]] == [b["uid"] for b in data]
    assert body["recurringInfo"] == [{
        "recurringEventId": data[0]["recurringEventId"], "count": 3, "firstDate": data[0]["startTime"],
        "bookings": {"ACCEPTED": [b["startTime"] for b in data], "CANCELLED": [], "REJECTED": [],
                     "PENDING": [], "AWAITING_HOST": []}}]


async def test_an_occurrence_keeps_a_recurring_event_id_it_was_given(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    items = _weekly(fake, alice, count=2)
    items[1]["recurringEventId"] = "given-series"
    data = (await http.post("/v2/bookings/recurring", json=items)).json()["data"]
    assert data[1]["recurringEventId"] == "given-series"
    assert data[0]["recurringEventId"] not in (None, "given-series")


async def test_only_the_first_occurrence_is_checked_for_availability(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    items = _weekly(fake, alice, count=2)
    taken = await http.post("/v2/bookings", json=items[1])
    assert taken.status_code == 201
    # The second occurrence overlaps a booking: Cal.com checks the first slot only.
    response = await http.post("/v2/bookings/recurring", json=items)
    assert response.status_code == 201, response.text
    assert len(response.json()["data"]) == 2


async def test_an_unavailable_first_occurrence_creates_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    items = _weekly(fake, alice)
    assert (await http.post("/v2/bookings", json=items[0])).status_code == 201
    await _series_refused(http, fake, items, "no_available_users_found_error")


async def test_an_occurrence_in_the_past_refuses_the_whole_series(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    items = _weekly(fake, alice, count=2)
    items[1]["start"] = "2020-01-06T13:00:00.000Z"
    await _series_refused(http, fake, items, "Attempting to book a meeting in the past.")


async def _series_refused(http: httpx.AsyncClient, fake: MockCalcom, items: list[dict[str, Any]],
                          message: str) -> None:
    """The series answers 400 with ``message`` and creates no booking at all."""
    before = len(fake.model.resources.bookings)
    response = await http.post("/v2/bookings/recurring", json=items)
    assert response.status_code == 400
    assert envelope_error(response)["message"] == message
    assert len(fake.model.resources.bookings) == before


async def test_malformed_recurring_bodies_are_4xx_and_create_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    before = len(fake.model.resources.bookings)
    bad_item = _item(fake, alice, _slot(fake, 2))
    del bad_item["timeZone"]
    for body in ({"start": "x"}, [], [bad_item], [_item(fake, alice, _slot(fake, 2)), 7],
                 [_item(fake, alice, _slot(fake, 2), rescheduleUid="abc")]):
        response = await http.post("/v2/bookings/recurring", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
        assert response.json()["status"] == "error"
    assert len(fake.model.resources.bookings) == before


async def test_occurrences_of_another_event_type_are_refused(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    items = _weekly(fake, alice, count=2)
    other = fake.model.resources.event_types.by_slug(alice.id, "15min")
    assert other is not None
    items[1]["eventTypeId"] = other.id
    response = await http.post("/v2/bookings/recurring", json=items)
    assert response.status_code == 400


async def test_the_route_has_no_2024_08_13_twin(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    response = await http.post("/v2/bookings/recurring", json=_weekly(fake, alice), headers=CURRENT)
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Cannot POST /v2/bookings/recurring"


async def test_cancel_subsequent_bookings_cancels_this_and_the_later_occurrences(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    response = await http.post(f"/v2/bookings/{data[1]['uid']}/cancel", headers=CURRENT,
                               json={"cancelSubsequentBookings": True, "cancellationReason": "Done"})
    assert response.status_code == 200, response.text
    assert [b["status"] for b in response.json()["data"]] == ["accepted", "cancelled", "cancelled"]
    assert response.json()["data"][2]["cancellationReason"] == "Done"


async def test_cancelling_one_occurrence_alone_leaves_the_others(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    response = await http.post(f"/v2/bookings/{data[0]['uid']}/cancel", headers=CURRENT, json={})
    assert response.json()["data"]["status"] == "cancelled"
    assert response.json()["data"]["recurringBookingUid"] == data[0]["recurringEventId"]
    statuses = [fake.model.resources.bookings.require(b["uid"]).status for b in data]
    assert statuses == [BookingStatus.CANCELLED, BookingStatus.ACCEPTED, BookingStatus.ACCEPTED]


async def test_legacy_cancel_all_remaining_bookings_cancels_the_series(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    response = await http.post(f"/v2/bookings/{data[2]['uid']}/cancel", json={"allRemainingBookings": True})
    assert response.status_code == 200
    assert response.json()["data"] == {"bookingId": data[2]["id"], "bookingUid": data[2]["uid"],
                                       "onlyRemovedAttendee": False}
    store = fake.model.resources.bookings
    assert all(store.require(b["uid"]).status is BookingStatus.CANCELLED for b in data)


async def test_the_reschedule_read_answers_get_booking_for_reschedule(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    created = (await http.post("/v2/bookings", json=_item(fake, alice, _slot(fake, 2)))).json()["data"]
    response = await http.get(f"/v2/bookings/{created['uid']}/reschedule")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == RESCHEDULE_FIELDS
    assert data["uid"] == created["uid"]
    assert data["status"] == "ACCEPTED"
    assert data["attendees"] == [{"email": "rita@example.com", "name": "Rita Recur", "bookingSeat": None}]
    assert data["user"] == {"id": alice.id}
    assert data["eventType"] == {"disableRescheduling": False}
    assert data["responses"]["email"] == "rita@example.com"


async def test_the_reschedule_read_of_an_unknown_uid_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/bookings/nope/reschedule")
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Booking with UID=nope does not exist."


async def test_the_reschedule_read_has_no_2024_08_13_twin(http: httpx.AsyncClient, fake: MockCalcom,
                                                          alice: User) -> None:
    uid = next(iter(fake.model.resources.bookings._by_uid))
    response = await http.get(f"/v2/bookings/{uid}/reschedule", headers=CURRENT)
    assert response.status_code == 404
    assert envelope_error(response)["message"] == f"Cannot GET /v2/bookings/{uid}/reschedule"


async def test_recurrence_count_is_accepted_at_2024_08_13_and_books_a_regular_booking(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    body = {"start": _slot(fake, 2), "eventTypeId": event_type.id, "recurrenceCount": 3,
            "attendee": {"name": "Rita", "email": "rita@example.com", "timeZone": "Europe/Rome"}}
    response = await http.post("/v2/bookings", json=body, headers=CURRENT)
    assert response.status_code == 201, response.text
    assert "recurringBookingUid" not in response.json()["data"]
    for bad, message in ((0, "recurrenceCount must not be less than 1"),
                         (1.5, "recurrenceCount must be an integer number")):
        refused = await http.post("/v2/bookings", json={**body, "recurrenceCount": bad}, headers=CURRENT)
        assert refused.status_code == 400
        assert envelope_error(refused)["message"] == f"recurrenceCount property is wrong,{message} "


async def test_recurring_outputs_match_the_published_2024_08_13_schemas(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, spec: OpenApiDocument | None) -> None:
    if spec is None:
        pytest.skip(f"{ENV} is not set: no Cal.com OpenAPI document to check responses against")
    data = (await http.post("/v2/bookings/recurring", json=_weekly(fake, alice))).json()["data"]
    path = "/v2/bookings/{bookingUid}"
    for uid in (data[0]["uid"], data[0]["recurringEventId"]):
        response = await http.get(f"/v2/bookings/{uid}", headers=CURRENT)
        assert spec.errors("GET", path, 200, response.json()) == []
    cancelled = await http.post(f"/v2/bookings/{data[1]['uid']}/cancel", headers=CURRENT,
                                json={"cancelSubsequentBookings": True})
    assert spec.errors("POST", f"{path}/cancel", 200, cancelled.json()) == []
