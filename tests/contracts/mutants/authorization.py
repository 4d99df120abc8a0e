"""Mutants of the browser leg: the authorize URL and the callback."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

from mock_calcom_contracts import errors
from mock_calcom_contracts.harness import with_query
from mock_calcom_contracts.reference import _Pending, _s256
from tests.contracts.mutants._base import EVERY_OTHER_CLAUSE, Mutant, query_value


class ReusedState(Mutant):
    """Uses one long, random-looking state for every authorization (a per-install constant)."""

    KILLS = "AUTHZ-URL"
    STATE = "Zq3xV9kPm2Lw7RtY4nB8cD1fH6jS0uGa"

    def authorization_url(self, scopes: Sequence[str]) -> str:
        url = super().authorization_url(scopes)
        fresh = query_value(url, "state")
        with self._lock:
            self._pending[self.STATE] = self._pending.pop(fresh or "", _Pending(None))
        return with_query(url, state=self.STATE)


class NoStateCheck(Mutant):
    """Trusts whatever state (or none) the callback brings: no CSRF protection."""

    KILLS = "STATE-CSRF"

    def complete(self, callback_url: str) -> str:
        state = query_value(callback_url, "state") or "unchecked"
        with self._lock:
            if state not in self._pending:
                self._pending[state] = _Pending(None)
        return super().complete(with_query(callback_url, state=state))


class LegacyScopeNames(Mutant):
    """Spells scopes the pre-2026 way (READ_BOOKING, READ_PROFILE) instead of RESOURCE_ACTION.

    Cal.com refuses those for a client registered with RESOURCE_ACTION scopes, so this mutant
    can never connect: every clause that connects fails too.
    """

    KILLS = "AUTHZ-URL"
    COLLATERAL = EVERY_OTHER_CLAUSE

    def authorization_url(self, scopes: Sequence[str]) -> str:
        legacy = []
        for scope in scopes:
            resource, _, action = scope.rpartition("_")
            legacy.append(f"{action}_{resource}")
        return super().authorization_url(legacy)


class PkceWithSecret(Mutant):
    """A confidential client that also does PKCE: code_challenge at authorize, code_verifier
    next to client_secret at the exchange.

    Cal.com's token endpoint forbids that mix (docs/calcom-behaviour.md#pkce-and-state), so the exchange
    always fails and
    every clause that connects fails too.
    """

    KILLS = "AUTHZ-URL"
    COLLATERAL = EVERY_OTHER_CLAUSE

    def authorization_url(self, scopes: Sequence[str]) -> str:
        url = super().authorization_url(scopes)
        state = query_value(url, "state") or ""
        verifier = f"{state}-{state}-verifier"
        with self._lock:
            self._pending[state] = _Pending(verifier)
        return with_query(url, code_challenge=_s256(verifier), code_challenge_method="S256")


class IgnoresDenial(Mutant):
    """Only looks for ``code`` on the callback: a Deny becomes a generic failure, not
    AccessDenied."""

    KILLS = "DENIAL"

    def complete(self, callback_url: str) -> str:
        if parse_qs(urlsplit(callback_url).query).get("error") == ["access_denied"]:
            callback_url = with_query(callback_url, error=None, error_description=None)
        return super().complete(callback_url)


class NoPkceForPublicClient(Mutant):
    """Treats every client as confidential: a PUBLIC client's authorize URL carries no PKCE,
    so Cal.com refuses it (pkce_required)."""

    KILLS = "PUBLIC-CLIENT"

    def authorization_url(self, scopes: Sequence[str]) -> str:
        url = super().authorization_url(scopes)
        with self._lock:
            self._pending[query_value(url, "state") or ""] = _Pending(None)
        return with_query(url, code_challenge=None, code_challenge_method=None)




class ScopeErrorAsDenial(Mutant):
    """Reads a scope error on the callback (``invalid_request``/``invalid_scope``) as the
    user's denial: the integration tells the user they said no, when it asked for too much."""

    KILLS = "SCOPE-REJECTED"

    def complete(self, callback_url: str) -> str:
        if query_value(callback_url, "error") in ("invalid_request", "invalid_scope"):
            callback_url = with_query(callback_url, error="access_denied")
        return super().complete(callback_url)


class RejectedAsNotApproved(Mutant):
    """Reads every ``unauthorized_client`` as "not approved yet", so a REJECTED client is
    reported as waiting for review and the integrator waits for an approval that never comes."""

    KILLS = "REJECTED-CLIENT"

    def complete(self, callback_url: str) -> str:
        try:
            return super().complete(callback_url)
        except errors.ClientRejected as exc:
            raise errors.ClientNotApproved(str(exc)) from exc

    def _fresh_access_token(self, connection_id: str) -> str:
        try:
            return super()._fresh_access_token(connection_id)
        except errors.ClientRejected as exc:
            raise errors.ClientNotApproved(str(exc)) from exc


class PendingLatch(Mutant):
    """Once any user is refused as not approved, refuses every new connection itself (a
    client-wide circuit breaker), locking out the owner, whom Cal.com still lets in.

    Collateral: PENDING-CLIENT connects again after its refused exchange, and the latch
    refuses that connection too (the same bug)."""

    KILLS = "PENDING-OWNER"
    COLLATERAL = frozenset({"PENDING-CLIENT"})
    _latched = False

    def complete(self, callback_url: str) -> str:
        if self._latched:
            raise errors.ClientNotApproved("the client is pending review (remembered)")
        try:
            return super().complete(callback_url)
        except errors.ClientNotApproved:
            self._latched = True
            raise


MUTANTS: tuple[type[Mutant], ...] = (
    ReusedState, NoStateCheck, LegacyScopeNames, PkceWithSecret, IgnoresDenial,
    NoPkceForPublicClient, ScopeErrorAsDenial, RejectedAsNotApproved, PendingLatch,
)
