"""``/v2/slots/reservations`` (SlotsController_2024_09_04): hold a slot for a few minutes.
``cal-api-version: 2024-09-04``. Reserving takes an optional bearer (``OptionalApiAuthGuard``;
undecorated, so a scoped third-party token gets the scope guard's 403); reading, moving and
releasing a reservation need nothing but its uid.

Checks, in SlotsService_2024_09_04's order (slots.service.ts @f0ac6126): the body
(ReserveSlotInput_2024_09_04); a custom ``reservationDuration`` only for a caller (401) who owns
the event type or shares a team with its owner (403); the event type (404); ``slotDuration``, when
given, one of its lengths (400); no booking of the event type in the slot and no other live
reservation overlapping it (422). Moving a reservation checks the same, except the caller. A live
reservation takes the slot out of ``GET /v2/slots`` (api/slots.py); a booking that names it (body
``reservedSlotUid`` or the ``uid`` cookie) must be first in line and ends it (api/bookings.py);
a booking that names none is not checked against reservations.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import OPTIONAL_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import IS_NUMBER, IS_STRING, Prop, Rule, Schema, min_value
from mock_calcom.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableEntityError,
)
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.reservations import DEFAULT_RESERVATION_MINUTES, Reservation
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso

_ISO = Rule("isDateString", lambda v: isinstance(v, str) and parse_iso(v) is not None,
            "{p} must be a valid ISO 8601 date string")
RESERVE_INPUT = Schema((
    Prop("eventTypeId", (IS_NUMBER,)),
    Prop("slotStart", (IS_STRING, _ISO)),
    Prop("slotDuration", (IS_NUMBER, min_value(1)), optional=True),
    Prop("reservationDuration", (IS_NUMBER, min_value(1)), optional=True),
))
# Messages of SlotsService_2024_09_04 (slots.service.ts @f0ac6126).
ALREADY_BOOKED = "Can't reserve a slot if the event is already booked."
ALREADY_RESERVED = "This time slot is already reserved by another user. Please choose a different time."
CUSTOM_DURATION = ("reservationDuration can only be used for authenticated requests - use access token, "
                   "api key or OAuth credentials")
CUSTOM_DURATION_FORBIDDEN = (
    "authenticated user is not owner of event type, does not have memberships in common with owner of "
    "the event type, nor does belong to event type's team or org.")
NOT_VARIABLE_LENGTH = "You passed 'slotDuration' but this event type is not a variable length event type."


def _out(reservation: Reservation) -> dict[str, Any]:
    return {"eventTypeId": reservation.event_type_id, "slotStart": iso_ms(reservation.start),
            "slotEnd": iso_ms(reservation.end),
            "slotDuration": round((reservation.end - reservation.start) / 60),
            "reservationUid": reservation.uid, "reservationDuration": reservation.minutes,
            "reservationUntil": iso_ms(reservation.until)}


def _event_type(call: Call, body: dict[str, Any]) -> EventType:
    event_type = call.model.resources.event_types.get(int(body["eventTypeId"]))
    if event_type is None:
        raise NotFoundError(f"Event Type with ID={int(body['eventTypeId'])} not found")
    return event_type


def _check_custom_duration(call: Call, body: dict[str, Any], event_type: EventType) -> None:
    """reserveSlot: a custom ``reservationDuration`` needs a caller (401), who must own the event
    type or share a team with its owner (canSpecifyCustomReservationDurationIndividualEvent)."""
    if not body.get("reservationDuration"):
        return
    if call.caller is None:
        raise UnauthorizedError(CUSTOM_DURATION)
    user_id = call.caller.user.id
    if user_id != event_type.owner_id and not call.model.resources.teams.share_a_team(
            user_id, event_type.owner_id):
        raise ForbiddenError(CUSTOM_DURATION_FORBIDDEN)


def _slot(call: Call, body: dict[str, Any], event_type: EventType, *,
          except_uid: str | None) -> tuple[float, float, int]:
    """The checks reserve and update share, in SlotsService_2024_09_04's order: the slot length
    (only when ``slotDuration`` is given), a booking of the event type in the slot (422), another
    live reservation overlapping it (422; the one being moved does not count)."""
    length = event_type.length
    if body.get("slotDuration"):
        length = int(body["slotDuration"])
        if not event_type.length_options:
            raise BadRequestError(NOT_VARIABLE_LENGTH)
        if length not in event_type.length_options:
            raise BadRequestError(
                "Provided 'slotDuration' is not one of the possible lengths for the event type. The possible "
                "lengths for this variable length event type are: "
                f"{', '.join(str(o) for o in event_type.length_options)}")
    start = parse_iso(body["slotStart"])
    assert start is not None  # validated
    end = start + length * 60
    store = call.model.resources
    if store.bookings.booked(event_type.id, event_type.owner_id, start, end):
        raise UnprocessableEntityError(ALREADY_BOOKED)
    if store.reservations.held(event_type.id, start, end, except_uid=except_uid):
        raise UnprocessableEntityError(ALREADY_RESERVED)
    minutes = int(body.get("reservationDuration") or DEFAULT_RESERVATION_MINUTES)
    return start, end, minutes


def reserve(call: Call) -> Response:
    body = RESERVE_INPUT.validate(call.body)
    if body.get("reservationDuration") and call.caller is None:
        raise UnauthorizedError(CUSTOM_DURATION)
    event_type = _event_type(call, body)
    _check_custom_duration(call, body, event_type)
    start, end, minutes = _slot(call, body, event_type, except_uid=None)
    user = call.user_or_none
    reservation = call.model.resources.reservations.reserve(event_type.id, start, end, minutes,
                                                            user.id if user else None)
    return success(_out(reservation), status_code=201)


def get_reservation(call: Call) -> Response:
    found = call.model.resources.reservations.get(call.path_params["uid"])
    return success(_out(found) if found is not None else None)


def move_reservation(call: Call) -> Response:
    body = RESERVE_INPUT.validate(call.body)
    store = call.model.resources.reservations
    found = store.get(call.path_params["uid"])
    if found is None:
        raise NotFoundError(f"Slot with uid={call.path_params['uid']} not found")
    # updateReservedSlot checks no caller for a custom reservationDuration.
    event_type = _event_type(call, body)
    start, end, minutes = _slot(call, body, event_type, except_uid=found.uid)
    reservation = found
    return success(_out(store.move(reservation, event_type.id, start, end, minutes)))


def release_reservation(call: Call) -> Response:
    store = call.model.resources.reservations
    store.release(store.require(call.path_params["uid"]))
    return status_only()


_V = versions.SLOTS
_R = "/v2/slots/reservations"
_C = "SlotsController_2024_09_04_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", _R, f"{_C}reserveSlot", reserve, _V, OPTIONAL_AUTH, reads_body=True),
    Endpoint("GET", f"{_R}/{{uid}}", f"{_C}getReservedSlot", get_reservation, _V, ()),
    Endpoint("PATCH", f"{_R}/{{uid}}", f"{_C}updateReservedSlot", move_reservation, _V, (), reads_body=True),
    Endpoint("DELETE", f"{_R}/{{uid}}", f"{_C}deleteReservedSlot", release_reservation, _V, ()),
)
