"""``/v2/bookings``: listing (filters, sorting, pagination), creating against availability,
cancelling, rescheduling, confirming, declining and marking absences.

The fake's clock starts on Monday 2026-01-05 09:00Z; alice (Europe/London, Mon-Fri 09-17) has
five seeded bookings: two past, one upcoming accepted, one pending, one cancelled.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.api.validation import pipe_value
from mock_calcom.errors import BadRequestError
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.resources.timeutil import iso_ms
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error, headers_for

TUESDAY_1PM = "2026-01-06T13:00:00.000Z"


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path, headers=headers_for(path, self.token))

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.http.post(path, json=body, headers=headers_for(path, self.token))

    async def public_get(self, path: str) -> httpx.Response:
        """A read without the token: ``GET /v2/bookings/{uid}`` is public, but closed to a
        scoped token (FACTS §11.9)."""
        return await self.http.get(path, headers=headers_for(path, None))

    async def data(self, path: str) -> Any:
        response = await self.get(path)
        assert response.status_code == 200, response.text
        return response.json()["data"]


@pytest.fixture
def api(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> Api:
    return Api(http, mint(alice, ["BOOKING_READ", "BOOKING_WRITE"]))


def _uid(fake: MockCalcom, user: User, status: BookingStatus, *, past: bool = False) -> str:
    now = fake.model.clock.now()
    return next(b.uid for b in fake.model.resources.bookings._by_uid.values()
                if b.host_id == user.id and b.status is status and (b.end < now) == past)


def _new(user: User, start: str = TUESDAY_1PM, **extra: Any) -> dict[str, Any]:
    return {"start": start, "eventTypeSlug": "30min", "username": user.username,
            "attendee": {"name": "Pat Doe", "email": "pat@example.org", "timeZone": "Europe/Paris"},
            **extra}


# -- listing ------------------------------------------------------------------------------------

async def test_the_list_holds_the_users_bookings_with_a_pagination_object(api: Api) -> None:
    body = (await api.get("/v2/bookings")).json()
    assert len(body["data"]) == 5
    assert body["pagination"] == {"totalItems": 5, "remainingItems": 0, "returnedItems": 5,
                                  "itemsReturned": 5, "itemsPerPage": 100, "currentPage": 1,
                                  "totalPages": 1, "hasNextPage": False, "hasPreviousPage": False}


@pytest.mark.parametrize(("status", "expected"), [
    ("upcoming", {"accepted", "pending"}), ("past", {"accepted"}), ("cancelled", {"cancelled"}),
    ("unconfirmed", {"pending"}), ("recurring", set()), ("upcoming,past", {"accepted", "pending"})])
async def test_status_filters_follow_cal_coms_listing(api: Api, status: str, expected: set[str]) -> None:
    data = await api.data(f"/v2/bookings?status={status}")
    assert {b["status"] for b in data} == expected
    counts = {"upcoming": 2, "past": 2, "cancelled": 1, "unconfirmed": 1, "recurring": 0, "upcoming,past": 4}
    assert len(data) == counts[status]


async def test_upcoming_and_past_are_judged_on_the_fake_clock(
        api: Api, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    assert len(await api.data("/v2/bookings?status=past")) == 2
    fake.model.clock.advance(5 * 86_400)
    api.token = mint(alice, ["BOOKING_READ"])
    assert len(await api.data("/v2/bookings?status=past")) == 4
    assert await api.data("/v2/bookings?status=upcoming") == []


async def test_take_and_skip_page_through_the_list(api: Api) -> None:
    body = (await api.get("/v2/bookings?take=2&skip=2&sortStart=asc")).json()
    everything = await api.data("/v2/bookings?sortStart=asc")
    assert [b["uid"] for b in body["data"]] == [b["uid"] for b in everything[2:4]]
    assert body["pagination"] | {} == {"totalItems": 5, "remainingItems": 1, "returnedItems": 2,
                                       "itemsReturned": 2, "itemsPerPage": 2, "currentPage": 2,
                                       "totalPages": 3, "hasNextPage": True, "hasPreviousPage": True}


@pytest.mark.parametrize(("param", "key"), [("sortStart", "start"), ("sortEnd", "end"),
                                            ("sortCreated", "createdAt"), ("sortUpdatedAt", "updatedAt")])
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_sort_parameters_order_the_list(api: Api, param: str, key: str, direction: str) -> None:
    data = await api.data(f"/v2/bookings?{param}={direction}")
    values = [b[key] for b in data]
    assert values == sorted(values, reverse=direction == "desc")


async def test_filters_narrow_the_list(api: Api, fake: MockCalcom, alice: User) -> None:
    booking = fake.model.resources.bookings.get(_uid(fake, alice, BookingStatus.PENDING))
    assert booking is not None
    email = booking.attendees[0].email
    by_email = await api.data(f"/v2/bookings?attendeeEmail={email.upper()}")
    assert booking.uid in {b["uid"] for b in by_email}
    assert all(email in {a["email"] for a in b["attendees"]} for b in by_email)
    assert [b["uid"] for b in await api.data(f"/v2/bookings?bookingUid={booking.uid}")] == [booking.uid]
    by_type = await api.data(f"/v2/bookings?eventTypeId={booking.event_type_id}")
    assert {b["eventTypeId"] for b in by_type} == {booking.event_type_id}
    after = await api.data("/v2/bookings?afterStart=2026-01-05T09:00:00Z")
    assert len(after) == 3
    assert await api.data("/v2/bookings?teamId=5") == []


@pytest.mark.parametrize(("query", "prop", "constraints"), [
    ("take=251", "take", {"max": "take must not be greater than 250"}),
    ("take=0", "take", {"min": "take must not be less than 1"}),
    ("skip=-1", "skip", {"min": "skip must not be less than 0"}),
    ("take=abc", "take", {"isNumber": "take must be a number conforming to the specified constraints",
                          "min": "take must not be less than 1", "max": "take must not be greater than 250"}),
    ("status=soon", "status", {"isEnum": "Invalid status. Allowed are upcoming, recurring, past, "
                                         "cancelled, unconfirmed"}),
    ("afterStart=yesterday", "afterStart", {"isIso8601": "fromDate must be a valid ISO 8601 date."}),
    ("beforeEnd=2026-13-01", "beforeEnd", {"isIso8601": "toDate must be a valid ISO 8601 date."}),
    ("sortStart=up", "sortStart", {"isEnum": 'SortStart must be either "asc" or "desc".'}),
    ("eventTypeId=x", "eventTypeId", {"isInt": "eventTypeId must be an integer number"}),
])
async def test_bad_list_queries_are_400_with_validation_details(
        api: Api, query: str, prop: str, constraints: dict[str, str]) -> None:
    response = await api.get(f"/v2/bookings?{query}")
    assert response.status_code == 400
    error = envelope_error(response)
    assert error["code"] == "BadRequestException"
    assert error["message"] == "Bad Request Exception"
    [item] = error["details"]["errors"]
    assert item["property"] == prop
    assert item["constraints"] == constraints


async def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    assert len(await api.data("/v2/bookings?limit=1&cursor=4")) == 5


# -- creating -----------------------------------------------------------------------------------

async def test_a_booking_is_created_against_the_event_type_and_listed(api: Api, alice: User) -> None:
    response = await api.post("/v2/bookings", _new(alice, guests=["g@example.org"], metadata={"k": "v"}))
    assert response.status_code == 201, response.text
    booking = response.json()["data"]
    assert (booking["start"], booking["end"], booking["duration"]) == (
        TUESDAY_1PM, "2026-01-06T13:30:00.000Z", 30)
    assert booking["status"] == "accepted"
    assert booking["hosts"][0]["username"] == "alice"
    assert booking["attendees"] == [{"name": "Pat Doe", "email": "pat@example.org",
                                     "displayEmail": "pat@example.org", "timeZone": "Europe/Paris",
                                     "language": "en", "absent": False}]
    assert booking["eventType"]["slug"] == "30min"
    assert booking["title"] == "30 min meeting between Alice Host and Pat Doe"
    assert booking["location"] == booking["meetingUrl"] == f"https://app.cal.com/video/{booking['uid']}"
    assert booking["metadata"] == {"k": "v"}
    assert booking["guests"] == ["g@example.org"]
    assert booking["bookingFieldsResponses"]["email"] == "pat@example.org"
    assert (booking["createdAt"], booking["updatedAt"]) == ("2026-01-05T09:00:00.000Z",) * 2
    fetched = (await api.public_get(f"/v2/bookings/{booking['uid']}")).json()["data"]
    assert fetched == booking
    assert booking["uid"] in {b["uid"] for b in await api.data("/v2/bookings?status=upcoming")}


async def test_a_booking_by_event_type_id_works_without_a_token(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "15min")
    assert event_type is not None
    body = {"start": TUESDAY_1PM, "eventTypeId": event_type.id,
            "attendee": {"name": "Sam", "email": "sam@example.org", "timeZone": "UTC"}}
    response = await Api(http, None).post("/v2/bookings", body)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["end"] == "2026-01-06T13:15:00.000Z"


@pytest.mark.parametrize(("start", "message"), [
    ("2026-01-05T08:00:00Z", "Attempting to book a meeting in the past."),
    ("2026-01-06T03:00:00Z", "User either already has booking at this time or is not available"),
    ("2026-01-10T13:00:00Z", "User either already has booking at this time or is not available"),
    ("2026-01-06T10:15:00Z", "User either already has booking at this time or is not available"),
])
async def test_unbookable_times_are_400_and_write_nothing(
        api: Api, fake: MockCalcom, alice: User, start: str, message: str) -> None:
    before = len(fake.model.resources.bookings)
    response = await api.post("/v2/bookings", _new(alice, start))
    assert response.status_code == 400
    assert envelope_error(response)["message"] == message
    assert len(fake.model.resources.bookings) == before


async def test_the_minimum_booking_notice_is_enforced(api: Api, alice: User) -> None:
    response = await api.post("/v2/bookings", _new(alice, "2026-01-05T10:30:00Z"))
    assert response.status_code == 400
    assert envelope_error(response)["message"].startswith("The event type can't be booked at the \"start\"")
    assert (await api.post("/v2/bookings", _new(alice, "2026-01-05T11:00:00Z"))).status_code == 201


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"eventTypeSlug": "30min", "username": "nobody"}, 404, "User with username nobody not found"),
    ({"eventTypeSlug": "nope", "username": "alice"}, 404,
     "Event type with slug nope belonging to user alice not found."),
    ({"eventTypeId": 424242}, 404, "Event type with id 424242 not found."),
    ({}, 404, "Event type with id undefined not found."),
    ({"teamSlug": "acme", "eventTypeSlug": "x"}, 404, "Team with slug acme not found"),
])
async def test_the_event_type_to_book_must_exist(
        api: Api, body: dict[str, Any], status: int, message: str) -> None:
    attendee = {"name": "P", "email": "p@example.org", "timeZone": "UTC"}
    full = {"start": TUESDAY_1PM, "attendee": attendee, **body}
    response = await api.post("/v2/bookings", full)
    assert response.status_code == status
    assert envelope_error(response)["message"] == message


def _pipe_error(response: httpx.Response, message: str) -> None:
    """The hand-written booking pipes' 400: one string, and Nest's object details (no
    ``details.errors`` array as the global ValidationPipe gives)."""
    assert response.status_code == 400, response.text
    assert envelope_error(response) == {
        "code": "BadRequestException", "message": message,
        "details": {"message": message, "error": "Bad Request", "statusCode": 400}}


async def test_an_invalid_create_body_is_400_with_every_problem_in_one_string(api: Api) -> None:
    response = await api.post("/v2/bookings", {
        "start": "tomorrow", "attendee": {"name": 5, "timeZone": "Mars/Base"}, "eventTypeId": "1",
        "extra": True})
    # Unknown properties first, then the declared ones in order; nested errors follow their
    # parent's (empty) constraints after one space (formatErrors, FACTS §11.2).
    _pipe_error(response, (
        "extra property is wrong,property extra should not exist , "
        "start property is wrong,start must be a valid ISO 8601 date string , "
        "attendee property is wrong, name property is wrong,name must be a string , "
        "timeZone property is wrong,timeZone must be a valid IANA time-zone , "
        "eventTypeId property is wrong,eventTypeId must be an integer number "))


async def test_create_refuses_an_unknown_field_instead_of_stripping_it(
        api: Api, fake: MockCalcom, alice: User) -> None:
    before = len(fake.model.resources.bookings._by_uid)
    response = await api.post("/v2/bookings", _new(alice, notes="please"))
    _pipe_error(response, "notes property is wrong,property notes should not exist ")
    unknown_in_attendee = _new(alice)
    unknown_in_attendee["attendee"]["company"] = "Acme"
    response = await api.post("/v2/bookings", unknown_in_attendee)
    _pipe_error(response, "attendee property is wrong, company property is wrong,property company "
                          "should not exist ")
    assert len(fake.model.resources.bookings._by_uid) == before


async def test_cancel_refuses_an_unknown_field(api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.ACCEPTED)
    response = await api.post(f"/v2/bookings/{uid}/cancel", {"reason": "x"})
    _pipe_error(response, "reason property is wrong,property reason should not exist ")
    assert fake.model.resources.bookings.require(uid).status is BookingStatus.ACCEPTED


async def test_reschedule_refuses_an_unknown_field(api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.ACCEPTED)
    response = await api.post(f"/v2/bookings/{uid}/reschedule",
                              {"start": TUESDAY_1PM, "reason": "moved"})
    _pipe_error(response, "reason property is wrong,property reason should not exist ")
    assert fake.model.resources.bookings.require(uid).status is BookingStatus.ACCEPTED


@pytest.mark.parametrize("action", ["create", "cancel", "reschedule"])
async def test_the_booking_pipes_require_a_body(api: Api, http: httpx.AsyncClient, fake: MockCalcom,
                                                alice: User, action: str) -> None:
    uid = _uid(fake, alice, BookingStatus.ACCEPTED)
    path = {"create": "/v2/bookings", "cancel": f"/v2/bookings/{uid}/cancel",
            "reschedule": f"/v2/bookings/{uid}/reschedule"}[action]
    headers = headers_for(path, api.token)
    # No body, or a body no parser reads: req.body is undefined under body-parser 2.x.
    for content, extra in ((b"", {}), (b"start=x", {"content-type": "text/plain"})):
        response = await http.post(path, content=content, headers={**headers, **extra})
        _pipe_error(response, "Body is required")
    # Under body-parser 1.x the pipe sees {} and validates it instead (FACTS §11.12): create
    # and reschedule miss ``start``, a cancel needs nothing.
    fake.update_settings(empty_body="empty_object")
    response = await http.post(path, content=b"", headers=headers)
    if action == "cancel":
        assert response.status_code == 200, response.text
    else:
        _pipe_error(response, "start property is wrong,start must be a valid ISO 8601 date string "
                    + (", attendee property is wrong,nested property attendee must be either object "
                       "or array " if action == "create" else ""))


def test_the_pipes_refuse_a_body_that_is_not_an_object() -> None:
    # Unreachable over HTTP (body-parser's strict mode refuses a JSON scalar first); the pipe
    # itself answers it.
    for value in ("text", 42, True):
        with pytest.raises(BadRequestError) as caught:
            pipe_value(value, parsed=True, empty_body="undefined")
        assert caught.value.message == "Body should be an object"
    for falsy in ("", 0, False, None):
        with pytest.raises(BadRequestError) as caught:
            pipe_value(falsy, parsed=True, empty_body="undefined")
        assert caught.value.message == "Body is required"
    assert pipe_value([], parsed=True, empty_body="undefined") == []


async def test_a_location_must_be_one_the_event_type_offers(
        api: Api, fake: MockCalcom, alice: User) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    event_type.locations = [{"type": "integration", "integration": "cal-video"},
                            {"type": "phone", "phone": "+14155550100", "public": True}]
    response = await api.post("/v2/bookings", _new(alice, location={
        "type": "attendeeAddress", "address": "1 Main St"}))
    assert response.status_code == 400
    assert envelope_error(response)["message"] == (
        f"Booking location with type attendeeAddress not valid for event type with "
        f"id={event_type.id}. The event type has following location types: integration, phone, "
        "and only these types are allowed for booking location.")
    response = await api.post("/v2/bookings", _new(alice, location={
        "type": "integration", "integration": "zoom"}))
    assert envelope_error(response)["message"] == (
        f"Booking location with integration zoom not valid for event type with id={event_type.id}. "
        "The event type has following integrations: cal-video, and only these integrations are "
        "allowed for booking location.")
    for allowed in ({"type": "phone"}, {"type": "integration", "integration": "cal-video"},
                    "anywhere, as a string"):
        ok = await api.post("/v2/bookings", _new(alice, location=allowed))
        assert ok.status_code == 201, ok.text
        fake.model.clock.advance(0)
        await api.post(f"/v2/bookings/{ok.json()['data']['uid']}/cancel", {})


async def test_length_in_minutes_must_be_one_of_the_event_types_lengths(
        api: Api, fake: MockCalcom, alice: User) -> None:
    response = await api.post("/v2/bookings", _new(alice, lengthInMinutes=45))
    assert response.status_code == 400
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    event_type.length_options = [30, 60]
    ok = await api.post("/v2/bookings", _new(alice, lengthInMinutes=60))
    assert ok.status_code == 201
    assert ok.json()["data"]["duration"] == 60


async def test_booking_requires_authentication_is_honoured(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    event_type.booking_requires_authentication = True
    anonymous = await Api(http, None).post("/v2/bookings", _new(alice))
    assert anonymous.status_code == 401
    stranger = await Api(http, mint(bob)).post("/v2/bookings", _new(alice))
    assert stranger.status_code == 403
    owner = await Api(http, mint(alice)).post("/v2/bookings", _new(alice))
    assert owner.status_code == 201


async def test_a_phone_only_attendee_gets_cal_coms_placeholder_email(api: Api, alice: User) -> None:
    body = _new(alice)
    body["attendee"] = {"name": "Phone Only", "phoneNumber": "+919876543210", "timeZone": "Asia/Kolkata"}
    attendee = (await api.post("/v2/bookings", body)).json()["data"]["attendees"][0]
    assert attendee["email"] == "919876543210@sms.cal.com"
    assert attendee["phoneNumber"] == "+919876543210"


# -- changing -----------------------------------------------------------------------------------

async def test_cancel_sets_the_status_and_reason_and_refuses_twice(
        api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.ACCEPTED)
    response = await api.post(f"/v2/bookings/{uid}/cancel", {"cancellationReason": "Travel"})
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["status"], data["cancellationReason"], data["cancelledByEmail"]) == (
        "cancelled", "Travel", "alice@example.com")
    again = await api.post(f"/v2/bookings/{uid}/cancel", {})
    assert again.status_code == 400
    assert envelope_error(again)["message"] == "This booking has already been cancelled."


async def test_reschedule_makes_a_new_booking_and_links_both(api: Api, fake: MockCalcom, alice: User) -> None:
    old_uid = _uid(fake, alice, BookingStatus.ACCEPTED)
    response = await api.post(f"/v2/bookings/{old_uid}/reschedule",
                              {"start": TUESDAY_1PM, "reschedulingReason": "Clash",
                               "rescheduledBy": "alice@example.com"})
    assert response.status_code == 201, response.text
    new = response.json()["data"]
    assert new["uid"] != old_uid
    assert (new["rescheduledFromUid"], new["reschedulingReason"], new["rescheduledByEmail"]) == (
        old_uid, "Clash", "alice@example.com")
    assert (new["start"], new["status"]) == (TUESDAY_1PM, "accepted")
    old = (await api.public_get(f"/v2/bookings/{old_uid}")).json()["data"]
    assert (old["status"], old["rescheduledToUid"]) == ("cancelled", new["uid"])
    twice = await api.post(f"/v2/bookings/{old_uid}/reschedule", {"start": "2026-01-06T15:00:00Z"})
    assert twice.status_code == 400
    assert envelope_error(twice)["message"] == (
        f"Can't reschedule booking with uid={old_uid} because it has been cancelled and rescheduled "
        f"already to booking with uid={new['uid']}. You probably want to reschedule {new['uid']} instead "
        "by passing it within the request URL.")


async def test_a_cancelled_booking_cannot_be_rescheduled(api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.CANCELLED)
    response = await api.post(f"/v2/bookings/{uid}/reschedule", {"start": TUESDAY_1PM})
    assert response.status_code == 400
    assert envelope_error(response)["message"] == (
        f"Can't reschedule booking with uid={uid} because it has been cancelled. Please provide uid of "
        "a booking that is not cancelled.")


async def test_a_booking_may_be_rescheduled_onto_its_own_time_slot(
        api: Api, fake: MockCalcom, alice: User) -> None:
    booking = fake.model.resources.bookings.get(_uid(fake, alice, BookingStatus.ACCEPTED))
    assert booking is not None
    same = booking.start + 15 * 60
    response = await api.post(f"/v2/bookings/{booking.uid}/reschedule", {"start": iso_ms(same)})
    assert response.status_code == 201, response.text


async def test_confirm_and_decline_move_a_pending_booking_once(
        api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.PENDING)
    confirmed = await api.post(f"/v2/bookings/{uid}/confirm")
    assert confirmed.json()["data"]["status"] == "accepted"
    again = await api.post(f"/v2/bookings/{uid}/confirm")
    assert again.status_code == 400
    assert envelope_error(again)["message"] == "Booking already confirmed"
    declined = await api.post(f"/v2/bookings/{uid}/decline", {"reason": "late"})
    assert declined.status_code == 400


async def test_decline_rejects_a_pending_booking(api: Api, fake: MockCalcom, alice: User) -> None:
    uid = _uid(fake, alice, BookingStatus.PENDING)
    response = await api.post(f"/v2/bookings/{uid}/decline", {"reason": "Busy"})
    assert response.json()["data"]["status"] == "rejected"
    assert uid in {b["uid"] for b in await api.data("/v2/bookings?status=cancelled")}


async def test_absences_can_be_marked_only_after_the_start(api: Api, fake: MockCalcom, alice: User) -> None:
    future = fake.model.resources.bookings.get(_uid(fake, alice, BookingStatus.ACCEPTED))
    assert future is not None
    early = await api.post(f"/v2/bookings/{future.uid}/mark-absent", {"host": True})
    assert early.status_code == 400
    assert envelope_error(early)["message"] == (
        "Bookings can only be marked as absent after their scheduled start time. Current time in UTC+0: "
        "2026-01-05T09:00:00.000Z, Booking start time in UTC+0: 2026-01-06T10:00:00.000Z")
    past = fake.model.resources.bookings.get(_uid(fake, alice, BookingStatus.ACCEPTED, past=True))
    assert past is not None
    email = past.attendees[0].email
    data = (await api.post(f"/v2/bookings/{past.uid}/mark-absent",
                           {"host": True, "attendees": [{"email": email, "absent": True}]})).json()["data"]
    assert data["absentHost"] is True
    assert data["attendees"][0]["absent"] is True


async def test_an_unknown_booking_uid_is_404(api: Api) -> None:
    response = await api.public_get("/v2/bookings/doesNotExist")
    assert response.status_code == 404
    assert envelope_error(response)["message"] == (
        "Booking with uid=doesNotExist was not found in the database")


async def test_mark_absent_on_an_unknown_uid_uses_its_own_wording(
        api: Api, fake: MockCalcom, bob: User) -> None:
    """markAbsent: ``Booking with uid=<uid> not found.`` (FACTS §11.12); confirm and decline
    say ``was not found in the database``. Another host's booking answers the same."""
    response = await api.post("/v2/bookings/doesNotExist/mark-absent", {"host": True})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Booking with uid=doesNotExist not found."
    confirm = await api.post("/v2/bookings/doesNotExist/confirm")
    assert envelope_error(confirm)["message"] == (
        "Booking with uid=doesNotExist was not found in the database")
    others = _uid(fake, bob, BookingStatus.ACCEPTED, past=True)
    response = await api.post(f"/v2/bookings/{others}/mark-absent", {"host": True})
    assert envelope_error(response)["message"] == f"Booking with uid={others} not found."
