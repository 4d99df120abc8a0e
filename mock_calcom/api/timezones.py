"""``GET /v2/timezones`` (TimezonesController,
apps/api/v2/src/modules/timezones/controllers/timezones.controller.ts @a084a378): the city list
Cal.com's atoms fill their time-zone picker with. Left out of the published document
(``@ApiExcludeController``; a row in ``surface.EXTRA``).

Every API version (``API_VERSIONS_VALUES``); no auth guard and no ``@OAuthPermissions``, so
anyone may read it, and the global scope guard refuses a token with mapped scopes as on the
legacy handlers (``Endpoint.global_scope_guard``; ``Settings.legacy_serve_scoped_tokens``
opens it too).

The body is ``cityTimezonesHandler``'s (packages/features/cityTimezones/cityTimezonesHandler.ts,
via timezones.service.ts @03670679): ``[{city, timezone, pop}]``, one entry per city name (the
most populous one; ``London`` forced to ``Europe/London``). Cal.com reads the cities from the
``city-timezones`` npm package; the fake has no such data set and derives its cities from the
IANA zone names the runtime knows instead (``America/New_York`` → ``New York``), with ``pop``
0. Same shape, state-independent, a different (shorter) list: a documented difference.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import Call, Endpoint
from mock_calcom.api.envelope import success_json, to_json
from mock_calcom.model.resources.timeutil import known_zones

#: Areas of the zone database whose last name part is a city (``Etc/GMT+1``, ``US/Eastern``
#: and the other compatibility names are not).
_CITY_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
               "Europe", "Indian", "Pacific")


def city_timezones(zones: frozenset[str]) -> list[dict[str, Any]]:
    """One ``{city, timezone, pop}`` per city name: the zone's last part, underscores as
    spaces. Where two zones name one city (a canonical zone and its old alias), the one with
    more name parts wins (``America/Argentina/Buenos_Aires`` over ``America/Buenos_Aires``),
    then the first in name order, so the list does not depend on set order."""
    best: dict[str, str] = {}
    for zone in sorted(zones):
        area, _, rest = zone.partition("/")
        if area not in _CITY_AREAS or not rest:
            continue
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        chosen = best.get(city)
        if chosen is None or zone.count("/") > chosen.count("/"):
            best[city] = zone
    # cityTimezonesHandler's override: London is Europe/London, whichever London won.
    if "London" in best:
        best["London"] = "Europe/London"
    return [{"city": city, "timezone": zone, "pop": 0} for city, zone in sorted(best.items())]


@functools.cache
def _body() -> bytes:
    # Immutable once made: the runtime's zone list does not change while it runs.
    return to_json(city_timezones(known_zones()))


def list_timezones(call: Call) -> Response:
    return success_json(_body())


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/timezones", "TimezonesController_getTimeZones", list_timezones, versions.ANY, (),
             global_scope_guard=True),
)
