"""A model of Cal.com for the stateful machine: what it answers, and what a provider must make
of each answer.

The oracle knows no HTTP and no provider. It tracks what Cal.com tracks (client status, the
refresh-token rows per user, one-shot faults) and, per connection, what a *correct* provider
holds (scopes, when its access token expires, which refresh token it has). Given a request the
provider chose to make (a refresh at time t, an API call at time t) it predicts Cal.com's
answer and applies the answer's effects (rotation, consumed faults), in Cal.com's check order:

* authorize (docs/calcom-behaviour.md#authorize-page): client status, then scopes; REJECTED,
  and PENDING for everyone but the owner, are a page; scope errors go back to the client;
* code exchange (#token-errors-and-check-order): fault, client status;
* refresh (OAuthService.refresh): fault, refresh JWT expiry, client status, the row
  (rotation deleted it, or it was revoked), then rotation: every row of the user goes and one
  new one is made (#refresh-rotation);
* API v2 (#scope-enforcement-on-api-v2, #api-v2-authentication): fault, access-token expiry, scope.

:func:`expected_outcome` maps an answer to the outcome the provider must report.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from mock_calcom_contracts.endpoints import Endpoint

#: Answers, as kinds. Token endpoint: ``ok``, ``server_error``, ``dropped``, ``invalid_grant``,
#: ``client_rejected``, ``client_not_approved``. API: ``ok``, ``server_error``, ``expired``,
#: ``insufficient_scope``. Authorize: ``code``, ``page``, ``invalid_scope``.
OUTCOME_OF_ANSWER: dict[str, str] = {
    "ok": "ok",
    "server_error": "UpstreamError",
    "dropped": "UpstreamError",
    "invalid_grant": "ReauthorizationRequired",
    "client_rejected": "ClientRejected",
    "client_not_approved": "ClientNotApproved",
    "insufficient_scope": "InsufficientScope",
    "invalid_scope": "InvalidScope",
    "access_denied": "AccessDenied",
}


def expected_outcome(answer: str) -> str:
    """The outcome a provider must report when Cal.com's last word was ``answer``."""
    return OUTCOME_OF_ANSWER[answer]


@dataclass
class Connection:
    """A connection as a correct provider holds it."""

    handle: str
    user: str
    scopes: frozenset[str]
    access_expires_at: float
    refresh_id: int
    refresh_expires_at: float
    #: Cal.com said invalid_grant: only a new authorization helps.
    dead: bool = False
    #: The answer of the last refresh, when it failed (and the connection lives on).
    last_failure: str | None = None

    def __repr__(self) -> str:
        return self.handle


@dataclass
class CalcomOracle:
    owner: str
    registered: frozenset[str]
    access_ttl: float
    refresh_ttl: float
    status: str = "APPROVED"
    #: Valid refresh-token rows per user (ids of the refresh tokens minted).
    rows: dict[str, set[int]] = field(default_factory=dict)
    #: One-shot faults not yet fired, oldest first: ``"server_error"`` or ``"dropped"``.
    token_faults: list[str] = field(default_factory=list)
    api_faults: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- the control plane -------------------------------------------------------------------

    def revoke(self, user: str) -> None:
        self.rows[user] = set()

    def add_token_fault(self, kind: str) -> None:
        self.token_faults.append(kind)

    def add_api_fault(self) -> None:
        self.api_faults.append("server_error")

    # -- authorize and exchange ------------------------------------------------------------

    def authorize(self, user: str, scopes: frozenset[str]) -> str:
        """``code``, ``page`` (an error Cal.com shows instead of redirecting), or the error
        the browser is redirected with."""
        # A rejected client is shown on the page, like a pending one to anyone but its owner
        # (docs/calcom-behaviour.md#authorize-page).
        if self.status == "REJECTED":
            return "page"
        if self.status == "PENDING" and user != self.owner:
            return "page"
        if not scopes <= self.registered:
            return "invalid_scope"
        return "code"

    def exchange(self, user: str, scopes: frozenset[str], now: float,
                 handle: str) -> tuple[str, Connection | None]:
        fault = self._take(self.token_faults)
        if fault is not None:
            return fault, None
        status = self._client_check(user)
        if status is not None:
            return status, None
        refresh_id = next(self._ids)
        self.rows.setdefault(user, set()).add(refresh_id)
        return "ok", Connection(handle, user, scopes, now + self.access_ttl, refresh_id,
                                now + self.refresh_ttl)

    # -- refresh -----------------------------------------------------------------------------

    def refresh(self, conn: Connection, now: float) -> str:
        fault = self._take(self.token_faults)
        if fault is not None:
            return fault
        # OAuthService.refresh: the JWT (expiry) first, then client status, then the row.
        if now >= conn.refresh_expires_at:
            conn.dead = True
            return "invalid_grant"
        status = self._client_check(conn.user)
        if status is not None:
            return status
        if conn.refresh_id not in self.rows.get(conn.user, set()):
            conn.dead = True
            return "invalid_grant"
        refresh_id = next(self._ids)
        self.rows[conn.user] = {refresh_id}
        conn.refresh_id = refresh_id
        conn.access_expires_at = now + self.access_ttl
        conn.refresh_expires_at = now + self.refresh_ttl
        conn.dead = False
        return "ok"

    def refresh_would_succeed(self, conn: Connection, now: float) -> bool:
        return (not self.token_faults and now < conn.refresh_expires_at
                and self._client_check(conn.user) is None
                and conn.refresh_id in self.rows.get(conn.user, set()))

    # -- API v2 ------------------------------------------------------------------------------

    def api(self, conn: Connection, endpoint: Endpoint, now: float) -> str:
        fault = self._take(self.api_faults)
        if fault is not None:
            return fault
        if now >= conn.access_expires_at:
            return "expired"
        if endpoint.scope is None or endpoint.scope not in conn.scopes:
            return "insufficient_scope"
        return "ok"

    # -- helpers -----------------------------------------------------------------------------

    def _client_check(self, user: str) -> str | None:
        """``ensureClientAccessAllowed`` (docs/calcom-behaviour.md#client-status)."""
        if self.status == "REJECTED":
            return "client_rejected"
        if self.status == "PENDING" and user != self.owner:
            return "client_not_approved"
        return None

    @staticmethod
    def _take(pending: list[str]) -> str | None:
        return pending.pop(0) if pending else None
