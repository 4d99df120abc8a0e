"""Which OAuth scope each API v2 endpoint needs from a third-party token, and the check.

The check is Cal.com's ``OAuthPermissionsGuard`` (oauth-permissions.guard.ts @58bd767a, e2e
spec @300c08fc):

* a token none of whose scopes the guard maps to a permission passes everywhere: empty,
  legacy-only (``READ_BOOKING``, ``READ_PROFILE``) or, say, only ``WEBHOOK_READ``
  (``tokenPermissions.size === 0``; see ``model.scopes.MAPPED_SCOPES``);
* an endpoint without ``@OAuthPermissions`` is closed to other tokens: 403
  ``insufficient_scope: this endpoint is not available for third-party OAuth tokens``;
* otherwise every required scope must be held, where ``ORG_X`` also satisfies ``TEAM_X`` and
  WRITE does *not* imply READ. The 403 names the missing scopes and all the token's scopes,
  each list joined with ``", "`` (the guard's ``join(", ")``).

Booking create, cancel and reschedule carry no decorator, but the docs (oauth.mdx @027e9710)
say explicitly that they need no scope, so they stay open. ``GET /v2/bookings/{uid}`` carries no
decorator either and the docs are silent: the code gives the "not available" 403, which is the
default here (FACTS §11.9); ``Settings.booking_get_open_to_scoped_tokens`` opens it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

from mock_calcom.errors import ForbiddenError
from mock_calcom.model.scopes import skips_scope_check
from mock_calcom.settings import Settings


class _NotAvailable:
    def __repr__(self) -> str:
        return "NOT_AVAILABLE"


#: The endpoint has no ``@OAuthPermissions`` decorator: third-party tokens are refused.
NOT_AVAILABLE: Final = _NotAvailable()
#: The endpoint is public: no scope needed.
PUBLIC: tuple[str, ...] = ()

Requirement = tuple[str, ...] | _NotAvailable

NOT_AVAILABLE_MESSAGE = "insufficient_scope: this endpoint is not available for third-party OAuth tokens"

_B = "/v2/bookings/{bookingUid}"

#: (method, path template) -> scopes. FACTS §5's scope-to-endpoint map.
ENDPOINT_SCOPES: dict[tuple[str, str], Requirement] = {
    ("GET", "/v2/me"): ("PROFILE_READ",),
    ("PATCH", "/v2/me"): ("PROFILE_WRITE",),
    ("GET", "/v2/bookings"): ("BOOKING_READ",),
    ("POST", "/v2/bookings"): PUBLIC,
    ("GET", _B): NOT_AVAILABLE,  # undecorated; see the module docstring
    ("POST", f"{_B}/cancel"): PUBLIC,
    ("POST", f"{_B}/reschedule"): PUBLIC,
    ("POST", f"{_B}/confirm"): ("BOOKING_WRITE",),
    ("POST", f"{_B}/decline"): ("BOOKING_WRITE",),
    ("POST", f"{_B}/mark-absent"): ("BOOKING_WRITE",),
    ("GET", "/v2/event-types"): ("EVENT_TYPE_READ",),
    ("GET", "/v2/event-types/{eventTypeId}"): ("EVENT_TYPE_READ",),
    ("POST", "/v2/event-types"): ("EVENT_TYPE_WRITE",),
    ("PATCH", "/v2/event-types/{eventTypeId}"): ("EVENT_TYPE_WRITE",),
    ("DELETE", "/v2/event-types/{eventTypeId}"): ("EVENT_TYPE_WRITE",),
    ("GET", "/v2/schedules"): ("SCHEDULE_READ",),
    ("GET", "/v2/schedules/default"): ("SCHEDULE_READ",),
    ("GET", "/v2/schedules/{scheduleId}"): ("SCHEDULE_READ",),
    ("POST", "/v2/schedules"): ("SCHEDULE_WRITE",),
    ("PATCH", "/v2/schedules/{scheduleId}"): ("SCHEDULE_WRITE",),
    ("DELETE", "/v2/schedules/{scheduleId}"): ("SCHEDULE_WRITE",),
    ("GET", "/v2/calendars/{calendar}/check"): ("APPS_READ",),
    # No auth guard at all: the bearer is never read (UNCONFIRMED where the scope guard runs).
    ("GET", "/v2/slots"): PUBLIC,
    # Not in the docs' map: assumed undecorated, so closed to scoped tokens (UNCONFIRMED).
    ("GET", "/v2/calendars"): NOT_AVAILABLE,
    ("GET", "/v2/conferencing"): NOT_AVAILABLE,
    # -- the rest of the published surface (api/surface.py). Scopes from @OAuthPermissions
    # where the handler has one (bookings.controller.ts @86c5f8b3; FACTS §5 for guests and
    # location); every other handler is undecorated (FACTS §11.9, §11.10).
    **{("GET", f"{_B}/{sub}"): ("BOOKING_READ",)
       for sub in ("recordings", "transcripts", "calendar-links", "references", "conferencing-sessions")},
    ("POST", f"{_B}/reassign"): ("BOOKING_WRITE",),
    ("POST", f"{_B}/reassign/{{userId}}"): ("BOOKING_WRITE",),
    ("PATCH", f"{_B}/location"): ("BOOKING_WRITE",),
    ("POST", f"{_B}/guests"): ("BOOKING_WRITE",),
    **{(m, f"{_B}/attendees{tail}"): NOT_AVAILABLE
       for m, tail in (("GET", ""), ("POST", ""), ("GET", "/{attendeeId}"), ("DELETE", "/{attendeeId}"))},
    ("POST", "/v2/webhooks"): NOT_AVAILABLE,
    ("GET", "/v2/webhooks"): NOT_AVAILABLE,
    ("PATCH", "/v2/webhooks/{webhookId}"): NOT_AVAILABLE,
    ("GET", "/v2/webhooks/{webhookId}"): NOT_AVAILABLE,
    ("DELETE", "/v2/webhooks/{webhookId}"): NOT_AVAILABLE,
    **{(m, f"/v2/event-types/{{eventTypeId}}/webhooks{tail}"): NOT_AVAILABLE
       for m, tail in (("POST", ""), ("GET", ""), ("DELETE", ""), ("PATCH", "/{webhookId}"),
                       ("GET", "/{webhookId}"), ("DELETE", "/{webhookId}"))},
    **{key: NOT_AVAILABLE for key in (
        ("POST", "/v2/calendars/ics-feed/save"), ("GET", "/v2/calendars/ics-feed/check"),
        ("GET", "/v2/calendars/busy-times"), ("GET", "/v2/calendars/connections"),
        ("GET", "/v2/calendars/connections/{connectionId}/freebusy"),
        ("GET", "/v2/calendars/{calendar}/freebusy"), ("POST", "/v2/calendars/{calendar}/disconnect"),
        ("PUT", "/v2/destination-calendars"), ("POST", "/v2/selected-calendars"),
        ("DELETE", "/v2/selected-calendars"))},
    **{key: NOT_AVAILABLE for key in (
        ("GET", "/v2/conferencing/default"), ("POST", "/v2/conferencing/{app}/connect"),
        ("POST", "/v2/conferencing/{app}/default"), ("DELETE", "/v2/conferencing/{app}/disconnect"))},
    # Reserving reads an optional bearer and is undecorated; the uid routes have no guard.
    ("POST", "/v2/slots/reservations"): NOT_AVAILABLE,
    ("GET", "/v2/slots/reservations/{uid}"): PUBLIC,
    ("PATCH", "/v2/slots/reservations/{uid}"): PUBLIC,
    ("DELETE", "/v2/slots/reservations/{uid}"): PUBLIC,
    ("GET", "/v2/teams"): ("TEAM_PROFILE_READ",),
    # No guard, no decorator (timezones.controller.ts @a084a378): the global guard's 403.
    ("GET", "/v2/timezones"): NOT_AVAILABLE,
    ("GET", "/v2/teams/{teamId}"): ("TEAM_PROFILE_READ",),
    # The OAuth docs' "Delete a team": TEAM_PROFILE_WRITE is required.
    ("DELETE", "/v2/teams/{teamId}"): ("TEAM_PROFILE_WRITE",),
    ("GET", "/v2/teams/{teamId}/memberships"): ("TEAM_MEMBERSHIP_READ",),
    # Membership writes: the OAuth docs' "TEAM_MEMBERSHIP_WRITE scope is required" (and READ for
    # the one-membership read); the 2024 controller (@987514ee) carries no decorator yet.
    ("GET", "/v2/teams/{teamId}/memberships/{membershipId}"): ("TEAM_MEMBERSHIP_READ",),
    ("POST", "/v2/teams/{teamId}/memberships"): ("TEAM_MEMBERSHIP_WRITE",),
    ("PATCH", "/v2/teams/{teamId}/memberships/{membershipId}"): ("TEAM_MEMBERSHIP_WRITE",),
    ("DELETE", "/v2/teams/{teamId}/memberships/{membershipId}"): ("TEAM_MEMBERSHIP_WRITE",),
    ("POST", "/v2/event-types/{eventTypeId}/private-links"): ("EVENT_TYPE_WRITE",),
    ("GET", "/v2/event-types/{eventTypeId}/private-links"): ("EVENT_TYPE_READ",),
    ("PATCH", "/v2/event-types/{eventTypeId}/private-links/{linkId}"): ("EVENT_TYPE_WRITE",),
    ("DELETE", "/v2/event-types/{eventTypeId}/private-links/{linkId}"): ("EVENT_TYPE_WRITE",),
    **{(m, f"/v2/verified-resources/{p}"): NOT_AVAILABLE for m, p in (
        ("POST", "emails/verification-code/request"), ("POST", "phones/verification-code/request"),
        ("POST", "emails/verification-code/verify"), ("POST", "phones/verification-code/verify"),
        ("GET", "emails"), ("GET", "phones"), ("GET", "emails/{id}"), ("GET", "phones/{id}"))},
}


def requirement(method: str, path: str) -> Requirement:
    """The scopes of an endpoint; an endpoint missing from the map is undecorated."""
    return ENDPOINT_SCOPES.get((method, path), NOT_AVAILABLE)


#: Undecorated handlers a setting may open to scoped tokens: (method, path) -> setting name.
_OPENED_BY_SETTING: dict[tuple[str, str], str] = {
    ("GET", _B): "booking_get_open_to_scoped_tokens",
}


def opened_by_setting(method: str, path: str) -> str | None:
    """The name of the setting that opens this undecorated handler to scoped tokens, if any."""
    return _OPENED_BY_SETTING.get((method, path))


def requirement_under(settings: Settings, method: str, path: str) -> Requirement:
    """:func:`requirement`, with the settings that open an undecorated handler applied."""
    name = opened_by_setting(method, path)
    if name is not None and getattr(settings, name):
        return PUBLIC
    return requirement(method, path)


def missing_scopes(token_scopes: Sequence[str], required: Sequence[str]) -> list[str]:
    held = set(token_scopes)

    def satisfied(scope: str) -> bool:
        # ORG_X satisfies TEAM_X, never the reverse.
        return scope in held or (scope.startswith("TEAM_") and "ORG_" + scope[len("TEAM_"):] in held)

    return [scope for scope in required if not satisfied(scope)]


def check_scopes(token_scopes: Sequence[str], required: Requirement) -> None:
    """Raise the guard's 403 when a token with ``token_scopes`` may not use an endpoint."""
    message = refusal(tuple(token_scopes), required)
    if message is not None:
        raise ForbiddenError(message)


@functools.lru_cache(maxsize=1024)
def refusal(token_scopes: tuple[str, ...], required: Requirement) -> str | None:
    """The 403's message for a token with ``token_scopes`` at an endpoint needing
    ``required``, or ``None`` (a pure function of the two: a token's every call asks it)."""
    if skips_scope_check(token_scopes):
        return None
    if isinstance(required, _NotAvailable):
        return NOT_AVAILABLE_MESSAGE
    missing = missing_scopes(token_scopes, required)
    if missing:
        return ("insufficient_scope: token does not have the required scopes. "
                f"Required: {', '.join(missing)}. Token has: {', '.join(token_scopes)}")
    return None
