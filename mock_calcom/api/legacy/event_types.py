"""``/v2/event-types`` at 2024-04-15 and 2024-06-11: ``EventTypesController_2024_04_15``
(apps/api/v2/src/ee/event-types/event-types_2024_04_15/controllers/event-types.controller.ts
@5b6d63e6), reached without ``cal-api-version`` (FACTS §11.1).

Every handler served here carries ``@Permissions`` and ``ApiAuthGuard`` under the class-level
``PermissionsGuard`` (so a bad bearer is the guard's 403, as on the current controller). Bodies
are Cal.com's stored event type (``EventTypeOutput``, outputs/event-type.output.ts @0bad86ce):
``length`` instead of ``lengthInMinutes``, stored location types (``integrations:daily``),
stored booking fields (``name``, ``editable``). The list is ``getEventTypesByViewer``'s
``{eventTypeGroups, profiles}``; get-by-id wraps the event type as ``{eventType}``
(get-event-type.output.ts @5b6d63e6); delete answers ``{id, length, slug, title}``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import PERMISSIONS_THEN_API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.event_types import booking_fields
from mock_calcom.api.legacy.common import api_location, stored_location
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_INT,
    IS_NUMBER,
    IS_STRING,
    IS_URL,
    Prop,
    Rule,
    Schema,
    min_value,
    numeric_id,
    one_of,
)
from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.users import User

#: Cal.com's ``WEBSITE_URL``: ``getBookerBaseUrl`` of a user outside an organisation.
BOOKER_URL = "https://cal.com"
#: ``getUserAvatarUrl`` of a user without an avatar (UNCONFIRMED: the exact fallback URL).
AVATAR_FALLBACK = "https://app.cal.com/avatar.svg"
#: The system booking fields; anything else in a legacy ``bookingFields`` is a custom field.
SYSTEM_FIELDS = ("name", "email", "location", "title", "notes", "guests", "rescheduleReason",
                 "attendeePhoneNumber", "smsReminderNumber")
#: BaseField (inputs/enums/field-type.ts @b785125b).
BASE_FIELDS = ("text", "textarea", "number", "email", "phone", "address", "multiemail", "select",
               "multiselect", "checkbox", "radio", "radioInput", "boolean", "name", "url")
#: Custom field types the fake's event types hold (the 2024-06-14 ones).
_CUSTOM_TYPES = ("phone", "address", "text", "number", "textarea", "select", "multiselect",
                 "multiemail", "checkbox", "radio", "boolean", "url")
_SYSTEM_EDITABLE = {"name": "system", "email": "system-but-optional", "location": "system",
                    "title": "system-but-optional", "notes": "system-but-optional",
                    "guests": "system-but-optional", "rescheduleReason": "system-but-optional"}

LOCATION = Schema((
    Prop("type", (IS_STRING,)),
    Prop("address", (IS_STRING,), optional=True),
    Prop("link", (IS_URL,), optional=True),
    Prop("displayLocationPublicly", (IS_BOOLEAN,), optional=True),
    Prop("hostPhoneNumber", (IS_STRING,), optional=True),
    Prop("credentialId", (IS_NUMBER,), optional=True),
    Prop("teamName", (IS_STRING,), optional=True),
))
BOOKING_FIELD = Schema((
    Prop("type", (one_of(BASE_FIELDS),)),
    Prop("name", (IS_STRING,)),
    Prop("options", (IS_ARRAY,), optional=True),
    Prop("label", (IS_STRING,), optional=True),
    Prop("labelAsSafeHtml", (IS_STRING,), optional=True),
    Prop("defaultLabel", (IS_STRING,), optional=True),
    Prop("placeholder", (IS_STRING,), optional=True),
    Prop("required", (IS_BOOLEAN,), optional=True),
    Prop("getOptionsAt", (IS_STRING,), optional=True),
    Prop("variant", (IS_STRING,), optional=True),
    Prop("hideWhenJustOneOption", (IS_BOOLEAN,), optional=True),
    Prop("hidden", (IS_BOOLEAN,), optional=True),
    Prop("editable", (one_of(("system", "system-but-optional", "system-but-hidden", "user",
                              "user-readonly")),), optional=True),
    Prop("sources", (IS_ARRAY,), optional=True),
    Prop("disableOnPrefill", (IS_BOOLEAN,), optional=True),
))
_NON_NEGATIVE = min_value(0)

#: CreateEventTypeInput_2024_04_15 (inputs/create-event-type.input.ts @03670679).
CREATE_EVENT_TYPE = Schema((
    Prop("length", (IS_NUMBER, min_value(1))),
    Prop("slug", (IS_STRING,)),
    Prop("title", (IS_STRING,)),
    Prop("description", (IS_STRING,), optional=True),
    Prop("hidden", (IS_BOOLEAN,), optional=True),
    Prop("locations", (IS_ARRAY,), optional=True, nested=LOCATION, each=True),
    Prop("disableGuests", (IS_BOOLEAN,), optional=True),
    Prop("slotInterval", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("minimumBookingNotice", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("beforeEventBuffer", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("afterEventBuffer", (IS_INT, _NON_NEGATIVE), optional=True),
))
#: UpdateEventTypeInput_2024_04_15 (inputs/update-event-type.input.ts @03670679).
UPDATE_EVENT_TYPE = Schema((
    Prop("length", (IS_INT, min_value(1)), optional=True),
    Prop("slug", (IS_STRING,), optional=True),
    Prop("title", (IS_STRING,), optional=True),
    Prop("description", (IS_STRING,), optional=True),
    Prop("hidden", (IS_BOOLEAN,), optional=True),
    Prop("locations", (), optional=True, nested=LOCATION, each=True),
    Prop("bookingFields", (IS_ARRAY,), optional=True, nested=BOOKING_FIELD, each=True),
    Prop("disableGuests", (IS_BOOLEAN,), optional=True),
    Prop("minimumBookingNotice", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("beforeEventBuffer", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("afterEventBuffer", (IS_INT, _NON_NEGATIVE), optional=True),
    Prop("seatsPerTimeSlot", (IS_INT, min_value(1), Rule("max", lambda v: v <= 1000,
                                                         "seatsPerTimeSlot must not be greater than 1000")),
         optional=True),
    Prop("slotInterval", (IS_INT, _NON_NEGATIVE), optional=True),
))


def _stored_field(field: dict[str, Any]) -> dict[str, Any]:
    """A 2024-06-14 booking field as Cal.com stores it (``name`` for ``slug``, ``editable``)."""
    name = field["slug"]
    stored: dict[str, Any] = {"name": name, "type": field["type"], "label": field.get("label", ""),
                              "required": bool(field.get("required")), "hidden": bool(field.get("hidden")),
                              "placeholder": field.get("placeholder", ""),
                              "editable": _SYSTEM_EDITABLE.get(name, "user") if field.get("isDefault")
                              else "user"}
    if "options" in field:
        stored["options"] = [{"label": str(o), "value": str(o)} for o in field["options"]]
    return stored


def event_type_out(event_type: EventType) -> dict[str, Any]:
    """``EventTypeOutput`` of the 2024-04-15 controller."""
    return {
        "id": event_type.id,
        "length": event_type.length,
        "slug": event_type.slug,
        "title": event_type.title,
        "description": event_type.description or None,
        "hidden": event_type.hidden,
        "locations": [stored_location(loc) for loc in event_type.locations],
        "position": 0,
        "offsetStart": 0,
        "userId": event_type.owner_id,
        "profileId": None,
        "teamId": None,
        "eventName": None,
        "parentId": None,
        "bookingFields": [_stored_field(f) for f in booking_fields(event_type)],
        "timeZone": None,
        "periodType": "UNLIMITED",
        "periodStartDate": None,
        "periodEndDate": None,
        "periodDays": None,
        "periodCountCalendarDays": None,
        "lockTimeZoneToggleOnBookingPage": event_type.lock_time_zone_toggle,
        "requiresConfirmation": event_type.requires_confirmation,
        "requiresBookerEmailVerification": False,
        "recurringEvent": None,
        "disableGuests": event_type.disable_guests,
        "hideCalendarNotes": False,
        "minimumBookingNotice": event_type.minimum_booking_notice,
        "beforeEventBuffer": event_type.before_event_buffer,
        "afterEventBuffer": event_type.after_event_buffer,
        "seatsPerTimeSlot": None,
        "onlyShowFirstAvailableSlot": False,
        "seatsShowAttendees": False,
        "seatsShowAvailabilityCount": True,
        "schedulingType": None,
        "scheduleId": event_type.schedule_id,
        "price": event_type.price,
        "currency": event_type.currency,
        "slotInterval": event_type.slot_interval,
        "metadata": dict(event_type.metadata),
        "successRedirectUrl": None,
        "bookingLimits": None,
        "durationLimits": None,
        "isInstantEvent": False,
        "assignAllTeamMembers": False,
        "useEventTypeDestinationCalendarEmail": False,
        "secondaryEmailId": None,
    }


def _profile(user: User) -> dict[str, Any]:
    return {"slug": user.username, "name": user.name, "image": user.avatar_url or AVATAR_FALLBACK,
            "eventTypesLockedByOrg": False}


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """Legacy input as the store's (2024-06-14) field names."""
    values: dict[str, Any] = {key: body[key] for key in (
        "slug", "title", "description", "hidden", "disableGuests", "slotInterval", "minimumBookingNotice",
        "beforeEventBuffer", "afterEventBuffer") if key in body}
    if "length" in body:
        values["lengthInMinutes"] = int(body["length"])
        values["lengthInMinutesOptions"] = None
    if "locations" in body:
        values["locations"] = [api_location(loc) for loc in body["locations"]]
    if "bookingFields" in body:
        values["bookingFields"] = [_custom_field(f) for f in body["bookingFields"]
                                   if f["name"] not in SYSTEM_FIELDS]
    return values


def _custom_field(field: dict[str, Any]) -> dict[str, Any]:
    if field["type"] not in _CUSTOM_TYPES:
        raise BadRequestError(f"bookingFields: a custom field of type {field['type']} is not supported")
    custom: dict[str, Any] = {"type": field["type"], "slug": field["name"],
                              "label": field.get("label", ""), "required": bool(field.get("required")),
                              "placeholder": field.get("placeholder", ""),
                              "hidden": bool(field.get("hidden"))}
    if "options" in field:
        custom["options"] = [str(o.get("label", o.get("value", ""))) if isinstance(o, dict) else str(o)
                             for o in field["options"]]
    return custom


def list_event_types(call: Call) -> Response:
    user = call.user
    items = call.model.resources.event_types.of_user(user.id)
    profile = _profile(user)
    group = {"teamId": None, "bookerUrl": BOOKER_URL, "membershipRole": None, "profile": profile,
             "metadata": {"membershipCount": 1, "readOnly": False},
             "eventTypes": [event_type_out(e) for e in items]}
    return success({
        "eventTypeGroups": [group],
        "profiles": [{"teamId": None, "membershipRole": None, "membershipCount": 1, "readOnly": False,
                      **profile}],
    })


def get_event_type(call: Call) -> Response:
    event_type_id = numeric_id(call.path_params["eventTypeId"])
    found = call.model.resources.event_types.get(event_type_id)
    if found is None:
        raise NotFoundError(f"Event type with id {event_type_id} not found")
    if found.owner_id != call.user.id:
        # checkUserOwnsEventType (event-types.service.ts @0936ee52).
        raise ForbiddenError(f"User with ID={call.user.id} does not own event type with ID={event_type_id}")
    return success({"eventType": event_type_out(found)})


def _user_named(call: Call, username: str) -> User | None:
    return next((u for u in call.model.users.all() if u.username == username), None)


def public_event_types(call: Call) -> Response:
    """``getEventTypesPublic``: the user's visible event types (get-event-types-public.output.ts
    @2ebbf58a). No guard: anyone may read them."""
    username = call.path_params["username"]
    user = _user_named(call, username)
    if user is None:
        raise NotFoundError(f'User with username "{username}" not found')
    return success([{"id": e.id, "length": e.length, "slug": e.slug, "title": e.title,
                     "description": e.description or None}
                    for e in call.model.resources.event_types.of_user(user.id) if not e.hidden])


def _public_location(location: dict[str, Any]) -> dict[str, Any]:
    # getPublicEvent's privacy filter: details only where the host shows them publicly.
    stored = stored_location(location)
    return stored if stored.get("displayLocationPublicly") else {"type": stored["type"]}


def public_event_type(call: Call) -> Response:
    """``getPublicEvent`` (get-event-type-public.output.ts @0aa28831): what the booking page of
    ``/{username}/{eventSlug}`` needs. Any failure there is a 404 with its message."""
    user = _user_named(call, call.path_params["username"].lower())
    found = (call.model.resources.event_types.by_slug(user.id, call.path_params["eventSlug"])
             if user is not None else None)
    if user is None or found is None:
        raise NotFoundError("Event type not found")  # UNCONFIRMED: getPublicEvent's own text
    schedule_id = found.schedule_id or user.default_schedule_id
    schedule = call.model.resources.schedules.get(schedule_id) if schedule_id is not None else None
    profile = {"username": user.username, "id": None, "userId": user.id, "name": user.name,
               "organizationId": None, "organization": None, "upId": f"usr-{user.id}",
               "image": user.avatar_url or AVATAR_FALLBACK}
    stored = event_type_out(found)
    return success({
        "id": found.id, "title": found.title, "description": found.description, "eventName": None,
        "slug": found.slug, "isInstantEvent": False, "aiPhoneCallConfig": None, "schedulingType": None,
        "length": found.length, "locations": [_public_location(loc) for loc in found.locations],
        "customInputs": [], "disableGuests": found.disable_guests, "metadata": dict(found.metadata),
        "lockTimeZoneToggleOnBookingPage": found.lock_time_zone_toggle,
        "requiresConfirmation": found.requires_confirmation, "requiresBookerEmailVerification": False,
        "recurringEvent": None, "price": found.price, "currency": found.currency, "seatsPerTimeSlot": None,
        "seatsShowAvailabilityCount": True, "bookingFields": stored["bookingFields"], "team": None,
        "successRedirectUrl": None, "workflows": [], "hosts": [],
        "owner": {"id": user.id, "avatarUrl": user.avatar_url, "username": user.username, "name": user.name,
                  "weekStart": user.week_start, "brandColor": "#292929", "darkBrandColor": "#fafafa",
                  "theme": None, "metadata": dict(user.metadata),
                  "defaultScheduleId": user.default_schedule_id,
                  "nonProfileUsername": user.username, "profile": profile},
        "schedule": {"id": schedule.id, "timeZone": schedule.time_zone} if schedule is not None else None,
        "hidden": found.hidden, "assignAllTeamMembers": False, "bookerLayouts": None,
        "users": [{"username": user.username, "name": user.name, "weekStart": user.week_start,
                   "avatarUrl": user.avatar_url, "profile": profile, "bookerUrl": BOOKER_URL}],
        "entity": {"fromRedirectOfNonOrgLink": True, "considerUnpublished": False, "orgSlug": None,
                   "teamSlug": None, "name": None, "hideProfileLink": False},
        "isDynamic": False,
    })


def create_event_type(call: Call) -> Response:
    body = CREATE_EVENT_TYPE.validate(call.body)
    if not float(body["length"]).is_integer():
        raise BadRequestError("length must be an integer number")
    event_type = call.model.resources.event_types.create(call.user.id, _values(body))
    return success(event_type_out(event_type), status_code=201)


def update_event_type(call: Call) -> Response:
    event_type_id = numeric_id(call.path_params["eventTypeId"])
    body = UPDATE_EVENT_TYPE.validate(call.body)
    store = call.model.resources.event_types
    found = store.get(event_type_id)
    if found is None or found.owner_id != call.user.id:
        # checkCanUpdateEventType: the repository looks the id up among the user's own.
        raise NotFoundError(f"Event type with id {event_type_id} not found")
    if "seatsPerTimeSlot" in body:
        raise BadRequestError("seatsPerTimeSlot: seated event types are not supported by the fake")
    values = _values(body)
    store.update(found, values)
    return success(event_type_out(found))


def delete_event_type(call: Call) -> Response:
    event_type_id = numeric_id(call.path_params["eventTypeId"])
    store = call.model.resources.event_types
    event_type = store.changeable(call.user.id, event_type_id)
    store.delete(event_type)
    return success({"id": event_type.id, "length": event_type.length, "slug": event_type.slug,
                    "title": event_type.title})


_V = versions.LEGACY_EVENT_TYPES
_ID = "/v2/event-types/{eventTypeId}"
_C = "EventTypesController_2024_04_15_"
_G = PERMISSIONS_THEN_API_AUTH
ENDPOINTS = (
    Endpoint("POST", "/v2/event-types", f"{_C}createEventType", create_event_type, _V, _G, reads_body=True,
             legacy=True),
    Endpoint("GET", "/v2/event-types", f"{_C}getEventTypes", list_event_types, _V, _G, legacy=True),
    Endpoint("GET", _ID, f"{_C}getEventType", get_event_type, _V, _G, legacy=True),
    Endpoint("PATCH", _ID, f"{_C}updateEventType", update_event_type, _V, _G, reads_body=True, legacy=True),
    Endpoint("DELETE", _ID, f"{_C}deleteEventType", delete_event_type, _V, _G, legacy=True),
    Endpoint("GET", "/v2/event-types/{username}/public", f"{_C}getPublicEventTypes", public_event_types,
             _V, (), legacy=True),
    Endpoint("GET", "/v2/event-types/{username}/{eventSlug}/public", f"{_C}getPublicEventType",
             public_event_type, _V, (), legacy=True),
)
