"""``/v2/bookings/{bookingUid}/attendees`` (BookingAttendeesController_2024_08_13,
booking-attendees.controller.ts @694cf8ad) and ``/v2/bookings/{bookingUid}/guests``
(BookingGuestsController_2024_08_13). ``cal-api-version: 2024-08-13``; class-level
``PermissionsGuard`` then ``ApiAuthGuard``.

The attendee handlers carry no ``@OAuthPermissions`` (scoped tokens: 403); adding guests needs
``BOOKING_WRITE`` (FACTS §5). Who may act: the booking's host or one of its attendees
(BookingAttendeesService / addGuests.handler); anyone else finds no such booking.
Output shapes: booking-attendees.service.ts (2024-08-13): ``displayEmail`` strips a managed
user's ``+<25 chars>`` suffix, ``absent`` is the row's no-show flag.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.bookings import booking_out
from mock_calcom.api.endpoint import PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.me import LOCALES
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_EMAIL,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    numeric_id,
    one_of,
)
from mock_calcom.errors import BadRequestError, NotFoundError
from mock_calcom.model.resources.bookings import Attendee, Booking

_PHONE = Rule("isPhoneNumber", lambda v: isinstance(v, str) and bool(re.fullmatch(r"\+[1-9]\d{6,14}", v)),
              "{p} must be a valid phone number")
ADD_ATTENDEE = Schema((
    Prop("name", (IS_STRING,)),
    Prop("timeZone", (IS_TIME_ZONE,)),
    Prop("phoneNumber", (_PHONE,), optional=True),
    Prop("language", (one_of(LOCALES),), optional=True),
    Prop("email", (IS_EMAIL,)),
))
GUEST = Schema((
    Prop("email", (IS_EMAIL,)),
    Prop("name", (IS_STRING,), optional=True),
    Prop("timeZone", (IS_TIME_ZONE,), optional=True),
    Prop("phoneNumber", (_PHONE,), optional=True),
    Prop("language", (one_of(LOCALES),), optional=True),
))
ADD_GUESTS = Schema((
    Prop("guests", (IS_ARRAY,
                    Rule("arrayMinSize", lambda v: isinstance(v, list) and len(v) >= 1,
                         "guests must contain at least 1 elements"),
                    Rule("arrayMaxSize", lambda v: isinstance(v, list) and len(v) <= 10,
                         "guests must contain no more than 10 elements")),
         each=True, nested=GUEST),
))


def _display(email: str) -> str:
    return re.sub(r"\+[a-zA-Z0-9]{25}", "", email, count=1)


def attendee_out(attendee: Attendee) -> dict[str, Any]:
    """BookingAttendeeWithId_2024_08_13 (``undefined`` fields left out)."""
    out: dict[str, Any] = {"id": attendee.id, "name": attendee.name, "email": attendee.email,
                           "displayEmail": _display(attendee.email), "timeZone": attendee.time_zone}
    if attendee.language:
        out["language"] = attendee.language
    out["absent"] = attendee.absent
    if attendee.phone_number:
        out["phoneNumber"] = attendee.phone_number
    return out


def _booking(call: Call) -> Booking:
    uid = call.path_params["bookingUid"]
    booking = call.model.resources.bookings.get(uid)
    if booking is None or not booking.involves(call.user):
        raise NotFoundError(f"Booking with uid {uid} not found")
    return booking


def _unique(booking: Booking, emails: list[str]) -> None:
    taken = {a.email.lower() for a in booking.attendees}
    lowered = [e.lower() for e in emails]
    if any(e in taken for e in lowered) or len(set(lowered)) != len(lowered):
        raise BadRequestError("emails_must_be_unique_valid")


def list_attendees(call: Call) -> Response:
    return success([attendee_out(a) for a in _booking(call).attendees])


def get_attendee(call: Call) -> Response:
    booking = _booking(call)
    return success(attendee_out(call.model.resources.bookings.attendee(
        booking, numeric_id(call.path_params["attendeeId"]))))


def add_attendee(call: Call) -> Response:
    body = ADD_ATTENDEE.validate(call.body)
    booking = _booking(call)
    _unique(booking, [body["email"]])
    new = Attendee(name=body["name"], email=body["email"], time_zone=body["timeZone"],
                   language=body.get("language", "en"), phone_number=body.get("phoneNumber"))
    call.model.resources.bookings.add_attendees(booking, [new])
    return success({**attendee_out(new), "bookingId": booking.id}, status_code=201)


def remove_attendee(call: Call) -> Response:
    booking = _booking(call)
    removed = call.model.resources.bookings.remove_attendee(
        booking, numeric_id(call.path_params["attendeeId"]))
    return success({"id": removed.id, "bookingId": booking.id, "name": removed.name,
                    "email": removed.email, "timeZone": removed.time_zone})


def add_guests(call: Call) -> Response:
    body = ADD_GUESTS.validate(call.body)
    booking = _booking(call)
    guests = body["guests"]
    _unique(booking, [g["email"] for g in guests])
    host = call.model.users.get(booking.host_id)
    zone = host.time_zone if host is not None else "UTC"
    new = [Attendee(name=g.get("name") or g["email"].split("@")[0], email=g["email"],
                    time_zone=g.get("timeZone", zone), language=g.get("language", "en"),
                    phone_number=g.get("phoneNumber")) for g in guests]
    call.model.resources.bookings.add_attendees(booking, new, as_guests=True)
    return success(booking_out(booking, host))


_V = versions.BOOKINGS
_P = PERMISSIONS_THEN_API_AUTH
_A = "/v2/bookings/{bookingUid}/attendees"
_C = "BookingAttendeesController_2024_08_13_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", _A, f"{_C}getBookingAttendees", list_attendees, _V, _P),
    Endpoint("POST", _A, f"{_C}addAttendee", add_attendee, _V, _P, reads_body=True),
    Endpoint("GET", f"{_A}/{{attendeeId}}", f"{_C}getBookingAttendee", get_attendee, _V, _P),
    Endpoint("DELETE", f"{_A}/{{attendeeId}}", f"{_C}removeAttendee", remove_attendee, _V, _P),
    Endpoint("POST", "/v2/bookings/{bookingUid}/guests", "BookingGuestsController_2024_08_13_addGuests",
             add_guests, _V, _P, reads_body=True),
)
