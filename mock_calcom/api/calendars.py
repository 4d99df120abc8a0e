"""The rest of ``/v2/calendars`` (CalendarsController and CalUnifiedCalendarsController),
``PUT /v2/destination-calendars`` and ``/v2/selected-calendars``. Version-neutral
(``API_VERSIONS_VALUES``), ``ApiAuthGuard`` first; no handler here carries
``@OAuthPermissions``, so a scoped third-party token gets the scope guard's 403 (FACTS §11.10).

The fake's calendars are its credentials (``AppStore``); what a calendar holds is the user's own
bookings, which Cal.com writes to the destination calendar. So busy times are the host's
accepted and pending bookings, and provider events (Google's event API) are not emulated: those
operations answer a 400 naming that (:func:`provider_not_emulated`).

Sources: calendars.controller.ts and ics-feed.service.ts (calcom/cal.com, stored versions
read December 2026), cal-unified-calendars.controller.ts @008ed79e,
destination-calendars.service.ts, selected-calendars.controller.ts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NoReturn
from urllib.parse import urlparse

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.apps import check_calendar_slug
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_NUMBER,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    one_of,
    query_dict,
)
from mock_calcom.errors import BadRequestError
from mock_calcom.model.resources.apps import CALENDAR_TYPES, CalendarConnection, IcsFeed
from mock_calcom.model.resources.bookings import Booking, BookingStatus
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso, zone

ICS_TYPE = "ics-feed_calendar"
ICS_APP = "ics-feed"
_API_NAME = {kind: slug for slug, kind in CALENDAR_TYPES.items()}


def provider_not_emulated(what: str) -> NoReturn:
    """The answer past Cal.com's guards and validation where Cal.com would call a provider."""
    raise BadRequestError(f"mock-calcom does not emulate {what}; Cal.com would call it here")


def _ics_url(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and parsed.path.endswith(".ics")


ICS_INPUT = Schema((
    Prop("urls", (IS_ARRAY,
                  Rule("arrayNotEmpty", lambda v: isinstance(v, list) and bool(v),
                       "urls should not be empty"),
                  Rule("isICSUrl", lambda v: isinstance(v, list) and all(_ics_url(u) for u in v),
                       "The URL must be a valid ICS URL (ending with .ics)"))),
    Prop("readOnly", (IS_BOOLEAN,), optional=True),
))
DESTINATION_INPUT = Schema((
    Prop("integration", (one_of(tuple(sorted(_API_NAME)),
                                "integration must be one of the following values: "
                                + ", ".join(sorted(_API_NAME))),)),
    Prop("externalId", (IS_STRING,)),
    Prop("delegationCredentialId", (IS_STRING,), optional=True),
))


def _credential_id(value: Any) -> Any:
    # @Type(() => Number) on a query or body value.
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return float(value) if "." in value else int(value)
    return value


SELECTED_INPUT = Schema((
    Prop("integration", (IS_STRING,)),
    Prop("externalId", (IS_STRING,)),
    Prop("credentialId", (IS_NUMBER,), transform=_credential_id),
    Prop("delegationCredentialId", (IS_STRING,), optional=True),
))
FREEBUSY_QUERY = Schema((
    Prop("from", (IS_STRING,)),
    Prop("to", (IS_STRING,)),
    Prop("timeZone", (IS_TIME_ZONE,), optional=True),
))


# -- busy times -------------------------------------------------------------------------------

def _window(start: str, end: str, tz_name: str) -> tuple[float, float]:
    """A date (whole day in ``tz_name``) or date-time range, as Cal.com's busy-time callers read it."""
    def bound(text: str, end_of_day: bool) -> float:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, zone(tz_name))
            return moment.timestamp()
        seconds = parse_iso(text)
        if seconds is None:
            raise BadRequestError(f"Invalid date: {text}")
        return seconds

    return bound(start, False), bound(end, True)


def _busy(call: Call, user_id: int, low: float, high: float) -> list[dict[str, Any]]:
    bookings: list[Booking] = [
        b for b in call.model.resources.bookings.hosted_by(user_id)
        if b.status in (BookingStatus.ACCEPTED, BookingStatus.PENDING)
        and b.start < high and b.end > low]
    bookings.sort(key=lambda b: b.start)
    return [{"start": iso_ms(b.start), "end": iso_ms(b.end), "source": None} for b in bookings]


def _calendars_to_load(query: list[tuple[str, str]]) -> list[dict[str, str]]:
    """qs's ``calendarsToLoad[0][credentialId]=..`` (and the flat ``credentialId``/``externalId``
    the published document lists) as a list of objects."""
    found: dict[str, dict[str, str]] = {}
    for key, value in query:
        match = re.fullmatch(r"calendarsToLoad\[(\d+)\]\[(credentialId|externalId)\]", key)
        if match:
            found.setdefault(match.group(1), {})[match.group(2)] = value
        elif key in ("credentialId", "externalId"):
            found.setdefault("flat", {})[key] = value
    return list(found.values())


def busy_times(call: Call) -> Response:
    q = query_dict(call.query)
    tz_name = q.get("timeZone") or q.get("loggedInUsersTz")
    if not tz_name:
        raise BadRequestError("Either timeZone or loggedInUsersTz must be provided")
    if not isinstance(tz_name, str) or not IS_TIME_ZONE.test(tz_name):
        raise BadRequestError(f"Invalid time zone: {tz_name}")
    date_from, date_to = q.get("dateFrom"), q.get("dateTo")
    if not isinstance(date_from, str) or not isinstance(date_to, str):
        return success([])
    apps = call.model.resources.apps
    user = call.user
    wanted = _calendars_to_load(call.query)
    for entry in wanted:
        credential = _credential_id(entry.get("credentialId"))
        if not isinstance(credential, int):
            raise BadRequestError("calendarsToLoad.credentialId must be a number")
        apps.check_credentials(user.id, credential)
    destination = apps.destination_of(user.id)
    # Bookings are written to the destination calendar: that calendar is busy with them.
    loads_destination = destination is not None and any(
        _credential_id(e.get("credentialId")) == destination.credential_id
        and e.get("externalId") == destination.external_id for e in wanted)
    low, high = _window(date_from, date_to, tz_name)
    return success(_busy(call, user.id, low, high) if loads_destination else [])


# -- ICS feeds --------------------------------------------------------------------------------

def _credential_out(credential: CalendarConnection | IcsFeed, user_id: int) -> dict[str, Any]:
    if isinstance(credential, IcsFeed):
        kind, app = ICS_TYPE, ICS_APP
    else:
        kind = credential.type
        app = {"google_calendar": "google-calendar", "office365_calendar": "office365-calendar",
               "apple_calendar": "apple-calendar"}[credential.type]
    return {"id": credential.credential_id, "type": kind, "userId": user_id, "teamId": None,
            "appId": app, "invalid": False}


def save_ics_feed(call: Call) -> Response:
    body = ICS_INPUT.validate(call.body)
    feed = call.model.resources.apps.add_ics_feed(call.user.id, body["urls"], body.get("readOnly", True))
    return success(_credential_out(feed, call.user.id), status_code=201)


def check_ics_feed(call: Call) -> Response:
    if not call.model.resources.apps.ics_feeds_of(call.user.id):
        raise BadRequestError("Credentials for Ics Feed calendar not found.")
    return status_only()


# -- credentials ------------------------------------------------------------------------------

DISCONNECT_INPUT = Schema((Prop("id", (Rule("isInt", lambda v: isinstance(v, int) and not isinstance(
    v, bool), "id must be an integer number"),)),))


def disconnect_calendar(call: Call) -> Response:
    check_calendar_slug(call.path_params["calendar"])
    body = DISCONNECT_INPUT.validate(call.body)
    removed = call.model.resources.apps.disconnect_calendar(call.user.id, body["id"])
    return success(_credential_out(removed, call.user.id))


def connect_calendar(call: Call) -> Response:
    slug = call.path_params["calendar"]
    if slug not in ("google", "office365"):
        check_calendar_slug("")
    provider_not_emulated(f"the {slug} OAuth consent screen")


def save_calendar(call: Call) -> Response:
    slug = call.path_params["calendar"]
    if slug not in ("google", "office365"):
        check_calendar_slug("")
    provider_not_emulated(f"the {slug} OAuth token exchange")


def calendar_credentials(call: Call) -> Response:
    slug = call.path_params["calendar"]
    if slug != "apple":
        raise BadRequestError("Invalid calendar type, available calendars are: ", details={
            "message": "Invalid calendar type, available calendars are: ", "error": "apple",
            "statusCode": 400})
    provider_not_emulated("Apple's CalDAV server")


# -- destination and selected calendars -------------------------------------------------------

def set_destination(call: Call) -> Response:
    body = DESTINATION_INPUT.validate(call.body)
    connection = call.model.resources.apps.set_destination(call.user.id, body["integration"],
                                                           body["externalId"])
    return success({"userId": call.user.id, "integration": connection.type,
                    "externalId": connection.external_id, "credentialId": connection.credential_id})


def _selected_out(call: Call, integration: str, external_id: str, credential_id: int) -> dict[str, Any]:
    return {"userId": call.user.id, "integration": integration, "externalId": external_id,
            "credentialId": credential_id}


def add_selected(call: Call) -> Response:
    body = SELECTED_INPUT.validate(call.body)
    entry = call.model.resources.apps.select(call.user.id, body["integration"], body["externalId"],
                                             int(body["credentialId"]))
    return success(_selected_out(call, entry.integration, entry.external_id, entry.credential_id),
                   status_code=201)


def remove_selected(call: Call) -> Response:
    q = SELECTED_INPUT.validate(query_dict(call.query))
    entry = call.model.resources.apps.unselect(call.user.id, q["integration"], q["externalId"],
                                               int(q["credentialId"]))
    return success(_selected_out(call, entry.integration, entry.external_id, entry.credential_id))


# -- unified calendars ------------------------------------------------------------------------

def list_connections(call: Call) -> Response:
    connections = [{"connectionId": str(c.credential_id), "type": _API_NAME[c.type],
                    "email": c.external_id or "unknown"}
                   for c in call.model.resources.apps.calendars_of(call.user.id)]
    return success({"connections": connections})


def _connection(call: Call) -> CalendarConnection:
    raw = call.path_params["connectionId"]
    match = re.match(r"\s*[+-]?\d+", raw)  # parseInt
    if match is None:
        raise BadRequestError("Invalid connectionId")
    credential_id = int(match.group())
    found = next((c for c in call.model.resources.apps.calendars_of(call.user.id)
                  if c.credential_id == credential_id), None)
    if found is None:
        raise BadRequestError("Calendar connection not found")
    return found


def connection_freebusy(call: Call) -> Response:
    connection = _connection(call)
    q = FREEBUSY_QUERY.validate(query_dict(call.query))
    low, high = _window(q["from"], q["to"], q.get("timeZone", "UTC"))
    busy = _busy(call, call.user.id, low, high) if connection.is_destination else []
    return success(busy)


def calendar_freebusy(call: Call) -> Response:
    slug = call.path_params["calendar"]
    check_calendar_slug(slug)
    q = FREEBUSY_QUERY.validate(query_dict(call.query))
    connection = call.model.resources.apps.calendar(call.user.id, slug)
    if connection is None:
        raise BadRequestError(f"Credentials for {CALENDAR_TYPES[slug]} not found.")
    low, high = _window(q["from"], q["to"], q.get("timeZone", "UTC"))
    return success(_busy(call, call.user.id, low, high) if connection.is_destination else [])


def connection_events(call: Call) -> Response:
    _connection(call)
    provider_not_emulated("the calendar provider's event API")


def calendar_events(call: Call) -> Response:
    slug = call.path_params["calendar"]
    if slug != "google":
        raise BadRequestError("Meeting details are currently only available for Google Calendar")
    provider_not_emulated("Google Calendar's event API")


_A = versions.ANY
_G = API_AUTH
_C = "CalendarsController_"
_U = "CalUnifiedCalendarsController_"
_UC = "/v2/calendars/connections/{connectionId}"
_CAL = "/v2/calendars/{calendar}"

#: Served with the fake's state.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/v2/calendars/ics-feed/save", f"{_C}createIcsFeed", save_ics_feed, _A, _G,
             reads_body=True),
    Endpoint("GET", "/v2/calendars/ics-feed/check", f"{_C}checkIcsFeed", check_ics_feed, _A, _G),
    Endpoint("GET", "/v2/calendars/busy-times", f"{_C}getBusyTimes", busy_times, _A, _G),
    Endpoint("GET", "/v2/calendars/connections", f"{_U}listConnections", list_connections, _A, _G),
    Endpoint("GET", f"{_UC}/freebusy", f"{_U}getConnectionFreeBusy", connection_freebusy, _A, _G),
    Endpoint("GET", f"{_CAL}/freebusy", f"{_U}getFreeBusy", calendar_freebusy, _A, _G),
    Endpoint("POST", f"{_CAL}/disconnect", f"{_C}deleteCalendarCredentials", disconnect_calendar, _A, _G,
             reads_body=True),
    Endpoint("PUT", "/v2/destination-calendars", "DestinationCalendarsController_updateDestinationCalendars",
             set_destination, _A, _G, reads_body=True),
    Endpoint("POST", "/v2/selected-calendars", "SelectedCalendarsController_addSelectedCalendar",
             add_selected, _A, _G, reads_body=True),
    Endpoint("DELETE", "/v2/selected-calendars", "SelectedCalendarsController_deleteSelectedCalendar",
             remove_selected, _A, _G),
)

#: Guards and validation as Cal.com's; past them, the provider the fake does not emulate.
PROVIDER_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{_CAL}/connect", f"{_C}redirect", connect_calendar, _A, _G),
    Endpoint("GET", f"{_CAL}/save", f"{_C}save", save_calendar, _A, _G),
    Endpoint("POST", f"{_CAL}/credentials", f"{_C}syncCredentials", calendar_credentials, _A, _G,
             reads_body=True),
    Endpoint("GET", f"{_UC}/events", f"{_U}listConnectionEvents", connection_events, _A, _G),
    Endpoint("POST", f"{_UC}/events", f"{_U}createConnectionEvent", connection_events, _A, _G,
             reads_body=True),
    Endpoint("GET", f"{_UC}/events/{{eventId}}", f"{_U}getConnectionEvent", connection_events, _A, _G),
    Endpoint("PATCH", f"{_UC}/events/{{eventId}}", f"{_U}updateConnectionEvent", connection_events, _A, _G,
             reads_body=True),
    Endpoint("DELETE", f"{_UC}/events/{{eventId}}", f"{_U}deleteConnectionEvent", connection_events, _A,
             _G),
    Endpoint("GET", f"{_CAL}/events/{{eventUid}}", f"{_U}getCalendarEventDetails", calendar_events, _A, _G),
    Endpoint("PATCH", f"{_CAL}/events/{{eventUid}}", f"{_U}updateCalendarEvent", calendar_events, _A, _G,
             reads_body=True),
    Endpoint("DELETE", f"{_CAL}/events/{{eventUid}}", f"{_U}deleteCalendarEvent", calendar_events, _A, _G),
    # The deprecated singular path: same handlers, Cal.com's operationIds repeated, so the fake
    # names these routes apart.
    Endpoint("GET", f"{_CAL}/event/{{eventUid}}", f"{_U}getCalendarEventDetails_singularPath",
             calendar_events, _A, _G),
    Endpoint("PATCH", f"{_CAL}/event/{{eventUid}}", f"{_U}updateCalendarEvent_singularPath",
             calendar_events, _A, _G, reads_body=True),
    Endpoint("GET", f"{_CAL}/events", f"{_U}listCalendarEvents", calendar_events, _A, _G),
    Endpoint("POST", f"{_CAL}/events", f"{_U}createCalendarEvent", calendar_events, _A, _G,
             reads_body=True),
)
