"""The control plane's request bodies and queries, each field declared once
(:class:`~mock_calcom.inputs.Field`): the handlers check with these, and
``/_mock/openapi.json`` states them. Settings (:data:`~mock_calcom.settings.SETTINGS_INPUTS`)
and faults (:data:`~mock_calcom.faults.FAULT_INPUTS`) are declared next to their models."""

from __future__ import annotations

from mock_calcom.inputs import MAX_CLOCK, MAX_COUNT, MAX_TTL, Field, Inputs

_STATUSES = ("PENDING", "APPROVED", "REJECTED")
#: Ids a JSON number can carry exactly (JavaScript's safe integers).
_MAX_ID = 2**53 - 1

#: ``POST /_mock/clock/advance``.
CLOCK_ADVANCE = Inputs(
    Field("seconds", "number", "Seconds to move the fake's clock forward (it never goes past "
          "9000-01-01)", required=True, minimum=0, maximum=MAX_CLOCK),
)

#: ``GET /_mock/journal``'s query.
JOURNAL_QUERY = Inputs(
    Field("limit", "integer", "At most this many entries (without after: the newest)",
          minimum=0, maximum=10_000),
    Field("after", "integer", "Cursor: only entries with a greater id, oldest first (pass the "
          "answer's next_after to read on)", minimum=0, maximum=2**63 - 1),
    Field("path", "string", "Path prefix", max_length=2048),
    Field("host", "string", "Host, with or without port", max_length=300),
    Field("method", "string", "HTTP method", max_length=16),
    Field("status", "string", "Status code (404), class (4xx), or none (dropped connections)",
          max_length=4, extra={"pattern": "^([1-5][0-9]{2}|[1-5]xx|none)$"}),
    Field("client", "string", "OAuth client id (bearer claim, client_id, x-cal-client-id)",
          max_length=300),
    Field("user", "integer", "User id of the bearer token", minimum=0, maximum=2**53),
)

#: ``POST /_mock/users``.
CREATE_USER = Inputs(
    Field("username", "string", "Unique username", required=True, max_length=255),
    Field("email", "string", "Email (default: <username>@example.com)", max_length=320),
    Field("name", "string", "Display name", max_length=255),
    Field("time_zone", "string", "IANA time zone (default Europe/London)", max_length=64),
)

_CLIENT_COMMON = (
    Field("redirect_uris", "string_list", "1-10 redirect URIs (https, or http on localhost)",
          max_items=10, max_length=2048),
    Field("scopes", "string_list", "Registered scopes", max_items=64, max_length=64),
    Field("status", "string", "Review status", enum=_STATUSES),
    Field("is_trusted", "boolean", "Trusted clients skip the consent page"),
    Field("logo", "string", "Logo URL", max_length=2048),
)

#: ``POST /_mock/clients``.
CREATE_CLIENT = Inputs(
    Field("name", "string", "Client name", required=True, max_length=255),
    *(Field(f.name, f.kind, f.description, required=f.name == "redirect_uris",
            max_items=f.max_items, max_length=f.max_length, enum=f.enum)
      for f in _CLIENT_COMMON),
    Field("client_type", "string", "CONFIDENTIAL (a secret) or PUBLIC (PKCE)",
          enum=("CONFIDENTIAL", "PUBLIC")),
    Field("owner_user_id", "integer", "Owning user", minimum=0, maximum=_MAX_ID),
)

#: ``PATCH /_mock/clients/{client_id}``.
UPDATE_CLIENT = Inputs(
    Field("name", "string", "Client name", max_length=255),
    *_CLIENT_COMMON,
    Field("rejection_reason", "string", "Why an admin rejected it", max_length=1000),
    Field("as_owner", "boolean", "Apply Cal.com's owner-edit rule (back to PENDING)"),
)

#: ``PUT /_mock/consent``.
CONSENT = Inputs(
    Field("mode", "string", "How the consent page answers", required=True,
          enum=("approve", "deny", "interactive")),
    Field("user_id", "integer", "Who is signed in (default: the first user)", minimum=0,
          maximum=_MAX_ID),
)

#: ``POST /_mock/rate-limits``.
RATE_LIMIT = Inputs(
    Field("token", "string", "The bearer token (or API key) the rule is for", required=True,
          max_length=8192),
    Field("limit", "integer", "Requests per window", required=True, minimum=1, maximum=MAX_COUNT),
    Field("window", "number", "Window, seconds", minimum=0, exclusive_minimum=True,
          maximum=MAX_TTL),
    Field("block", "number", "Block after the limit, seconds", minimum=0,
          exclusive_minimum=True, maximum=MAX_TTL),
)

#: ``POST /_mock/tokens/revoke``.
REVOKE_TOKENS = Inputs(
    Field("client_id", "string", "OAuth client", required=True, max_length=300),
    Field("user_id", "integer", "User (give this or team_id)", minimum=0, maximum=_MAX_ID),
    Field("team_id", "integer", "Team (give this or user_id)", minimum=0, maximum=_MAX_ID),
)

#: ``POST /_mock/tokens/expire``.
EXPIRE_TOKEN = Inputs(
    Field("token", "string", "An access or refresh token this fake minted", required=True,
          max_length=8192),
)
