"""``/v2/calendars`` and ``/v2/conferencing``: the user's installed apps. Version-neutral
(``API_VERSIONS_VALUES``), ``ApiAuthGuard`` first."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.errors import BadRequestError
from mock_calcom.model.resources.apps import CALENDAR_SLUGS, CALENDAR_TYPES, CalendarConnection

#: App-store metadata of each calendar app, as ``ConnectedCalendar.integration`` shows it.
_APP_DATA: dict[str, dict[str, Any]] = {
    "google_calendar": {"name": "Google Calendar", "slug": "google-calendar", "dirName": "googlecalendar",
                        "logo": "/app-store/googlecalendar/logo.webp"},
    "office365_calendar": {"name": "Outlook Calendar", "slug": "office365-calendar",
                           "dirName": "office365calendar", "logo": "/app-store/office365calendar/logo.svg"},
    "apple_calendar": {"name": "Apple Calendar", "slug": "apple-calendar", "dirName": "applecalendar",
                       "logo": "/app-store/applecalendar/logo.svg"},
}


def _integration(kind: str) -> dict[str, Any]:
    app = _APP_DATA[kind]
    return {
        "appData": None, "dirName": app["dirName"], "__template": "", "name": app["name"],
        "description": f"{app['name']} lets Cal.com read your busy times and write booked events.",
        "installed": True, "type": kind, "title": app["name"], "variant": "calendar",
        "category": "calendar", "categories": ["calendar"], "logo": app["logo"], "publisher": "Cal.com",
        "slug": app["slug"], "url": "https://cal.com/", "email": "help@cal.com", "locationOption": None,
    }


def _calendar(connection: CalendarConnection) -> dict[str, Any]:
    return {"externalId": connection.external_id, "integration": connection.type,
            "name": connection.name, "primary": True, "readOnly": False, "email": connection.external_id,
            "isSelected": not connection.unselected, "credentialId": connection.credential_id,
            "delegationCredentialId": None}


def _destination(connection: CalendarConnection) -> dict[str, Any]:
    return {"id": connection.credential_id * 10 + 1, "integration": connection.type,
            "externalId": connection.external_id, "primaryEmail": connection.external_id,
            "userId": connection.user_id, "eventTypeId": None, "credentialId": connection.credential_id,
            "delegationCredentialId": None, "name": connection.name, "primary": True, "readOnly": False,
            "email": connection.external_id, "integrationTitle": _APP_DATA[connection.type]["name"]}


def get_calendars(call: Call) -> Response:
    apps = call.model.resources.apps
    user_id = call.user.id
    connected = [{"integration": _integration(c.type), "credentialId": c.credential_id,
                  "delegationCredentialId": None, "primary": _calendar(c), "calendars": [_calendar(c)]}
                 for c in apps.calendars_of(user_id)]
    destination = apps.destination_of(user_id)
    return success({"connectedCalendars": connected,
                    "destinationCalendar": _destination(destination) if destination else None})


def check_calendar_slug(slug: str) -> None:
    if slug not in CALENDAR_SLUGS:
        # new BadRequestException(message, description): the list lands in details.error.
        listed = ", ".join(CALENDAR_SLUGS)
        raise BadRequestError("Invalid calendar type, available calendars are: ", details={
            "message": "Invalid calendar type, available calendars are: ", "error": listed,
            "statusCode": 400})


def check_calendar(call: Call) -> Response:
    slug = call.path_params["calendar"]
    check_calendar_slug(slug)
    connection = call.model.resources.apps.calendar(call.user.id, slug)
    if connection is None:
        raise BadRequestError(f"Credentials for {CALENDAR_TYPES[slug]} not found.")
    if connection.invalid:
        raise BadRequestError(f"Invalid {slug} credentials.")
    return status_only()


def list_conferencing(call: Call) -> Response:
    apps = call.model.resources.apps.conferencing_of(call.user.id)
    return success([{"id": a.id, "type": a.type, "userId": a.user_id, "invalid": a.invalid} for a in apps])


_G = API_AUTH
ENDPOINTS = (
    Endpoint("GET", "/v2/calendars", "CalendarsController_getCalendars", get_calendars, versions.ANY, _G),
    Endpoint("GET", "/v2/calendars/{calendar}/check", "CalendarsController_check", check_calendar,
             versions.ANY, _G),
    Endpoint("GET", "/v2/conferencing", "ConferencingController_listInstalledConferencingApps",
             list_conferencing, versions.ANY, _G),
)
