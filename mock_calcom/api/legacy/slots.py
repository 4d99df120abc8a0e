"""``/v2/slots/available``, ``/v2/slots/reserve``, ``/v2/slots/selected-slot`` at 2024-04-15 to
2024-08-13: ``SlotsController_2024_04_15``
(apps/api/v2/src/modules/slots/slots-2024-04-15/controllers/slots.controller.ts @285ff334).

No auth guard: the controller never reads a bearer (the global scope guard still does, see
``Endpoint.legacy``). Available slots answer ``{"slots": {"<date>": [{"time"}]}}`` with UTC
times, or in ``timeZone`` as luxon writes them; ``slotFormat=range`` gives ``startTime`` and
``endTime`` (slots-output.service.ts @43bc0047). Reserve answers the reservation uid as
``data`` (201) and sets it as the ``uid`` cookie; delete answers ``{status}``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import Call, Endpoint
from mock_calcom.api.envelope import SUCCESS, status_only, success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_INT,
    IS_NUMBER,
    IS_STRING,
    Prop,
    Rule,
    Schema,
    one_of,
    parse_int_when_truthy,
    query_dict,
)
from mock_calcom.errors import BadRequestError, NotFoundError
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.reservations import DEFAULT_RESERVATION_MINUTES
from mock_calcom.model.resources.slots import available_starts
from mock_calcom.model.resources.timeutil import is_time_zone, iso_in_zone, iso_ms, local, parse_iso


def _date_string(name: str) -> Rule:
    return Rule("isDateString", lambda v: isinstance(v, str) and parse_iso(v) is not None,
                f"{name} must be a valid ISO 8601 date string")


def _list_of_strings(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


#: GetAvailableSlotsInput_2024_04_15 (packages/platform/types slots 2024-04-15 inputs).
AVAILABLE_QUERY = Schema((
    Prop("startTime", (_date_string("startTime"),)),
    Prop("endTime", (_date_string("endTime"),)),
    Prop("eventTypeId", (IS_NUMBER,), optional=True, transform=parse_int_when_truthy),
    Prop("eventTypeSlug", (IS_STRING,), optional=True),
    Prop("usernameList", (IS_ARRAY,), optional=True, transform=_list_of_strings),
    Prop("duration", (IS_NUMBER,), optional=True, transform=parse_int_when_truthy),
    Prop("rescheduleUid", (IS_STRING,), optional=True),
    Prop("timeZone", (IS_STRING,), optional=True),
    Prop("orgSlug", (IS_STRING,), optional=True),
    Prop("slotFormat", (one_of(("range", "time")),), optional=True),
))
#: ReserveSlotInput_2024_04_15.
RESERVE = Schema((
    Prop("eventTypeId", (IS_INT,)),
    Prop("slotUtcStartDate", (_date_string("slotUtcStartDate"),)),
    Prop("slotUtcEndDate", (_date_string("slotUtcEndDate"),)),
    Prop("bookingUid", (IS_STRING,), optional=True),
))
#: RemoveSelectedSlotInput_2024_04_15.
REMOVE = Schema((Prop("uid", (IS_STRING,), optional=True),))


def _event_type(call: Call, query: dict[str, Any]) -> EventType:
    store = call.model.resources.event_types
    found: EventType | None = None
    if query.get("eventTypeId"):
        found = store.get(int(query["eventTypeId"])) if float(query["eventTypeId"]).is_integer() else None
    elif query.get("eventTypeSlug") and query.get("usernameList"):
        username = query["usernameList"][0]
        user = next((u for u in call.model.users.all() if u.username == username), None)
        if user is not None and not query.get("orgSlug"):  # the fake has no organisations
            found = store.by_slug(user.id, query["eventTypeSlug"])
    else:
        raise BadRequestError("Either eventTypeId or eventTypeSlug and usernameList must be provided")
    if found is None:
        # getAvailableSlots's TRPCError NOT_FOUND, mapped by the controller's filter.
        raise NotFoundError("Event type not found")
    return found


def available_slots(call: Call) -> Response:
    query = AVAILABLE_QUERY.validate(query_dict(call.query))
    start, end = parse_iso(query["startTime"]), parse_iso(query["endTime"])
    assert start is not None  # validated
    assert end is not None
    if end < start:
        raise BadRequestError(
            "Invalid time range given - check the 'startTime' and 'endTime' query parameters.")
    zone = query.get("timeZone")
    if zone is not None and not is_time_zone(zone):
        raise BadRequestError("Invalid time zone")
    event_type = _event_type(call, query)
    duration = int(query.get("duration") or event_type.length)
    host = call.model.users.require(event_type.owner_id)
    resources = call.model.resources
    starts = available_starts(
        event_type=event_type, host=host, schedule=resources.schedule_for(event_type, host),
        bookings=resources.bookings, start=start, end=end, now=call.model.clock.now(), duration=duration,
        ignore_uid=query.get("rescheduleUid"))
    # getSchedule leaves out slots someone else holds (selected slots whose uid is not the
    # booker's ``uid`` cookie, the one POST /v2/slots/reserve set): the booker still sees the
    # slot they reserved themselves.
    own = call.cookies.get("uid")
    starts = [s for s in starts
              if not resources.reservations.held(event_type.id, s, s + duration * 60, except_uid=own)]
    slots: dict[str, list[dict[str, str]]] = {}
    for moment in starts:
        def written(seconds: float) -> str:
            return iso_in_zone(seconds, zone) if zone else iso_ms(seconds)

        slot = ({"startTime": written(moment), "endTime": written(moment + duration * 60)}
                if query.get("slotFormat") == "range" else {"time": written(moment)})
        slots.setdefault(local(moment, zone or "UTC").date().isoformat(), []).append(slot)
    return success({"slots": slots})


def reserve_slot(call: Call) -> Response:
    """``reserveSlot``: the slot is held for the host (``upsertSelectedSlot``, released after
    ``MINUTES_TO_BOOK``, 5 by default) in the same reservation store as the 2024-09-04
    ``/v2/slots/reservations``; an overlapping reservation is not refused here (an upsert)."""
    body = RESERVE.validate(call.body)
    event_type = call.model.resources.event_types.get(int(body["eventTypeId"]))
    if event_type is None:
        raise NotFoundError("Event Type not found")
    start, end = parse_iso(body["slotUtcStartDate"]), parse_iso(body["slotUtcEndDate"])
    assert start is not None  # validated
    assert end is not None
    reservation = call.model.resources.reservations.reserve(
        event_type.id, start, end, DEFAULT_RESERVATION_MINUTES, event_type.owner_id)
    response = JSONResponse({"status": SUCCESS, "data": reservation.uid}, status_code=201)
    response.set_cookie("uid", reservation.uid)
    return response


def delete_selected_slot(call: Call) -> Response:
    query = REMOVE.validate(query_dict(call.query))
    store = call.model.resources.reservations
    found = store.get(query["uid"]) if query.get("uid") else None
    if found is not None:
        store.release(found)
    return status_only()


_V = versions.LEGACY_SLOTS
_C = "SlotsController_2024_04_15_"
ENDPOINTS = (
    Endpoint("POST", "/v2/slots/reserve", f"{_C}reserveSlot", reserve_slot, _V, (), reads_body=True,
             legacy=True),
    Endpoint("DELETE", "/v2/slots/selected-slot", f"{_C}deleteSelectedSlot", delete_selected_slot, _V, (),
             legacy=True),
    Endpoint("GET", "/v2/slots/available", f"{_C}getAvailableSlots", available_slots, _V, (), legacy=True,
             reads_cookies=True),
)
