"""``/v2/event-types`` (EventTypesController_2024_06_14, controller @f65f2d39).

The controller carries ``PermissionsGuard`` at class level; every handler but the list has
``@Permissions`` and ``ApiAuthGuard``, so on them a bad bearer is a 403 (issue #24840's quirk),
while the list uses ``OptionalApiAuthGuard`` and answers a bad bearer with a 401.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import OPTIONAL_AUTH, PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_INT,
    IS_OBJECT,
    IS_STRING,
    Prop,
    Rule,
    Schema,
    js_number,
    min_value,
    numeric_id,
    one_of,
    query_dict,
)
from mock_calcom.errors import NotFoundError
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.users import User

#: Conferencing integrations an event type location may name (OutputIntegrationLocation_2024_06_14).
INTEGRATIONS = ("cal-video", "google-meet", "zoom", "whereby-video", "whatsapp-video", "webex-video",
                "telegram-video", "tandem", "sylaps-video", "skype-video", "sirius-video", "signal-video",
                "shimmer-video", "salesroom-video", "roam-video", "riverside-video", "ping-video",
                "office365-video", "mirotalk-video", "jitsi", "jelly-video", "jelly-conferencing", "huddle",
                "facetime-video", "element-call-video", "eightxeight-video", "discord-video",
                "demodesk-video", "campfire-video")
#: Location type -> the keys it must carry (InputLocation_2024_06_14 union).
_LOCATION_KEYS: dict[str, tuple[str, ...]] = {
    "address": ("address",), "link": ("link",), "phone": ("phone",), "integration": ("integration",),
    "attendeeAddress": (), "attendeePhone": (), "attendeeDefined": (),
}
#: Custom booking field types (the non-default inputs of CreateEventTypeInput.bookingFields).
_FIELD_TYPES = ("phone", "address", "text", "number", "textarea", "select", "multiselect",
                "multiemail", "checkbox", "radio", "boolean", "url")


def _valid_location(item: Any) -> bool:
    if not isinstance(item, dict) or item.get("type") not in _LOCATION_KEYS:
        return False
    keys = _LOCATION_KEYS[item["type"]]
    if not all(isinstance(item.get(k), str) and item.get(k) for k in keys):
        return False
    return item["type"] != "integration" or item["integration"] in INTEGRATIONS


def _valid_field(item: Any) -> bool:
    return (isinstance(item, dict) and item.get("type") in _FIELD_TYPES
            and isinstance(item.get("slug"), str) and bool(item["slug"])
            and isinstance(item.get("label", ""), str)
            and isinstance(item.get("required", False), bool))


LOCATIONS = Rule("validateLocations", lambda v: isinstance(v, list) and all(_valid_location(i) for i in v),
                 "{p} must be an array of valid locations")
BOOKING_FIELDS = Rule("validateBookingFields",
                      lambda v: isinstance(v, list) and all(_valid_field(i) for i in v),
                      "{p} must be an array of valid booking fields")
EACH_POSITIVE_INT = Rule("isInt", lambda v: isinstance(v, list) and bool(v) and all(
    isinstance(i, int) and not isinstance(i, bool) and i >= 1 for i in v),
    "each value in {p} must be an integer number")
NON_NEGATIVE = min_value(0)


def _options_include_length(values: dict[str, Any]) -> str | None:
    options, length = values.get("lengthInMinutesOptions"), values.get("lengthInMinutes")
    if options is not None and length is not None and length not in options:
        return "lengthInMinutesOptions must include lengthInMinutes"
    return None


def _props(optional: bool) -> tuple[Prop, ...]:
    return (
        Prop("lengthInMinutes", (IS_INT, min_value(1)), optional=optional),
        Prop("lengthInMinutesOptions", (IS_ARRAY, EACH_POSITIVE_INT), optional=True),
        Prop("title", (IS_STRING,), optional=optional),
        Prop("slug", (IS_STRING,), optional=optional),
        Prop("description", (IS_STRING,), optional=True),
        Prop("locations", (IS_ARRAY, LOCATIONS), optional=True),
        Prop("bookingFields", (IS_ARRAY, BOOKING_FIELDS), optional=True),
        Prop("disableGuests", (IS_BOOLEAN,), optional=True),
        Prop("slotInterval", (IS_INT, NON_NEGATIVE), optional=True, nullable=True),
        Prop("minimumBookingNotice", (IS_INT, NON_NEGATIVE), optional=True),
        Prop("beforeEventBuffer", (IS_INT, NON_NEGATIVE), optional=True),
        Prop("afterEventBuffer", (IS_INT, NON_NEGATIVE), optional=True),
        Prop("scheduleId", (IS_INT,), optional=True, nullable=True),
        Prop("hidden", (IS_BOOLEAN,), optional=True),
        Prop("lockTimeZoneToggleOnBookingPage", (IS_BOOLEAN,), optional=True),
        Prop("bookingRequiresAuthentication", (IS_BOOLEAN,), optional=True),
        Prop("metadata", (IS_OBJECT,), optional=True),
    )


CREATE_EVENT_TYPE = Schema(_props(optional=False), checks=(_options_include_length,))
UPDATE_EVENT_TYPE = Schema(_props(optional=True), checks=(_options_include_length,))
LIST_QUERY = Schema((
    Prop("username", (IS_STRING,), optional=True),
    Prop("eventSlug", (IS_STRING,), optional=True),
    Prop("usernames", (IS_STRING,), optional=True),
    Prop("orgSlug", (IS_STRING,), optional=True),
    Prop("orgId", (IS_INT,), optional=True, transform=js_number),
    Prop("sortCreatedAt", (one_of(("asc", "desc")),), optional=True),
))

_DEFAULT_FIELDS: tuple[dict[str, Any], ...] = (
    {"isDefault": True, "type": "name", "slug": "name", "required": True, "label": "Your name",
     "placeholder": "", "disableOnPrefill": False},
    {"isDefault": True, "type": "email", "slug": "email", "required": True, "label": "Email address",
     "placeholder": "", "disableOnPrefill": False, "hidden": False},
    {"isDefault": True, "type": "text", "slug": "title", "required": True, "hidden": True,
     "label": "What is this meeting about?", "placeholder": ""},
    {"isDefault": True, "type": "textarea", "slug": "notes", "required": False, "hidden": False,
     "label": "Additional notes",
     "placeholder": "Please share anything that will help prepare for our meeting."},
    {"isDefault": True, "type": "multiemail", "slug": "guests", "required": False, "hidden": False,
     "label": "Add guests", "placeholder": "Email"},
    {"isDefault": True, "type": "textarea", "slug": "rescheduleReason", "required": False,
     "hidden": False, "label": "Reason for reschedule",
     "placeholder": "Let others know why you need to reschedule"},
)
_LOCATION_FIELD = {"isDefault": True, "type": "radioInput", "slug": "location", "required": False,
                   "hidden": False, "label": "Location"}


def booking_fields(event_type: EventType) -> list[dict[str, Any]]:
    fields = [dict(f) for f in _DEFAULT_FIELDS]
    if len(event_type.locations) > 1:
        # LocationDefaultFieldOutput: "returned only if the event type has more than one location".
        fields.insert(2, dict(_LOCATION_FIELD))
    for custom in event_type.custom_booking_fields:
        fields.append({"isDefault": False, "required": False, "hidden": False, **custom})
    return fields


def _user_out(user: User) -> dict[str, Any]:
    """``User_2024_06_14`` (event-type.output.ts @c6b0a1ce)."""
    return {"id": user.id, "name": user.name, "username": user.username, "avatarUrl": user.avatar_url,
            "weekStart": user.week_start, "brandColor": "#292929", "darkBrandColor": "#fafafa",
            "metadata": dict(user.metadata)}


def event_type_out(event_type: EventType, owner: User) -> dict[str, Any]:
    """``EventTypeOutput_2024_06_14``."""
    out: dict[str, Any] = {
        "id": event_type.id,
        "ownerId": event_type.owner_id,
        "lengthInMinutes": event_type.length,
        "title": event_type.title,
        "slug": event_type.slug,
        "description": event_type.description,
        "locations": [dict(loc) for loc in event_type.locations],
        "bookingFields": booking_fields(event_type),
        "recurrence": None,
        "disableGuests": event_type.disable_guests,
        "slotInterval": event_type.slot_interval,
        "minimumBookingNotice": event_type.minimum_booking_notice,
        "beforeEventBuffer": event_type.before_event_buffer,
        "afterEventBuffer": event_type.after_event_buffer,
        "metadata": dict(event_type.metadata),
        "price": event_type.price,
        "currency": event_type.currency,
        "lockTimeZoneToggleOnBookingPage": event_type.lock_time_zone_toggle,
        "seatsPerTimeSlot": None,
        "forwardParamsSuccessRedirect": True,
        "successRedirectUrl": None,
        "isInstantEvent": False,
        "scheduleId": event_type.schedule_id,
        "hidden": event_type.hidden,
        "bookingRequiresAuthentication": event_type.booking_requires_authentication,
        "users": [_user_out(owner)],
        "bookingUrl": f"https://cal.com/{owner.username}/{event_type.slug}",
    }
    if event_type.length_options:
        out["lengthInMinutesOptions"] = list(event_type.length_options)
    return out


def _owner(call: Call, event_type: EventType) -> User:
    return call.model.users.require(event_type.owner_id)


def _check_schedule(call: Call, values: dict[str, Any]) -> None:
    schedule_id = values.get("scheduleId")
    if schedule_id is None:
        return
    schedule = call.model.resources.schedules.get(schedule_id)
    if schedule is None or schedule.owner_id != call.user.id:
        # checkUserOwnsSchedule (event-types.service.ts).
        raise NotFoundError(f"User with ID={call.user.id} does not own schedule with ID={schedule_id}")


def list_event_types(call: Call) -> Response:
    query = LIST_QUERY.validate(query_dict(call.query))
    store = call.model.resources.event_types
    viewer = call.user_or_none
    username = query.get("username")
    if username is not None:
        owner = next((u for u in call.model.users.all() if u.username == username), None)
    else:
        owner = viewer
    if owner is None or "usernames" in query:
        # Dynamic group event types and organisations are out of the fake's scope.
        return success([])
    items = store.of_user(owner.id)
    if viewer is None or viewer.id != owner.id:
        items = [e for e in items if not e.hidden]  # hidden ones only for their owner
    if "eventSlug" in query:
        items = [e for e in items if e.slug == query["eventSlug"]]
    if "sortCreatedAt" in query:
        items.sort(key=lambda e: e.id, reverse=query["sortCreatedAt"] == "desc")
    # getResponseEventTypesWithoutHiddenFields: the list drops hidden booking fields.
    out = []
    for event_type in items:
        shaped = event_type_out(event_type, owner)
        shaped["bookingFields"] = [f for f in shaped["bookingFields"] if f.get("hidden") is not True]
        out.append(shaped)
    return success(out)


def get_event_type(call: Call) -> Response:
    raw = call.path_params["eventTypeId"]
    number = js_number(raw)
    found = None
    if isinstance(number, int):
        found = call.model.resources.event_types.get(number)
    if found is None or found.owner_id != call.user.id:
        raise NotFoundError(f"Event type with id {raw} not found")
    return success(event_type_out(found, _owner(call, found)))


def create_event_type(call: Call) -> Response:
    values = CREATE_EVENT_TYPE.validate(call.body)
    store = call.model.resources.event_types
    # checkCanCreateEventType: the slug clash (raised by create) wins over the schedule check.
    if store.by_slug(call.user.id, values["slug"]) is None:
        _check_schedule(call, values)
    event_type = store.create(call.user.id, values)
    return success(event_type_out(event_type, call.user), status_code=201)


def update_event_type(call: Call) -> Response:
    event_type_id = numeric_id(call.path_params["eventTypeId"])
    values = UPDATE_EVENT_TYPE.validate(call.body)
    store = call.model.resources.event_types
    event_type = store.changeable(call.user.id, event_type_id)
    _check_schedule(call, values)
    store.update(event_type, values)
    return success(event_type_out(event_type, call.user))


def delete_event_type(call: Call) -> Response:
    event_type_id = numeric_id(call.path_params["eventTypeId"])
    store = call.model.resources.event_types
    event_type = store.changeable(call.user.id, event_type_id)
    store.delete(event_type)
    return success({"id": event_type.id, "lengthInMinutes": event_type.length,
                    "title": event_type.title, "slug": event_type.slug})


_V = versions.EVENT_TYPES
_ID = "/v2/event-types/{eventTypeId}"
_C = "EventTypesController_2024_06_14_"
ENDPOINTS = (
    Endpoint("POST", "/v2/event-types", f"{_C}createEventType", create_event_type, _V,
             PERMISSIONS_THEN_API_AUTH, reads_body=True),
    Endpoint("GET", "/v2/event-types", f"{_C}getEventTypes", list_event_types, _V, OPTIONAL_AUTH),
    Endpoint("GET", _ID, f"{_C}getEventTypeById", get_event_type, _V, PERMISSIONS_THEN_API_AUTH),
    Endpoint("PATCH", _ID, f"{_C}updateEventType", update_event_type, _V, PERMISSIONS_THEN_API_AUTH,
             reads_body=True),
    Endpoint("DELETE", _ID, f"{_C}deleteEventType", delete_event_type, _V, PERMISSIONS_THEN_API_AUTH),
)
