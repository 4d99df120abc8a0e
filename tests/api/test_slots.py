"""``GET /v2/slots``: the event type's free slots, keyed by date in the asked time zone.

alice (Europe/London = UTC in January) works Mon-Fri 09-17 and has a booking on Tuesday
2026-01-06 10:00-10:30; the clock stands at Monday 09:00Z with a 120-minute minimum notice.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import envelope_error, headers_for


def _id(fake: MockCalcom, user: User, slug: str = "30min") -> int:
    found = fake.model.resources.event_types.by_slug(user.id, slug)
    assert found is not None
    return found.id


async def _slots(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.get(f"/v2/slots?{query}", headers=headers_for("/v2/slots"))


async def _data(http: httpx.AsyncClient, query: str) -> Any:
    response = await _slots(http, query)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_slots_skip_bookings_and_the_minimum_notice(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = await _data(http, f"eventTypeId={_id(fake, alice)}&start=2026-01-05&end=2026-01-06")
    monday = [s["start"] for s in data["2026-01-05"]]
    tuesday = [s["start"] for s in data["2026-01-06"]]
    assert monday[0] == "2026-01-05T11:00:00.000Z"
    assert len(monday) == 12
    assert "2026-01-06T10:00:00.000Z" not in tuesday
    assert (tuesday[0], tuesday[-1], len(tuesday)) == (
        "2026-01-06T09:00:00.000Z", "2026-01-06T16:30:00.000Z", 15)


async def test_slots_are_written_and_grouped_in_the_asked_time_zone(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = await _data(http, f"eventTypeId={_id(fake, alice)}&start=2026-01-06&end=2026-01-06"
                             "&timeZone=Asia/Tokyo&format=range")
    assert list(data) == ["2026-01-06", "2026-01-07"]  # 16:30Z is 01:30 the next day in Tokyo
    assert data["2026-01-06"][0] == {"start": "2026-01-06T18:00:00.000+09:00",
                                     "end": "2026-01-06T18:30:00.000+09:00"}


async def test_every_returned_slot_can_be_booked(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    data = await _data(http, "username=alice&eventTypeSlug=30min&start=2026-01-07&end=2026-01-07")
    for slot in data["2026-01-07"][:3]:
        body = {"start": slot["start"], "eventTypeSlug": "30min", "username": "alice",
                "attendee": {"name": "Q", "email": "q@example.org", "timeZone": "UTC"}}
        response = await http.post("/v2/bookings", json=body, headers=headers_for("/v2/bookings"))
        assert response.status_code == 201, response.text
    after = await _data(http, "username=alice&eventTypeSlug=30min&start=2026-01-07&end=2026-01-07")
    assert len(after["2026-01-07"]) == len(data["2026-01-07"]) - 3


async def test_the_booking_being_rescheduled_frees_its_slot(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    uid = next(b.uid for b in fake.model.resources.bookings._by_uid.values()
               if b.host_id == alice.id and b.status.value == "accepted" and b.start > fake.model.clock.now())
    data = await _data(http, f"eventTypeId={_id(fake, alice)}&start=2026-01-06&end=2026-01-06"
                             f"&bookingUidToReschedule={uid}")
    assert "2026-01-06T10:00:00.000Z" in [s["start"] for s in data["2026-01-06"]]


@pytest.mark.parametrize(("query", "message"), [
    ("eventTypeId=1002&start=2026-01-06&end=2026-01-06&foo=1",
     "foo property is wrong,property foo should not exist "),
    ("eventTypeId=1002&end=2026-01-06",
     "start property is wrong,start must be a valid ISO 8601 date string "),
    ("eventTypeId=1002&start=2026-01-06&end=2026-01-06&format=list",
     "format property is wrong,slotFormat must be either 'range' or 'time' "),
])
async def test_bad_slot_queries_are_one_sentence_400s(http: httpx.AsyncClient, alice: User, query: str,
                                                      message: str) -> None:
    response = await _slots(http, query)
    assert response.status_code == 400
    error = envelope_error(response)
    assert error == {"code": "BadRequestException", "message": message,
                     "details": {"message": message, "error": "Bad Request", "statusCode": 400}}


async def test_a_duration_must_be_one_of_the_event_types_lengths(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    response = await _slots(
        http, f"eventTypeId={_id(fake, alice)}&start=2026-01-06&end=2026-01-06&duration=45")
    assert response.status_code == 400


async def test_slots_of_an_unknown_event_type_are_404(http: httpx.AsyncClient, alice: User) -> None:
    response = await _slots(http, "eventTypeId=999999&start=2026-01-06&end=2026-01-06")
    assert response.status_code == 404


async def test_slots_need_their_version(http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    response = await http.get(f"/v2/slots?eventTypeId={_id(fake, alice)}&start=2026-01-06&end=2026-01-06")
    assert response.status_code == 404
