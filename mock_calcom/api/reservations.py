"""``/v2/slots/reservations`` (SlotsController_2024_09_04): hold a slot for a few minutes.
``cal-api-version: 2024-09-04``. Reserving takes an optional bearer (``OptionalApiAuthGuard``;
undecorated, so a scoped third-party token gets the scope guard's 403); reading, moving and
releasing a reservation need nothing but its uid.

Checks, in order: the body (ReserveSlotInput_2024_09_04); a custom ``reservationDuration`` only
for an authenticated caller; the event type; ``slotDuration`` one of its lengths; the slot free
(no booking, no other live reservation). A live reservation takes the slot out of
``GET /v2/slots`` (api/slots.py); ``POST /v2/bookings`` does not check it (neither does
Cal.com's booking handler, as far as read).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import OPTIONAL_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import IS_NUMBER, IS_STRING, Prop, Rule, Schema, min_value
from mock_calcom.errors import BadRequestError, NotFoundError, UnauthorizedError
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
SLOT_TAKEN = "This time slot is already reserved or booked."
CUSTOM_DURATION = ("reservationDuration can only be used for authenticated requests. If you want to "
                   "reserve a slot for a custom duration, authenticate the request.")


def _out(reservation: Reservation) -> dict[str, Any]:
    return {"eventTypeId": reservation.event_type_id, "slotStart": iso_ms(reservation.start),
            "slotEnd": iso_ms(reservation.end),
            "slotDuration": round((reservation.end - reservation.start) / 60),
            "reservationUid": reservation.uid, "reservationDuration": reservation.minutes,
            "reservationUntil": iso_ms(reservation.until)}


def _slot(call: Call, body: dict[str, Any], *, except_uid: str | None) -> tuple[EventType, float, float, int]:
    if "reservationDuration" in body and call.caller is None:
        raise UnauthorizedError(CUSTOM_DURATION)
    event_type = call.model.resources.event_types.get(int(body["eventTypeId"]))
    if event_type is None:
        raise NotFoundError(f"Event Type with ID={int(body['eventTypeId'])} not found")
    length = int(body.get("slotDuration") or event_type.length)
    allowed = event_type.length_options or [event_type.length]
    if length not in allowed:
        raise BadRequestError(
            f"Provided slotDuration={length} is not one of the possible lengths for the event type. "
            f"The possible lengths are: {', '.join(str(o) for o in allowed)}")
    start = parse_iso(body["slotStart"])
    assert start is not None  # validated
    end = start + length * 60
    host = call.model.users.get(event_type.owner_id)
    store = call.model.resources
    if host is None or not store.bookings.is_free(event_type, host, start, end) or store.reservations.held(
            event_type.id, start, end, except_uid=except_uid):
        raise BadRequestError(SLOT_TAKEN)
    minutes = int(body.get("reservationDuration") or DEFAULT_RESERVATION_MINUTES)
    return event_type, start, end, minutes


def reserve(call: Call) -> Response:
    body = RESERVE_INPUT.validate(call.body)
    event_type, start, end, minutes = _slot(call, body, except_uid=None)
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
    reservation = store.require(call.path_params["uid"])
    event_type, start, end, minutes = _slot(call, body, except_uid=reservation.uid)
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
