"""Knobs of one fake. Defaults are Cal.com's; the UNCONFIRMED points of the fact sheet are
options here, defaulting to the fact sheet's recommendation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from mock_calcom.errors import InvalidControlInput

ScopeErrorCode = Literal["invalid_request", "invalid_scope"]
PaginationField = Literal["both", "returnedItems", "itemsReturned"]
RateLimitResetUnit = Literal["seconds", "timestamp"]


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
    #: Whether the token response carries ``scope`` (docs say yes, the DTO omits it; UNCONFIRMED).
    token_response_scope: bool = True
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

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; unknown names or wrong types are refused, not ignored."""
        names = {f.name: f for f in dataclasses.fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise InvalidControlInput(f"unknown setting {key!r}")
            if not _type_fits(getattr(self, key), value, nullable=key == "seed"):
                raise InvalidControlInput(f"setting {key!r} has the wrong type")
        updated = dataclasses.replace(self, **changes)
        updated.validate()
        return updated

    def validate(self) -> None:
        for name in ("access_token_ttl", "refresh_token_ttl", "code_ttl", "rate_limit",
                     "rate_limit_window", "rate_limit_block", "max_active_secrets",
                     "rate_limit_ip", "rate_limit_api_key",
                     "journal_limit"):
            if getattr(self, name) <= 0:
                raise InvalidControlInput(f"setting {name!r} must be positive")
        if self.authorize_scope_error not in ("invalid_request", "invalid_scope"):
            raise InvalidControlInput("authorize_scope_error must be invalid_request or invalid_scope")
        if self.pagination_field not in ("both", "returnedItems", "itemsReturned"):
            raise InvalidControlInput("pagination_field must be both, returnedItems or itemsReturned")
        if self.rate_limit_reset_unit not in ("seconds", "timestamp"):
            raise InvalidControlInput("rate_limit_reset_unit must be seconds or timestamp")


def _type_fits(current: object, value: object, *, nullable: bool) -> bool:
    if value is None:
        return nullable
    if isinstance(current, bool) or isinstance(value, bool):
        return isinstance(current, bool) and isinstance(value, bool)
    if current is None:
        return isinstance(value, int)
    return isinstance(value, type(current))
