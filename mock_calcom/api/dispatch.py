"""Routes from endpoints: one Starlette route per path shape and method, choosing among the
controllers that serve it by ``cal-api-version``.

Nest registers every controller version on the same Express path and lets the version decide
(FACTS §7.2, §11.1): ``GET /v2/bookings`` is the 2024-08-13 controller with that header and the
2024-04-15 legacy one without it. Templates that differ only in parameter names
(``/v2/event-types/{eventTypeId}`` and a sibling's ``{id}``) are one shape here, so a version
miss on one still finds the other, as Express's ``next()`` would. No controller serving the
version gives Nest's ``404 Cannot <METHOD> <url>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mock_calcom.api import versions
from mock_calcom.api.endpoint import Endpoint
from mock_calcom.asgi import headers_of
from mock_calcom.errors import NotFoundError

_KNOWN = versions.KNOWN
_FALLBACK = versions.FALLBACK
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def shape(path: str) -> str:
    """``/v2/bookings/{bookingUid}/cancel`` -> ``/v2/bookings/{}/cancel``."""
    return _PARAM.sub("{}", path)


def param_names(path: str) -> list[str]:
    return _PARAM.findall(path)


def pick(endpoints: Iterable[Endpoint], header: str | None) -> Endpoint | None:
    """The first endpoint serving the version ``header`` routes to, if any."""
    version = versions.requested(header)
    return next((e for e in endpoints if e.versions is None or version in e.versions), None)


def _versioned_route(group: list[Endpoint]) -> Route:
    first = group[0]
    return Route(first.path, _Versioned(group), methods=[first.method], name=first.operation_id)


class _Versioned:
    """The endpoints of one shape, chosen by version, as a plain ASGI app (an object, so
    Starlette does not wrap it in a second exception layer and a ``Request`` per request):
    the app's edge renders errors."""

    def __init__(self, group: list[Endpoint]) -> None:
        self.group = group
        self.names = param_names(group[0].path)
        # pick() for each version a request can route to (versions.requested() maps every
        # header to one of KNOWN): a dict lookup per request instead of a scan. An endpoint
        # registered under other parameter names carries the names to rename the values to.
        self.table: dict[str, tuple[Endpoint, list[str] | None] | None] = {}
        for version in versions.KNOWN:
            chosen = pick(group, version)
            renamed = None if chosen is None or chosen.path == group[0].path else param_names(chosen.path)
            self.table[version] = None if chosen is None else (chosen, renamed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = headers_of(scope).get(versions.HEADER)
        version = header if header in _KNOWN else _FALLBACK  # versions.requested(header)
        found = self.table[version]
        if found is None:
            raise NotFoundError(f"Cannot {scope['method']} {versions.original_url(Request(scope))}")
        chosen, renamed = found
        if renamed is not None:
            # The same shape under other parameter names: rename the matched values.
            values = [scope["path_params"][name] for name in self.names]
            scope["path_params"] = dict(zip(renamed, values, strict=True))
        # The chosen endpoint serves ``version`` (pick): it need not check it again.
        await chosen.answer(scope, receive, send, version)


def routes_for(endpoints: Iterable[Endpoint]) -> list[Route]:
    """One route per (shape, method), in the order the shapes first appear."""
    groups: dict[tuple[str, str], list[Endpoint]] = {}
    for endpoint in endpoints:
        groups.setdefault((shape(endpoint.path), endpoint.method), []).append(endpoint)
    return [group[0].route() if len(group) == 1 else _versioned_route(group) for group in groups.values()]
