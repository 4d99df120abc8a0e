"""Booking sub-routes of ``BookingsController_2024_08_13`` (bookings.controller.ts @86c5f8b3)
and ``BookingLocationController_2024_08_13``: calendar links, references, Cal Video
recordings/transcripts/sessions, reassignment, location, and the booking of a seat.

All need ``cal-api-version: 2024-08-13`` (no legacy twin: without it, Nest's 404). Guards:
class-level ``PermissionsGuard`` then ``ApiAuthGuard`` (each handler carries ``@Permissions``);
``by-seat`` is ``OptionalApiAuthGuard`` and undecorated. Scopes: ``api/scopes.py``.

The fake's bookings are personal (one host, no seats, no Cal Video rooms that ever ran), which
decides several answers: no recordings, transcripts or sessions; reassignment finds no other
host; no booking has a seat. Messages are bookings.service.ts (2024-08-13) where cited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.bookings import booking_out
from mock_calcom.api.endpoint import OPTIONAL_AUTH, PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.event_types import INTEGRATIONS
from mock_calcom.api.validation import IS_OBJECT, IS_STRING, Prop, Rule, Schema, numeric_id, query_dict
from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.resources.bookings import Booking, location_for

#: bookings.service.ts (2024-08-13).
REASSIGN_PERMISSION = "You do not have permission to reassign this booking"
NO_OTHER_HOST = "Can't reassign the booking because no other host is available at that time."

#: UpdateBookingInput*Location_2024_08_13: type -> the key it must carry.
_LOCATION_KEYS = {"address": "address", "attendeeAddress": "address", "attendeeDefined": "location",
                  "attendeePhone": "phone", "link": "link", "phone": "phone",
                  "integration": "integration"}


def _valid_location(value: Any) -> bool:
    if not isinstance(value, dict) or value.get("type") not in _LOCATION_KEYS:
        return False
    key = _LOCATION_KEYS[value["type"]]
    if not isinstance(value.get(key), str):
        return False
    return value["type"] != "integration" or value["integration"] in INTEGRATIONS


LOCATION_INPUT = Schema((
    Prop("location", (IS_OBJECT, Rule("validateLocation", _valid_location,
                                      "location must be a valid booking location")), optional=True),
))
REASSIGN_INPUT = Schema((Prop("reason", (IS_STRING,), optional=True),))


def _reply(call: Call, booking: Booking) -> Response:
    return success(booking_out(booking, call.model.users.get(booking.host_id)))


def _hosted(call: Call) -> Booking:
    return call.model.resources.bookings.hosted(call.user, call.path_params["bookingUid"])


# -- reads ------------------------------------------------------------------------------------

def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_links(call: Call) -> Response:
    """getCalendarLinks: Google, Microsoft Office, Microsoft Outlook and an ICS file."""
    uid = call.path_params["bookingUid"]
    booking = call.model.resources.bookings.get(uid)
    if booking is None:
        raise NotFoundError(f"Booking with uid {uid} not found")
    title, where = booking.title, booking.metadata.get("videoCallUrl") or booking.location
    details = booking.description or title
    google = "https://calendar.google.com/calendar/r/eventedit?" + urlencode({
        "dates": f"{_stamp(booking.start)}/{_stamp(booking.end)}", "text": title, "details": details,
        "location": where})
    compose = urlencode({"body": details, "enddt": _iso(booking.end), "location": where,
                         "path": "/calendar/action/compose", "rru": "addevent",
                         "startdt": _iso(booking.start), "subject": title})
    ics = "\r\n".join((
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cal.com//EN", "BEGIN:VEVENT",
        f"UID:{booking.ics_uid or booking.uid}", f"DTSTART:{_stamp(booking.start)}",
        f"DTEND:{_stamp(booking.end)}", f"SUMMARY:{title}", f"LOCATION:{where}", "END:VEVENT",
        "END:VCALENDAR"))
    return success([
        {"label": "googleCalendar", "link": google},
        {"label": "microsoftOffice", "link": f"https://outlook.office.com/calendar/0/deeplink/compose?{compose}"},
        {"label": "microsoftOutlook", "link": f"https://outlook.live.com/calendar/0/deeplink/compose?{compose}"},
        {"label": "ics", "link": "data:text/calendar," + quote(ics)},
    ])


def references(call: Call) -> Response:
    """The booking's references: the event in the destination calendar and the video room."""
    booking = _hosted(call)
    kind = query_dict(call.query).get("type")
    found: list[dict[str, Any]] = []
    destination = call.model.resources.apps.destination_of(booking.host_id)
    if destination is not None:
        found.append({"type": destination.type, "eventUid": booking.uid.lower(),
                      "destinationCalendarId": destination.external_id, "id": booking.id * 10 + 1})
    if booking.location.startswith("integrations:"):
        app = booking.location.split(":", 1)[1].replace(":", "_")
        video = "daily_video" if app == "daily" else f"{app}_video"
        found.append({"type": video, "eventUid": booking.uid, "destinationCalendarId": None,
                      "id": booking.id * 10 + 2})
    return success([r for r in found if kind is None or r["type"] == kind])


def recordings(call: Call) -> Response:
    _hosted(call)
    return success([])


def transcripts(call: Call) -> Response:
    _hosted(call)
    return success([])


def video_sessions(call: Call) -> Response:
    _hosted(call)
    return success([])


def by_seat(call: Call) -> Response:
    seat = call.path_params["seatUid"]
    # No booking of the fake is seated, so no seat reference exists.
    raise NotFoundError(f"Booking with seatUid={seat} was not found in the database")


# -- changes ----------------------------------------------------------------------------------

def update_location(call: Call) -> Response:
    body = LOCATION_INPUT.validate(call.body)
    booking = _hosted(call)
    if "location" not in body:
        return _reply(call, booking)
    event_type = call.model.resources.event_types.get(booking.event_type_id)
    if event_type is None:
        raise BadRequestError(f"Event type with id={booking.event_type_id} was not found in the database")
    stored, video = location_for(event_type, body["location"], booking.uid)
    return _reply(call, call.model.resources.bookings.relocate(booking, stored, video))


def _reassignable(call: Call) -> Booking:
    """reassignBooking's checks before round-robin logic (bookings.service.ts)."""
    uid = call.path_params["bookingUid"]
    booking = call.model.resources.bookings.require(uid)
    event_type = call.model.resources.event_types.get(booking.event_type_id)
    if event_type is None:
        raise BadRequestError(f"Event type with id={booking.event_type_id} was not found in the database")
    if event_type.owner_id != call.user.id:
        raise ForbiddenError(REASSIGN_PERMISSION)
    return booking


def reassign(call: Call) -> Response:
    _reassignable(call)
    # A personal event type has one host: roundRobinReassignment finds nobody else.
    raise BadRequestError(NO_OTHER_HOST)


def reassign_to(call: Call) -> Response:
    REASSIGN_INPUT.validate(call.body)
    _reassignable(call)
    user_id = numeric_id(call.path_params["userId"])
    if call.model.users.get(user_id) is None:
        raise NotFoundError(f"User with id={user_id} was not found in the database")
    raise BadRequestError(
        f"User with id={user_id} is not a valid Round Robin host - the user to which you reassign this "
        "booking must be one of the booking hosts. Fetch the booking using following endpoint and select "
        "id of one of the hosts: https://cal.com/docs/api-reference/v2/bookings/get-a-booking")


_V = versions.BOOKINGS
_B = "/v2/bookings/{bookingUid}"
_C = "BookingsController_2024_08_13_"
_P = PERMISSIONS_THEN_API_AUTH

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{_B}/recordings", f"{_C}getBookingRecordings", recordings, _V, _P),
    Endpoint("GET", f"{_B}/transcripts", f"{_C}getBookingTranscripts", transcripts, _V, _P),
    Endpoint("GET", f"{_B}/calendar-links", f"{_C}getCalendarLinks", calendar_links, _V, _P),
    Endpoint("GET", f"{_B}/references", f"{_C}getBookingReferences", references, _V, _P),
    Endpoint("GET", f"{_B}/conferencing-sessions", f"{_C}getVideoSessions", video_sessions, _V, _P),
    Endpoint("PATCH", f"{_B}/location", "BookingLocationController_2024_08_13_updateBookingLocation",
             update_location, _V, _P, reads_body=True),
)

#: Served from state, but never successfully for the fake's personal, seatless bookings.
NO_SUCCESS_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/bookings/by-seat/{seatUid}", f"{_C}getBookingBySeatUid", by_seat, _V,
             OPTIONAL_AUTH),
    Endpoint("POST", f"{_B}/reassign", f"{_C}reassignBooking", reassign, _V, _P),
    Endpoint("POST", f"{_B}/reassign/{{userId}}", f"{_C}reassignBookingToUser", reassign_to, _V, _P,
             reads_body=True),
)
