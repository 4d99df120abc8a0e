"""The API v2 calls the suites make, with what Cal.com demands of each (FACTS §5, §7.3).

Reads only, so any of them can be repeated at any step of a random program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    #: The scope a third-party token needs; ``None``: closed to third-party tokens (the
    #: endpoint has no ``@OAuthPermissions``, FACTS §5).
    scope: str | None
    #: The ``cal-api-version`` the endpoint is served at; ``None``: any or none (FACTS §7.3).
    versions: frozenset[str] | None
    #: Status of an expired or unknown token: 401 where ``ApiAuthGuard`` runs first, 403 where
    #: ``PermissionsGuard`` does (bookings, event types; FACTS §7.4, issue #24840).
    expired_status: int = 401
    params: Mapping[str, str] | None = None
    json: Any = None

    @property
    def api_path(self) -> str:
        """The path a provider is asked for: relative to ``env.api_base_url`` (``/me``)."""
        return self.path.removeprefix("/v2")

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def __str__(self) -> str:
        return self.name

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints it in a reproducer: ``GET /v2/me``, not every field."""
        printer.text(f"<{self.name}>")


ME = Endpoint("GET", "/v2/me", "PROFILE_READ", None)
BOOKINGS = Endpoint("GET", "/v2/bookings", "BOOKING_READ", frozenset({"2024-08-13"}),
                    expired_status=403)
EVENT_TYPES = Endpoint("GET", "/v2/event-types", "EVENT_TYPE_READ", frozenset({"2024-06-14"}),
                       expired_status=403)
# The schedules controller is declared with both versions (schedules.controller.ts @c6b0a1ce).
SCHEDULES = Endpoint("GET", "/v2/schedules", "SCHEDULE_READ", frozenset({"2024-06-11", "2024-06-14"}))
DEFAULT_SCHEDULE = Endpoint("GET", "/v2/schedules/default", "SCHEDULE_READ",
                            frozenset({"2024-06-11", "2024-06-14"}))
CALENDARS = Endpoint("GET", "/v2/calendars", None, None)
CONFERENCING = Endpoint("GET", "/v2/conferencing", None, None)

#: Endpoints a connection holding their scope can read.
SCOPED: tuple[Endpoint, ...] = (ME, BOOKINGS, EVENT_TYPES, SCHEDULES, DEFAULT_SCHEDULE)
#: Every endpoint the suites call.
ALL: tuple[Endpoint, ...] = (*SCOPED, CALENDARS, CONFERENCING)
#: One endpoint per ``cal-api-version`` rule.
VERSIONED: tuple[Endpoint, ...] = (ME, BOOKINGS, EVENT_TYPES, SCHEDULES)


def allowed(endpoint: Endpoint, scopes: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """Whether a token holding ``scopes`` (user scopes, never legacy) may call ``endpoint``."""
    return endpoint.scope is not None and endpoint.scope in scopes
