"""``GET /v2/slots`` (SlotsController_2024_09_04): public, ``cal-api-version: 2024-09-04``.

The query is validated by ``GetSlotsInputPipe`` (get-slots-input.pipe.ts @683e0006): the input
class is picked by which keys are present (``eventTypeId``; ``username`` + ``eventTypeSlug``;
``teamSlug`` + ``eventTypeSlug``; else ``usernames``), unknown keys are refused
(``forbidNonWhitelisted``), and errors come back as one sentence. Slots are keyed by their date
in ``timeZone`` (default UTC) and written the way luxon writes them in that zone.

The controller has no auth guard, so a bearer is not looked at and no scope is checked (the
scope guard's wiring is UNCONFIRMED; the fact sheet lists the endpoint as unauthenticated).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_NUMBER,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    one_of,
    parse_int_when_truthy,
    query_dict,
    split_comma,
)
from mock_calcom.errors import BadRequestError, NotFoundError
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.slots import available_starts
from mock_calcom.model.resources.timeutil import is_date, iso_in_zone, local, parse_iso

_DATE_STRING = Rule("isDateString", lambda v: isinstance(v, str) and parse_iso(v) is not None,
                    "{p} must be a valid ISO 8601 date string")
_BASE = (
    Prop("start", (_DATE_STRING,)),
    Prop("end", (_DATE_STRING,)),
    Prop("timeZone", (IS_TIME_ZONE,), optional=True),
    Prop("duration", (IS_NUMBER,), optional=True, transform=parse_int_when_truthy),
    Prop("format", (IS_STRING, one_of(("range", "time"), "slotFormat must be either 'range' or 'time'")),
         optional=True, transform=lambda v: v.lower() if isinstance(v, str) and v else None),
    Prop("bookingUidToReschedule", (IS_STRING,), optional=True),
    Prop("rrHostSubsetIds", (IS_ARRAY,), optional=True, transform=split_comma),
    Prop("type", (IS_STRING,), optional=True),
)
BY_ID = Schema((*_BASE, Prop("eventTypeId", (IS_NUMBER,), transform=parse_int_when_truthy)),
               forbid_unknown=True)
BY_USERNAME = Schema((*_BASE, Prop("eventTypeSlug", (IS_STRING,)), Prop("username", (IS_STRING,)),
                      Prop("organizationSlug", (IS_STRING,), optional=True)), forbid_unknown=True)
BY_TEAM = Schema((*_BASE, Prop("eventTypeSlug", (IS_STRING,)), Prop("teamSlug", (IS_STRING,)),
                  Prop("organizationSlug", (IS_STRING,), optional=True)), forbid_unknown=True)
BY_USERNAMES = Schema((*_BASE,
                       Prop("usernames", (Rule("arrayMinSize", lambda v: isinstance(v, list) and len(v) >= 2,
                                               "The array must contain at least 2 elements."), IS_ARRAY),
                            transform=split_comma),
                       Prop("organizationSlug", (IS_STRING,))), forbid_unknown=True)


def _pick(query: dict[str, Any]) -> Schema:
    if "eventTypeId" in query:
        return BY_ID
    if "username" in query and "eventTypeSlug" in query:
        return BY_USERNAME
    if "teamSlug" in query and "eventTypeSlug" in query:
        return BY_TEAM
    return BY_USERNAMES


def _event_type(call: Call, query: dict[str, Any]) -> EventType:
    store = call.model.resources.event_types
    if "eventTypeId" in query:
        found = store.get(int(query["eventTypeId"]))
        if found is None:
            raise NotFoundError(f"Event Type with ID={query['eventTypeId']} not found")
        return found
    if "teamSlug" in query:
        raise NotFoundError(f"Team with slug {query['teamSlug']} not found")
    if "usernames" in query:
        raise NotFoundError(f"Organization with slug {query['organizationSlug']} not found")
    user = next((u for u in call.model.users.all() if u.username == query["username"]), None)
    found = None
    if user is not None and "organizationSlug" not in query:  # the fake has no organisations
        found = store.by_slug(user.id, query["eventTypeSlug"])
    if found is None:
        raise NotFoundError(
            f"Event type with slug {query['eventTypeSlug']} belonging to user {query['username']} not found.")
    return found


def _bound(text: str, *, end: bool) -> float:
    """A bare date means the start of that UTC day, or for ``end`` its last second."""
    value = parse_iso(text)
    assert value is not None  # validated
    return value + 86_399 if end and is_date(text) else value


def get_slots(call: Call) -> Response:
    raw = query_dict(call.query)
    query = _pick(raw).validate_pipe(raw)
    event_type = _event_type(call, query)
    duration = int(query.get("duration") or event_type.length)
    options = event_type.length_options or [event_type.length]
    if duration not in options:
        raise BadRequestError(
            f"Invalid duration {duration}. Event type with id={event_type.id} has possible durations: "
            f"{', '.join(str(o) for o in options)}")
    host = call.model.users.require(event_type.owner_id)
    resources = call.model.resources
    starts = available_starts(
        event_type=event_type, host=host, schedule=resources.schedule_for(event_type, host),
        bookings=resources.bookings, start=_bound(query["start"], end=False),
        end=_bound(query["end"], end=True), now=call.model.clock.now(), duration=duration,
        ignore_uid=query.get("bookingUidToReschedule"))
    # A slot someone reserved (POST /v2/slots/reservations) is out of the list while the
    # reservation lasts (the slots util's reserved-by-others filter; the fake has no booker
    # identity, so it is out for everyone).
    starts = [s for s in starts if not resources.reservations.held(event_type.id, s, s + duration * 60)]
    zone = query.get("timeZone", "UTC")
    data: dict[str, list[dict[str, str]]] = {}
    for start in starts:
        slot = {"start": iso_in_zone(start, zone)}
        if query.get("format") == "range":
            slot["end"] = iso_in_zone(start + duration * 60, zone)
        data.setdefault(local(start, zone).date().isoformat(), []).append(slot)
    return success(data)


ENDPOINTS = (
    Endpoint("GET", "/v2/slots", "SlotsController_2024_09_04_getAvailableSlots", get_slots, versions.SLOTS,
             ()),
)
