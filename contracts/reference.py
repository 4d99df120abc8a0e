"""The reference provider: Cal.com OAuth done right, on httpx, in one readable file.

It passes every contract clause and is meant to be read (and copied) by integrators. Each rule
it follows names the clause that checks it and the Cal.com fact behind it:

* ``authorization_url``: the exact registered ``redirect_uri``, ``RESOURCE_ACTION`` scopes
  separated by spaces, and a fresh unguessable ``state`` remembered for one use (AUTHZ-URL,
  STATE-CSRF; RFC 6749 §10.12). A confidential client sends no PKCE: Cal.com's token endpoint
  forbids ``code_verifier`` next to ``client_secret`` (FACTS §1.2, §6).
* ``complete``: the ``state`` is checked before anything else, so a forged callback never
  reaches the token endpoint; authorize errors become outcomes (DENIAL, SCOPE-REJECTED,
  REJECTED-CLIENT).
* token requests carry exactly Cal.com's whitelist, the secret only in the body (FACTS §1.2:
  ``forbidNonWhitelisted``; issue #24964: no HTTP Basic).
* expiry is computed from ``expires_in`` on the fake's clock, with a safety margin, and a
  *finite* default when ``expires_in`` is missing (issue #24840: apps that took "missing" as
  "never" kept sending dead tokens and got 403s).
* tokens are refreshed *before* use. Waiting for a 401 is not enough: ``/v2/bookings`` answers
  an expired token with 403 (FACTS §7.4, issue #24840).
* one refresh at a time per connection (a lock), because Cal.com rotates the refresh token and
  revokes every other one of the user (FACTS §3): two racing refreshes kill the connection.
* the rotated refresh token is kept; ``invalid_grant`` means reconnect, never retry; a 5xx on
  refresh keeps the old tokens (ROTATION, REFRESH-INVALID-GRANT, REFRESH-5XX).
* 429: wait ``X-RateLimit-Reset-Default`` seconds via ``env.sleep`` and retry a bounded number
  of times (FACTS §7.5); 403 ``insufficient_scope`` is final (FACTS §5).
* the ``cal-api-version`` header per endpoint (FACTS §7.2, §7.3), and the access token only in
  the ``Authorization`` header, only to the API base URL.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import ssl
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from contracts.errors import (
    AccessDenied,
    ClientNotApproved,
    ClientRejected,
    InsufficientScope,
    InvalidScope,
    ProviderError,
    RateLimited,
    ReauthorizationRequired,
    StateMismatch,
    UpstreamError,
)
from contracts.provider import ApiResponse, Provider, ProviderEnvironment

#: Refresh this long before the computed expiry, so a token never dies in flight.
EXPIRY_MARGIN = 60.0
#: Cal.com's access tokens live 30 minutes (FACTS §3); assumed when ``expires_in`` is missing.
DEFAULT_EXPIRES_IN = 1800.0
#: How many times one call is sent when Cal.com answers 429 (so at most this minus one waits).
MAX_ATTEMPTS = 4
#: Never wait longer than this for one 429, whatever the header says.
MAX_BACKOFF = 120.0

#: ``cal-api-version`` per path prefix; other endpoints (``/v2/me``, calendars, conferencing)
#: are unversioned (FACTS §7.3). A missing or wrong value falls back to 2024-04-15 (§7.2).
API_VERSIONS: tuple[tuple[str, str], ...] = (
    ("/v2/bookings", "2024-08-13"),
    ("/v2/event-types", "2024-06-14"),
    ("/v2/schedules", "2024-06-11"),
    ("/v2/slots", "2024-09-04"),
)


def api_version_for(path: str) -> str | None:
    for prefix, version in API_VERSIONS:
        if path == prefix or path.startswith(prefix + "/"):
            return version
    return None


@dataclass
class _Connection:
    """One user's grant: its tokens, and the lock that makes refreshes single-flight."""

    access_token: str
    refresh_token: str
    expires_at: float
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Pending:
    """An authorization we started: what its callback must come back with."""

    code_verifier: str | None


class ReferenceProvider:
    def __init__(self, env: ProviderEnvironment) -> None:
        self._env = env
        if env.transport is not None:
            self._http = httpx.Client(transport=env.transport, timeout=30.0)
        else:
            self._http = httpx.Client(verify=_tls_context(), timeout=30.0)
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._connections: dict[str, _Connection] = {}

    def close(self) -> None:
        self._http.close()

    # -- authorization ---------------------------------------------------------------------

    def authorization_url(self, scopes: Sequence[str]) -> str:
        state = secrets.token_urlsafe(32)
        params = {
            "client_id": self._env.client_id,
            "redirect_uri": self._env.redirect_uri,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": state,
        }
        verifier = None
        if self._env.client_secret is None:
            # A PUBLIC client has no secret, so it must prove possession with PKCE (FACTS §6).
            verifier = secrets.token_urlsafe(48)
            params["code_challenge"] = _s256(verifier)
            params["code_challenge_method"] = "S256"
        with self._lock:
            self._pending[state] = _Pending(verifier)
        return f"{self._env.authorize_url}?{urlencode(params)}"

    def complete(self, callback_url: str) -> str:
        query = parse_qs(urlsplit(callback_url).query)
        state = _single(query, "state")
        with self._lock:
            # pop: a state is good for one callback only.
            pending = self._pending.pop(state, None) if state else None
        if pending is None:
            raise StateMismatch("the callback's state is missing or was not issued by us")
        error = _single(query, "error")
        if error:
            raise _authorize_error(error, _single(query, "error_description") or "")
        code = _single(query, "code")
        if not code:
            raise UpstreamError("the callback carries neither a code nor an error")
        fields = {"grant_type": "authorization_code", "code": code,
                  "redirect_uri": self._env.redirect_uri}
        if pending.code_verifier is not None:
            fields["code_verifier"] = pending.code_verifier
        connection = self._token_request(fields)
        connection_id = secrets.token_urlsafe(16)
        with self._lock:
            self._connections[connection_id] = connection
        return connection_id

    # -- API calls -------------------------------------------------------------------------

    def request(
        self,
        connection: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> ApiResponse:
        if not path.startswith("/v2/"):
            # The token is only ever sent to the API base URL, never to a caller-chosen host.
            raise ValueError(f"API paths start with /v2/, not {path!r}")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            token = self._fresh_access_token(connection)
            response = self._send(method, path, token, params, json)
            if response.status_code == 429:
                if attempt == MAX_ATTEMPTS:
                    raise RateLimited(f"still rate limited after {attempt} attempts")
                self._env.sleep(self._backoff(response, attempt))
                continue
            return self._interpret(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, path: str, token: str, params: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        version = api_version_for(path)
        if version is not None:
            headers["cal-api-version"] = version
        try:
            return self._http.request(method, self._env.api_base_url.rstrip("/") + path,
                                      params=dict(params or {}), json=json, headers=headers)
        except httpx.TransportError as exc:
            raise UpstreamError(f"Cal.com could not be reached: {exc}") from exc

    @staticmethod
    def _interpret(response: httpx.Response) -> ApiResponse:
        body = _json_or_none(response)
        if response.status_code == 403 and _error_message(body).startswith("insufficient_scope"):
            # Refreshing cannot help: refresh keeps the original scopes (FACTS §3, §5).
            raise InsufficientScope(_error_message(body))
        if response.status_code >= 500:
            raise UpstreamError(f"Cal.com answered {response.status_code}")
        return ApiResponse(response.status_code, dict(response.headers), body)

    def _backoff(self, response: httpx.Response, attempt: int) -> float:
        """Seconds to wait after a 429: what ``X-RateLimit-Reset-Default`` says (FACTS §7.5).

        The header is seconds in Cal.com's code; a value that looks like a unix timestamp is
        read as one (a third-party summary claims that form). No header: exponential.
        """
        raw = response.headers.get("X-RateLimit-Reset-Default")
        try:
            reset = float(raw) if raw is not None else None
        except ValueError:
            reset = None
        if reset is None:
            delay = 2.0 ** attempt
        elif reset > 1_000_000_000:
            delay = reset - self._env.now()
        else:
            delay = reset
        return min(max(delay, 1.0), MAX_BACKOFF)

    # -- tokens ----------------------------------------------------------------------------

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            raise ReauthorizationRequired("no such connection (it was dropped); connect again")
        # Single flight: whoever holds the lock refreshes, the others then find a fresh token.
        with connection.lock:
            if self._env.now() < connection.expires_at - EXPIRY_MARGIN:
                return connection.access_token
            try:
                fresh = self._token_request({"grant_type": "refresh_token",
                                             "refresh_token": connection.refresh_token})
            except ReauthorizationRequired:
                with self._lock:
                    self._connections.pop(connection_id, None)
                raise
            connection.access_token = fresh.access_token
            # Cal.com rotates: the old refresh token is dead from now on (FACTS §3).
            connection.refresh_token = fresh.refresh_token or connection.refresh_token
            connection.expires_at = fresh.expires_at
            return connection.access_token

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        """POST to the token endpoint with exactly Cal.com's fields (FACTS §1.2)."""
        body = {"client_id": self._env.client_id, **fields}
        if self._env.client_secret is not None:
            body["client_secret"] = self._env.client_secret
        sent_at = self._env.now()
        try:
            response = self._http.post(self._env.token_url, data=body,
                                       headers={"Accept": "application/json"})
        except httpx.TransportError as exc:
            raise UpstreamError(f"Cal.com's token endpoint could not be reached: {exc}") from exc
        payload = _json_or_none(response)
        if response.status_code >= 500:
            raise UpstreamError(f"Cal.com's token endpoint answered {response.status_code}")
        if response.status_code != 200 or not isinstance(payload, dict):
            raise _token_error(response.status_code, payload)
        access, refresh = payload.get("access_token"), payload.get("refresh_token")
        if not isinstance(access, str) or not access:
            raise UpstreamError("the token response has no access_token")
        expires_in = payload.get("expires_in")
        if not isinstance(expires_in, int | float) or isinstance(expires_in, bool) or expires_in <= 0:
            # Missing is not "never" (issue #24840): assume Cal.com's 30 minutes.
            expires_in = DEFAULT_EXPIRES_IN
        return _Connection(access, refresh if isinstance(refresh, str) else "",
                           sent_at + float(expires_in))


def _authorize_error(error: str, description: str) -> ProviderError:
    """An ``error`` on the callback (FACTS §1.1: Deny, rejected client, scope errors)."""
    text = f"{error}: {description}" if description else error
    if error == "access_denied":
        return AccessDenied(text)
    if error == "unauthorized_client":
        return ClientRejected(text) if "reject" in description else ClientNotApproved(text)
    # The page may say invalid_scope or invalid_request for a scope problem (FACTS §1.1).
    if error == "invalid_scope" or (error == "invalid_request" and "scope" in description.lower()):
        return InvalidScope(text)
    return UpstreamError(f"authorization failed: {text}")


def _token_error(status: int, payload: Any) -> ProviderError:
    """A 4xx from the token endpoint (FACTS §2)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    description = payload.get("error_description", "") if isinstance(payload, dict) else ""
    text = f"{status} {error}: {description}"
    if error == "invalid_grant":
        # Dead refresh token or used code: retrying cannot help, the user must connect again.
        return ReauthorizationRequired(text)
    if error == "unauthorized_client":
        return ClientRejected(text) if description == "client_rejected" else ClientNotApproved(text)
    return UpstreamError(text)


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values and len(values) == 1 else None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, str):
            return message
    return ""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every provider in the process (loading CA certificates is slow)."""
    return ssl.create_default_context()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_provider(env: ProviderEnvironment) -> Provider:
    """The factory ``mock-calcom verify --provider contracts.reference:make_provider`` loads."""
    return ReferenceProvider(env)
