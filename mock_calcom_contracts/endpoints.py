"""The API v2 calls the suites make, with what Cal.com demands of each (docs/calcom-behaviour.md
#scope-enforcement-on-api-v2, #api-versions).

The constants are reads, so any of them can be repeated at any step of a random program; the
booking writes (create, reschedule, cancel) are built per call by the functions at the end.
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
    #: endpoint has no ``@OAuthPermissions``,
    #: docs/calcom-behaviour.md#scope-enforcement-on-api-v2).
    scope: str | None
    #: The ``cal-api-version`` the endpoint is served at; ``None``: any or none
    #: (docs/calcom-behaviour.md#api-versions).
    versions: frozenset[str] | None
    #: Status of an expired or unknown token: 401 where ``ApiAuthGuard`` runs first, 403 where
    #: ``PermissionsGuard`` does (bookings, event types;
    #: docs/calcom-behaviour.md#api-v2-authentication, issue #24840).
    expired_status: int = 401
    params: Mapping[str, str] | None = None
    json: Any = None
    #: Open to any valid token whatever its scopes: the booking writes have no
    #: ``@OAuthPermissions`` and Cal.com's docs say they need no scope
    #: (docs/calcom-behaviour.md#scope-enforcement-on-api-v2).
    public: bool = False
    #: The status Cal.com answers success with (201 for creates and reschedules,
    #: docs/calcom-behaviour.md#bookings).
    success: int = 200

    @property
    def is_write(self) -> bool:
        """Not idempotent: a lost answer may mean Cal.com did it (RFC 9110 §9.2.2)."""
        return self.method not in ("GET", "HEAD", "OPTIONS")

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


BOOKINGS_VERSION = frozenset({"2024-08-13"})
#: Where the booking writes live, as fault paths (``{uid}`` matches any booking).
CREATE_PATH = "/v2/bookings"


def create_booking(event_type_id: int, start: str) -> Endpoint:
    """``POST /v2/bookings``: 201 and the booking (docs/calcom-behaviour.md#bookings)."""
    return Endpoint("POST", CREATE_PATH, None, BOOKINGS_VERSION, expired_status=401,
                    json={"eventTypeId": event_type_id, "start": start,
                          "attendee": {"name": "Ada Lovelace", "email": "ada@example.com",
                                       "timeZone": "Europe/London"}},
                    public=True, success=201)


def reschedule_booking(uid: str, start: str) -> Endpoint:
    """``POST /v2/bookings/{uid}/reschedule``: 201 and the new booking
    (docs/calcom-behaviour.md#bookings)."""
    return Endpoint("POST", f"/v2/bookings/{uid}/reschedule", None, BOOKINGS_VERSION,
                    expired_status=401, json={"start": start, "reschedulingReason": "moved"},
                    public=True, success=201)


def cancel_booking(uid: str) -> Endpoint:
    """``POST /v2/bookings/{uid}/cancel``: 200 and the cancelled booking
    (docs/calcom-behaviour.md#bookings)."""
    return Endpoint("POST", f"/v2/bookings/{uid}/cancel", None, BOOKINGS_VERSION,
                    expired_status=401, json={"cancellationReason": "no longer needed"},
                    public=True)
