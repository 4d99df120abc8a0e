"""Routes of the API v2 surface: every served endpoint, in an order where fixed paths
(``/v2/schedules/default``) come before the templates that would swallow them. Endpoints of
several versions on one path share a route that picks by ``cal-api-version``
(:mod:`mock_calcom.api.dispatch`); the 2024-04-15 legacy controllers come after the current ones.

:data:`ENDPOINTS` answer a user's token with the user's state; :data:`REFUSING_ENDPOINTS` never
answer a third-party OAuth token with success (platform operations, and operations that would
need a third-party service the fake does not emulate). :mod:`.surface` says which is which for
every operation of Cal.com's published document.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from mock_calcom.api import (
    apps,
    booking_attendees,
    booking_details,
    bookings,
    calendars,
    conferencing,
    dispatch,
    event_types,
    legacy,
    me,
    platform,
    private_links,
    reservations,
    schedules,
    slots,
    stripe,
    teams,
    timezones,
    verified_resources,
    webhooks,
)
from mock_calcom.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *me.ENDPOINTS,
    *bookings.ENDPOINTS,
    *booking_details.ENDPOINTS,
    *booking_attendees.ENDPOINTS,
    *event_types.ENDPOINTS,
    *schedules.ENDPOINTS,
    # /v2/calendars/ics-feed/check before /v2/calendars/{calendar}/check.
    *calendars.ENDPOINTS,
    *conferencing.ENDPOINTS,
    *apps.ENDPOINTS,
    *slots.ENDPOINTS,
    *reservations.ENDPOINTS,
    *webhooks.ENDPOINTS,
    *private_links.ENDPOINTS,
    *verified_resources.ENDPOINTS,
    *teams.ENDPOINTS,
    *timezones.ENDPOINTS,
    *legacy.ENDPOINTS,
)

REFUSING_ENDPOINTS: tuple[Endpoint, ...] = (
    *booking_details.NO_SUCCESS_ENDPOINTS,
    *platform.ENDPOINTS,
    *calendars.PROVIDER_ENDPOINTS,
    *conferencing.PROVIDER_ENDPOINTS,
    *conferencing.CALLBACK_ENDPOINTS,
    *stripe.ENDPOINTS,
    *teams.NO_SUCCESS_ENDPOINTS,
)

# /v2/bookings/by-seat/{seatUid} before /v2/bookings/{bookingUid}/..., as Cal.com declares it.
_FIRST = booking_details.NO_SUCCESS_ENDPOINTS[:1]
routes: list[BaseRoute] = list(dispatch.routes_for(
    (*_FIRST, *ENDPOINTS, *(e for e in REFUSING_ENDPOINTS if e not in _FIRST))))
