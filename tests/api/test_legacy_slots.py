"""``SlotsController_2024_04_15``: ``/v2/slots/available``, ``/reserve``, ``/selected-slot`` at
2024-04-15 to 2024-08-13 (FACTS §11.1), over the same availability as ``GET /v2/slots``."""

from __future__ import annotations

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import envelope_error


def _thirty(fake: MockCalcom, alice: User) -> int:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    return event_type.id


async def test_available_slots_are_times_by_date_and_match_the_2024_09_04_slots(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    event_type_id = _thirty(fake, alice)
    legacy = await http.get(f"/v2/slots/available?eventTypeId={event_type_id}"
                            "&startTime=2030-01-07T00:00:00.000Z&endTime=2030-01-07T23:59:59.999Z")
    assert legacy.status_code == 200
    slots = legacy.json()["data"]["slots"]
    assert list(slots) == ["2030-01-07"]
    assert all(set(s) == {"time"} for s in slots["2030-01-07"])
    current = await http.get(f"/v2/slots?eventTypeId={event_type_id}&start=2030-01-07&end=2030-01-07",
                             headers={"cal-api-version": "2024-09-04"})
    expected = [s["start"] for s in current.json()["data"]["2030-01-07"]]
    assert [s["time"] for s in slots["2030-01-07"]] == expected


async def test_range_format_and_time_zone(http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    response = await http.get(
        f"/v2/slots/available?eventTypeId={_thirty(fake, alice)}&startTime=2030-01-07T00:00:00.000Z"
        "&endTime=2030-01-07T23:59:59.999Z&slotFormat=range&timeZone=Europe/Rome")
    first = response.json()["data"]["slots"]["2030-01-07"][0]
    assert set(first) == {"startTime", "endTime"}
    assert first["startTime"].endswith("+01:00")


async def test_a_booked_slot_is_missing_from_the_legacy_slots(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    event_type_id = _thirty(fake, alice)
    url = (f"/v2/slots/available?eventTypeId={event_type_id}"
           "&startTime=2030-01-07T00:00:00.000Z&endTime=2030-01-07T23:59:59.999Z")
    first = (await http.get(url)).json()["data"]["slots"]["2030-01-07"][0]["time"]
    booked = await http.post("/v2/bookings", json={
        "start": first, "eventTypeId": event_type_id, "timeZone": "UTC", "language": "en", "metadata": {},
        "responses": {"name": "Pat", "email": "pat@example.org"}})
    assert booked.status_code == 201, booked.text
    assert first not in [s["time"] for s in (await http.get(url)).json()["data"]["slots"]["2030-01-07"]]


async def test_bad_slot_queries_are_400s(http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    missing = await http.get(f"/v2/slots/available?eventTypeId={_thirty(fake, alice)}")
    assert missing.status_code == 400
    assert [e["property"] for e in envelope_error(missing)["details"]["errors"]] == ["startTime", "endTime"]
    backwards = await http.get(f"/v2/slots/available?eventTypeId={_thirty(fake, alice)}"
                               "&startTime=2030-01-08&endTime=2030-01-07")
    assert backwards.status_code == 400
    unknown = await http.get("/v2/slots/available?eventTypeId=9&startTime=2030-01-07&endTime=2030-01-08")
    assert unknown.status_code == 404


async def test_reserve_answers_a_uid_cookie_and_delete_releases_it(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    response = await http.post("/v2/slots/reserve", json={
        "eventTypeId": _thirty(fake, alice), "slotUtcStartDate": "2030-01-07T09:00:00.000Z",
        "slotUtcEndDate": "2030-01-07T09:30:00.000Z"})
    assert response.status_code == 201
    uid = response.json()["data"]
    assert response.cookies["uid"] == uid
    # One reservation store for both versions: the 2024-09-04 controller sees it.
    seen = await http.get(f"/v2/slots/reservations/{uid}", headers={"cal-api-version": "2024-09-04"})
    assert seen.status_code == 200, seen.text
    deleted = await http.delete(f"/v2/slots/selected-slot?uid={uid}")
    assert deleted.json() == {"status": "success"}
    assert fake.model.resources.reservations.get(uid) is None


async def test_reserving_an_unknown_event_type_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/slots/reserve", json={
        "eventTypeId": 9, "slotUtcStartDate": "2030-01-07T09:00:00.000Z",
        "slotUtcEndDate": "2030-01-07T09:30:00.000Z"})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Event Type not found"
