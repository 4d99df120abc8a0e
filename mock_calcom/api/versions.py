"""``cal-api-version``: which controller version a request reaches.

Cal.com's custom version extractor (bootstrap.ts @129e5ad7) takes the header when it is one of
the known versions and otherwise falls back to ``2024-04-15``. A controller that does not serve
the resulting version does not match, and Nest's not-found handler answers
``404 Cannot <METHOD> <originalUrl>`` (path and query) in the v2 envelope.

Which versions each controller serves here:

* bookings ``2024-08-13``; event types ``2024-06-14``; schedules ``2024-06-11`` and
  ``2024-06-14`` (the controller is declared with both, schedules.controller.ts @c6b0a1ce);
* ``/v2/me``, ``/v2/calendars``, ``/v2/conferencing`` use ``API_VERSIONS_VALUES`` (every known
  version, fallback included), so they answer with or without the header.

The legacy controllers (FACTS §11.1, :mod:`mock_calcom.api.legacy`) serve the older versions
of the same paths, so a request with no header, an unknown one, or a version the current
controller does not serve reaches them; only a path with no legacy twin (reschedule, confirm,
decline, mark-absent ...) is a 404 then:

* ``BookingsController_2024_04_15``: ``2024-04-15``, ``2024-06-11``, ``2024-06-14``;
* ``EventTypesController_2024_04_15``: ``2024-04-15``, ``2024-06-11``;
* ``SchedulesController_2024_04_15``: ``2024-04-15``;
* ``SlotsController_2024_04_15`` (``/v2/slots/available``, ``/reserve``, ``/selected-slot``):
  ``2024-04-15`` to ``2024-08-13``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

from mock_calcom.asgi import headers_of
from mock_calcom.errors import NotFoundError

HEADER = "cal-api-version"
FALLBACK = "2024-04-15"
KNOWN = frozenset({"2024-04-15", "2024-06-11", "2024-06-14", "2024-08-13", "2024-09-04"})

BOOKINGS = frozenset({"2024-08-13"})
EVENT_TYPES = frozenset({"2024-06-14"})
SCHEDULES = frozenset({"2024-06-11", "2024-06-14"})
SLOTS = frozenset({"2024-09-04"})
LEGACY_BOOKINGS = frozenset({"2024-04-15", "2024-06-11", "2024-06-14"})
LEGACY_EVENT_TYPES = frozenset({"2024-04-15", "2024-06-11"})
LEGACY_SCHEDULES = frozenset({"2024-04-15"})
LEGACY_SLOTS = frozenset({"2024-04-15", "2024-06-11", "2024-06-14", "2024-08-13"})
#: ``API_VERSIONS_VALUES``: the version-neutral controllers.
ANY: frozenset[str] | None = None


def requested(header: str | None) -> str:
    """The version Cal.com routes a request with ``header`` to."""
    return header if header in KNOWN else FALLBACK


def original_url(request: Request) -> str:
    """Express's ``req.originalUrl``: the path with its query string."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def ensure_served(scope: Scope, served: frozenset[str] | None) -> str:
    """The request's version, or the 404 Nest gives when no controller serves it."""
    version = requested(headers_of(scope).get(HEADER))
    if served is not None and version not in served:
        raise NotFoundError(f"Cannot {scope['method']} {original_url(Request(scope))}")
    return version
