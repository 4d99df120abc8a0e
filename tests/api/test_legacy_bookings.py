"""``BookingsController_2024_04_15``: a request without ``cal-api-version`` gets the legacy
bodies, over the same bookings the 2024-08-13 controller serves (FACTS §11.1).

The legacy DTOs are not in the published OpenAPI document, so shapes are checked field by field
against the controller's ``outputs/`` DTOs in Cal.com's source (paths and commits below).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

CURRENT = {"cal-api-version": "2024-08-13"}

#: GetBookingsDataEntry, apps/api/v2/src/ee/bookings/2024-04-15/outputs/get-bookings.output.ts @3519e6b2.
LIST_ENTRY_FIELDS = {
    "id", "title", "userPrimaryEmail", "description", "customInputs", "startTime", "endTime", "attendees",
    "metadata", "uid", "recurringEventId", "location", "eventType", "status", "paid", "payment",
    "references", "isRecorded", "seatsReferences", "user", "rescheduled"}
LIST_ATTENDEE_FIELDS = {"id", "email", "name", "timeZone", "locale", "bookingId"}
LIST_EVENT_TYPE_FIELDS = {"slug", "id", "eventName", "price", "recurringEvent", "currency", "metadata",
                          "seatsShowAttendees", "seatsShowAvailabilityCount", "team"}
#: GetBookingData_2024_04_15, apps/api/v2/src/ee/bookings/2024-04-15/outputs/get-booking.output.ts @20f76b19.
BOOKING_INFO_FIELDS = {
    "title", "id", "uid", "description", "customInputs", "smsReminderNumber", "recurringEventId",
    "startTime", "endTime", "location", "status", "metadata", "cancellationReason", "responses",
    "rejectionReason", "userPrimaryEmail", "user", "attendees", "eventTypeId", "eventType"}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _slot(fake: MockCalcom, days: int = 3, hour: int = 13) -> str:
    import datetime as dt

    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _create_body(fake: MockCalcom, alice: User, **changes: Any) -> dict[str, Any]:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    body: dict[str, Any] = {
        "start": _slot(fake), "eventTypeId": event_type.id, "timeZone": "Europe/London", "language": "en",
        "metadata": {"timeFormat": "12"},
        "responses": {"name": "Tess Ter", "email": "tester@example.com", "notes": "test"}}
    body.update(changes)
    return body


async def test_the_legacy_list_without_a_version_has_the_dto_fields(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/bookings?filters[status]=upcoming", headers=_auth(mint(alice)))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert set(body["data"]) == {"bookings", "recurringInfo", "totalCount", "nextCursor"}
    entries = body["data"]["bookings"]
    assert entries
    for entry in entries:
        assert set(entry) == LIST_ENTRY_FIELDS
        assert set(entry["eventType"]) == LIST_EVENT_TYPE_FIELDS
        assert all(set(a) == LIST_ATTENDEE_FIELDS for a in entry["attendees"])
        assert entry["status"] in ("ACCEPTED", "PENDING")  # Prisma's upper-case enum
        assert entry["user"] == {"id": alice.id, "name": alice.name, "email": alice.email}


async def test_the_legacy_list_pages_with_limit_and_cursor(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    headers = _auth(mint(alice))
    everything = (await http.get("/v2/bookings?filters[status]=upcoming", headers=headers)).json()["data"]
    total = everything["totalCount"]
    assert total >= 2
    first = (await http.get("/v2/bookings?filters[status]=upcoming&limit=1", headers=headers)).json()["data"]
    assert first["nextCursor"] == 1
    assert [b["uid"] for b in first["bookings"]] == [everything["bookings"][0]["uid"]]
    last = (await http.get(f"/v2/bookings?filters[status]=upcoming&limit=1&cursor={total - 1}",
                           headers=headers)).json()["data"]
    assert last["nextCursor"] is None
    assert [b["uid"] for b in last["bookings"]] == [everything["bookings"][-1]["uid"]]


async def test_the_legacy_list_defaults_to_upcoming_and_filters_by_status(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    headers = _auth(mint(alice))
    default = (await http.get("/v2/bookings", headers=headers)).json()["data"]["bookings"]
    upcoming = (await http.get("/v2/bookings?filters[status]=upcoming", headers=headers)).json()["data"]
    assert [b["uid"] for b in default] == [b["uid"] for b in upcoming["bookings"]]
    cancelled = (await http.get("/v2/bookings?filters[status]=cancelled", headers=headers)).json()["data"]
    assert {b["status"] for b in cancelled["bookings"]} == {"CANCELLED"}


async def test_a_bad_legacy_list_query_is_the_validation_pipes_400(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/bookings?filters[status]=soon&limit=500", headers=_auth(mint(alice)))
    assert response.status_code == 400
    error = envelope_error(response)
    assert error["code"] == "BadRequestException"
    errors = error["details"]["errors"]
    assert [e["property"] for e in errors] == ["filters", "limit"]
    assert errors[0]["children"][0]["constraints"] == {
        "isEnum": "status must be one of the following values: upcoming, recurring, past, cancelled, "
                  "unconfirmed"}
    assert errors[1]["constraints"] == {"max": "limit must not be greater than 100"}


async def test_the_legacy_list_needs_authentication(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/bookings")
    # PermissionsGuard runs first on this handler: no credentials is its 403.
    assert response.status_code == 403
    assert envelope_error(response)["message"].startswith("PermissionsGuard - no authentication provided")


async def test_get_by_uid_needs_no_credentials_and_has_the_dto_fields(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    booking = next(b for b in fake.model.resources.bookings._by_uid.values()
                   if b.host_id == alice.id and b.status is BookingStatus.ACCEPTED)
    response = await http.get(f"/v2/bookings/{booking.uid}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == BOOKING_INFO_FIELDS
    assert data["uid"] == booking.uid
    assert data["status"] == "ACCEPTED"
    assert set(data["user"]) == {"id", "name", "email", "username", "timeZone"}
    assert all(set(a) == {"name", "email", "timeZone"} for a in data["attendees"])
    assert set(data["eventType"]) == {"eventName", "slug", "timeZone"}


async def test_get_by_unknown_uid_is_the_legacy_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/bookings/nope")
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Booking with UID=nope does not exist."


async def test_a_legacy_booking_is_the_same_booking_through_the_current_version(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    created = await http.post("/v2/bookings", json=_create_body(fake, alice))
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["userPrimaryEmail"] == alice.email
    assert data["status"] == "ACCEPTED"
    assert data["metadata"]["timeFormat"] == "12"
    assert data["responses"] == {"name": "Tess Ter", "email": "tester@example.com", "notes": "test"}
    assert data["user"]["email"] is None  # handleNewBooking blanks the organiser's email
    current = await http.get(f"/v2/bookings/{data['uid']}", headers=CURRENT)
    assert current.status_code == 200
    seen = current.json()["data"]
    assert (seen["id"], seen["uid"], seen["start"], seen["status"]) == (
        data["id"], data["uid"], data["startTime"], "accepted")
    assert seen["attendees"][0]["email"] == "tester@example.com"
    assert seen["attendees"][0]["timeZone"] == "Europe/London"


async def test_a_current_booking_cancelled_through_the_legacy_version_is_cancelled_for_both(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    created = await http.post("/v2/bookings", headers=CURRENT, json={
        "start": _slot(fake, hour=14), "eventTypeSlug": "30min", "username": alice.username,
        "attendee": {"name": "Pat", "email": "pat@example.org", "timeZone": "Europe/Paris"}})
    assert created.status_code == 201, created.text
    uid = created.json()["data"]["uid"]
    cancelled = await http.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "Ill"})
    assert cancelled.status_code == 200
    assert cancelled.json()["data"] == {"bookingId": created.json()["data"]["id"], "bookingUid": uid,
                                        "onlyRemovedAttendee": False}
    assert (await http.get(f"/v2/bookings/{uid}", headers=CURRENT)).json()["data"]["status"] == "cancelled"
    legacy = (await http.get(f"/v2/bookings/{uid}")).json()["data"]
    assert (legacy["status"], legacy["cancellationReason"]) == ("CANCELLED", "Ill")
    again = await http.post(f"/v2/bookings/{uid}/cancel", json={})
    assert again.status_code == 400
    assert envelope_error(again)["message"] == (
        f"Can't cancel booking with uid={uid} because it has been cancelled already. Please provide uid "
        "of a booking that is not cancelled.")


async def test_legacy_cancel_refuses_a_numeric_id(http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/bookings/3000001/cancel", json={})
    assert response.status_code == 400
    assert envelope_error(response)["message"] == "Please provide booking uid instead of booking id."


async def test_a_taken_slot_is_no_available_users_found_error(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    body = _create_body(fake, alice)
    assert (await http.post("/v2/bookings", json=body)).status_code == 201
    before = len(fake.model.resources.bookings)
    again = await http.post("/v2/bookings", json=body)
    assert again.status_code == 400
    error = envelope_error(again)
    assert error == {"code": "HttpException", "message": "no_available_users_found_error",
                     "details": "no_available_users_found_error"}
    assert len(fake.model.resources.bookings) == before


@pytest.mark.parametrize(("change", "property_"), [
    ({"eventTypeId": "one"}, "eventTypeId"),
    ({"timeZone": "Mars/Olympus"}, "timeZone"),
    ({"metadata": "x"}, "metadata"),
    ({"responses": {"name": "", "email": "tester@example.com"}}, "responses"),
    ({"responses": {"name": "Tess", "email": "not-an-email"}}, "responses"),
])
async def test_a_bad_legacy_create_body_is_a_400_and_books_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, change: dict[str, Any],
        property_: str) -> None:
    before = len(fake.model.resources.bookings)
    response = await http.post("/v2/bookings", json=_create_body(fake, alice, **change))
    assert response.status_code == 400
    error = envelope_error(response)
    assert error["code"] == "BadRequestException"
    assert [e["property"] for e in error["details"]["errors"]] == [property_]
    assert len(fake.model.resources.bookings) == before


async def test_a_legacy_create_without_responses_is_a_400_not_a_500(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    body = _create_body(fake, alice)
    del body["responses"]
    response = await http.post("/v2/bookings", json=body)
    assert response.status_code == 400


async def test_a_legacy_reschedule_is_a_create_with_reschedule_uid(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    first = (await http.post("/v2/bookings", json=_create_body(fake, alice))).json()["data"]
    moved = await http.post("/v2/bookings", json=_create_body(
        fake, alice, start=_slot(fake, hour=15), rescheduleUid=first["uid"], metadata={"timeFormat": "24"}))
    assert moved.status_code == 201, moved.text
    data = moved.json()["data"]
    assert data["uid"] != first["uid"]
    assert data["fromReschedule"] == first["uid"]
    assert data["metadata"]["timeFormat"] == "24"
    old = (await http.get(f"/v2/bookings/{first['uid']}", headers=CURRENT)).json()["data"]
    assert (old["status"], old["rescheduledToUid"]) == ("cancelled", data["uid"])


async def test_legacy_mark_no_show_is_the_hosts_and_shows_in_the_current_version(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    now = fake.model.clock.now()
    booking = next(b for b in fake.model.resources.bookings._by_uid.values()
                   if b.host_id == alice.id and b.status is BookingStatus.ACCEPTED and b.end < now)
    email = booking.attendees[0].email
    response = await http.post(f"/v2/bookings/{booking.uid}/mark-no-show",
                               headers={"Authorization": f"Bearer {mint(alice)}"},
                               json={"attendees": [{"email": email, "noShow": True}]})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"attendees": [{"email": email, "noShow": True}],
                                       "message": f"{email} marked as no-show"}
    current = (await http.get(f"/v2/bookings/{booking.uid}", headers=CURRENT)).json()["data"]
    assert current["attendees"][0]["absent"] is True


async def test_legacy_mark_no_show_of_another_hosts_booking_changes_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    now = fake.model.clock.now()
    theirs = next(b for b in fake.model.resources.bookings._by_uid.values()
                  if b.host_id == bob.id and b.status is BookingStatus.ACCEPTED and b.end < now)
    response = await http.post(f"/v2/bookings/{theirs.uid}/mark-no-show",
                               headers={"Authorization": f"Bearer {mint(alice)}"}, json={"noShowHost": True})
    assert response.status_code == 404
    assert theirs.absent_host is False
    bad = await http.post(f"/v2/bookings/{theirs.uid}/mark-no-show",
                          headers={"Authorization": f"Bearer {mint(bob)}"},
                          json={"attendees": [{"email": "nope", "noShow": "yes"}]})
    assert bad.status_code == 400
    assert theirs.attendees[0].absent is False


async def test_a_legacy_instant_booking_of_a_personal_event_type_is_refused_and_books_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    before = len(fake.model.resources.bookings)
    response = await http.post("/v2/bookings/instant", json=_create_body(fake, alice))
    assert response.status_code == 400
    assert envelope_error(response) == {
        "code": "HttpException", "message": "Only Team Event Types are supported for Instant Meeting",
        "details": "Only Team Event Types are supported for Instant Meeting"}
    assert len(fake.model.resources.bookings) == before
    missing = await http.post("/v2/bookings/instant", json=_create_body(fake, alice, eventTypeId=7))
    assert missing.status_code == 404
