"""A model of Cal.com for the stateful machine: what it answers, and what a provider must make
of each answer.

The oracle knows no HTTP and no provider. It tracks what Cal.com tracks (client status, the
refresh-token rows per user, one-shot faults) and, per connection, what a *correct* provider
holds (scopes, when its access token expires, which refresh token it has). Given a request the
provider chose to make (a refresh at time t, an API call at time t) it predicts Cal.com's
answer and applies the answer's effects (rotation, consumed faults), in Cal.com's check order:

* authorize (docs/calcom-behaviour.md#authorize-page): client status, then scopes; REJECTED,
  and PENDING for everyone but the owner, are a page; scope errors go back to the client;
* code exchange (#token-errors-and-check-order): fault, the code (10 minutes), client status;
* refresh (OAuthService.refresh): fault, refresh JWT expiry, client status, the row
  (rotation deleted it, or it was revoked), then rotation: every row of the user goes and one
  new one is made (#refresh-rotation);
* API v2 (#scope-enforcement-on-api-v2, #rate-limiting): fault (5xx, a lost answer, or a 429
  with its reset), access-token expiry, scope (the booking writes need none).

Several clients share the Cal.com (each with its own status and refresh-token rows per user);
a connection belongs to one client and one user.

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
    "rate_limited": "RateLimited",
}
#: At the code exchange ``invalid_grant`` is about the code: ``CodeExchangeFailed`` says so,
#: and ``ReauthorizationRequired`` ("connect again") is right too.
EXCHANGE_OUTCOMES: dict[str, frozenset[str]] = {
    "invalid_grant": frozenset({"CodeExchangeFailed", "ReauthorizationRequired"}),
}


def expected_outcome(answer: str) -> str:
    """The outcome a provider must report when Cal.com's last word was ``answer``."""
    return OUTCOME_OF_ANSWER[answer]


def exchange_outcomes(answer: str) -> frozenset[str]:
    """The outcomes ``complete()`` may report when the exchange was answered ``answer``."""
    return EXCHANGE_OUTCOMES.get(answer, frozenset({expected_outcome(answer)}))


@dataclass
class Connection:
    """A connection as a correct provider holds it."""

    handle: str
    user: str
    scopes: frozenset[str]
    access_expires_at: float
    refresh_id: int
    refresh_expires_at: float
    #: Which client the connection was made through (0: the scenario's, 1: a second one).
    client: int = 0
    #: Cal.com said invalid_grant: only a new authorization helps.
    dead: bool = False
    #: The answer of the last refresh, when it failed (and the connection lives on).
    last_failure: str | None = None
    #: Set when the provider keeps one connection per account and a later authorization of
    #: the same user replaced this one's tokens under the same connection id.
    replaced_by: Connection | None = None

    def current(self) -> Connection:
        """The connection that holds this one's id now (itself, unless replaced)."""
        conn = self
        while conn.replaced_by is not None:
            conn = conn.replaced_by
        return conn

    def __repr__(self) -> str:
        return self.handle


@dataclass
class CalcomOracle:
    owner: str
    registered: frozenset[str]
    access_ttl: float
    refresh_ttl: float
    #: Status per client.
    statuses: dict[int, str] = field(default_factory=lambda: {0: "APPROVED", 1: "APPROVED"})
    #: Valid refresh-token rows per (client, user) (ids of the refresh tokens minted).
    rows: dict[tuple[int, str], set[int]] = field(default_factory=dict)
    #: One-shot faults not yet fired, oldest first: ``"server_error"`` or ``"dropped"``; the
    #: API's also ``"rate_limited"``.
    token_faults: list[str] = field(default_factory=list)
    api_faults: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- the control plane -------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The first client's status."""
        return self.statuses[0]

    @status.setter
    def status(self, value: str) -> None:
        self.statuses[0] = value

    def revoke(self, user: str, client: int = 0) -> None:
        self.rows[(client, user)] = set()

    def add_token_fault(self, kind: str) -> None:
        self.token_faults.append(kind)

    def add_api_fault(self, kind: str = "server_error", times: int = 1, *,
                      writes_only: bool = False) -> None:
        """``times`` one-shot API faults of ``kind``; ``writes_only``: they fire on the booking
        writes only (the reads pass them by)."""
        self.api_faults.extend([("write:" if writes_only else "") + kind] * times)

    # -- authorize and exchange ------------------------------------------------------------

    def authorize(self, user: str, scopes: frozenset[str], client: int = 0) -> str:
        """``code``, ``page`` (an error Cal.com shows instead of redirecting), or the error
        the browser is redirected with."""
        status = self.statuses[client]
        # A rejected client is shown on the page, like a pending one to anyone but its owner
        # (docs/calcom-behaviour.md#authorize-page).
        if status == "REJECTED":
            return "page"
        if status == "PENDING" and user != self.owner:
            return "page"
        if not scopes <= self.registered:
            return "invalid_scope"
        return "code"

    def exchange(self, user: str, scopes: frozenset[str], now: float, handle: str,
                 client: int = 0, *, code_expired: bool = False) -> tuple[str, Connection | None]:
        fault = self._take(self.token_faults)
        if fault is not None:
            return fault, None
        # The code is looked up (and found expired) before the client's status
        # (docs/calcom-behaviour.md#token-errors-and-check-order).
        if code_expired:
            return "invalid_grant", None
        status = self._client_check(user, client)
        if status is not None:
            return status, None
        refresh_id = next(self._ids)
        self.rows.setdefault((client, user), set()).add(refresh_id)
        return "ok", Connection(handle, user, scopes, now + self.access_ttl, refresh_id,
                                now + self.refresh_ttl, client)

    # -- refresh -----------------------------------------------------------------------------

    def refresh(self, conn: Connection, now: float) -> str:
        fault = self._take(self.token_faults)
        if fault is not None:
            return fault
        # OAuthService.refresh: the JWT (expiry) first, then client status, then the row.
        if now >= conn.refresh_expires_at:
            conn.dead = True
            return "invalid_grant"
        status = self._client_check(conn.user, conn.client)
        if status is not None:
            return status
        if conn.refresh_id not in self.rows.get((conn.client, conn.user), set()):
            conn.dead = True
            return "invalid_grant"
        refresh_id = next(self._ids)
        self.rows[(conn.client, conn.user)] = {refresh_id}
        conn.refresh_id = refresh_id
        conn.access_expires_at = now + self.access_ttl
        conn.refresh_expires_at = now + self.refresh_ttl
        conn.dead = False
        return "ok"

    def refresh_would_succeed(self, conn: Connection, now: float) -> bool:
        return (not self.token_faults and now < conn.refresh_expires_at
                and self._client_check(conn.user, conn.client) is None
                and conn.refresh_id in self.rows.get((conn.client, conn.user), set()))

    # -- API v2 ------------------------------------------------------------------------------

    def api(self, conn: Connection, endpoint: Endpoint, now: float) -> str:
        fault = None
        if self.api_faults and (endpoint.is_write or not self.api_faults[0].startswith("write:")):
            fault = self.api_faults.pop(0).removeprefix("write:")
        if fault is not None:
            return fault
        if now >= conn.access_expires_at:
            return "expired"
        if endpoint.public:
            return "ok"
        if endpoint.scope is None or endpoint.scope not in conn.scopes:
            return "insufficient_scope"
        return "ok"

    # -- helpers -----------------------------------------------------------------------------

    def _client_check(self, user: str, client: int = 0) -> str | None:
        """``ensureClientAccessAllowed`` (docs/calcom-behaviour.md#client-status)."""
        status = self.statuses[client]
        if status == "REJECTED":
            return "client_rejected"
        if status == "PENDING" and user != self.owner:
            return "client_not_approved"
        return None

    @staticmethod
    def _take(pending: list[str]) -> str | None:
        return pending.pop(0) if pending else None
