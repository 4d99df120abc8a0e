"""``/v2/bookings`` (BookingsController_2024_08_13, controller @86c5f8b3).

Guards: ``PermissionsGuard`` at class level, then per handler either ``ApiAuthGuard`` (list,
confirm, decline, mark-absent: these carry ``@Permissions``, so a bad or expired bearer is a 403
from ``PermissionsGuard``, issue #24840) or ``OptionalApiAuthGuard`` (create, get by uid,
cancel, reschedule: public, no ``@Permissions``, so a bad bearer is ``ApiAuthGuard``'s 401).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import OPTIONAL_AUTH, PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import JsonBytes, pagination_json, success_body, success_json, to_json
from mock_calcom.api.event_types import INTEGRATIONS
from mock_calcom.api.me import LOCALES
from mock_calcom.api.validation import (
    EACH_EMAIL,
    IS_ARRAY,
    IS_BOOLEAN,
    IS_EMAIL,
    IS_INT,
    IS_ISO8601,
    IS_NUMBER,
    IS_OBJECT,
    IS_STRING,
    IS_TIME_ZONE,
    IS_URL,
    Prop,
    Rule,
    Schema,
    each_one_of,
    js_number,
    max_value,
    min_value,
    one_of,
    parse_int_when_truthy,
    pipe_value,
    query_dict,
    split_comma,
    split_ints,
)
from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError
from mock_calcom.model.resources.bookings import Attendee, Booking, BookingQuery, NewBooking, SlotCheck
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso
from mock_calcom.model.users import User, UserStore

STATUSES = ("upcoming", "recurring", "past", "cancelled", "unconfirmed")
_ASC_DESC = ("asc", "desc")


def _iso(message: str) -> Rule:
    return Rule("isIso8601", lambda v: isinstance(v, str) and parse_iso(v) is not None, message)


def _sort(name: str, label: str) -> Prop:
    return Prop(name, (one_of(_ASC_DESC, f'{label} must be either "asc" or "desc".'),), optional=True)


def _each_number(name: str) -> Rule:
    return Rule("isNumber", lambda v: isinstance(v, list) and all(
        isinstance(i, int | float) and i == i for i in v),
        f"each value in {name} must be a number conforming to the specified constraints")


def _min_size(message: str) -> Rule:
    return Rule("arrayMinSize", lambda v: isinstance(v, list) and len(v) >= 1, message)


def _email_query(value: Any) -> Any:
    # Managed-user emails contain "+", which an unencoded query turns into a space.
    return re.sub(r"\s+", "+", value.strip()) if isinstance(value, str) else value


#: GetBookingsInput_2024_08_13 @1b6cab4f, messages included (its copy-pasted ones too).
LIST_QUERY = Schema((
    Prop("status", (Rule("arrayNotEmpty", lambda v: isinstance(v, list) and bool(v),
                         "status cannot be empty."),
                    each_one_of(STATUSES, "Invalid status. Allowed are upcoming, recurring, past, "
                                          "cancelled, unconfirmed")),
         optional=True, transform=split_comma),
    Prop("attendeeEmail", (IS_STRING,), optional=True, transform=_email_query),
    Prop("attendeeName", (IS_STRING,), optional=True),
    Prop("bookingUid", (IS_STRING,), optional=True),
    Prop("eventTypeIds", (IS_ARRAY, _each_number("eventTypeIds"),
                          _min_size("eventTypeIds must contain at least 1 event type id")),
         optional=True, transform=split_ints),
    Prop("eventTypeId", (IS_INT,), optional=True, transform=js_number),
    Prop("teamsIds", (IS_ARRAY, _each_number("teamsIds"),
                      _min_size("teamIds must contain at least 1 team id")),
         optional=True, transform=split_ints),
    Prop("teamId", (IS_INT,), optional=True, transform=js_number),
    Prop("afterStart", (_iso("fromDate must be a valid ISO 8601 date."),), optional=True),
    Prop("beforeEnd", (_iso("toDate must be a valid ISO 8601 date."),), optional=True),
    Prop("afterCreatedAt", (_iso("fromDate must be a valid ISO 8601 date."),), optional=True),
    Prop("beforeCreatedAt", (_iso("toDate must be a valid ISO 8601 date."),), optional=True),
    Prop("afterUpdatedAt", (_iso("fromDate must be a valid ISO 8601 date."),), optional=True),
    Prop("beforeUpdatedAt", (_iso("toDate must be a valid ISO 8601 date."),), optional=True),
    _sort("sortStart", "SortStart"),
    _sort("sortEnd", "SortEnd"),
    _sort("sortCreated", "SortCreated"),
    _sort("sortUpdatedAt", "SortCreated"),
    Prop("take", (IS_NUMBER, min_value(1), max_value(250)), optional=True, transform=parse_int_when_truthy),
    Prop("skip", (IS_NUMBER, min_value(0)), optional=True, transform=parse_int_when_truthy),
))

_PHONE = Rule("isPhoneNumber", lambda v: isinstance(v, str) and bool(re.fullmatch(r"\+[1-9]\d{6,14}", v)),
              "{p} must be a valid phone number")
ATTENDEE = Schema((
    Prop("name", (IS_STRING,)),
    Prop("timeZone", (IS_TIME_ZONE,)),
    Prop("phoneNumber", (_PHONE,), optional=True),
    Prop("language", (one_of(LOCALES),), optional=True),
    Prop("email", (IS_EMAIL,), optional=True),
), forbid_unknown=True)

#: BookingInput*Location_2024_08_13: type -> keys it must carry.
_LOCATION_KEYS: dict[str, tuple[str, ...]] = {
    "address": (), "attendeeAddress": ("address",), "attendeeDefined": ("location",),
    "attendeePhone": ("phone",), "integration": ("integration",), "link": (), "phone": (),
    "organizersDefaultApp": (),
}


def _valid_location(value: Any) -> bool:
    if isinstance(value, str):
        return True  # the deprecated string form is still accepted
    if not isinstance(value, dict) or value.get("type") not in _LOCATION_KEYS:
        return False
    if not all(isinstance(value.get(k), str) for k in _LOCATION_KEYS[value["type"]]):
        return False
    return value["type"] != "integration" or value["integration"] in INTEGRATIONS


_METADATA = Rule("validateMetadata", lambda v: isinstance(v, dict) and len(v) <= 50 and all(
    len(k) <= 40 and (not isinstance(x, str) or len(x) <= 500) for k, x in v.items()),
    "Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 "
    "characters.")

_CREATE_PROPS = (
    Prop("start", (IS_ISO8601,)),
    Prop("attendee", (), nested=ATTENDEE),
    Prop("bookingFieldsResponses", (IS_OBJECT,), optional=True),
    Prop("eventTypeId", (IS_INT,), optional=True),
    Prop("eventTypeSlug", (IS_STRING,), optional=True),
    Prop("username", (IS_STRING,), optional=True),
    Prop("teamSlug", (IS_STRING,), optional=True),
    Prop("organizationSlug", (IS_STRING,), optional=True),
    Prop("guests", (IS_ARRAY, EACH_EMAIL), optional=True),
    Prop("meetingUrl", (IS_URL,), optional=True),
    Prop("location", (Rule("validateLocation", _valid_location, "{p} must be a valid booking location"),),
         optional=True),
    Prop("metadata", (IS_OBJECT, _METADATA), optional=True),
    Prop("lengthInMinutes", (IS_INT, min_value(1)), optional=True),
    Prop("routing", (IS_OBJECT,), optional=True),
    Prop("emailVerificationCode", (IS_STRING,), optional=True),
    # Newest inputs (create-booking.input.ts, reschedule-booking.input.ts, calcom/cal.com):
    # the uid of a slot reservation the booker holds; see reserved_slot_uid.
    Prop("reservedSlotUid", (IS_STRING,), optional=True),
)
# Create, cancel and reschedule run their own pipes, validateSync with whitelist and
# forbidNonWhitelisted (create-booking-input.pipe.ts @51442f5e, cancel-booking-input.pipe.ts
# @5b6d63e6, reschedule-booking-input.pipe.ts @f162fe23): an unknown field is a 400 in the
# pipes' one-string format (``Schema.validate_pipe``), not stripped (FACTS §11.2). Each pipe
# picks one input class by a key of the body, and that class alone decides what is unknown.
CREATE_BOOKING = Schema(_CREATE_PROPS, forbid_unknown=True)
#: CreateInstantBookingInput_2024_08_13: picked when ``instant === true``.
CREATE_INSTANT_BOOKING = Schema((*_CREATE_PROPS, Prop("instant", (IS_BOOLEAN,))), forbid_unknown=True)
#: CreateRecurringBookingInput_2024_08_13: picked when the body has the key ``recurrenceCount``
#: (before the instant check): ``@IsOptional @IsInt @Min(1)``.
CREATE_RECURRING_BOOKING = Schema((*_CREATE_PROPS, Prop("recurrenceCount", (IS_INT, min_value(1)),
                                                        optional=True)), forbid_unknown=True)
#: CancelBookingInput_2024_08_13, and the seated input picked when the body has ``seatUid``
#: (the published document's CancelSeatedBookingInput_2024_08_13: seatUid, cancellationReason).
CANCEL_BOOKING = Schema((
    Prop("cancellationReason", (IS_STRING,), optional=True),
    Prop("cancelSubsequentBookings", (IS_BOOLEAN,), optional=True),
), forbid_unknown=True)
CANCEL_SEATED_BOOKING = Schema((
    Prop("seatUid", (IS_STRING,)),
    Prop("cancellationReason", (IS_STRING,), optional=True),
), forbid_unknown=True)
#: ``@Validate((value) => !value || isEmail(value), {message})`` (reschedule-booking.input.ts).
_RESCHEDULED_BY = Prop("rescheduledBy", (Rule(
    "customValidation", lambda v: not v or (isinstance(v, str) and IS_EMAIL.test(v)),
    "Invalid rescheduledBy email format"),), optional=True)
#: RescheduleBookingInput_2024_08_13, and RescheduleSeatedBookingInput_2024_08_13 picked when
#: the body has ``seatUid`` (no reschedulingReason, no reservedSlotUid there).
RESCHEDULE_BOOKING = Schema((
    Prop("start", (IS_ISO8601,)),
    _RESCHEDULED_BY,
    Prop("reschedulingReason", (IS_STRING,), optional=True),
    Prop("emailVerificationCode", (IS_STRING,), optional=True),
    Prop("reservedSlotUid", (IS_STRING,), optional=True),
), forbid_unknown=True)
RESCHEDULE_SEATED_BOOKING = Schema((
    Prop("start", (IS_ISO8601,)),
    _RESCHEDULED_BY,
    Prop("seatUid", (IS_STRING,)),
    Prop("emailVerificationCode", (IS_STRING,), optional=True),
), forbid_unknown=True)
DECLINE_BOOKING = Schema((Prop("reason", (IS_STRING,), optional=True),))
MARK_ABSENT = Schema((
    Prop("host", (IS_BOOLEAN,), optional=True),
    Prop("attendees", (IS_ARRAY,), optional=True, each=True, nested=Schema((
        Prop("email", (IS_EMAIL,)),
        Prop("absent", (IS_BOOLEAN,)),
    ))),
))


# -- output -----------------------------------------------------------------------------------

def _host_out(user: User | None) -> dict[str, Any]:
    if user is None:  # getHost's placeholder for a booking without a user
        return {"id": "unknown", "name": "unknown", "email": "unknown", "username": "unknown"}
    return {"id": user.id, "name": user.name, "email": user.email, "displayEmail": user.email,
            "username": user.username, "timeZone": user.time_zone}


def _attendee_out(attendee: Attendee) -> dict[str, Any]:
    out: dict[str, Any] = {"name": attendee.name, "email": attendee.email, "displayEmail": attendee.email,
                           "timeZone": attendee.time_zone, "language": attendee.language,
                           "absent": attendee.absent}
    if attendee.phone_number:
        out["phoneNumber"] = attendee.phone_number
    return out


def booking_out(booking: Booking, host: User | None) -> dict[str, Any]:
    """``BookingOutput_2024_08_13``: optional fields are left out when unset, as
    ``plainToClass`` drops ``undefined`` (output.service.ts)."""
    location = booking.metadata.get("videoCallUrl") or booking.location
    out: dict[str, Any] = {
        "id": booking.id, "uid": booking.uid, "title": booking.title, "description": booking.description,
        "hosts": [_host_out(host)], "status": booking.status.value,
    }
    for key, value in (("cancellationReason", booking.cancellation_reason),
                       ("cancelledByEmail", booking.cancelled_by_email),
                       ("reschedulingReason", booking.rescheduling_reason),
                       ("rescheduledByEmail", booking.rescheduled_by_email),
                       ("rescheduledFromUid", booking.rescheduled_from_uid),
                       ("rescheduledToUid", booking.rescheduled_to_uid)):
        if value:
            out[key] = value
    out.update({
        "start": iso_ms(booking.start), "end": iso_ms(booking.end), "duration": booking.duration,
        "eventTypeId": booking.event_type_id,
        "eventType": {"id": booking.event_type_id, "slug": booking.event_type_slug},
        "meetingUrl": location, "location": location,
    })
    if booking.recurring_event_id is not None:
        # RecurringBookingOutput_2024_08_13 (output.service.ts getOutputRecurringBooking).
        out["recurringBookingUid"] = booking.recurring_event_id
    out.update({
        "absentHost": booking.absent_host,
        "createdAt": iso_ms(booking.created_at), "updatedAt": iso_ms(booking.updated_at),
        "metadata": {k: v for k, v in booking.metadata.items() if k != "videoCallUrl"},
        "icsUid": booking.ics_uid,
        "attendees": [_attendee_out(a) for a in booking.attendees],
    })
    if booking.guests:
        out["guests"] = list(booking.guests)
    out["bookingFieldsResponses"] = dict(booking.responses)
    return out


def booking_json(booking: Booking, host: User | None) -> bytes:
    """:func:`booking_out` serialised, reused while neither the booking (any attribute
    assignment bumps its ``revision``; every change Cal.com makes also moves ``updatedAt``,
    itself an assignment) nor its host (the same object, whose ``revision`` any assignment,
    of a shown field or not, bumps) has changed."""
    host_revision = -1 if host is None else host.revision
    cached = booking.rendered
    if (cached is not None and cached[0] == booking.revision and cached[1] is host
            and cached[2] == host_revision):
        return cached[3]
    return _render(booking, host, host_revision)


def _render(booking: Booking, host: User | None, host_revision: int) -> bytes:
    data = to_json(booking_out(booking, host))
    # Rendering assigns nothing, so the revision read now is the one rendered.
    booking.rendered = (booking.revision, host, host_revision, data)
    return data


def bookings_json(bookings: Iterable[Booking], users: UserStore) -> list[bytes]:
    """:func:`booking_json` of each booking with its host, the same check inline: a listing
    makes no Python call per item that has not changed."""
    host_of = users.getter()
    out: list[bytes] = []
    append = out.append
    for booking in bookings:
        host = host_of(booking.host_id)
        cached = booking.rendered
        if cached is not None:
            revision, rendered_host, host_revision, data = cached
            if (revision == booking.revision and rendered_host is host
                    and host_revision == (-1 if host is None else host.revision)):
                append(data)
                continue
        append(_render(booking, host, -1 if host is None else host.revision))
    return out


def _reply(call: Call, booking: Booking, status_code: int = 200) -> Response:
    return success_json(booking_json(booking, call.model.users.get(booking.host_id)),
                        status_code=status_code)


# -- handlers ---------------------------------------------------------------------------------

#: The query of a listing with no parameters (a frozen value: one serves every such call).
_UNFILTERED = BookingQuery()


def list_bookings(call: Call) -> Response:
    if not call.query:
        # No parameters (the common call): nothing to validate, every default applies.
        return _listing(call, _UNFILTERED)
    q = LIST_QUERY.validate(query_dict(call.query))
    ids = q.get("eventTypeIds")
    if "eventTypeId" in q:
        ids = [*(ids or []), q["eventTypeId"]]
    team_ids = q.get("teamsIds")
    if "teamId" in q:
        team_ids = [*(team_ids or []), q["teamId"]]
    sort = next(((field, q[name]) for name, field in (("sortStart", "start"), ("sortEnd", "end"),
                                                      ("sortCreated", "created"),
                                                      ("sortUpdatedAt", "updated")) if name in q), None)
    # getBookings: skip and take go through Math.abs, validation has already refused negatives.
    take, skip = abs(int(q.get("take", 100))), abs(int(q.get("skip", 0)))

    def when(name: str) -> float | None:
        return parse_iso(q[name]) if name in q else None

    query = BookingQuery(
        statuses=tuple(q.get("status", ())), attendee_email=q.get("attendeeEmail"),
        attendee_name=q.get("attendeeName"), booking_uid=q.get("bookingUid"),
        event_type_ids=tuple(int(i) for i in ids) if ids is not None else None,
        team_ids=tuple(int(i) for i in team_ids) if team_ids is not None else None,
        after_start=when("afterStart"), before_end=when("beforeEnd"),
        after_created_at=when("afterCreatedAt"), before_created_at=when("beforeCreatedAt"),
        after_updated_at=when("afterUpdatedAt"), before_updated_at=when("beforeUpdatedAt"),
        sort=sort, take=take, skip=skip,
    )
    return _listing(call, query)


def _listing(call: Call, query: BookingQuery) -> Response:
    model = call.model
    user = call.user
    store, users, field = model.resources.bookings, model.users, model.settings.pagination_field
    if query is not _UNFILTERED:
        page, total = store.list_for(user, query)
        return success_json(bookings_json(page, users),
                            pagination=pagination_json(query.skip, query.take, total, field))
    # A listing with no parameters depends on nothing but the user (its id and e-mail pick
    # the bookings), the bookings (the store's change count moves with every change to them
    # or its indexes), the hosts shown (each by identity and revision; which object is a
    # user's changes only with a new user) and the pagination field; not on the clock, since
    # nothing filters. A booking's lists and dicts change only with an assignment (its
    # updatedAt at least), as booking_json's per-booking form already relies on. Kept per
    # user in the store, so a reset fake starts with none.
    changes, known = store.changes.count, users.generation
    cached = store.listings.get(user.id)
    if (cached is not None and cached[0] is user and cached[1] == user.revision
            and cached[2] == changes and cached[3] == known and cached[4] == field):
        for host, revision in cached[5]:
            if host.revision != revision:
                break
        else:
            return JsonBytes(cached[6])
    page, total = store.list_for(user, query)
    host_of = users.getter()
    hosts = {id(h): (h, h.revision) for h in map(host_of, {b.host_id for b in page}) if h is not None}
    body = success_body(bookings_json(page, users),
                        pagination=pagination_json(query.skip, query.take, total, field))
    store.listings[user.id] = (user, user.revision, changes, known, field, tuple(hosts.values()), body)
    return JsonBytes(body)


def _booked_event_type(call: Call, body: dict[str, Any]) -> EventType:
    """getBookedEventType + handleEventTypeToBeBookedNotFound (errors.service.ts)."""
    store = call.model.resources.event_types
    slug, username, team = body.get("eventTypeSlug"), body.get("username"), body.get("teamSlug")
    org = body.get("organizationSlug")
    found: EventType | None = None
    if body.get("eventTypeId"):
        found = store.get(body["eventTypeId"])
    elif username and slug:
        user = next((u for u in call.model.users.all() if u.username == username), None)
        if user is None or org:
            raise NotFoundError(f"User with username {username} not found")
        found = store.by_slug(user.id, slug)
    elif team and slug:
        raise NotFoundError(f"Team with slug {team} not found")
    if found is not None:
        return found
    if username and slug:
        raise NotFoundError(f"Event type with slug {slug} belonging to user {username} not found.")
    raise NotFoundError(f"Event type with id {_js(body.get('eventTypeId'))} not found.")


def _js(value: Any) -> str:
    return "undefined" if value is None else str(value)


def _check_length(event_type: EventType, length: int | None) -> None:
    if length is None:
        return
    options = event_type.length_options
    if not options:
        if length != event_type.length:
            raise BadRequestError(
                "Can't specify 'lengthInMinutes' because event type does not have multiple possible "
                "lengths. Please, remove the 'lengthInMinutes' field from the request.")
    elif length not in options:
        raise BadRequestError(
            "Provided 'lengthInMinutes' is not one of the possible lengths for the event type. The "
            f"possible lengths are: {', '.join(str(o) for o in options)}")


def _check_booking_fields(event_type: EventType, responses: dict[str, Any]) -> None:
    """hasRequiredBookingFieldsResponses, for the event type's custom fields."""
    for custom in event_type.custom_booking_fields:
        if custom.get("required") and responses.get(custom["slug"]) is None:
            raise BadRequestError(
                f"Missing required booking field response: {custom['slug']} - it is required by the "
                "event type booking fields, but missing in the bookingFieldsResponses. You can fetch "
                f"the event type with ID {event_type.id} to see the required fields.")


def _attendee(values: dict[str, Any]) -> Attendee:
    email = values.get("email")
    phone = values.get("phoneNumber")
    if not email:
        if not phone:
            raise BadRequestError("Attendee email or attendee phone number is required.")
        # Phone-only bookers get a placeholder address (contructEmailFromPhoneNumber).
        email = f"{phone.replace('+', '')}@sms.cal.com"
    return Attendee(name=values["name"], email=email, time_zone=values["timeZone"],
                    language=values.get("language", "en"), phone_number=phone)


def _piped(call: Call, choose: Callable[[Any], Schema]) -> dict[str, Any]:
    value = pipe_value(call.body, parsed=call.body_parsed, empty_body=call.model.settings.empty_body)
    return choose(value).validate_pipe(value)


def _create_input(value: Any) -> Schema:
    # CreateBookingInputPipe: hasOwnProperty("recurrenceCount") first, then instant === true.
    if isinstance(value, dict) and "recurrenceCount" in value:
        return CREATE_RECURRING_BOOKING
    if isinstance(value, dict) and value.get("instant") is True:
        return CREATE_INSTANT_BOOKING
    return CREATE_BOOKING


def _cancel_input(value: Any) -> Schema:
    return CANCEL_SEATED_BOOKING if isinstance(value, dict) and "seatUid" in value else CANCEL_BOOKING


def _reschedule_input(value: Any) -> Schema:
    return RESCHEDULE_SEATED_BOOKING if isinstance(value, dict) and "seatUid" in value else RESCHEDULE_BOOKING


def _check_location(event_type: EventType, location: Any) -> None:
    """isBookingLocationWithEventTypeLocations (input.service.ts @3d4e8782): an object location
    must be of a type the event type offers, an integration one of its integrations. The
    string form (and ``meetingUrl``) is let through for backwards compatibility."""
    if not isinstance(location, dict):
        return
    offered = [str(loc.get("type")) for loc in event_type.locations]
    if location["type"] not in offered:
        raise BadRequestError(
            f"Booking location with type {location['type']} not valid for event type with "
            f"id={event_type.id}. The event type has following location types: "
            f"{', '.join(offered)}, and only these types are allowed for booking location.")
    if location["type"] == "integration":
        integrations = [str(loc.get("integration")) for loc in event_type.locations
                        if loc.get("type") == "integration"]
        if location["integration"] not in integrations:
            raise BadRequestError(
                f"Booking location with integration {location['integration']} not valid for event "
                f"type with id={event_type.id}. The event type has following integrations: "
                f"{', '.join(integrations)}, and only these integrations are allowed for booking "
                "location.")


def reserved_slot_uid(call: Call, body: dict[str, Any]) -> str | None:
    """The reservation a booker holds: ``reservedSlotUid`` in the body, else the ``uid`` cookie
    that reserving set (getReservedSlotUidFromRequest, platform-libraries ``slots``)."""
    uid = body.get("reservedSlotUid") or call.cookies.get("uid")
    return str(uid) if uid else None


def slot_check(call: Call, uid: str | None) -> SlotCheck | None:
    """The check a booking made with reservation ``uid`` passes before it is written: no other
    live reservation of the same slot came first (reserved-slot e2e specs of both booking
    controllers: 409, first reservation kept). A booking without a reservation uid is not
    checked against reservations at all, as in Cal.com."""
    if uid is None:
        return None
    reservations = call.model.resources.reservations

    def check(event_type_id: int, start: float, end: float) -> None:
        reservations.check_first_in_line(uid, event_type_id, start, end)

    return check


def consume_reservation(call: Call, uid: str | None, booking: Booking) -> None:
    if uid is not None:
        call.model.resources.reservations.consume(uid, booking.event_type_id, booking.start, booking.end)


def create_booking(call: Call) -> Response:
    body = _piped(call, _create_input)
    event_type = _booked_event_type(call, body)
    viewer = call.user_or_none
    if event_type.booking_requires_authentication:
        if viewer is None:
            raise UnauthorizedError(
                "checkBookingRequiresAuthentication - request must be authenticated by passing "
                "credentials belonging to event type owner, host or team or org admin or owner.")
        if viewer.id != event_type.owner_id:
            raise ForbiddenError(
                "checkBookingRequiresAuthentication - user is not authorized to access this event "
                "type. User has to be either event type owner, host, team admin or owner or org admin "
                "or owner.")
    if body.get("instant"):
        raise BadRequestError(
            "Instant bookings are only supported for team event types, not individual user event types.")
    responses = dict(body.get("bookingFieldsResponses", {}))
    _check_booking_fields(event_type, responses)
    _check_length(event_type, body.get("lengthInMinutes"))
    _check_location(event_type, body.get("location"))
    location = body.get("location")
    if isinstance(location, str):
        location = {"type": "attendeeDefined", "location": location}
    if body.get("meetingUrl"):
        location = {"type": "link", "link": body["meetingUrl"]}
    host = call.model.users.require(event_type.owner_id)
    start = parse_iso(body["start"])
    assert start is not None  # validated
    new = NewBooking(event_type=event_type, start=start, attendee=_attendee(body["attendee"]),
                     length=body.get("lengthInMinutes"), guests=tuple(body.get("guests", ())),
                     location=location, metadata=dict(body.get("metadata", {})), responses=responses)
    resources = call.model.resources
    # A recurrenceCount books a recurring series only for an event type with recurrence
    # (bookings.service.ts createBooking: ``isRecurring = !!eventType.recurringEvent``); the
    # fake's event types have none, so it is a regular booking, as Cal.com makes it.
    slot_uid = reserved_slot_uid(call, body)
    booking = resources.bookings.create(new, host, resources.schedule_for(event_type, host),
                                        before_write=slot_check(call, slot_uid))
    consume_reservation(call, slot_uid, booking)
    return _reply(call, booking, 201)


def get_booking(call: Call) -> Response:
    # Public: anyone holding the uid may read the booking (getBooking takes an optional user).
    uid = call.path_params["bookingUid"]
    store = call.model.resources.bookings
    if store.get(uid) is None and store.series(uid):
        # A recurring booking's uid (its recurringEventId) reads every occurrence
        # (bookings.service.ts @cd764fd8 getBooking -> getOutputRecurringBookings).
        return _series_reply(call, uid)
    return _reply(call, store.require(uid))


def _series_reply(call: Call, recurring_event_id: str) -> Response:
    return success_json(bookings_json(call.model.resources.bookings.series(recurring_event_id),
                                      call.model.users))


def cancel_booking(call: Call) -> Response:
    body = _piped(call, _cancel_input)
    uid = call.path_params["bookingUid"]
    if "seatUid" in body:
        raise BadRequestError("Invalid seatUid: this seat does not exist or has already been cancelled.")
    store = call.model.resources.bookings
    booking = store.require(uid)
    viewer = call.user_or_none
    by_email = viewer.email if viewer else None
    if body.get("cancelSubsequentBookings"):
        if booking.recurring_event_id is None:
            # Cal.com cancels first and fails after; the fake refuses first (no partial writes).
            raise BadRequestError(f"Booking with bookingUid={uid} is not part of a recurring booking.")
        # handleCancelBooking cancels this occurrence and the later ones; the answer is the
        # whole series (getAllRecurringBookingsByIndividualUid).
        store.cancel_series(booking, starting=booking.start, reason=body.get("cancellationReason"),
                            by_email=by_email)
        return _series_reply(call, booking.recurring_event_id)
    store.cancel(booking, body.get("cancellationReason"), by_email)
    return _reply(call, booking)


def reschedule_booking(call: Call) -> Response:
    body = _piped(call, _reschedule_input)
    resources = call.model.resources
    booking = resources.bookings.require(call.path_params["bookingUid"])
    event_type = resources.event_types.get(booking.event_type_id)
    if event_type is None:
        raise BadRequestError(f"Event type with id={booking.event_type_id} was not found in the database")
    host = call.model.users.require(booking.host_id)
    start = parse_iso(body["start"])
    assert start is not None  # validated
    slot_uid = reserved_slot_uid(call, body)
    new = resources.bookings.reschedule(booking, event_type, host, resources.schedule_for(event_type, host),
                                        start, reason=body.get("reschedulingReason"),
                                        rescheduled_by=body.get("rescheduledBy"),
                                        before_write=slot_check(call, slot_uid))
    consume_reservation(call, slot_uid, new)
    return _reply(call, new, 201)


def confirm_booking(call: Call) -> Response:
    store = call.model.resources.bookings
    booking = store.hosted(call.user, call.path_params["bookingUid"])
    return _reply(call, store.confirm(booking))


def decline_booking(call: Call) -> Response:
    body = DECLINE_BOOKING.validate(call.body)
    store = call.model.resources.bookings
    booking = store.hosted(call.user, call.path_params["bookingUid"])
    return _reply(call, store.decline(booking, body.get("reason")))


def mark_absent(call: Call) -> Response:
    body = MARK_ABSENT.validate(call.body)
    store = call.model.resources.bookings
    # markAbsent's own wording (bookings.service.ts @cd764fd8, FACTS §11.12).
    booking = store.hosted(call.user, call.path_params["bookingUid"],
                           missing="Booking with uid={uid} not found.")
    marks = [(a["email"], a["absent"]) for a in body.get("attendees", [])]
    return _reply(call, store.mark_absent(booking, body.get("host"), marks))


_V = versions.BOOKINGS
_C = "BookingsController_2024_08_13_"
_U = "/v2/bookings/{bookingUid}"
_AUTH = PERMISSIONS_THEN_API_AUTH
_OPTIONAL = OPTIONAL_AUTH
ENDPOINTS = (
    Endpoint("POST", "/v2/bookings", f"{_C}createBooking", create_booking, _V, _OPTIONAL, reads_body=True,
             reads_cookies=True),
    Endpoint("GET", "/v2/bookings", f"{_C}getBookings", list_bookings, _V, _AUTH),
    Endpoint("GET", _U, f"{_C}getBooking", get_booking, _V, _OPTIONAL),
    Endpoint("POST", f"{_U}/cancel", f"{_C}cancelBooking", cancel_booking, _V, _OPTIONAL, reads_body=True),
    Endpoint("POST", f"{_U}/reschedule", f"{_C}rescheduleBooking", reschedule_booking, _V, _OPTIONAL,
             reads_body=True, reads_cookies=True),
    Endpoint("POST", f"{_U}/confirm", f"{_C}confirmBooking", confirm_booking, _V, _AUTH),
    Endpoint("POST", f"{_U}/decline", f"{_C}declineBooking", decline_booking, _V, _AUTH, reads_body=True),
    Endpoint("POST", f"{_U}/mark-absent", f"{_C}markNoShow", mark_absent, _V, _AUTH, reads_body=True),
)
