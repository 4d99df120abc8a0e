"""Small deliberately broken providers for the runner's own tests (the full mutant set lives
in tests/contracts/mutants/). Each breaks one rule of the reference."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from mock_calcom_contracts.errors import UpstreamError
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment
from mock_calcom_contracts.reference import ReferenceProvider, _Connection


class _NoStateCheck(ReferenceProvider):
    """Accepts any callback: swaps the callback's state for one it issued."""

    def complete(self, callback_url: str) -> str:
        from urllib.parse import parse_qs, urlencode, urlsplit

        with self._lock:
            issued = next(iter(self._pending), None)
        if issued is None:
            return super().complete(callback_url)
        query = parse_qs(urlsplit(callback_url).query)
        query["state"] = [issued]
        return super().complete(callback_url.split("?")[0] + "?" + urlencode(query, doseq=True))


class _Looping(ReferenceProvider):
    """Retries invalid_grant forever."""

    _last: _Connection

    def _fresh_access_token(self, connection_id: str) -> str:
        from mock_calcom_contracts.errors import ReauthorizationRequired

        while True:
            try:
                return super()._fresh_access_token(connection_id)
            except ReauthorizationRequired:
                with self._lock:
                    self._connections.setdefault(connection_id, self._last)

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        connection = super()._token_request(fields)
        self._last = connection
        return connection


def no_state_check(env: ProviderEnvironment) -> Provider:
    return _NoStateCheck(env)


def looping(env: ProviderEnvironment) -> Provider:
    return _Looping(env)


def broken_factory(env: ProviderEnvironment) -> Provider:
    raise RuntimeError("cannot build the provider")


class KilledMutant(_NoStateCheck):
    """A mutant class (its constructor is a factory) naming the clause it breaks."""

    KILLS = "STATE-CSRF"


class SurvivingMutant(ReferenceProvider):
    """Claims to break STATE-CSRF but is the reference: it survives."""

    KILLS = "STATE-CSRF"


KILLED = (KilledMutant,)
WITH_SURVIVOR = (KilledMutant, SurvivingMutant)
NO_MUTANTS: tuple[type[ReferenceProvider], ...] = ()


class _ConfidentialOnly(ReferenceProvider):
    """A correct server-side integration that never runs a PUBLIC client."""

    supports_public_clients = False


def confidential_only(env: ProviderEnvironment) -> Provider:
    return _ConfidentialOnly(env)


# -- correct providers of other designs: each must pass every clause -----------------------

class RetriesOnce(ReferenceProvider):
    """Correct, and more patient than the reference: a refresh that failed with a 5xx or a
    dropped connection is retried once, and so is a GET (idempotent, RFC 9110 §9.2.2); a
    write never is."""

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        if fields.get("grant_type") != "refresh_token":
            return super()._token_request(fields)
        try:
            return super()._token_request(fields)
        except UpstreamError:
            return super()._token_request(fields)

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        try:
            return super().request(connection, method, path, params, json)
        except UpstreamError:
            if method != "GET":
                raise
            return super().request(connection, method, path, params, json)


class OnePerAccount(ReferenceProvider):
    """Correct, keeping one connection per Cal.com account: connecting an account again
    returns the id it already has, which now holds the new tokens. The account is the access
    token's ``userId`` claim (FACTS §3; read without verifying: it came straight from Cal.com
    over TLS)."""

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        self._by_account: dict[int, str] = {}

    def complete(self, callback_url: str) -> str:
        fresh = super().complete(callback_url)
        with self._lock:
            connection = self._connections[fresh]
            account = _user_id(connection.access_token)
            known = self._by_account.setdefault(account, fresh)
            if known != fresh:
                self._connections[known] = self._connections.pop(fresh)
        return known


def _user_id(access_token: str) -> int:
    payload = access_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return int(claims["userId"])


def retries_once(env: ProviderEnvironment) -> Provider:
    return RetriesOnce(env)


def one_per_account(env: ProviderEnvironment) -> Provider:
    return OnePerAccount(env)
