"""Mutants of the browser leg: the authorize URL and the callback."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

from contracts.harness import with_query
from contracts.reference import _Pending, _s256
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

    Cal.com's token endpoint forbids that mix (FACTS §6), so the exchange always fails and
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


MUTANTS: tuple[type[Mutant], ...] = (ReusedState, NoStateCheck, LegacyScopeNames, PkceWithSecret,
                                     IgnoresDenial, NoPkceForPublicClient)
