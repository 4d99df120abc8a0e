"""Mutants of the token leg: what is sent to the token endpoint, when, and what is kept."""

from __future__ import annotations

import base64
import contextlib
import threading
from collections.abc import Mapping, Sequence
from typing import cast

import httpx

from mock_calcom_contracts.errors import ClientNotApproved, ReauthorizationRequired, UpstreamError
from mock_calcom_contracts.provider import ApiResponse, ProviderEnvironment
from mock_calcom_contracts.reference import _Connection
from tests.contracts.mutants._base import NEEDS_REFRESH, Mutant, add_hook

#: Loop bound of the "retries forever" mutants: far beyond any sane retry policy (the harness
#: stops a runaway call sooner), but finite so that a bug in the harness cannot hang the tests.
HARD_CAP = 50


class ExtraScopeOnRefresh(Mutant):
    """Sends ``scope`` with every refresh (what Authlib and oauthlib do by default).

    Cal.com answers 400 (forbidNonWhitelisted), so no refresh ever works: every clause that needs
    a refresh fails too.
    """

    KILLS = "EXCHANGE-FIELDS"
    COLLATERAL = NEEDS_REFRESH

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        self._scope = ""

    def authorization_url(self, scopes: Sequence[str]) -> str:
        self._scope = " ".join(scopes)
        return super().authorization_url(scopes)

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        if fields.get("grant_type") == "refresh_token":
            fields = {**fields, "scope": self._scope}
        return super()._token_request(fields)


class SecretViaBasicToo(Mutant):
    """Sends the client credentials as HTTP Basic on token requests, as well as in the body.

    Cal.com ignores the header (it reads the body), so everything works; the secret in a header
    breaks the token-request rule and the secret-placement rule alike.
    """

    KILLS = "EXCHANGE-FIELDS"
    COLLATERAL = frozenset({"HYGIENE-SECRET", "SECRET-BY-VALUE"})

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        add_hook(self._http, "request", self._basic_auth)

    def _basic_auth(self, request: httpx.Request) -> None:
        if str(request.url) == self._env.token_url and self._env.client_secret is not None:
            pair = f"{self._env.client_id}:{self._env.client_secret}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()


class NeverRefreshes(Mutant):
    """Uses the first access token forever.

    Every clause that needs a refresh fails with it.
    """

    KILLS = "EXPIRY-REFRESH"
    COLLATERAL = NEEDS_REFRESH

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            raise ReauthorizationRequired("no such connection")
        return connection.access_token


class RefreshesEveryCall(Mutant):
    """Refreshes before every API call, however fresh the token.

    N concurrent calls then make N refreshes (one after the other, under the lock), so the
    single-refresh rule of CONCURRENT-REFRESH is broken by the same bug.
    """

    KILLS = "EXCHANGE-EXPIRY"
    COLLATERAL = frozenset({"CONCURRENT-REFRESH"})

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is not None:
            with connection.lock:
                connection.expires_at = float("-inf")
        return super()._fresh_access_token(connection_id)


class NoSingleflight(Mutant):
    """Refreshes without the per-connection lock: concurrent calls race the rotating refresh
    token."""

    KILLS = "CONCURRENT-REFRESH"

    def complete(self, callback_url: str) -> str:
        connection_id = super().complete(callback_url)
        with self._lock:
            self._connections[connection_id].lock = cast(threading.Lock, contextlib.nullcontext())
        return connection_id


class KeepsOldRefreshToken(Mutant):
    """Ignores the rotated refresh token and refreshes with the first one again."""

    KILLS = "ROTATION"
    #: IDENTITY and REFRESH-5XX refresh the same connection more than once, too.
    COLLATERAL = frozenset({"IDENTITY", "REFRESH-5XX"})

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        connection = super()._token_request(fields)
        if fields.get("grant_type") == "refresh_token":
            connection.refresh_token = fields["refresh_token"]
        return connection


class RetriesInvalidGrant(Mutant):
    """Retries a refresh that Cal.com answered ``invalid_grant``, in a loop."""

    KILLS = "REFRESH-INVALID-GRANT"

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        if fields.get("grant_type") != "refresh_token":
            return super()._token_request(fields)
        for _ in range(HARD_CAP):
            try:
                return super()._token_request(fields)
            except ReauthorizationRequired:
                continue
        raise ReauthorizationRequired(f"gave up after {HARD_CAP} refreshes")


class RetriesPendingClient(Mutant):
    """Waits a minute and tries again while Cal.com says the client is not approved.

    Collateral: PENDING-OWNER starts with another user's refused exchange, which this mutant
    retries in a loop too (the same bug)."""

    KILLS = "PENDING-CLIENT"
    COLLATERAL = frozenset({"PENDING-OWNER"})

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        for _ in range(HARD_CAP):
            try:
                return super()._token_request(fields)
            except ClientNotApproved:
                self._env.sleep(60.0)
        raise ClientNotApproved(f"still not approved after {HARD_CAP} tries")


class MissingExpiresInMeansNever(Mutant):
    """Takes a token response without ``expires_in`` as a token that never expires."""

    KILLS = "EXPIRES-IN-MISSING"

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        self._seen = threading.local()
        add_hook(self._http, "response", self._note_lifetime)

    def _note_lifetime(self, response: httpx.Response) -> None:
        if str(response.request.url) == self._env.token_url:
            response.read()
            try:
                body = response.json()
            except ValueError:
                body = None
            self._seen.has_expires_in = isinstance(body, dict) and "expires_in" in body

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        self._seen.has_expires_in = True
        connection = super()._token_request(fields)
        if not self._seen.has_expires_in:
            connection.expires_at = float("inf")
        return connection


class DropsTokensOn5xx(Mutant):
    """Forgets the connection when a refresh fails with a 5xx or a dropped connection."""

    KILLS = "REFRESH-5XX"

    def _fresh_access_token(self, connection_id: str) -> str:
        try:
            return super()._fresh_access_token(connection_id)
        except UpstreamError:
            with self._lock:
                self._connections.pop(connection_id, None)
            raise


class RetriesRefreshWhile5xx(Mutant):
    """Retries a refresh that failed with a 5xx or a dropped connection until it works (up to
    a large cap): a retry loop against a failing token endpoint."""

    KILLS = "REFRESH-5XX"

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        if fields.get("grant_type") != "refresh_token":
            return super()._token_request(fields)
        for _ in range(HARD_CAP):
            try:
                return super()._token_request(fields)
            except UpstreamError:
                continue
        return super()._token_request(fields)


class RefreshesOnlyAfter401(Mutant):
    """Ignores the expiry it was told and refreshes only when a call answers 401, then
    retries: fine on /v2/me, but /v2/bookings answers an expired token with 403 (issue
    #24840), so the expired token is sent and the call fails.

    Collateral: EXPIRES-IN-MISSING also calls /v2/bookings first after expiry (the same bug)."""

    KILLS = "EXPIRY-BOOKINGS-403"
    COLLATERAL = frozenset({"EXPIRES-IN-MISSING"})

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        self._retrying = threading.local()

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: object = None) -> ApiResponse:
        response = super().request(connection, method, path, params, json)
        if response.status != 401:
            return response
        self._retrying.on = True
        try:
            return super().request(connection, method, path, params, json)
        finally:
            self._retrying.on = False

    def _fresh_access_token(self, connection_id: str) -> str:
        if getattr(self._retrying, "on", False):
            return super()._fresh_access_token(connection_id)
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            return super()._fresh_access_token(connection_id)
        return connection.access_token


MUTANTS: tuple[type[Mutant], ...] = (
    ExtraScopeOnRefresh, SecretViaBasicToo, NeverRefreshes, RefreshesEveryCall, NoSingleflight,
    KeepsOldRefreshToken, RetriesInvalidGrant, RetriesPendingClient, MissingExpiresInMeansNever,
    RetriesRefreshWhile5xx,
    DropsTokensOn5xx, RefreshesOnlyAfter401,
)
