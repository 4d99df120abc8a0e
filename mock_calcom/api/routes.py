"""Routes of the API v2 surface: every served endpoint, in an order where fixed paths
(``/v2/schedules/default``) come before the templates that would swallow them. Endpoints of
several versions on one path share a route that picks by ``cal-api-version``
(:mod:`mock_calcom.api.dispatch`); the legacy controllers come after the current ones."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mock_calcom.api import apps, bookings, dispatch, event_types, legacy, me, schedules, slots
from mock_calcom.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *me.ENDPOINTS,
    *bookings.ENDPOINTS,
    *event_types.ENDPOINTS,
    *schedules.ENDPOINTS,
    *apps.ENDPOINTS,
    *slots.ENDPOINTS,
    *legacy.ENDPOINTS,
)

routes: list[BaseRoute] = list(dispatch.routes_for(ENDPOINTS))
