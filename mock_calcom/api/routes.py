"""Routes of the API v2 surface: every served endpoint, in an order where fixed paths
(``/v2/schedules/default``) come before the templates that would swallow them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mock_calcom.api import apps, bookings, event_types, me, schedules, slots
from mock_calcom.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *me.ENDPOINTS,
    *bookings.ENDPOINTS,
    *event_types.ENDPOINTS,
    *schedules.ENDPOINTS,
    *apps.ENDPOINTS,
    *slots.ENDPOINTS,
)

routes: list[BaseRoute] = [endpoint.route() for endpoint in ENDPOINTS]
