"""``/v2/bookings`` at 2024-04-15, 2024-06-11 and 2024-06-14: ``BookingsController_2024_04_15``
(apps/api/v2/src/ee/bookings/2024-04-15/controllers/bookings.controller.ts @d3367926), the
controller a request without ``cal-api-version`` reaches (FACTS §11.1).

Guards: ``PermissionsGuard`` at class level, which only acts on handlers with ``@Permissions``:
the list (``ApiAuthGuard``, ``BOOKING_READ``) and mark-no-show. Get-by-uid, create and cancel
carry no auth guard at all: anyone holding a uid reads and cancels the booking. Create and
cancel look the bearer up only as an API key or a *platform* access token (``getOwnerId``,
errors swallowed), so a third-party OAuth token there acts as no one. The fake has no API keys
or platform tokens, so no bearer names an owner on those handlers.

Bodies are what Cal.com's libraries return (``getAllUserBookings``, ``getBookingInfo``,
``handleNewBooking``, ``handleCancelBooking``), whose fields are listed by the controller's
``outputs/`` DTOs (get-bookings.output.ts @3519e6b2, get-booking.output.ts @20f76b19): Prisma
rows with upper-case statuses, ``startTime``/``endTime``, raw ``metadata`` and ``responses``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.bookings import consume_reservation, slot_check
from mock_calcom.api.endpoint import PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.legacy.common import nested_query, stored_location, upper_status
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_EMAIL,
    IS_NUMBER,
    IS_OBJECT,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    js_number,
    max_value,
    min_value,
    one_of,
    parse_int_when_truthy,
)
from mock_calcom.errors import ApiError, BadRequestError, HttpExceptionError, NotFoundError
from mock_calcom.model.resources import bookings as booking_model
from mock_calcom.model.resources.bookings import Attendee, Booking, BookingQuery, NewBooking
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso
from mock_calcom.model.users import User

#: Status_2024_04_15 (packages/platform/types/bookings/2024-04-15/inputs/index.ts @3519e6b2).
STATUSES = ("upcoming", "recurring", "past", "cancelled", "unconfirmed")
#: ``getAllUserBookings`` with ``take: limit ?? 10``.
DEFAULT_LIMIT = 10


def _numbers(value: Any) -> Any:
    # @Type(() => Number) on an array property converts each item (a lone value too).
    if isinstance(value, list):
        return [js_number(item) for item in value]
    return js_number(value)


FILTERS = Schema((
    Prop("teamsIds", (IS_ARRAY,), optional=True, transform=_numbers),
    Prop("userIds", (IS_ARRAY,), optional=True, transform=_numbers),
    Prop("status", (one_of(STATUSES),)),
    Prop("eventTypeIds", (IS_ARRAY,), optional=True, transform=_numbers),
))
#: GetBookingsInput_2024_04_15: ``filters`` is ``@ValidateNested`` without ``@IsOptional``,
#: which class-validator skips when the value is undefined (the handler defaults to upcoming).
LIST_QUERY = Schema((
    Prop("filters", (), optional=True, nested=FILTERS),
    Prop("limit", (IS_NUMBER, min_value(1), max_value(100)), optional=True, transform=parse_int_when_truthy),
    Prop("cursor", (IS_NUMBER,), optional=True, transform=parse_int_when_truthy),
))

CANCEL_BOOKING = Schema((
    Prop("id", (IS_NUMBER,), optional=True),
    Prop("uid", (IS_STRING,), optional=True),
    Prop("allRemainingBookings", (IS_BOOLEAN,), optional=True),
    Prop("cancellationReason", (IS_STRING,), optional=True),
    Prop("seatReferenceUid", (IS_STRING,), optional=True),
))

_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]{2,}$")

#: MarkNoShowInput_2024_04_15 (inputs/mark-no-show.input.ts @03670679).
MARK_NO_SHOW = Schema((
    Prop("noShowHost", (IS_BOOLEAN,), optional=True),
    Prop("attendees", (IS_ARRAY,), optional=True, each=True, nested=Schema((
        Prop("email", (IS_EMAIL,)),
        Prop("noShow", (IS_BOOLEAN,)),
    ))),
))


def _booking_name(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, dict) and isinstance(value.get("firstName"), str) and bool(
        value["firstName"].strip())


def _optional_email(message: str) -> Rule:
    return Rule("customValidation", lambda v: not v or (isinstance(v, str) and bool(_EMAIL.match(v))),
                message)


RESPONSE_LOCATION = Schema((Prop("optionValue", (IS_STRING,)), Prop("value", (IS_STRING,))))
RESPONSES = Schema((
    Prop("name", (Rule("validateBookingName", _booking_name,
                       "Name must be either a non-empty string or an object with non-empty firstName "
                       "and lastName"),)),
    Prop("email", (_optional_email("Invalid response email"),)),
    Prop("guests", (IS_ARRAY, Rule("isString", lambda v: all(isinstance(i, str) for i in v),
                                   "each value in guests must be a string")), optional=True),
    Prop("location", (), optional=True, nested=RESPONSE_LOCATION),
    Prop("notes", (IS_STRING,), optional=True),
))


def _opt(name: str, *rules: Rule) -> Prop:
    return Prop(name, rules, optional=True)


#: CreateBookingInput_2024_04_15 (apps/api/v2/src/ee/bookings/2024-04-15/inputs/
#: create-booking.input.ts @f0ac6126); the global ValidationPipe strips anything else.
CREATE_BOOKING = Schema((
    _opt("end", IS_STRING),
    Prop("start", (IS_STRING,)),
    Prop("eventTypeId", (IS_NUMBER,)),
    _opt("eventTypeSlug", IS_STRING),
    _opt("rescheduleUid", IS_STRING),
    _opt("rescheduledBy", _optional_email("Invalid rescheduledBy email format")),
    Prop("timeZone", (IS_TIME_ZONE,)),
    Prop("user", (IS_ARRAY,), optional=True, transform=lambda v: [v] if isinstance(v, str) else v),
    Prop("language", (IS_STRING,)),
    _opt("bookingUid", IS_STRING),
    Prop("metadata", (IS_OBJECT,)),
    _opt("hasHashedBookingLink", IS_BOOLEAN),
    _opt("hashedLink", IS_STRING),
    _opt("seatReferenceUid", IS_STRING),
    Prop("responses", (), optional=True, nested=RESPONSES),
    _opt("orgSlug", IS_STRING),
    _opt("locationUrl", IS_STRING),
    _opt("routedTeamMemberIds", IS_ARRAY),
    _opt("routingFormResponseId", IS_NUMBER),
    _opt("skipContactOwner", IS_BOOLEAN),
    _opt("_isDryRun", IS_BOOLEAN),
    _opt("reroutingFormResponses", IS_OBJECT),
    _opt("teamMemberEmail", IS_STRING),
    _opt("crmAppSlug", IS_STRING),
    _opt("crmOwnerRecordType", IS_STRING),
    _opt("rrHostSubsetIds", IS_ARRAY),
))

# -- output ------------------------------------------------------------------------------------


def _attendee_id(booking: Booking, index: int) -> int:
    """The fake keeps no attendee rows; their ids are derived from the booking's, stable."""
    return booking.id * 100 + index + 1


def list_entry(booking: Booking, host: User | None, event_type: EventType | None) -> dict[str, Any]:
    """``GetBookingsDataEntry`` (get-bookings.output.ts @3519e6b2)."""
    return {
        "id": booking.id,
        "title": booking.title,
        "userPrimaryEmail": host.email if host else None,
        "description": booking.description or None,
        "customInputs": {},
        "startTime": iso_ms(booking.start),
        "endTime": iso_ms(booking.end),
        "attendees": [{"id": _attendee_id(booking, i), "email": a.email, "name": a.name,
                       "timeZone": a.time_zone, "locale": a.language, "bookingId": booking.id}
                      for i, a in enumerate(booking.attendees)],
        "metadata": dict(booking.metadata),
        "uid": booking.uid,
        "recurringEventId": booking.recurring_event_id,
        "location": booking.location or None,
        "eventType": {
            "slug": booking.event_type_slug, "id": booking.event_type_id, "eventName": None,
            "price": event_type.price if event_type else 0, "recurringEvent": None,
            "currency": event_type.currency if event_type else "usd",
            "metadata": dict(event_type.metadata) if event_type else {},
            "seatsShowAttendees": False, "seatsShowAvailabilityCount": True, "team": None,
        },
        "status": upper_status(booking.status.value),
        "paid": False,
        "payment": [],
        "references": [],
        "isRecorded": False,
        "seatsReferences": [],
        "user": {"id": host.id, "name": host.name, "email": host.email} if host else None,
        "rescheduled": bool(booking.rescheduled_to_uid) or None,
    }


def booking_info(booking: Booking, host: User | None) -> dict[str, Any]:
    """``getBookingInfo``'s booking (GetBookingData_2024_04_15, get-booking.output.ts @20f76b19)."""
    return {
        "title": booking.title,
        "id": booking.id,
        "uid": booking.uid,
        "description": booking.description or None,
        "customInputs": {},
        "smsReminderNumber": None,
        "recurringEventId": booking.recurring_event_id,
        "startTime": iso_ms(booking.start),
        "endTime": iso_ms(booking.end),
        "location": booking.location or None,
        "status": upper_status(booking.status.value),
        "metadata": dict(booking.metadata),
        "cancellationReason": booking.cancellation_reason,
        "responses": dict(booking.responses),
        "rejectionReason": booking.rejection_reason,
        "userPrimaryEmail": host.email if host else None,
        "user": ({"id": host.id, "name": host.name, "email": host.email, "username": host.username,
                  "timeZone": host.time_zone} if host else None),
        "attendees": [{"name": a.name, "email": a.email, "timeZone": a.time_zone} for a in booking.attendees],
        "eventTypeId": booking.event_type_id,
        "eventType": {"eventName": None, "slug": booking.event_type_slug, "timeZone": None},
    }


def created_booking(booking: Booking, host: User) -> dict[str, Any]:
    """``handleNewBooking``'s result: the Prisma booking with its user (whose email it blanks)
    and attendees, plus ``paymentRequired`` (handleNewBooking.ts, returned as is by the
    controller)."""
    return {
        "id": booking.id,
        "uid": booking.uid,
        "userId": host.id,
        "userPrimaryEmail": host.email,
        "eventTypeId": booking.event_type_id,
        "title": booking.title,
        "description": booking.description or None,
        "customInputs": {},
        "responses": dict(booking.responses),
        "startTime": iso_ms(booking.start),
        "endTime": iso_ms(booking.end),
        "location": booking.location or None,
        "createdAt": iso_ms(booking.created_at),
        "updatedAt": iso_ms(booking.updated_at),
        "status": upper_status(booking.status.value),
        "paid": False,
        "destinationCalendarId": None,
        "cancellationReason": None,
        "rejectionReason": None,
        "dynamicEventSlugRef": None,
        "dynamicGroupSlugRef": None,
        "rescheduled": None,
        "fromReschedule": booking.rescheduled_from_uid,
        "recurringEventId": booking.recurring_event_id,
        "smsReminderNumber": None,
        "scheduledJobs": [],
        "metadata": dict(booking.metadata),
        "isRecorded": False,
        "iCalUID": booking.ics_uid,
        "iCalSequence": 0,
        "rating": None,
        "ratingFeedback": None,
        "noShowHost": booking.absent_host,
        "creationSource": "API_V2",
        "user": {"id": host.id, "name": host.name, "username": host.username, "email": None,
                 "timeZone": host.time_zone, "timeFormat": host.time_format, "locale": host.locale},
        "attendees": [{"id": _attendee_id(booking, i), "email": a.email, "name": a.name,
                       "timeZone": a.time_zone, "locale": a.language, "bookingId": booking.id,
                       "noShow": a.absent}
                      for i, a in enumerate(booking.attendees)],
        "references": [],
        "paymentRequired": False,
    }


# -- handlers ----------------------------------------------------------------------------------


def list_bookings(call: Call) -> Response:
    query = LIST_QUERY.validate(nested_query(call.query))
    filters = query.get("filters", {})
    limit = int(query["limit"]) if query.get("limit") else DEFAULT_LIMIT
    cursor = int(query["cursor"]) if query.get("cursor") else 0
    ids = filters.get("eventTypeIds")
    everything, _ = call.model.resources.bookings.list_for(call.user, BookingQuery(
        statuses=(filters.get("status", "upcoming"),),
        event_type_ids=tuple(int(i) for i in ids if i == i) if ids is not None else None,
        team_ids=tuple(int(i) for i in filters["teamsIds"] if i == i) if "teamsIds" in filters else None,
        take=10**9, skip=0))
    if "userIds" in filters:
        wanted = {i for i in filters["userIds"] if i == i}
        everything = [b for b in everything if b.host_id in wanted]
    total = len(everything)
    page = everything[cursor:cursor + limit]
    users, event_types = call.model.users, call.model.resources.event_types
    next_cursor = cursor + limit if total > cursor + limit else None
    recurring_info = [{**info, "firstDate": iso_ms(info["firstDate"]),
                       "bookings": {status: [iso_ms(t) for t in starts]
                                    for status, starts in info["bookings"].items()}}
                      for info in call.model.resources.bookings.recurring_info(call.user.id)]
    return success({
        "bookings": [list_entry(b, users.get(b.host_id), event_types.get(b.event_type_id)) for b in page],
        "recurringInfo": recurring_info,
        "totalCount": total,
        "nextCursor": next_cursor,
    })


def _require(call: Call, uid: str) -> Booking:
    found = call.model.resources.bookings.get(uid)
    if found is None:
        raise NotFoundError(f"Booking with UID={uid} does not exist.")
    return found


def get_booking(call: Call) -> Response:
    booking = _require(call, call.path_params["bookingUid"])
    return success(booking_info(booking, call.model.users.get(booking.host_id)))


def cancel_booking(call: Call) -> Response:
    body = CANCEL_BOOKING.validate(call.body)
    uid = call.path_params["bookingUid"]
    if js_number(uid) == js_number(uid):  # !isNaN(Number(uid))
        raise BadRequestError("Please provide booking uid instead of booking id.")
    booking = _require(call, uid)
    if booking.status is booking_model.BookingStatus.CANCELLED:
        raise BadRequestError(
            f"Can't cancel booking with uid={uid} because it has been cancelled already. Please provide "
            "uid of a booking that is not cancelled.")
    # handleCancelBooking: the legacy body names no canceller (``cancelledBy`` is not in the
    # DTO, so the pipe strips it). ``seatReferenceUid`` only matters for seated event types,
    # which the fake does not have.
    store = call.model.resources.bookings
    if body.get("allRemainingBookings") and booking.recurring_event_id is not None:
        # handleCancelBooking: every remaining occurrence of the series, from now on.
        now = call.model.clock.now()
        _booking_error(lambda: store.cancel_series(booking, starting=now,
                                                   reason=body.get("cancellationReason"), by_email=None))
    else:
        _booking_error(lambda: store.cancel(booking, body.get("cancellationReason"), None))
    return success({"bookingId": booking.id, "bookingUid": booking.uid, "onlyRemovedAttendee": False})


def mark_no_show(call: Call) -> Response:
    """``handleMarkNoShow``: the host marks attendees (or themself) as no-shows; the answer is
    ``{message, attendees?, noShowHost?}`` (outputs/mark-no-show.output.ts @3287a7b0), the
    message being the English text of its translation key."""
    body = MARK_NO_SHOW.validate(call.body)
    store = call.model.resources.bookings
    booking = _booking_error(lambda: store.hosted(call.user, call.path_params["bookingUid"]))
    marks = [(a["email"], a["noShow"]) for a in body.get("attendees", [])]
    _booking_error(lambda: store.mark_absent(booking, True if body.get("noShowHost") else None, marks))
    data: dict[str, Any] = {}
    if marks:
        data["attendees"] = [{"email": email, "noShow": flag} for email, flag in marks]
        if len(marks) == 1:
            email, flag = marks[0]
            data["message"] = f"{email} {'marked' if flag else 'unmarked'} as no-show"
        else:
            data["message"] = "No-show status updated for attendees"
    if body.get("noShowHost"):
        data["noShowHost"] = True
        data["message"] = "Booking no-show status updated"
    data.setdefault("message", "")
    return success(data)


#: handleNewBooking's errors for what the model refuses (ErrorCode values, packages/lib/errorCodes.ts).
_ERROR_CODES = {
    booking_model.UNAVAILABLE: "no_available_users_found_error",
    booking_model.OUT_OF_BOUNDS: "booking_time_out_of_bounds_error",
}


def _booking_error(action: Any) -> Any:
    """``handleBookingErrors``: a booking library's error is rethrown as a plain
    ``HttpException`` with its message (an ``ErrorCode`` value is a 400)."""
    try:
        return action()
    except ApiError as error:
        if isinstance(error, HttpExceptionError):
            raise
        raise HttpExceptionError(_ERROR_CODES.get(error.message, error.message), error.status_code) from None


def _attendee_name(name: Any) -> str:
    if isinstance(name, dict):
        return " ".join(str(name.get(k, "")).strip() for k in ("firstName", "lastName")).strip()
    return str(name).strip()


def _chosen_location(event_type: EventType, responses: dict[str, Any]) -> dict[str, Any] | None:
    """``responses.location.value`` names one of the event type's stored location types."""
    choice = responses.get("location")
    if not isinstance(choice, dict):
        return None
    for location in event_type.locations:
        if stored_location(location)["type"] == choice.get("value"):
            picked = dict(location)
            if picked["type"] in ("attendeeAddress", "attendeePhone", "attendeeDefined"):
                key = {"attendeeAddress": "address", "attendeePhone": "phone"}.get(picked["type"], "location")
                picked[key] = str(choice.get("optionValue", ""))
            return picked
    return None


def _length(event_type: EventType, start: float, end_text: str | None) -> int:
    if end_text is None:
        return event_type.length
    end = parse_iso(end_text)
    allowed = event_type.length_options or [event_type.length]
    length = round((end - start) / 60) if end is not None else None
    if length not in allowed:
        raise HttpExceptionError("Invalid event length", 400)
    return int(length)


@dataclass(frozen=True)
class _Request:
    """One legacy booking request, validated, its event type resolved."""

    body: dict[str, Any]
    event_type: EventType
    host: User
    start: float
    length: int
    responses: dict[str, Any]

    def new_booking(self) -> NewBooking:
        responses = self.responses
        attendee = Attendee(name=_attendee_name(responses["name"]), email=str(responses["email"]),
                            time_zone=self.body["timeZone"], language=self.body["language"])
        event_type = self.event_type
        return NewBooking(
            event_type=event_type, start=self.start, attendee=attendee,
            length=self.length if self.length != event_type.length else None,
            guests=tuple(responses.get("guests", ())),
            location=_chosen_location(event_type, responses), metadata=dict(self.body["metadata"]),
            responses={k: v for k, v in responses.items() if k not in ("name", "email")})


def _request(call: Call, raw: Any) -> _Request:
    body = CREATE_BOOKING.validate(raw)
    responses = body.get("responses")
    if responses is None:
        # Cal.com's booking-data schema fails on a missing ``responses`` with a 500; the fake
        # answers a 400 instead (bad input is never a 500 here).
        raise BadRequestError("responses must be an object")
    if not responses.get("email"):
        raise BadRequestError("responses.email is required")
    resources = call.model.resources
    event_type_id = body["eventTypeId"]
    event_type = resources.event_types.get(int(event_type_id)) if float(event_type_id).is_integer() else None
    if event_type is None:
        raise HttpExceptionError(f"Event type with id {body['eventTypeId']} not found", 404)
    if event_type.booking_requires_authentication:
        # checkBookingRequiresAuthentication: the owner comes from getOwnerId, which knows API
        # keys and platform tokens only; wrapped by handleBookingErrors as an HttpException.
        message = "This event type requires authentication. Please provide valid credentials."
        raise HttpExceptionError(message, 401, details={"message": message, "error": "Unauthorized",
                                                        "statusCode": 401})
    start = parse_iso(body["start"])
    if start is None:
        raise HttpExceptionError("Invalid start date", 400)
    length = _length(event_type, start, body.get("end"))
    host = call.model.users.require(event_type.owner_id)
    stored_responses = dict(responses)
    stored_responses["name"] = responses["name"]
    return _Request(body, event_type, host, start, length, stored_responses)


def _raw_text(raw: Any, key: str) -> str | None:
    """A field the controller reads from the raw ``req.body`` (not the validated DTO, which
    strips it): ``reservedSlotUid``, ``recurringEventId``."""
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value else None


def _reservation_uid(call: Call, raw: Any) -> str | None:
    # getReservedSlotUidFromRequest: the body's reservedSlotUid, else the ``uid`` cookie that
    # POST /v2/slots/reserve set.
    return _raw_text(raw, "reservedSlotUid") or call.cookies.get("uid") or None


def _count_private_link_use(call: Call, body: dict[str, Any]) -> None:
    """A booking made through a private link uses it up (BookingEventHandlerService
    updatePrivateLinkUsage -> HashedLinkService.validateAndIncrementUsage, after the booking;
    an expired or unknown link only logs an error there)."""
    link = body.get("hashedLink")
    if isinstance(link, str) and link:
        call.model.resources.private_links.record_use(link)


def create_booking(call: Call) -> Response:
    item = _request(call, call.body)
    body, event_type, host, start = item.body, item.event_type, item.host, item.start
    resources = call.model.resources
    schedule = resources.schedule_for(event_type, host)
    slot_uid = _reservation_uid(call, call.body)
    before_write = slot_check(call, slot_uid)
    if body.get("rescheduleUid"):
        original = resources.bookings.get(body["rescheduleUid"])
        if original is None:
            raise HttpExceptionError("Couldn't find the booking to reschedule", 404)
        booking = _booking_error(lambda: resources.bookings.reschedule(
            original, event_type, host, schedule, start, reason=None,
            rescheduled_by=body.get("rescheduledBy"), before_write=before_write))
        # A legacy reschedule is a full booking request: its metadata and responses replace the old.
        booking.metadata = {**{k: v for k, v in booking.metadata.items() if k == "videoCallUrl"},
                            **body["metadata"]}
        booking.responses = item.responses
    else:
        new = item.new_booking()
        booking = _booking_error(lambda: resources.bookings.create(new, host, schedule,
                                                                   before_write=before_write))
        booking.responses = item.responses
    consume_reservation(call, slot_uid, booking)
    _count_private_link_use(call, body)
    return success(created_booking(booking, host), status_code=201)


#: Cal.com answers these with a 500 (``req.body is not iterable``, ``firstBooking`` undefined);
#: the fake says what is wrong with a 400.
RECURRING_NOT_A_LIST = "The body must be an array of bookings, one per occurrence"
RECURRING_EMPTY = "The body must hold at least one booking"
RECURRING_ONE_EVENT_TYPE = ("mock-calcom books every occurrence of a recurring booking with the first "
                            "occurrence's event type")
RECURRING_NO_RESCHEDULE = "mock-calcom does not emulate rescheduling a recurring booking through this route"


def create_recurring_booking(call: Call) -> Response:
    """``POST /v2/bookings/recurring``: the body is an array, one legacy booking request per
    occurrence. The body parameter is an array type, which the global ValidationPipe does not
    validate (``toValidate`` skips ``Array``); the fake validates each item as a legacy create
    (``CreateRecurringBookingInput_2024_04_15`` extends it). Items without a
    ``recurringEventId`` get one fresh uuid, shared (controller @d3367926); the answer is the
    list of ``handleNewBooking`` results, 201. Availability is checked for the first occurrence
    only (``handleNewRecurringBooking``; see ``BookingStore.create_series``)."""
    raw = call.body
    if not isinstance(raw, list):
        raise BadRequestError(RECURRING_NOT_A_LIST)
    if not raw:
        raise BadRequestError(RECURRING_EMPTY)
    items = [_request(call, entry) for entry in raw]
    first = items[0]
    if any(item.event_type.id != first.event_type.id for item in items):
        raise BadRequestError(RECURRING_ONE_EVENT_TYPE)
    if any(item.body.get("rescheduleUid") for item in items):
        raise BadRequestError(RECURRING_NO_RESCHEDULE)
    shared = call.model.resources.bookings.new_series_id()
    series_ids = [_raw_text(entry, "recurringEventId") or shared for entry in raw]
    resources = call.model.resources
    slot_uid = _reservation_uid(call, raw[0])
    made = _booking_error(lambda: resources.bookings.create_series(
        [item.new_booking() for item in items], first.host,
        resources.schedule_for(first.event_type, first.host), series_ids,
        before_write=slot_check(call, slot_uid)))
    for booking, item in zip(made, items, strict=True):
        booking.responses = item.responses
        consume_reservation(call, slot_uid, booking)
    _count_private_link_use(call, first.body)
    return success([created_booking(b, first.host) for b in made], status_code=201)


def booking_for_reschedule(call: Call) -> Response:
    """``GET /v2/bookings/{uid}/reschedule``: ``getBookingForReschedule``
    (packages/features/bookings/lib/get-booking.ts @03670679) for a booking without seats: the
    ``getBooking`` row with its responses, the attendees ordered by id. No auth guard."""
    uid = call.path_params["bookingUid"]
    booking = _require(call, uid)
    return success({
        "id": booking.id,
        "uid": booking.uid,
        "startTime": iso_ms(booking.start),
        "endTime": iso_ms(booking.end),
        "description": booking.description or None,
        "customInputs": {},
        "responses": dict(booking.responses),
        "smsReminderNumber": None,
        "location": booking.location or None,
        "eventTypeId": booking.event_type_id,
        "status": upper_status(booking.status.value),
        "eventType": {"disableRescheduling": False},
        "attendees": [{"email": a.email, "name": a.name, "bookingSeat": None} for a in booking.attendees],
        "user": {"id": booking.host_id},
    })


def create_instant_booking(call: Call) -> Response:
    """``POST /v2/bookings/instant``: ``handleInstantMeeting`` serves team event types only,
    and the fake has none. Cal.com throws a plain ``Error`` there, which the controller turns
    into a 500; the fake answers the same message as a 400 (bad input is never a 500 here)."""
    body = CREATE_BOOKING.validate(call.body)
    event_type_id = body["eventTypeId"]
    found = (call.model.resources.event_types.get(int(event_type_id))
             if float(event_type_id).is_integer() else None)
    if found is None:
        raise HttpExceptionError(f"Event type with id {event_type_id} not found", 404)
    raise HttpExceptionError("Only Team Event Types are supported for Instant Meeting", 400)


_V = versions.LEGACY_BOOKINGS
_C = "BookingsController_2024_04_15_"
_U = "/v2/bookings/{bookingUid}"
ENDPOINTS = (
    Endpoint("GET", "/v2/bookings", f"{_C}getBookings", list_bookings, _V, PERMISSIONS_THEN_API_AUTH,
             legacy=True),
    Endpoint("POST", "/v2/bookings", f"{_C}createBooking", create_booking, _V, (), reads_body=True,
             legacy=True, reads_cookies=True),
    Endpoint("POST", "/v2/bookings/recurring", f"{_C}createRecurringBooking", create_recurring_booking, _V,
             (), reads_body=True, legacy=True, reads_cookies=True),
    Endpoint("POST", "/v2/bookings/instant", f"{_C}createInstantBooking", create_instant_booking, _V, (),
             reads_body=True, legacy=True),
    Endpoint("GET", _U, f"{_C}getBooking", get_booking, _V, (), legacy=True),
    Endpoint("GET", f"{_U}/reschedule", f"{_C}getBookingForReschedule", booking_for_reschedule, _V, (),
             legacy=True),
    Endpoint("POST", f"{_U}/cancel", f"{_C}cancelBooking", cancel_booking, _V, (), reads_body=True,
             legacy=True),
    Endpoint("POST", f"{_U}/mark-no-show", f"{_C}markNoShow", mark_no_show, _V, PERMISSIONS_THEN_API_AUTH,
             reads_body=True, legacy=True),
)
