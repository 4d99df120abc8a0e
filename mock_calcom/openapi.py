"""The fake's own OpenAPI 3.1 document, served at ``GET /_mock/openapi.json``.

Paths and methods come from the live routing table, so the document cannot list a route the
fake does not serve; what each operation *is* comes from :data:`OPERATIONS`, a short
hand-written description per (method, path). A route without one is still listed, marked
``x-undocumented``, and ``tests/test_openapi.py`` fails naming it.

This documents the fake, not Cal.com: Cal.com's own document is far larger (org and Platform
endpoints) and its exact response schemas live beside the fact sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from mock_calcom.addresses import OPENAPI_PATH as OPENAPI_PATH  # its name here too
from mock_calcom.control.inputs import (
    CLOCK_ADVANCE,
    CONSENT,
    CREATE_CLIENT,
    CREATE_USER,
    EXPIRE_TOKEN,
    JOURNAL_QUERY,
    RATE_LIMIT,
    REVOKE_TOKENS,
    UPDATE_CLIENT,
)
from mock_calcom.faults import FAULT_INPUTS
from mock_calcom.settings import SETTINGS_INPUTS

_CONVERTER = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")
_PARAM_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}, "uuid":
                {"type": "string", "format": "uuid"}}

# -- reusable bits -------------------------------------------------------------------------

_V2 = "Cal.com API v2"
_OAUTH = "Cal.com OAuth"
_LEGACY = "Cal.com OAuth (G1 legacy)"
_FAULTS = "Control: faults"
_LIMITS = "Control: rate limits"
_TOKENS = "Control: tokens"
_META = "Control: meta"
_STATE = "Control: state"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], *, form: bool = False, required: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": schema}
    return {"required": required, "content": content}


def _list_of(key: str, schema: str) -> dict[str, Any]:
    return {"type": "object", "properties": {key: {"type": "array", "items": _ref(schema)}}}


def _success(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The v2 success envelope ``{"status": "success", "data": ...}``."""
    return {"type": "object", "required": ["status", "data"], "properties": {
        "status": {"const": "success"}, "data": data if data is not None else {}}}


_API_ERROR = _json(_ref("ApiError"), "Error in Cal.com's v2 envelope")
_OAUTH_ERROR = _json(_ref("OAuthError"), "RFC 6749 error")
_CONTROL_ERROR = _json(_ref("ControlError"), "The control plane was used wrongly")
_THROTTLED = _json(_ref("ApiError"), "Rate limit exceeded (ThrottlerException)")


@dataclass(frozen=True)
class Op:
    """What one route does, for the document."""

    summary: str
    tags: tuple[str, ...]
    responses: dict[str, Any]
    description: str | None = None
    request_body: dict[str, Any] | None = None
    query: tuple[tuple[str, dict[str, Any], str], ...] = ()
    bearer: bool = False
    #: Header parameters: (name, schema, description, required).
    headers: tuple[tuple[str, dict[str, Any], str, bool], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _ok(schema: str) -> dict[str, Any]:
    return _json(_success(_ref(schema)), "Success envelope")


def _ok_list(schema: str) -> dict[str, Any]:
    return _json(_success({"type": "array", "items": _ref(schema)}), "Success envelope")


def _paginated(schema: str) -> dict[str, Any]:
    envelope = _success({"type": "array", "items": _ref(schema)})
    envelope["properties"]["pagination"] = _ref("Pagination")
    return envelope


def _v2(summary: str, scope: str | None, responses: dict[str, Any], *,
        version: str | None = None, body: str | None = None, optional_auth: bool = False,
        query: tuple[tuple[str, dict[str, Any], str], ...] = ()) -> Op:
    """An API v2 operation: Cal.com's envelope errors, the throttler's 429, its scope and the
    ``cal-api-version`` it needs (a missing or unknown one is a Nest 404)."""
    notes = [f"Scope: {scope}." if scope else "Public: no scope needed."]
    if optional_auth:
        notes.append("Authentication optional.")
    if version:
        notes.append(f"Needs cal-api-version {version}; without it (or with another version) the "
                     "2024-04-15 legacy controller of the path answers where Cal.com has one, "
                     "else a 404.")
    errors = {"400": _API_ERROR, "401": _API_ERROR, "403": _API_ERROR, "404": _API_ERROR,
              "429": _THROTTLED}
    headers = (("cal-api-version", {"type": "string"}, "API version", version is not None),)
    return Op(summary, (_V2,), {**responses, **errors}, description=" ".join(notes),
              request_body=_body(_ref(body)) if body else None, query=query, bearer=True,
              headers=headers)


# -- the operations ------------------------------------------------------------------------

_FAULT_LIST = {"type": "object", "properties": {"faults": {"type": "array", "items": _ref("Fault")}}}
_RULE = _ref("RateLimitRule")

OPERATIONS: dict[tuple[str, str], Op] = {
    # Cal.com OAuth (G2 and the consent page)
    ("GET", "/auth/oauth2/authorize"): Op(
        "Consent page", (_OAUTH,),
        {"200": {"description": "The consent page (HTML), or the page-shown error",
                 "content": {"text/html": {"schema": {"type": "string"}}}},
         "302": {"description": "Redirect back to the client (auto-approved trusted client, "
                 "or a redirectable error), or to the login page"},
         "4XX": {"description": "A non-redirectable error shown on the page, or no "
                 "signed-in user", "content": {"text/html": {"schema": {"type": "string"}}}}},
        description="app.cal.com's authorize page: validates client_id, redirect_uri, scope "
        "and PKCE, then asks the signed-in user to allow or deny.",
        query=(("client_id", {"type": "string"}, "The OAuth client"),
               ("redirect_uri", {"type": "string"}, "One of the client's registered URIs"),
               ("state", {"type": "string"}, "Echoed back unchanged"),
               ("scope", {"type": "string"}, "Space- or comma-separated AccessScope values"),
               ("code_challenge", {"type": "string"}, "PKCE S256 challenge"),
               ("code_challenge_method", {"const": "S256"}, "Only S256"))),
    ("POST", "/auth/oauth2/authorize"): Op(
        "Consent decision", (_OAUTH,),
        {"302": {"description": "Back to redirect_uri with ?code=&state= or "
                 "?error=access_denied&state="},
         "303": {"description": "Back to redirect_uri (See Other)"},
         "4XX": {"description": "The form was tampered with or the request is invalid",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        description="The consent page's Allow / Deny form post.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}}}}),
    ("POST", "/v2/auth/oauth2/token"): Op(
        "Token endpoint (G2)", (_OAUTH,),
        {"200": _json(_ref("TokenResponse"), "Tokens (Cache-Control: no-store)"),
         "400": _OAUTH_ERROR, "401": _OAUTH_ERROR, "429": _THROTTLED, "500": _OAUTH_ERROR},
        description="authorization_code and refresh_token grants; JSON or form; exactly the "
        "whitelisted fields per grant and client kind, anything else is invalid_request.",
        request_body=_body(_ref("TokenRequest"), form=True)),
    ("GET", "/v2/auth/oauth2/clients/{client_id}"): Op(
        "OAuth client info", (_OAUTH,),
        {"200": _json(_success(_ref("OAuthClientInfo")), "The client's public fields"),
         "404": _API_ERROR, "429": _THROTTLED}),
    # API v2 resources (FACTS §7.3; scopes per §5)
    ("GET", "/v2/me"): _v2("The token's user", "PROFILE_READ", {"200": _ok("Me")}),
    ("PATCH", "/v2/me"): _v2("Update the token's user", "PROFILE_WRITE", {"200": _ok("Me")},
                             body="MeUpdate"),
    ("GET", "/v2/bookings"): _v2(
        "List bookings", "BOOKING_READ", {"200": _json(_paginated("Booking"), "Bookings")},
        version="2024-08-13",
        query=(("status", {"type": "string"}, "Comma list: upcoming, recurring, past, "
                "cancelled, unconfirmed"),
               ("take", {"type": "integer"}, "Page size (default 100)"),
               ("skip", {"type": "integer"}, "Offset (default 0)"),
               ("attendeeEmail", {"type": "string"}, "Filter"),
               ("eventTypeId", {"type": "string"}, "Filter"),
               ("afterStart", {"type": "string"}, "Filter (ISO date-time)"),
               ("beforeEnd", {"type": "string"}, "Filter (ISO date-time)"),
               ("sortStart", {"enum": ["asc", "desc"]}, "Sort"))),
    ("POST", "/v2/bookings"): _v2(
        "Create a booking", None, {"201": _ok("Booking")}, version="2024-08-13",
        body="BookingCreate", optional_auth=True),
    ("GET", "/v2/bookings/{bookingUid}"): _v2(
        "One booking", None, {"200": _ok("Booking")}, version="2024-08-13",
        optional_auth=True),
    ("POST", "/v2/bookings/{bookingUid}/cancel"): _v2(
        "Cancel a booking", None, {"200": _ok("Booking")}, version="2024-08-13",
        body="BookingCancel", optional_auth=True),
    ("POST", "/v2/bookings/{bookingUid}/reschedule"): _v2(
        "Reschedule a booking", None, {"201": _ok("Booking")}, version="2024-08-13",
        body="BookingReschedule", optional_auth=True),
    ("POST", "/v2/bookings/{bookingUid}/confirm"): _v2(
        "Confirm a booking", "BOOKING_WRITE", {"200": _ok("Booking")}, version="2024-08-13"),
    ("POST", "/v2/bookings/{bookingUid}/decline"): _v2(
        "Decline a booking", "BOOKING_WRITE", {"200": _ok("Booking")}, version="2024-08-13",
        body="Object"),
    ("POST", "/v2/bookings/{bookingUid}/mark-absent"): _v2(
        "Mark no-shows", "BOOKING_WRITE", {"200": _ok("Booking")}, version="2024-08-13",
        body="Object"),
    ("GET", "/v2/event-types"): _v2(
        "List event types", "EVENT_TYPE_READ", {"200": _ok_list("EventType")},
        version="2024-06-14", optional_auth=True,
        query=(("username", {"type": "string"}, "Public event types of a user"),
               ("eventSlug", {"type": "string"}, "With username: one event type"))),
    ("POST", "/v2/event-types"): _v2(
        "Create an event type", "EVENT_TYPE_WRITE", {"201": _ok("EventType")},
        version="2024-06-14", body="EventTypeCreate"),
    ("GET", "/v2/event-types/{eventTypeId}"): _v2(
        "One event type", "EVENT_TYPE_READ", {"200": _ok("EventType")}, version="2024-06-14"),
    ("PATCH", "/v2/event-types/{eventTypeId}"): _v2(
        "Update an event type", "EVENT_TYPE_WRITE", {"200": _ok("EventType")},
        version="2024-06-14", body="Object"),
    ("DELETE", "/v2/event-types/{eventTypeId}"): _v2(
        "Delete an event type", "EVENT_TYPE_WRITE", {"200": _json(_success({
            "type": "object", "properties": {"id": {"type": "integer"},
                                             "lengthInMinutes": {"type": "integer"},
                                             "title": {"type": "string"},
                                             "slug": {"type": "string"}}}),
            "What was deleted")}, version="2024-06-14"),
    ("GET", "/v2/schedules"): _v2(
        "List schedules", "SCHEDULE_READ", {"200": _ok_list("Schedule")},
        version="2024-06-11"),
    ("POST", "/v2/schedules"): _v2(
        "Create a schedule", "SCHEDULE_WRITE", {"201": _ok("Schedule")}, version="2024-06-11",
        body="ScheduleCreate"),
    ("GET", "/v2/schedules/default"): _v2(
        "The default schedule", "SCHEDULE_READ", {"200": _json(_success(
            {"oneOf": [_ref("Schedule"), {"type": "null"}]}), "The schedule, or null")},
        version="2024-06-11"),
    ("GET", "/v2/schedules/{scheduleId}"): _v2(
        "One schedule", "SCHEDULE_READ", {"200": _ok("Schedule")}, version="2024-06-11"),
    ("PATCH", "/v2/schedules/{scheduleId}"): _v2(
        "Update a schedule", "SCHEDULE_WRITE", {"200": _ok("Schedule")}, version="2024-06-11",
        body="Object"),
    ("DELETE", "/v2/schedules/{scheduleId}"): _v2(
        "Delete a schedule", "SCHEDULE_WRITE", {"200": _json(
            {"type": "object", "properties": {"status": {"const": "success"}}},
            "Status only")}, version="2024-06-11"),
    ("GET", "/v2/calendars"): _v2(
        "Connected calendars", "(not available to scoped third-party tokens)",
        {"200": _json(_success({"type": "object", "properties": {
            "connectedCalendars": {"type": "array", "items": {"type": "object"}},
            "destinationCalendar": {}}}), "Calendars")}),
    ("GET", "/v2/calendars/{calendar}/check"): _v2(
        "Check a calendar connection", "APPS_READ",
        {"200": _json(_success({"type": "object"}), "Connection status")}),
    ("GET", "/v2/conferencing"): _v2(
        "Installed conferencing apps", "(not available to scoped third-party tokens)",
        {"200": _ok_list("ConferencingApp")}),
    ("GET", "/v2/slots"): _v2(
        "Free slots of an event type, by date", None,
        {"200": _json(_success({"type": "object", "additionalProperties": {"type": "array"}}),
                      "Slots keyed by date in timeZone")},
        version="2024-09-04",
        query=(("eventTypeId", {"type": "integer"}, "Event type (or eventTypeSlug + username)"),
               ("start", {"type": "string"}, "From (ISO date or date-time, UTC)"),
               ("end", {"type": "string"}, "Until (a bare date means its end)"),
               ("timeZone", {"type": "string"}, "Zone of the returned times (default UTC)"),
               ("format", {"enum": ["time", "range"]}, "range adds each slot's end"))),
    # Legacy 2024-04-15 slots controller (mock_calcom/api/legacy/slots.py; the legacy
    # bookings, event types and schedules handlers share the paths above).
    ("GET", "/v2/slots/available"): _v2(
        "Free slots of an event type, by date (legacy 2024-04-15 controller)",
        "(not available to scoped third-party tokens)",
        {"200": _json(_success({"type": "object", "properties": {"slots": {"type": "object"}}}),
                      "Slots keyed by date: [{time}] or [{startTime, endTime}]")},
        query=(("eventTypeId", {"type": "integer"}, "Event type (or eventTypeSlug + usernameList)"),
               ("startTime", {"type": "string"}, "From (ISO 8601)"),
               ("endTime", {"type": "string"}, "Until (ISO 8601)"),
               ("timeZone", {"type": "string"}, "Zone of the returned times (default UTC)"),
               ("slotFormat", {"enum": ["time", "range"]}, "range gives startTime and endTime"))),
    ("POST", "/v2/slots/reserve"): _v2(
        "Reserve a slot (legacy 2024-04-15 controller)", "(not available to scoped third-party tokens)",
        {"201": _json(_success({"type": "string"}), "The reservation uid, also set as the uid cookie")}),
    ("GET", "/v2/event-types/{username}/public"): _v2(
        "A user's public event types (legacy 2024-04-15 controller)",
        "(not available to scoped third-party tokens)",
        {"200": _json(_success({"type": "array"}), "[{id, length, slug, title, description}]")}),
    ("GET", "/v2/event-types/{username}/{eventSlug}/public"): _v2(
        "A public event type (legacy 2024-04-15 controller)", "(not available to scoped third-party tokens)",
        {"200": _json(_success({"type": "object"}), "getPublicEvent's booking-page data")}),
    ("POST", "/v2/bookings/instant"): _v2(
        "Instant meeting (legacy 2024-04-15 controller): team event types only, so always a 400 here",
        "(not available to scoped third-party tokens)", {"400": _API_ERROR}),
    ("POST", "/v2/bookings/{bookingUid}/mark-no-show"): _v2(
        "Mark no-shows (legacy 2024-04-15 controller)", "(not available to scoped third-party tokens)",
        {"200": _json(_success({"type": "object", "properties": {"message": {"type": "string"}}}),
                      "The no-show update: message, attendees, noShowHost")}),
    ("DELETE", "/v2/slots/selected-slot"): _v2(
        "Release a reserved slot (legacy 2024-04-15 controller)",
        "(not available to scoped third-party tokens)",
        {"200": _json({"type": "object", "required": ["status"],
                       "properties": {"status": {"const": "success"}}}, "Status only")},
        query=(("uid", {"type": "string"}, "The reservation uid"),)),
    # G1 legacy web endpoints
    ("POST", "/api/auth/oauth/token"): Op(
        "Legacy token endpoint (G1)", (_LEGACY,),
        {"200": _json(_ref("TokenResponse"), "Tokens"),
         "400": _json(_ref("LegacyOAuthError"), "Bare RFC error code"),
         "401": _json(_ref("LegacyOAuthError"), "Bare RFC error code")},
        description="Form-encoded only: a JSON body reads as missing fields.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": _ref("TokenRequest")}}}),
    ("POST", "/api/auth/oauth/refreshToken"): Op(
        "Legacy refresh endpoint (G1)", (_LEGACY,),
        {"200": _json(_ref("TokenResponse"), "Tokens (the refresh token rotated)"),
         "400": _json(_ref("LegacyOAuthError"), "Bare RFC error code"),
         "401": _json(_ref("LegacyOAuthError"), "Bare RFC error code")},
        description="refresh_token in the form, or as Authorization: Bearer.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": _ref("TokenRequest")}}}),
    ("GET", "/api/auth/oauth/me"): Op(
        "Legacy profile (G1)", (_LEGACY,),
        {"201": _json({"type": "object", "properties": {"username": {"type": "string"}}},
                      "The username (201, as Cal.com answers)"),
         "401": _json(_ref("LegacyMessage"), "Unauthorized")}, bearer=True),
    ("POST", "/api/auth/oauth/me"): Op(
        "Legacy profile (G1), POST", (_LEGACY,),
        {"201": _json({"type": "object", "properties": {"username": {"type": "string"}}},
                      "The username"),
         "401": _json(_ref("LegacyMessage"), "Unauthorized")}, bearer=True),
    # control plane: faults
    ("POST", "/_mock/faults"): Op(
        "Add a fault", (_FAULTS,),
        {"201": _json(_ref("Fault"), "The fault, with its id"), "400": _CONTROL_ERROR},
        description="Match requests by method, path glob or regex, bearer token or client id; "
        "respond with a canned answer, drop the connection (before or after the fake works), "
        "and/or add latency or advance the clock; once, N times, or with a seeded probability.",
        request_body=_body(_ref("FaultInput"))),
    ("GET", "/_mock/faults"): Op(
        "List faults", (_FAULTS,), {"200": _json(_FAULT_LIST, "Faults with hits and remaining")}),
    ("DELETE", "/_mock/faults"): Op(
        "Remove every fault", (_FAULTS,),
        {"200": _json({"type": "object", "properties": {"removed": {"type": "integer"}}},
                      "How many were removed")}),
    ("GET", "/_mock/faults/{fault_id}"): Op(
        "One fault", (_FAULTS,), {"200": _json(_ref("Fault"), "The fault"), "404": _CONTROL_ERROR}),
    ("DELETE", "/_mock/faults/{fault_id}"): Op(
        "Remove a fault", (_FAULTS,),
        {"200": _json(_ref("Fault"), "The removed fault, with its final counts"),
         "404": _CONTROL_ERROR}),
    # control plane: rate limits
    ("GET", "/_mock/rate-limits"): Op(
        "Rate-limit rules", (_LIMITS,),
        {"200": _json({"type": "object", "properties": {
            "enabled": {"type": "boolean"}, "unauthenticated": {"type": "boolean"},
            "defaults": {"type": "object", "additionalProperties": _RULE},
            "overrides": {"type": "array", "items": _RULE}}}, "Defaults and per-token rules")}),
    ("POST", "/_mock/rate-limits"): Op(
        "Set one token's rate limit", (_LIMITS,),
        {"200": _json(_RULE, "The rule, with the token's tracker key"), "400": _CONTROL_ERROR},
        request_body=_body(RATE_LIMIT.schema())),
    ("POST", "/_mock/rate-limits/reset"): Op(
        "Forget every request count and block", (_LIMITS,),
        {"200": _json({"type": "object", "properties": {"reset": {"const": True}}}, "Done")}),
    ("DELETE", "/_mock/rate-limits/{tracker}"): Op(
        "Put a tracker back on the default limit", (_LIMITS,),
        {"200": _json(_RULE, "The removed rule"), "404": _CONTROL_ERROR}),
    # control plane: tokens
    ("POST", "/_mock/tokens/revoke"): Op(
        "Revoke refresh tokens of (client, user)", (_TOKENS,),
        {"200": _json({"type": "object", "properties": {"revoked": {"type": "integer"}}},
                      "How many refresh-token rows were deleted"),
         "400": _CONTROL_ERROR, "404": _CONTROL_ERROR},
        request_body=_body(REVOKE_TOKENS.schema())),
    ("POST", "/_mock/tokens/expire"): Op(
        "Force a token to expire", (_TOKENS,),
        {"200": _json({"type": "object", "properties": {"expired": {"const": True}}}, "Done"),
         "400": _CONTROL_ERROR},
        request_body=_body(EXPIRE_TOKEN.schema())),
    # control plane: users, clients, consent, clock, journal, settings (control/endpoints.py)
    ("POST", "/_mock/users"): Op(
        "Create a user", (_STATE,),
        {"201": _json(_ref("User"), "The user (with seeded schedules and event types)"),
         "400": _CONTROL_ERROR},
        request_body=_body(CREATE_USER.schema())),
    ("GET", "/_mock/users"): Op(
        "List users", (_STATE,), {"200": _json(_list_of("users", "User"), "Every user")}),
    ("GET", "/_mock/users/{user_id}"): Op(
        "One user", (_STATE,), {"200": _json(_ref("User"), "The user"), "404": _CONTROL_ERROR}),
    ("POST", "/_mock/clients"): Op(
        "Register an OAuth client", (_STATE,),
        {"201": _json(_ref("Client"), "The client; client_secret is shown only here"),
         "400": _CONTROL_ERROR},
        request_body=_body(CREATE_CLIENT.schema())),
    ("GET", "/_mock/clients"): Op(
        "List OAuth clients", (_STATE,), {"200": _json(_list_of("clients", "Client"), "Clients")}),
    ("GET", "/_mock/clients/{client_id}"): Op(
        "One OAuth client", (_STATE,),
        {"200": _json(_ref("Client"), "The client"), "404": _CONTROL_ERROR}),
    ("PATCH", "/_mock/clients/{client_id}"): Op(
        "Change an OAuth client", (_STATE,),
        {"200": _json(_ref("Client"), "The client"), "400": _CONTROL_ERROR,
         "404": _CONTROL_ERROR},
        description="As an admin by default; with as_owner, an owner edit that sends the "
        "client back to PENDING as Cal.com does.",
        request_body=_body(UPDATE_CLIENT.schema())),
    ("POST", "/_mock/clients/{client_id}/secrets"): Op(
        "Add a client secret", (_STATE,),
        {"201": _json({"type": "object", "properties": {
            "id": {"type": "integer"}, "client_id": {"type": "string"},
            "client_secret": {"type": "string"}}}, "The new secret, shown only here"),
         "400": _CONTROL_ERROR, "404": _CONTROL_ERROR}),
    ("DELETE", "/_mock/clients/{client_id}/secrets/{secret_id}"): Op(
        "Delete a client secret", (_STATE,),
        {"204": {"description": "Deleted"}, "400": _CONTROL_ERROR, "404": _CONTROL_ERROR}),
    ("GET", "/_mock/consent"): Op(
        "Consent-page behaviour", (_STATE,), {"200": _json(_ref("Consent"), "Mode and user")}),
    ("PUT", "/_mock/consent"): Op(
        "Set consent-page behaviour", (_STATE,),
        {"200": _json(_ref("Consent"), "Mode and user"), "400": _CONTROL_ERROR},
        description="Whether the consent page waits for a person, allows or denies by itself, "
        "and which user is signed in.",
        request_body=_body(CONSENT.schema())),
    ("GET", "/_mock/clock"): Op(
        "The fake's clock", (_STATE,), {"200": _json(_ref("Clock"), "Now")}),
    ("POST", "/_mock/clock/advance"): Op(
        "Advance the fake's clock", (_STATE,),
        {"200": _json(_ref("Clock"), "The new now"), "400": _CONTROL_ERROR},
        request_body=_body(CLOCK_ADVANCE.schema())),
    ("GET", "/_mock/journal"): Op(
        "The request journal", (_STATE,),
        {"200": _json({"type": "object", "properties": {
            "entries": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer"}, "dropped": {"type": "integer"},
            "next_after": {"type": ["integer", "null"]}}},
            "Entries, oldest first, secrets redacted"), "400": _CONTROL_ERROR},
        query=tuple((f.name, {k: v for k, v in f.schema().items() if k != "description"},
                     f.description) for f in JOURNAL_QUERY.fields)),
    ("DELETE", "/_mock/journal"): Op(
        "Clear the journal", (_STATE,), {"204": {"description": "Cleared"}}),
    ("GET", "/_mock/settings"): Op(
        "Settings", (_STATE,), {"200": _json({"type": "object"}, "Every setting")}),
    ("PATCH", "/_mock/settings"): Op(
        "Change settings", (_STATE,),
        {"200": _json({"type": "object"}, "Every setting"), "400": _CONTROL_ERROR},
        request_body=_body(SETTINGS_INPUTS.schema())),
    ("POST", "/_mock/reset"): Op(
        "Forget all state", (_STATE,),
        {"200": _json({"type": "object", "properties": {"reset": {"const": True}}}, "Done")},
        description="Users, clients, tokens, resources, faults, rate-limit counts and the "
        "journal; settings, seed and clock stay."),
    ("POST", "/_mock/demo"): Op(
        "Seed the demo user and client", (_STATE,),
        {"201": _json({"type": "object", "properties": {
            "user": _ref("User"), "client": _ref("Client"), "redirect_uri": {"type": "string"},
            "scopes": {"type": "array", "items": {"type": "string"}}}}, "Demo data")}),
    ("GET", "/_mock/callback"): Op(
        "Redirect landing page", (_STATE,),
        {"200": {"description": "An HTML page showing the code (or error) and state",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        description="A redirect_uri on the fake itself, to finish a browser dance by hand."),
    ("GET", "/_mock/journal/view"): Op(
        "Journal viewer (HTML)", (_STATE,),
        {"200": {"description": "The journal, newest first, filtered and paged",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        query=(("client", {"type": "string"}, "client_id"),
               ("user", {"type": "string"}, "User id"),
               ("status", {"type": "string"}, "A status (400) or a class (4xx)"),
               ("path", {"type": "string"}, "Path prefix"),
               ("rule", {"type": "string"}, "Text in the rule that answered"),
               ("before", {"type": "integer"}, "Entries older than this id"),
               ("size", {"type": "integer", "minimum": 1, "maximum": 500}, "Page size"),
               ("tenant", {"type": "string"}, "Show this tenant"))),
    ("POST", "/_mock/callback/exchange"): Op(
        "Exchange a code (callback debugger)", (_STATE,),
        {"200": _json({"type": "object", "properties": {
            "status": {"type": "integer"}, "response": {},
            "claims": {"type": "object"}, "expiry": {"type": "object"},
            "now": {"type": "number"}, "summary": {"type": "string"}}},
            "The token endpoint's answer, with the tokens' claims and expiry on the fake clock"),
         "400": _CONTROL_ERROR},
        description="Posts the code to the fake's own token endpoint. Without client_secret, "
        "the secret the fake was given for the client (config file, demo) is used.",
        request_body=_body({"type": "object", "required": ["code", "client_id", "redirect_uri"],
                            "properties": {
                                "code": {"type": "string"}, "client_id": {"type": "string"},
                                "redirect_uri": {"type": "string"},
                                "client_secret": {"type": "string"},
                                "code_verifier": {"type": "string"}},
                            "additionalProperties": False})),
    ("GET", "/_mock/tenants"): Op(
        "Tenants of this server", (_STATE,),
        {"200": _json({"type": "object", "properties": {
            "tenants": {"type": "array", "items": {"type": "string"}},
            "max": {"type": "integer"}}}, "Tenant names and the limit")},
        description="A request with the X-Mock-Tenant header reaches that tenant: an "
        "isolated fake created on first use."),
    ("DELETE", "/_mock/tenants/{name}"): Op(
        "Drop a tenant", (_STATE,),
        {"204": {"description": "Dropped"}, "404": _CONTROL_ERROR},
        description="Its next request starts it afresh from the server's settings."),
    ("GET", "/_mock/login"): Op(
        "Browser login with a one-time link", (_META,),
        {"303": {"description": "Ticket redeemed: a session cookie (HttpOnly, SameSite=Strict, "
                                "Path=/_mock) and a redirect to /_mock/"},
         "401": _CONTROL_ERROR, "404": _CONTROL_ERROR},
        description="Only with an admin token (serve --admin-token): the ticket of a login "
        "link serve printed or POST /_mock/login-links made, valid once. The cookie stands "
        "for the token on reads, and on writes that carry this fake's own Origin.",
        query=(("ticket", {"type": "string"}, "The one-time ticket"),)),
    ("POST", "/_mock/login-links"): Op(
        "Make a one-time browser login link", (_META,),
        {"201": _json({"type": "object", "properties": {"url": {"type": "string"}}},
                      "The login URL (valid once)"), "400": _CONTROL_ERROR,
         "404": _CONTROL_ERROR},
        description="Only with an admin token; 404 when the server has none (the pages then "
        "need no login).",
        request_body=_body({"type": "object", "additionalProperties": False},
                           required=False)),
    ("GET", "/_mock"): Op(
        "Control-plane index", (_META,),
        {"200": _json({"type": "object", "properties": {
            "service": {"type": "string"},
            "endpoints": {"type": "array", "items": {"type": "string"}}}}, "Every endpoint")}),
    # control plane: meta
    ("GET", OPENAPI_PATH): Op(
        "This document", (_META,),
        {"200": _json({"type": "object"}, "OpenAPI 3.1 document of every route the fake serves")}),
}

def _surface_operations() -> dict[tuple[str, str], Op]:
    """The API v2 operations added with the coverage table (``api/surface.py``), described from
    its rows: what the fake does with each, its scope, and the version it needs."""
    from mock_calcom.api.scopes import requirement
    from mock_calcom.api.surface import EXTRA, OAUTH_PACKAGE, SURFACE, Serving

    versions = {"/v2/bookings": "2024-08-13", "/v2/slots": "2024-09-04"}
    out: dict[tuple[str, str], Op] = {}
    for (method, path), row in {**SURFACE, **EXTRA}.items():
        if (method, path) in {*OPERATIONS, *OAUTH_PACKAGE}:
            continue
        required = requirement(method, path)
        if row.serving is Serving.STATEFUL:
            scope = ", ".join(required) if isinstance(required, tuple) and required else (
                None if isinstance(required, tuple) else "(not available to scoped third-party tokens)")
            responses = {"2XX": _json(_success(), "Success envelope")}
        elif row.serving is Serving.AUTH_ONLY:
            scope = "(not available to scoped third-party tokens)"
            responses = {}
        else:
            scope = "(platform credentials only: never a third-party OAuth token)"
            responses = {}
        version = next((v for prefix, v in versions.items() if path.startswith(prefix)), None)
        op = _v2(row.summary, scope, responses, version=version)
        out[(method, path)] = Op(op.summary, op.tags, op.responses,
                                 description=f"{op.description} Served: {row.serving.value}.",
                                 query=op.query, bearer=op.bearer, headers=op.headers)
    return out


OPERATIONS.update(_surface_operations())

# The control plane's catch-alls (control/routes.py): whatever else is sent under /_mock.
_FALLBACK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
for _method in _FALLBACK_METHODS:
    _fallback = Op("Unknown control endpoint", (_META,),
                   {"404": _CONTROL_ERROR, "405": _json(_ref("ControlError"),
                                                        "The path exists with other methods")},
                   description="Answered in the control plane's own error shape, not Cal.com's.")
    OPERATIONS[(_method, "/_mock/{rest}")] = _fallback
    OPERATIONS.setdefault((_method, "/_mock"), _fallback)

# -- components ----------------------------------------------------------------------------

_SCHEMAS: dict[str, Any] = {
    "ApiError": {
        "type": "object", "required": ["status", "timestamp", "path", "error"],
        "properties": {
            "status": {"const": "error"},
            "timestamp": {"type": "string", "format": "date-time"},
            "path": {"type": "string", "description": "Request path with its query"},
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "examples": ["ForbiddenException"]},
                "message": {"type": "string"},
                "details": {"description": "Nest's exception response: an object or a string"}}},
        },
    },
    "OAuthError": {
        "type": "object", "required": ["error", "error_description"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
    "LegacyOAuthError": {"type": "object", "required": ["error"],
                         "properties": {"error": {"type": "string"}}},
    "LegacyMessage": {"type": "object", "required": ["message"],
                      "properties": {"message": {"type": "string"}}},
    "ControlError": {"type": "object", "required": ["error"],
                     "properties": {"error": {"type": "string"}}},
    "TokenRequest": {
        "type": "object", "required": ["grant_type", "client_id"],
        "properties": {
            "grant_type": {"enum": ["authorization_code", "refresh_token"]},
            "client_id": {"type": "string"}, "client_secret": {"type": "string"},
            "code": {"type": "string"}, "redirect_uri": {"type": "string"},
            "code_verifier": {"type": "string"}, "refresh_token": {"type": "string"},
        },
    },
    "TokenResponse": {
        "type": "object", "required": ["access_token", "token_type", "refresh_token", "expires_in"],
        "properties": {
            "access_token": {"type": "string"}, "token_type": {"const": "bearer"},
            "refresh_token": {"type": "string"}, "expires_in": {"type": "integer"},
            "scope": {"type": "string"},
        },
    },
    "OAuthClientInfo": {
        "type": "object",
        "properties": {
            "client_id": {"type": "string"},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "name": {"type": "string"}, "logo": {"type": ["string", "null"]},
            "is_trusted": {"type": "boolean"},
            "client_type": {"enum": ["CONFIDENTIAL", "PUBLIC"]},
        },
    },
    "FaultInput": FAULT_INPUTS.schema(),
    "Fault": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "method", "path", "path_regex", "token", "client_id", "status", "body",
                     "text", "headers", "latency", "advance_clock", "drop", "times",
                     "probability", "matched", "hits", "remaining", "exhausted"],
        "properties": {
            "id": {"type": "string"},
            "method": {"type": ["array", "null"], "items": {"type": "string"},
                       "description": "null: any method"},
            "path": {"type": ["string", "null"]}, "path_regex": {"type": ["string", "null"]},
            "token": {"type": ["string", "null"]}, "client_id": {"type": ["string", "null"]},
            "status": {"type": ["integer", "null"]}, "body": {},
            "text": {"type": ["string", "null"]},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "latency": {"type": "number"}, "advance_clock": {"type": "number"},
            "drop": {"enum": ["before", "after", None]},
            "times": {"type": ["integer", "null"]}, "probability": {"type": "number"},
            "matched": {"type": "integer", "description": "Requests that matched"},
            "hits": {"type": "integer", "description": "Times it fired"},
            "remaining": {"type": ["integer", "null"], "description": "null: unlimited"},
            "exhausted": {"type": "boolean"},
        },
    },
    "Object": {"type": "object"},
    "Pagination": {"type": "object", "properties": {
        name: {"type": "integer"} for name in (
            "totalItems", "remainingItems", "returnedItems", "itemsReturned", "itemsPerPage",
            "currentPage", "totalPages")} | {
        "hasNextPage": {"type": "boolean"}, "hasPreviousPage": {"type": "boolean"}}},
    "Me": {"type": "object", "required": ["id", "username", "email"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "email": {"type": "string"},
        "name": {"type": ["string", "null"]}, "avatarUrl": {"type": ["string", "null"]},
        "bio": {"type": ["string", "null"]}, "timeFormat": {"enum": [12, 24]},
        "defaultScheduleId": {"type": ["integer", "null"]}, "weekStart": {"type": "string"},
        "timeZone": {"type": "string"}, "organizationId": {"type": ["integer", "null"]}}},
    "MeUpdate": {"type": "object", "properties": {
        "email": {"type": "string"}, "name": {"type": "string"},
        "timeFormat": {"enum": [12, 24]}, "defaultScheduleId": {"type": "integer"},
        "weekStart": {"type": "string"}, "timeZone": {"type": "string"},
        "locale": {"type": "string"}, "avatarUrl": {"type": ["string", "null"]},
        "bio": {"type": ["string", "null"]}, "metadata": {"type": "object"}}},
    "Booking": {"type": "object", "required": ["id", "uid", "status", "start", "end"],
                "properties": {
        "id": {"type": "integer"}, "uid": {"type": "string"}, "title": {"type": "string"},
        "status": {"enum": ["accepted", "pending", "cancelled", "rejected"]},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"}, "duration": {"type": "integer"},
        "eventTypeId": {"type": ["integer", "null"]},
        "hosts": {"type": "array", "items": {"type": "object"}},
        "attendees": {"type": "array", "items": {"type": "object"}}}},
    "BookingCreate": {"type": "object", "required": ["start", "attendee"], "properties": {
        "start": {"type": "string", "format": "date-time"},
        "attendee": {"type": "object", "required": ["name", "timeZone"]},
        "eventTypeId": {"type": "integer"}, "eventTypeSlug": {"type": "string"},
        "username": {"type": "string"}, "guests": {"type": "array", "items": {"type": "string"}},
        "lengthInMinutes": {"type": "integer"}, "metadata": {"type": "object"}}},
    "BookingCancel": {"type": "object", "properties": {
        "cancellationReason": {"type": "string"}, "cancelSubsequentBookings": {"type": "boolean"},
        "seatUid": {"type": "string"}}},
    "BookingReschedule": {"type": "object", "required": ["start"], "properties": {
        "start": {"type": "string", "format": "date-time"},
        "rescheduledBy": {"type": "string"}, "reschedulingReason": {"type": "string"}}},
    "EventType": {"type": "object", "required": ["id", "title", "slug", "lengthInMinutes"],
                  "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "slug": {"type": "string"},
        "lengthInMinutes": {"type": "integer"}, "description": {"type": ["string", "null"]},
        "hidden": {"type": "boolean"}, "ownerId": {"type": ["integer", "null"]}}},
    "EventTypeCreate": {"type": "object", "required": ["lengthInMinutes", "title", "slug"],
                        "properties": {"lengthInMinutes": {"type": "integer"},
                                       "title": {"type": "string"}, "slug": {"type": "string"},
                                       "description": {"type": "string"}}},
    "Schedule": {"type": "object", "required": ["id", "name", "timeZone"], "properties": {
        "id": {"type": "integer"}, "ownerId": {"type": "integer"}, "name": {"type": "string"},
        "timeZone": {"type": "string"}, "isDefault": {"type": "boolean"},
        "availability": {"type": "array", "items": {"type": "object"}},
        "overrides": {"type": "array", "items": {"type": "object"}}}},
    "ScheduleCreate": {"type": "object", "required": ["name", "timeZone", "isDefault"],
                       "properties": {"name": {"type": "string"}, "timeZone": {"type": "string"},
                                      "isDefault": {"type": "boolean"},
                                      "availability": {"type": "array"},
                                      "overrides": {"type": "array"}}},
    "ConferencingApp": {"type": "object", "properties": {
        "id": {"type": "integer"}, "type": {"type": "string"}, "userId": {"type": "integer"},
        "invalid": {"type": ["boolean", "null"]}}},
    "User": {
        "type": "object", "required": ["id", "username"],
        "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
                       "email": {"type": "string"}, "name": {"type": ["string", "null"]},
                       "time_zone": {"type": "string"}},
    },
    "Client": {
        "type": "object", "required": ["client_id", "name", "redirect_uris", "status"],
        "properties": {
            "client_id": {"type": "string"}, "name": {"type": "string"},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "scopes": {"type": "array", "items": {"type": "string"}},
            "status": {"enum": ["PENDING", "APPROVED", "REJECTED"]},
            "client_type": {"enum": ["CONFIDENTIAL", "PUBLIC"]},
            "owner_user_id": {"type": ["integer", "null"]}, "is_trusted": {"type": "boolean"},
            "logo": {"type": ["string", "null"]},
            "rejection_reason": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "client_secret": {"type": ["string", "null"],
                              "description": "Only in the answer that created it"},
        },
    },
    "Consent": {"type": "object", "properties": {"mode": {"type": "string"},
                                                 "user_id": {"type": ["integer", "null"]}}},
    "Clock": {"type": "object", "properties": {
        "now": {"type": "number"}, "iso": {"type": "string", "format": "date-time"},
        "frozen": {"type": "boolean"}}},
    "RateLimitRule": {
        "type": "object", "required": ["tracker", "limit", "window", "block"],
        "properties": {"tracker": {"type": "string"}, "limit": {"type": "integer"},
                       "window": {"type": "number"}, "block": {"type": "number"}},
    },
}

_RATE_LIMIT_HEADERS = {
    f"X-RateLimit-{part}-Default": {"description": text, "schema": {"type": "integer"}}
    for part, text in (("Limit", "Requests allowed per window"),
                       ("Remaining", "Requests left in this window (0 while blocked)"),
                       ("Reset", "Seconds until the window or block ends"))
}


# -- building ------------------------------------------------------------------------------

def walk_routes(routes: list[BaseRoute]) -> Iterator[tuple[str, str, Route]]:
    """Every (METHOD, path template, route) the app serves, in routing order; ``HEAD``
    (implied by GET) is omitted, and where two routes share a method and path the first,
    the one the router picks, is the one listed."""
    seen: set[tuple[str, str]] = set()
    for method, template, route in _all_routes(routes, ""):
        key = (method, openapi_path(template))
        if key not in seen:
            seen.add(key)
            yield method, template, route


def _all_routes(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _all_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    yield method, prefix + route.path, route


def openapi_path(template: str) -> str:
    """Starlette's ``{id:int}`` as OpenAPI's ``{id}``."""
    return _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", template)


def _path_parameters(template: str) -> list[dict[str, Any]]:
    return [{"name": m.group(1), "in": "path", "required": True,
             "schema": _PARAM_TYPES.get(m.group(2) or "", {"type": "string"})}
            for m in _CONVERTER.finditer(template)]


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words or 'root'}"


def _operation(method: str, template: str, op: Op | None, route: Route) -> dict[str, Any]:
    path = openapi_path(template)
    # Cal.com's own operationId where the route carries one (the API v2 surface names its
    # routes after them), so a reader can look the operation up in Cal.com's document.
    operation_id = route.name if "Controller_" in route.name else _operation_id(method, path)
    if op is None:
        out: dict[str, Any] = {"summary": f"{method} {path} (undocumented)",
                               "operationId": operation_id,
                               "x-undocumented": True,
                               "responses": {"default": {"description": "Not yet described"}}}
    else:
        responses = op.responses
        if path.startswith("/v2/"):
            responses = {code: {**resp, "headers": _RATE_LIMIT_HEADERS}
                         for code, resp in responses.items()}
        out = {"summary": op.summary, "operationId": operation_id,
               "tags": list(op.tags), "responses": responses, **op.extra}
        if op.description:
            out["description"] = op.description
        if op.request_body is not None:
            out["requestBody"] = op.request_body
        if op.bearer:
            out["security"] = [{"bearer": []}]
    parameters = _path_parameters(template)
    if op is not None:
        parameters += [{"name": name, "in": "query", "required": False, "schema": schema,
                        "description": text} for name, schema, text in op.query]
        parameters += [{"name": name, "in": "header", "required": required, "schema": schema,
                        "description": text} for name, schema, text, required in op.headers]
    if parameters:
        out["parameters"] = parameters
    return out


#: OpenAPI links: which answer names the object another operation takes, so that a stateful
#: fuzzer (Schemathesis' stateful phase) chains real objects instead of guessing ids. Each:
#: (method, path, status) of the producer -> (method, path) of the consumer, and the runtime
#: expression of each of the consumer's path parameters.
_ID = "$response.body#/id"
_V2_ID = "$response.body#/data/id"
_CLIENT = {"client_id": "$response.body#/client_id"}
LINKS: tuple[tuple[tuple[str, str, str], tuple[str, str], dict[str, str]], ...] = (
    (("POST", "/_mock/users", "201"), ("GET", "/_mock/users/{user_id}"), {"user_id": _ID}),
    (("POST", "/_mock/clients", "201"), ("GET", "/_mock/clients/{client_id}"), _CLIENT),
    (("POST", "/_mock/clients", "201"), ("PATCH", "/_mock/clients/{client_id}"), _CLIENT),
    (("POST", "/_mock/clients", "201"), ("POST", "/_mock/clients/{client_id}/secrets"), _CLIENT),
    (("POST", "/_mock/clients/{client_id}/secrets", "201"),
     ("DELETE", "/_mock/clients/{client_id}/secrets/{secret_id}"),
     {**_CLIENT, "secret_id": _ID}),
    (("POST", "/_mock/faults", "201"), ("GET", "/_mock/faults/{fault_id}"), {"fault_id": _ID}),
    (("POST", "/_mock/faults", "201"), ("DELETE", "/_mock/faults/{fault_id}"), {"fault_id": _ID}),
    *((("POST", "/v2/bookings", "201"), (method, f"/v2/bookings/{{bookingUid}}{tail}"),
       {"bookingUid": "$response.body#/data/uid"})
      for method, tail in (("GET", ""), ("POST", "/cancel"), ("POST", "/reschedule"))),
    *((("POST", "/v2/event-types", "201"), (method, "/v2/event-types/{eventTypeId}"),
       {"eventTypeId": _V2_ID}) for method in ("GET", "PATCH", "DELETE")),
    *((("POST", "/v2/schedules", "201"), (method, "/v2/schedules/{scheduleId}"),
       {"scheduleId": _V2_ID}) for method in ("GET", "PATCH", "DELETE")),
)


def _link_name(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", " ", path.replace("/_mock", "").replace("/v2", "")).title()
    return method.title() + words.replace(" ", "")


def _add_links(paths: dict[str, dict[str, Any]]) -> None:
    """:data:`LINKS` into the producers' responses (those served in this document)."""
    for (method, path, status), (to_method, to_path), parameters in LINKS:
        source = paths.get(path, {}).get(method.lower())
        if source is None or to_method.lower() not in paths.get(to_path, {}):
            continue
        # Copies: the responses may be OPERATIONS' own dicts, which stay as declared.
        response = dict(source["responses"][status])
        source["responses"] = {**source["responses"], status: response}
        pointer = to_path.replace("~", "~0").replace("/", "~1")
        response["links"] = links = dict(response.get("links", {}))
        links[_link_name(to_method, to_path)] = {
            "operationRef": f"#/paths/{pointer}/{to_method.lower()}",
            "parameters": dict(parameters)}


def build_document(routes: list[BaseRoute]) -> dict[str, Any]:
    """The document for an app with these routes."""
    paths: dict[str, dict[str, Any]] = {}
    for method, template, route in walk_routes(routes):
        path = openapi_path(template)
        op = OPERATIONS.get((method, path))
        paths.setdefault(path, {})[method.lower()] = _operation(method, template, op, route)
    _add_links(paths)
    tags = sorted({tag for op in OPERATIONS.values() for tag in op.tags})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mock-calcom",
            "version": _version(),
            "description": "A fake of Cal.com's OAuth server and API v2 (app.cal.com and "
            "api.cal.com paths on one server), plus its /_mock control plane.",
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT"}},
        },
    }


def undocumented(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    """(METHOD, path) of every served route with no entry in :data:`OPERATIONS`."""
    return [(m, openapi_path(t)) for m, t, _ in walk_routes(routes)
            if (m, openapi_path(t)) not in OPERATIONS]


def _version() -> str:
    from mock_calcom import __version__

    return __version__


async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(build_document(list(request.app.routes)))

