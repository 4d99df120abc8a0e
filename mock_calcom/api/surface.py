"""How the fake serves each operation of Cal.com's published API v2 document: one table.

Every (method, path) of the Cal.diy OpenAPI document (``caldiy-v2-openapi.original.json``, 121
operations) has exactly one row here, and ``tests/api/test_surface.py`` fails when the document
has an operation this table lacks (it loads the document from ``CALCOM_OPENAPI``). A row says
which of three ways the fake answers:

* :attr:`Serving.STATEFUL`: the handler reads and changes the fake's state, after Cal.com's
  guards, version routing and scope check. A scoped third-party token reaches it where a user
  scope grants it (``scopes.ENDPOINT_SCOPES``); elsewhere it gets the scope guard's 403 and a
  legacy (unscoped) token gets the body.
* :attr:`Serving.AUTH_ONLY`: guards, version routing, scope check and input validation are
  Cal.com's; past them the operation would call a third party (Google, Stripe, Zoom) that the
  fake does not emulate, so it answers as Cal.com does for a user never connected to it
  (``stripe/check``), or a 400 naming the provider (a documented difference).
* :attr:`Serving.NOT_FOR_OAUTH`: platform, organization, managed-user and API-key operations.
  A third-party OAuth token never gets past their guards: a scoped token gets the scope
  guard's 403, a legacy one the controller guard's 401/403 (see :mod:`.platform`).

Routes Cal.com has beyond the document (``/v2/timezones``) are listed in :data:`EXTRA`.
Paths are the document's, parameter names included, so a router built from the endpoints and
this table agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Serving(enum.StrEnum):
    STATEFUL = "stateful"
    AUTH_ONLY = "auth-only"
    NOT_FOR_OAUTH = "not-for-oauth-tokens"


@dataclass(frozen=True)
class Row:
    serving: Serving
    summary: str


_S, _A, _N = Serving.STATEFUL, Serving.AUTH_ONLY, Serving.NOT_FOR_OAUTH
_B = "/v2/bookings/{bookingUid}"
_OC = "/v2/oauth-clients/{clientId}"
_ET = "/v2/event-types/{eventTypeId}"
_UC = "/v2/calendars/connections/{connectionId}"
_VR = "/v2/verified-resources"

SURFACE: Final[dict[tuple[str, str], Row]] = {
    # API keys: only an API key may refresh itself.
    ("POST", "/v2/api-keys/refresh"): Row(_N, "Refresh the API key in the bearer"),
    # Bookings 2024-08-13
    ("POST", "/v2/bookings"): Row(_S, "Create a booking"),
    ("GET", "/v2/bookings"): Row(_S, "List the user's bookings"),
    ("GET", "/v2/bookings/by-seat/{seatUid}"): Row(_S, "A seated booking by seat uid"),
    ("GET", _B): Row(_S, "One booking"),
    ("GET", f"{_B}/recordings"): Row(_S, "Cal Video recordings of a booking"),
    ("GET", f"{_B}/transcripts"): Row(_S, "Cal Video transcripts of a booking"),
    ("POST", f"{_B}/reschedule"): Row(_S, "Reschedule a booking"),
    ("POST", f"{_B}/cancel"): Row(_S, "Cancel a booking"),
    ("POST", f"{_B}/mark-absent"): Row(_S, "Mark no-shows"),
    ("POST", f"{_B}/reassign"): Row(_S, "Reassign a round-robin booking"),
    ("POST", f"{_B}/reassign/{{userId}}"): Row(_S, "Reassign a round-robin booking to a host"),
    ("POST", f"{_B}/confirm"): Row(_S, "Confirm a booking"),
    ("POST", f"{_B}/decline"): Row(_S, "Decline a booking"),
    ("GET", f"{_B}/calendar-links"): Row(_S, "Add-to-calendar links of a booking"),
    ("GET", f"{_B}/references"): Row(_S, "Booking references (calendar and video ids)"),
    ("GET", f"{_B}/conferencing-sessions"): Row(_S, "Cal Video sessions of a booking"),
    ("PATCH", f"{_B}/location"): Row(_S, "Change a booking's location"),
    ("GET", f"{_B}/attendees"): Row(_S, "Attendees of a booking"),
    ("POST", f"{_B}/attendees"): Row(_S, "Add an attendee"),
    ("GET", f"{_B}/attendees/{{attendeeId}}"): Row(_S, "One attendee"),
    ("DELETE", f"{_B}/attendees/{{attendeeId}}"): Row(_S, "Remove an attendee"),
    ("POST", f"{_B}/guests"): Row(_S, "Add guests to a booking"),
    # Cal unified calendars: connections come from the fake's credentials; events live in
    # the provider's calendar, which the fake does not emulate.
    ("GET", "/v2/calendars/connections"): Row(_S, "Calendar connections of the user"),
    ("GET", f"{_UC}/events"): Row(_A, "Provider events of a connection"),
    ("POST", f"{_UC}/events"): Row(_A, "Create a provider event"),
    ("GET", f"{_UC}/events/{{eventId}}"): Row(_A, "One provider event"),
    ("PATCH", f"{_UC}/events/{{eventId}}"): Row(_A, "Update a provider event"),
    ("DELETE", f"{_UC}/events/{{eventId}}"): Row(_A, "Delete a provider event"),
    ("GET", f"{_UC}/freebusy"): Row(_S, "Busy times of a connection (from the fake's bookings)"),
    ("GET", "/v2/calendars/{calendar}/events/{eventUid}"): Row(_A, "One provider event by uid"),
    ("PATCH", "/v2/calendars/{calendar}/events/{eventUid}"): Row(_A, "Update a provider event by uid"),
    ("DELETE", "/v2/calendars/{calendar}/events/{eventUid}"): Row(_A, "Delete a provider event by uid"),
    ("GET", "/v2/calendars/{calendar}/event/{eventUid}"): Row(_A, "One provider event (deprecated path)"),
    ("PATCH", "/v2/calendars/{calendar}/event/{eventUid}"): Row(_A, "Update a provider event (old path)"),
    ("GET", "/v2/calendars/{calendar}/events"): Row(_A, "Provider events of a calendar"),
    ("POST", "/v2/calendars/{calendar}/events"): Row(_A, "Create a provider event"),
    ("GET", "/v2/calendars/{calendar}/freebusy"): Row(_S, "Busy times of a calendar (bookings)"),
    # Calendars
    ("POST", "/v2/calendars/ics-feed/save"): Row(_S, "Connect ICS feeds"),
    ("GET", "/v2/calendars/ics-feed/check"): Row(_S, "Check the ICS feed connection"),
    ("GET", "/v2/calendars/busy-times"): Row(_S, "Busy times (from the fake's bookings)"),
    ("GET", "/v2/calendars"): Row(_S, "Connected calendars"),
    ("GET", "/v2/calendars/{calendar}/connect"): Row(_A, "Provider OAuth URL for a calendar"),
    ("GET", "/v2/calendars/{calendar}/save"): Row(_A, "Provider OAuth callback for a calendar"),
    ("POST", "/v2/calendars/{calendar}/credentials"): Row(_A, "Save Apple calendar credentials"),
    ("GET", "/v2/calendars/{calendar}/check"): Row(_S, "Check a calendar connection"),
    ("POST", "/v2/calendars/{calendar}/disconnect"): Row(_S, "Disconnect a calendar"),
    # Conferencing
    ("POST", "/v2/conferencing/{app}/connect"): Row(_S, "Connect a non-OAuth conferencing app"),
    ("GET", "/v2/conferencing/{app}/oauth/auth-url"): Row(_A, "Provider OAuth URL for a conferencing app"),
    ("GET", "/v2/conferencing/{app}/oauth/callback"): Row(_A, "Provider OAuth callback"),
    ("GET", "/v2/conferencing"): Row(_S, "Installed conferencing apps"),
    ("POST", "/v2/conferencing/{app}/default"): Row(_S, "Set the default conferencing app"),
    ("GET", "/v2/conferencing/default"): Row(_S, "The default conferencing app"),
    ("DELETE", "/v2/conferencing/{app}/disconnect"): Row(_S, "Disconnect a conferencing app"),
    # Platform managed users (deprecated): platform OAuth client credentials only.
    ("GET", f"{_OC}/users"): Row(_N, "Managed users of a platform client"),
    ("POST", f"{_OC}/users"): Row(_N, "Create a managed user"),
    ("GET", f"{_OC}/users/{{userId}}"): Row(_N, "One managed user"),
    ("PATCH", f"{_OC}/users/{{userId}}"): Row(_N, "Update a managed user"),
    ("DELETE", f"{_OC}/users/{{userId}}"): Row(_N, "Delete a managed user"),
    ("POST", f"{_OC}/users/{{userId}}/force-refresh"): Row(_N, "New tokens for a managed user"),
    ("POST", "/v2/oauth/{clientId}/refresh"): Row(_N, "Refresh managed-user tokens"),
    # Platform client webhooks (deprecated)
    ("POST", f"{_OC}/webhooks"): Row(_N, "Create a platform client webhook"),
    ("GET", f"{_OC}/webhooks"): Row(_N, "Platform client webhooks"),
    ("DELETE", f"{_OC}/webhooks"): Row(_N, "Delete every platform client webhook"),
    ("PATCH", f"{_OC}/webhooks/{{webhookId}}"): Row(_N, "Update a platform client webhook"),
    ("GET", f"{_OC}/webhooks/{{webhookId}}"): Row(_N, "One platform client webhook"),
    ("DELETE", f"{_OC}/webhooks/{{webhookId}}"): Row(_N, "Delete a platform client webhook"),
    # Platform OAuth clients (deprecated)
    ("POST", "/v2/oauth-clients"): Row(_N, "Create a platform OAuth client"),
    ("GET", "/v2/oauth-clients"): Row(_N, "Platform OAuth clients of the organization"),
    ("GET", _OC): Row(_N, "One platform OAuth client"),
    ("PATCH", _OC): Row(_N, "Update a platform OAuth client"),
    ("DELETE", _OC): Row(_N, "Delete a platform OAuth client"),
    # Destination calendar
    ("PUT", "/v2/destination-calendars"): Row(_S, "Set where new bookings are written"),
    # Event types 2024-06-14
    ("POST", "/v2/event-types"): Row(_S, "Create an event type"),
    ("GET", "/v2/event-types"): Row(_S, "List event types"),
    ("GET", _ET): Row(_S, "One event type"),
    ("PATCH", _ET): Row(_S, "Update an event type"),
    ("DELETE", _ET): Row(_S, "Delete an event type"),
    # Event type webhooks
    ("POST", f"{_ET}/webhooks"): Row(_S, "Create an event type webhook"),
    ("GET", f"{_ET}/webhooks"): Row(_S, "Webhooks of an event type"),
    ("DELETE", f"{_ET}/webhooks"): Row(_S, "Delete every webhook of an event type"),
    ("PATCH", f"{_ET}/webhooks/{{webhookId}}"): Row(_S, "Update an event type webhook"),
    ("GET", f"{_ET}/webhooks/{{webhookId}}"): Row(_S, "One event type webhook"),
    ("DELETE", f"{_ET}/webhooks/{{webhookId}}"): Row(_S, "Delete an event type webhook"),
    # Event type private links
    ("POST", f"{_ET}/private-links"): Row(_S, "Create a private link"),
    ("GET", f"{_ET}/private-links"): Row(_S, "Private links of an event type"),
    ("PATCH", f"{_ET}/private-links/{{linkId}}"): Row(_S, "Update a private link"),
    ("DELETE", f"{_ET}/private-links/{{linkId}}"): Row(_S, "Delete a private link"),
    # Me
    ("GET", "/v2/me"): Row(_S, "The token's user"),
    ("PATCH", "/v2/me"): Row(_S, "Update the token's user"),
    # OAuth2 (served by mock_calcom.oauth, not by API v2 endpoints)
    ("GET", "/v2/auth/oauth2/clients/{clientId}"): Row(_S, "OAuth client info"),
    ("POST", "/v2/auth/oauth2/token"): Row(_S, "Token endpoint"),
    # Schedules 2024-06-11
    ("POST", "/v2/schedules"): Row(_S, "Create a schedule"),
    ("GET", "/v2/schedules"): Row(_S, "List schedules"),
    ("GET", "/v2/schedules/default"): Row(_S, "The default schedule"),
    ("GET", "/v2/schedules/{scheduleId}"): Row(_S, "One schedule"),
    ("PATCH", "/v2/schedules/{scheduleId}"): Row(_S, "Update a schedule"),
    ("DELETE", "/v2/schedules/{scheduleId}"): Row(_S, "Delete a schedule"),
    # Selected calendars
    ("POST", "/v2/selected-calendars"): Row(_S, "Select a calendar for conflict checking"),
    ("DELETE", "/v2/selected-calendars"): Row(_S, "Unselect a calendar"),
    # Slots 2024-09-04
    ("GET", "/v2/slots"): Row(_S, "Free slots of an event type"),
    ("POST", "/v2/slots/reservations"): Row(_S, "Reserve a slot"),
    ("GET", "/v2/slots/reservations/{uid}"): Row(_S, "One slot reservation"),
    ("PATCH", "/v2/slots/reservations/{uid}"): Row(_S, "Move a slot reservation"),
    ("DELETE", "/v2/slots/reservations/{uid}"): Row(_S, "Release a slot reservation"),
    # Stripe
    ("GET", "/v2/stripe/connect"): Row(_A, "Stripe OAuth URL"),
    ("GET", "/v2/stripe/save"): Row(_A, "Stripe OAuth callback"),
    ("GET", "/v2/stripe/check"): Row(_A, "Check the Stripe connection"),
    # Verified resources
    ("POST", f"{_VR}/emails/verification-code/request"): Row(_S, "Keep a verification code (sends nothing)"),
    ("POST", f"{_VR}/phones/verification-code/request"): Row(_S, "Keep a phone verification code"),
    ("POST", f"{_VR}/emails/verification-code/verify"): Row(_S, "Verify an email with its code"),
    ("POST", f"{_VR}/phones/verification-code/verify"): Row(_S, "Verify a phone with its code"),
    ("GET", f"{_VR}/emails"): Row(_S, "Verified emails"),
    ("GET", f"{_VR}/phones"): Row(_S, "Verified phone numbers"),
    ("GET", f"{_VR}/emails/{{id}}"): Row(_S, "One verified email"),
    ("GET", f"{_VR}/phones/{{id}}"): Row(_S, "One verified phone number"),
    # User webhooks
    ("POST", "/v2/webhooks"): Row(_S, "Create a webhook"),
    ("GET", "/v2/webhooks"): Row(_S, "The user's webhooks"),
    ("PATCH", "/v2/webhooks/{webhookId}"): Row(_S, "Update a webhook"),
    ("GET", "/v2/webhooks/{webhookId}"): Row(_S, "One webhook"),
    ("DELETE", "/v2/webhooks/{webhookId}"): Row(_S, "Delete a webhook"),
}

#: Operations Cal.com serves that the published document leaves out, served here too.
EXTRA: Final[dict[tuple[str, str], Row]] = {
    # SlotsController_2024_04_15 (FACTS §11.1), left out of the document; the other legacy
    # controllers share their paths with the rows above (mock_calcom/api/legacy/).
    ("GET", "/v2/slots/available"): Row(_S, "Free slots of an event type (legacy 2024-04-15)"),
    ("POST", "/v2/slots/reserve"): Row(_S, "Reserve a slot (legacy 2024-04-15)"),
    ("DELETE", "/v2/slots/selected-slot"): Row(_S, "Release a reserved slot (legacy 2024-04-15)"),
    ("POST", f"{_B}/mark-no-show"): Row(_S, "Mark no-shows (legacy 2024-04-15)"),
    ("POST", "/v2/bookings/instant"): Row(_S, "Instant meeting, team event types only (legacy 2024-04-15)"),
    ("POST", "/v2/bookings/recurring"): Row(_S, "Book all occurrences of a recurring booking (legacy)"),
    ("GET", f"{_B}/reschedule"): Row(_S, "A booking as the reschedule page reads it (legacy 2024-04-15)"),
    # Teams a real third-party client reads first (FACTS §11.10), seeded in the model.
    ("GET", "/v2/teams"): Row(_S, "Teams the user belongs to (seeded; none by default)"),
    ("GET", "/v2/teams/{teamId}"): Row(_S, "One team of the user"),
    ("DELETE", "/v2/teams/{teamId}"): Row(_S, "Delete a team (team owner)"),
    ("GET", "/v2/teams/{teamId}/memberships"): Row(_S, "Memberships of one of the user's teams"),
    ("POST", "/v2/teams/{teamId}/memberships"): Row(_S, "Add a membership (team admin)"),
    ("GET", "/v2/teams/{teamId}/memberships/{membershipId}"): Row(_S, "One membership (team admin)"),
    ("PATCH", "/v2/teams/{teamId}/memberships/{membershipId}"): Row(_S, "Update a membership (team admin)"),
    ("DELETE", "/v2/teams/{teamId}/memberships/{membershipId}"): Row(_S, "Remove a membership (team admin)"),
    # TimezonesController (@ApiExcludeController, apps/api/v2/src/modules/timezones @a084a378).
    ("GET", "/v2/timezones"): Row(_S, "Cities and their time zones for a picker (no auth)"),
    ("GET", "/v2/event-types/{username}/public"): Row(_S, "A user's public event types (legacy 2024-04-15)"),
    ("GET", "/v2/event-types/{username}/{eventSlug}/public"): Row(
        _S, "A public event type's booking-page data (legacy 2024-04-15)"),
}

#: Operations served outside API v2's endpoint list (the OAuth package serves these).
OAUTH_PACKAGE: Final[frozenset[tuple[str, str]]] = frozenset({
    ("GET", "/v2/auth/oauth2/clients/{clientId}"),
    ("POST", "/v2/auth/oauth2/token"),
})


def row(method: str, path: str) -> Row | None:
    return SURFACE.get((method, path)) or EXTRA.get((method, path))
