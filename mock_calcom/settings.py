"""Knobs of one fake. Defaults are Cal.com's; the UNCONFIRMED points of the fact sheet are
options here, defaulting to the fact sheet's recommendation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from mock_calcom.errors import InvalidControlInput
from mock_calcom.inputs import MAX_COUNT, MAX_TTL, Field, Inputs

ScopeErrorCode = Literal["invalid_request", "invalid_scope"]
PaginationField = Literal["both", "returnedItems", "itemsReturned"]
RateLimitResetUnit = Literal["seconds", "timestamp"]
EmptyBody = Literal["undefined", "empty_object"]


@dataclass(frozen=True)
class Settings:
    """Per-fake configuration. Build variants with :meth:`replace`."""

    #: Access-token lifetime; Cal.com mints ``exp = iat + 1800`` (OAuthService.mintTokens).
    access_token_ttl: int = 1800
    #: Refresh-token lifetime; 30 days in code (a 1-year TTL was discussed, UNCONFIRMED).
    refresh_token_ttl: int = 30 * 24 * 60 * 60
    #: Authorization codes expire after 10 minutes (access-code.repository.ts).
    code_ttl: int = 600
    #: At most two active secrets per confidential client (secrets/create/handler.ts).
    max_active_secrets: int = 2
    #: Which RFC code the authorize page puts on a redirected scope error. The service says
    #: ``invalid_scope``, the UI maps tRPC BAD_REQUEST to ``invalid_request`` and the docs'
    #: example shows the latter (UNCONFIRMED which is live).
    authorize_scope_error: ScopeErrorCode = "invalid_request"
    #: Whether the token response carries ``scope``. The docs show it; ``OAuth2TokensDto`` has
    #: only the other four fields and is serialized ``excludeAll`` (oauth2-tokens.output.ts
    #: @02892e6a), so Cal.com's code never sends it. Default: left out.
    token_response_scope: bool = False
    #: ``GET /v2/bookings/{uid}`` has no ``@OAuthPermissions``, so ``OAuthPermissionsGuard``
    #: answers a token with mapped scopes 403 "not available for third-party OAuth tokens"; the
    #: docs list create, cancel and reschedule as scope-free but say nothing of this one
    #: (UNCONFIRMED). ``True`` serves it to every token like the other public booking routes.
    booking_get_open_to_scoped_tokens: bool = False
    #: The client lookup (``GET /v2/auth/oauth2/clients/{id}``) has no ``@OAuthPermissions``
    #: either, so the global guard refuses a token with mapped scopes (inferred from FACTS
    #: §11.9, not seen in a test: UNCONFIRMED). ``True`` serves it to any valid token.
    client_lookup_open_to_scoped_tokens: bool = False
    #: What Cal.com's own input pipes (token endpoint, booking create/cancel/reschedule) see for
    #: a request with no body, or one no body parser reads: ``undefined`` under body-parser 2.x,
    #: answered ``Body is required``; ``{}`` under 1.x, answered by field validation
    #: (``client_id is required``, missing ``start`` ...). UNCONFIRMED which is deployed.
    empty_body: EmptyBody = "undefined"
    #: Serve the G1 web endpoints ``/api/auth/oauth/token`` and ``/refreshToken``.
    legacy_endpoints: bool = True
    #: Requests per window per access token (throttler-guard.ts: 500 per 60 s).
    rate_limit: int = 500
    rate_limit_window: int = 60
    rate_limit_block: int = 60
    #: ``X-RateLimit-Reset-*`` as seconds to wait (code reading) or a unix timestamp
    #: (a third-party summary's claim). UNCONFIRMED; seconds recommended.
    rate_limit_reset_unit: RateLimitResetUnit = "seconds"
    #: Throttle API v2 at all (turn off for load loops that outrun 500 requests per minute).
    rate_limit_enabled: bool = True
    #: Cal.com also counts requests without a bearer, by ``x-cal-client-id`` (500) or by IP
    #: (``rate_limit_ip``). Off by default: in-process tests fire many unauthenticated token
    #: requests from one address inside one frozen minute, a load no real integration produces.
    rate_limit_unauthenticated: bool = False
    #: Limits of the other trackers (throttler-guard.ts: IP 120, API key 120 per minute).
    rate_limit_ip: int = 120
    rate_limit_api_key: int = 120
    #: The pagination object's count field: spec ``returnedItems``, code ``itemsReturned``.
    pagination_field: PaginationField = "both"
    #: The 401 message for an invalid or expired bearer where ``ApiAuthGuard`` decides. Code
    #: reading (api-auth.strategy.ts @5b6d63e6, oauth-flow.service.ts) gives the platform
    #: lookup's ``INVALID_ACCESS_TOKEN``; the fact sheet only says it starts with
    #: "ApiAuthStrategy - " (UNCONFIRMED).
    api_invalid_token_message: str = "Invalid Access Token."
    #: What a third-party token with mapped scopes gets from a 2024-04-15 legacy handler (a
    #: request without ``cal-api-version``): the global OAuthPermissionsGuard's 403
    #: ``insufficient_scope: this endpoint is not available for third-party OAuth tokens``
    #: (default, the stricter reading), or, when true, the legacy body as API keys and legacy
    #: tokens get it (UNCONFIRMED which is live, FACTS §11.1).
    legacy_serve_scoped_tokens: bool = False
    #: Seed of the fake's randomness; ``None`` draws one (and exposes it for replay).
    seed: int | None = None
    #: How many journal entries to keep (oldest dropped first).
    journal_limit: int = 10_000
    #: The journal's byte budget: oldest entries go first beyond it (bodies are cut to 16 KiB
    #: each, so an entry costs at most ~35 KiB plus its headers).
    journal_max_bytes: int = 32 * 1024 * 1024
    #: Refresh-token rows kept per client and user (a client's team grants count together);
    #: the oldest is deleted beyond it, so its refresh token then answers ``invalid_grant``/
    #: ``refresh_token_revoked``. Cal.com keeps every row until it expires (30 days), and a
    #: code exchange never deletes one (only a refresh does): a loop of authorizations that
    #: never refreshes would grow the fake's memory for a month. A bound of the fake, not of
    #: Cal.com; raise it for a test that holds more parallel authorizations of one user.
    max_refresh_tokens_per_user: int = 1000
    #: Authorization codes kept waiting for their exchange, all clients together; beyond it
    #: the oldest is deleted (its exchange then answers like an unknown code). Cal.com has
    #: no such bound, but its codes expire after 10 minutes of real time; on a frozen fake
    #: clock a loop of authorizations would keep every code forever.
    max_pending_codes: int = 10_000

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; unknown names, wrong types and values out of range are
        refused (see :data:`SETTINGS_INPUTS`), not ignored."""
        names = {f.name for f in dataclasses.fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise InvalidControlInput(f"unknown setting {key!r}")
            _check_setting(key, value)
        updated = dataclasses.replace(self, **changes)
        updated.validate()
        return updated

    def validate(self) -> None:
        """Every setting within its declared range (:data:`SETTINGS_INPUTS`)."""
        for name in _FIELDS:
            value = getattr(self, name)
            if value is None and name != "seed":
                raise InvalidControlInput(f"setting {name!r} must not be null")
            _check_setting(name, value)


def _check_setting(name: str, value: Any) -> None:
    spec = _FIELDS[name]
    if not spec.type_fits(value):
        raise InvalidControlInput(f"setting {name!r} has the wrong type")
    try:
        spec.check(value)
    except InvalidControlInput as exc:
        if spec.minimum == 1 and spec.maximum is not None:
            raise InvalidControlInput(
                f"setting {name!r} must be positive and at most {spec.maximum}") from None
        raise InvalidControlInput(f"setting {exc}") from None


def _ttl(name: str, meaning: str) -> Field:
    return Field(name, "integer", meaning, minimum=1, maximum=MAX_TTL)


def _count(name: str, meaning: str, maximum: int = MAX_COUNT) -> Field:
    return Field(name, "integer", meaning, minimum=1, maximum=maximum)


#: Every setting, declared once: what ``PATCH /_mock/settings`` and :meth:`Settings.replace`
#: accept, and what ``/_mock/openapi.json`` says about them.
SETTINGS_INPUTS = Inputs(
    _ttl("access_token_ttl", "Access-token lifetime, seconds"),
    _ttl("refresh_token_ttl", "Refresh-token lifetime, seconds"),
    _ttl("code_ttl", "Authorization-code lifetime, seconds"),
    _count("max_active_secrets", "Active secrets a confidential client may have", 100),
    Field("authorize_scope_error", "string", "RFC code of a redirected scope error",
          enum=("invalid_request", "invalid_scope")),
    Field("token_response_scope", "boolean", "Whether the token response carries scope"),
    Field("legacy_endpoints", "boolean", "Serve the G1 web token endpoints"),
    _count("rate_limit", "Requests per window per access token"),
    _ttl("rate_limit_window", "Rate-limit window, seconds"),
    _ttl("rate_limit_block", "How long a throttled tracker stays blocked, seconds"),
    Field("rate_limit_reset_unit", "string", "X-RateLimit-Reset-* as seconds or a timestamp",
          enum=("seconds", "timestamp")),
    Field("rate_limit_enabled", "boolean", "Throttle API v2 at all"),
    Field("rate_limit_unauthenticated", "boolean", "Also count requests without a bearer"),
    _count("rate_limit_ip", "Requests per window per IP address"),
    _count("rate_limit_api_key", "Requests per window per API key"),
    Field("pagination_field", "string", "The pagination object's count field",
          enum=("both", "returnedItems", "itemsReturned")),
    Field("api_invalid_token_message", "string", "401 message for an invalid bearer",
          max_length=1000),
    Field("legacy_serve_scoped_tokens", "boolean", "Whether a 2024-04-15 legacy handler "
          "serves third-party tokens with mapped scopes (else 403 insufficient_scope)"),
    Field("booking_get_open_to_scoped_tokens", "boolean", "Whether GET /v2/bookings/{uid} "
          "serves third-party tokens with mapped scopes (else 403 insufficient_scope)"),
    Field("client_lookup_open_to_scoped_tokens", "boolean", "Whether the OAuth client lookup "
          "serves third-party tokens with mapped scopes (else 403 insufficient_scope)"),
    Field("empty_body", "string", "What Cal.com's input pipes see for a request without a parsed "
          "body: undefined (body-parser 2.x) or {} (1.x)", enum=("undefined", "empty_object")),
    Field("seed", "integer", "Seed of the fake's randomness (applies at the next reset)",
          minimum=-(2**63), maximum=2**64 - 1, nullable=True),
    _count("journal_limit", "Journal entries kept (oldest dropped first)", 1_000_000),
    Field("journal_max_bytes", "integer", "Bytes the journal may hold (oldest dropped first)",
          minimum=1024 * 1024, maximum=1024 * 1024 * 1024),
    _count("max_refresh_tokens_per_user", "Refresh tokens kept per client and user (the oldest "
           "is revoked beyond it; Cal.com keeps every one until it expires)", 1_000_000),
    _count("max_pending_codes", "Authorization codes kept waiting for their exchange (the "
           "oldest is deleted beyond it; Cal.com keeps every one until it expires)", 1_000_000),
)

def _declared_or_default() -> dict[str, Field]:
    """The declarations above, plus one derived from the default's type for a setting added
    without one (bounded all the same: an integer gets 0..MAX_COUNT)."""
    declared = {f.name: f for f in SETTINGS_INPUTS.fields}
    for spec in dataclasses.fields(Settings):
        if spec.name in declared:
            continue
        default = spec.default
        kind: Any = ("boolean" if isinstance(default, bool) else "integer"
                     if isinstance(default, int) else "number" if isinstance(default, float)
                     else "string")
        numeric = kind in ("integer", "number")
        declared[spec.name] = Field(spec.name, kind, spec.name.replace("_", " "),
                                    minimum=0 if numeric else None,
                                    maximum=MAX_COUNT if numeric else None)
    return declared


_FIELDS = _declared_or_default()
SETTINGS_INPUTS = Inputs(*_FIELDS.values())


