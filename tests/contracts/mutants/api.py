"""Mutants of the API leg: headers, retries, and what an error answer becomes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from mock_calcom_contracts.provider import ApiResponse, ProviderEnvironment
from mock_calcom_contracts.reference import ReferenceProvider, _Connection
from tests.contracts.mutants._base import Mutant, add_hook

#: Loop bound of the unbounded-retry mutant (the harness stops a runaway call sooner).
HARD_CAP = 200


class Unbounded429(Mutant):
    """Retries a 429 until it goes away (waiting for the reset each time, but never giving up)."""

    KILLS = "RATE-LIMIT"

    def _send(self, method: str, path: str, token: str, params: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        response = super()._send(method, path, token, params, json)
        for attempt in range(1, HARD_CAP):
            if response.status_code != 429:
                break
            self._env.sleep(self._backoff(response, attempt))
            response = super()._send(method, path, token, params, json)
        return response


class IgnoresRateLimitReset(Mutant):
    """Retries a 429 after one second, whatever X-RateLimit-Reset-Default says."""

    KILLS = "RATE-LIMIT"

    def _backoff(self, response: httpx.Response, attempt: int) -> float:
        return 1.0


class TokenInQuery(Mutant):
    """Also puts the access token into the query string (``?access_token=``)."""

    KILLS = "HYGIENE-TOKEN"
    #: A token in the query is also a token value where it must not travel.
    COLLATERAL = frozenset({"SECRET-BY-VALUE"})

    def _send(self, method: str, path: str, token: str, params: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        return super()._send(method, path, token, {**(params or {}), "access_token": token}, json)


class WrongApiVersion(Mutant):
    """Sends the bookings version (2024-08-13) to the schedules endpoints too.

    Cal.com then falls back to 2024-04-15 and answers 404 (docs/calcom-behaviour.md#api-versions), so a
    clause that reads
    schedules and expects a 200 fails with it.
    """

    KILLS = "API-VERSION"
    #: IDENTITY reads the default schedule too.
    COLLATERAL = frozenset({"EXPIRY-REFRESH", "IDENTITY"})

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        add_hook(self._http, "request", _bookings_version_for_schedules)


def _bookings_version_for_schedules(request: httpx.Request) -> None:
    if request.url.path.startswith("/v2/schedules"):
        request.headers["cal-api-version"] = "2024-08-13"


class SwallowsInsufficientScope(Mutant):
    """Hands a 403 insufficient_scope back as an ordinary response instead of raising
    InsufficientScope."""

    KILLS = "INSUFFICIENT-SCOPE"

    @staticmethod
    def _interpret(response: httpx.Response) -> ApiResponse:
        if response.status_code == 403:
            return ApiResponse(403, dict(response.headers), response.json())
        return ReferenceProvider._interpret(response)


class SecretToApi(Mutant):
    """Sends the client secret along with every API call, as if it were an API key header."""

    KILLS = "HYGIENE-SECRET"
    #: The secret in an API header is also a secret value where it must not travel.
    COLLATERAL = frozenset({"SECRET-BY-VALUE"})

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        add_hook(self._http, "request", self._leak_secret)

    def _leak_secret(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/v2/") and not request.url.path.startswith("/v2/auth/") \
                and self._env.client_secret is not None:
            request.headers["X-Client-Secret"] = self._env.client_secret


class SecretInPlatformHeader(Mutant):
    """Also sends the client credentials as Platform's ``x-cal-client-id`` and
    ``x-cal-secret-key`` headers on token requests (Platform's docs show them; OAuth ignores
    them). Cal.com answers as usual, so only the secret's whereabouts give it away."""

    KILLS = "SECRET-BY-VALUE"

    def __init__(self, env: ProviderEnvironment) -> None:
        super().__init__(env)
        add_hook(self._http, "request", self._platform_headers)

    def _platform_headers(self, request: httpx.Request) -> None:
        if str(request.url) == self._env.token_url and self._env.client_secret is not None:
            request.headers["x-cal-client-id"] = self._env.client_id
            request.headers["x-cal-secret-key"] = self._env.client_secret


class CodeInHeader(Mutant):
    """Echoes the authorization code in an ``X-Calcom-Code`` header of the exchange (a
    debugging aid left in): a value the journal cannot recognise by its looks."""

    KILLS = "SECRET-BY-VALUE"

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        code = fields.get("code")
        if code is None:
            return super()._token_request(fields)
        self._http.headers["X-Calcom-Code"] = code
        try:
            return super()._token_request(fields)
        finally:
            del self._http.headers["X-Calcom-Code"]


MUTANTS: tuple[type[Mutant], ...] = (Unbounded429, IgnoresRateLimitReset, TokenInQuery,
                                     WrongApiVersion, SwallowsInsufficientScope, SecretToApi,
                                     SecretInPlatformHeader, CodeInHeader)
