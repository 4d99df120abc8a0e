"""The reference provider: Cal.com OAuth done right, on httpx, in one readable file.

It passes every contract clause and is meant to be read (and copied) by integrators. Each rule
it follows names the clause that checks it and the Cal.com fact behind it:

* ``authorization_url``: the exact registered ``redirect_uri``, ``RESOURCE_ACTION`` scopes
  separated by spaces, and a fresh unguessable ``state`` remembered for one use (AUTHZ-URL,
  STATE-CSRF; RFC 6749 §10.12). A confidential client sends no PKCE: Cal.com's token endpoint
  forbids ``code_verifier`` next to ``client_secret`` (docs/calcom-behaviour.md#pkce-and-state).
* ``complete``: the ``state`` is checked before anything else, so a forged callback never
  reaches the token endpoint; authorize errors become outcomes (DENIAL, SCOPE-REJECTED,
  REJECTED-CLIENT).
* token requests carry exactly Cal.com's whitelist, the secret only in the body
  (docs/calcom-behaviour.md#token-endpoint:
  ``forbidNonWhitelisted``; issue #24964: no HTTP Basic).
* expiry is computed from ``expires_in`` on the fake's clock, with a safety margin, and a
  *finite* default when ``expires_in`` is missing (issue #24840: apps that took "missing" as
  "never" kept sending dead tokens and got 403s).
* tokens are refreshed *before* use. Waiting for a 401 is not enough: ``/v2/bookings`` answers
  an expired token with 403 (docs/calcom-behaviour.md#api-v2-authentication, issue #24840).
* one refresh at a time per connection (a lock), because Cal.com rotates the refresh token and
  revokes every other one of the user (docs/calcom-behaviour.md#refresh-rotation): two racing refreshes
  kill the connection.
* the rotated refresh token is kept; ``invalid_grant`` means reconnect, never retry; a 5xx on
  refresh keeps the old tokens (ROTATION, REFRESH-INVALID-GRANT, REFRESH-5XX).
* 429: wait ``X-RateLimit-Reset-Default`` seconds via ``env.sleep`` and retry a bounded number
  of times (#rate-limiting); 403 ``insufficient_scope`` is final (#scope-enforcement-on-api-v2).
* the ``cal-api-version`` header per endpoint (#api-versions), and the access token only in
  the ``Authorization`` header, only to the API base URL.

The Cal.com rules that do not depend on an HTTP or OAuth library are public functions at the
bottom (:func:`authorization_code`, :func:`token_payload`, :func:`token_lifetime`,
:func:`api_headers`, :func:`api_response`, :func:`backoff_seconds`); the examples in
``examples/`` reuse them around Authlib and requests-oauthlib.
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
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment

#: Refresh this long before the computed expiry, so a token never dies in flight.
EXPIRY_MARGIN = 60.0
#: Cal.com's access tokens live 30 minutes (docs/calcom-behaviour.md#tokens-and-lifetimes); assumed when
#: ``expires_in`` is missing.
DEFAULT_EXPIRES_IN = 1800.0
#: How many times one call is sent when Cal.com answers 429 (so at most this minus one waits).
MAX_ATTEMPTS = 4
#: Never wait longer than this for one 429, whatever the header says.
MAX_BACKOFF = 120.0

#: ``cal-api-version`` per path prefix; other endpoints (``/v2/me``, calendars, conferencing)
#: are unversioned (docs/calcom-behaviour.md#api-versions). A missing or wrong value falls back to
#: 2024-04-15.
API_VERSIONS: tuple[tuple[str, str], ...] = (
    ("/bookings", "2024-08-13"),
    ("/event-types", "2024-06-14"),
    ("/schedules", "2024-06-11"),
    ("/slots", "2024-09-04"),
)


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
    #: It runs PUBLIC clients too (PKCE instead of a secret), so PUBLIC-CLIENT applies.
    supports_public_clients = True

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
            # A PUBLIC client has no secret, so it must prove possession with PKCE (#pkce-and-state).
            verifier = secrets.token_urlsafe(48)
            params["code_challenge"] = _s256(verifier)
            params["code_challenge_method"] = "S256"
        with self._lock:
            self._pending[state] = _Pending(verifier)
        return f"{self._env.authorize_url}?{urlencode(params)}"

    def complete(self, callback_url: str) -> str:
        callback = callback_query(callback_url)
        state = callback.get("state")
        with self._lock:
            # pop: a state is good for one callback only.
            pending = self._pending.pop(state, None) if state else None
        if pending is None:
            raise errors.StateMismatch("the callback's state is missing or was not issued by us")
        code = authorization_code(callback)
        fields = {"grant_type": "authorization_code", "code": code,
                  "redirect_uri": self._env.redirect_uri}
        if pending.code_verifier is not None:
            fields["code_verifier"] = pending.code_verifier
        try:
            connection = self._token_request(fields)
        except errors.ReauthorizationRequired as exc:
            # invalid_grant at the exchange
            # is about the code (#token-errors-and-check-order), not a refresh token.
            raise errors.CodeExchangeFailed(str(exc)) from exc
        connection_id = secrets.token_urlsafe(16)
        with self._lock:
            self._connections[connection_id] = connection
        return connection_id

    # -- API calls -------------------------------------------------------------------------

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        check_api_path(path)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            token = self._fresh_access_token(connection)
            response = self._send(method, path, token, params, json)
            if response.status_code == 429:
                if attempt == MAX_ATTEMPTS:
                    raise errors.RateLimited(f"still rate limited after {attempt} attempts")
                self._env.sleep(self._backoff(response, attempt))
                continue
            return self._interpret(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, path: str, token: str, params: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **api_headers(path)}
        try:
            return self._http.request(method, self._env.api_base_url + path,
                                      params=dict(params or {}), json=json, headers=headers)
        except httpx.TransportError as exc:
            raise errors.UpstreamError(f"Cal.com could not be reached: {exc}") from exc

    @staticmethod
    def _interpret(response: httpx.Response) -> ApiResponse:
        return api_response(response)

    def _backoff(self, response: httpx.Response, attempt: int) -> float:
        return backoff_seconds(response, attempt, self._env.now())

    # -- tokens ----------------------------------------------------------------------------

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            raise errors.ReauthorizationRequired("no such connection (it was dropped); connect again")
        # Single flight: whoever holds the lock refreshes, the others then find a fresh token.
        with connection.lock:
            if self._env.now() < connection.expires_at - EXPIRY_MARGIN:
                return connection.access_token
            try:
                fresh = self._token_request({"grant_type": "refresh_token",
                                             "refresh_token": connection.refresh_token})
            except errors.ReauthorizationRequired:
                with self._lock:
                    self._connections.pop(connection_id, None)
                raise
            connection.access_token = fresh.access_token
            # Cal.com rotates: the old refresh token is dead from now on (#refresh-rotation).
            connection.refresh_token = fresh.refresh_token or connection.refresh_token
            connection.expires_at = fresh.expires_at
            return connection.access_token

    def _token_request(self, fields: Mapping[str, str]) -> _Connection:
        """POST to the token endpoint with exactly Cal.com's fields (#token-endpoint)."""
        body = {"client_id": self._env.client_id, **fields}
        if self._env.client_secret is not None:
            body["client_secret"] = self._env.client_secret
        sent_at = self._env.now()
        try:
            response = self._http.post(self._env.token_url, data=body,
                                       headers={"Accept": "application/json"})
        except httpx.TransportError as exc:
            raise errors.UpstreamError(
                f"Cal.com's token endpoint could not be reached: {exc}") from exc
        payload = token_payload(response)
        refresh = payload.get("refresh_token")
        return _Connection(payload["access_token"], refresh if isinstance(refresh, str) else "",
                           sent_at + token_lifetime(payload))


# -- Cal.com's rules, on any HTTP client ---------------------------------------------------

class HttpAnswer(Protocol):
    """What an httpx or requests response offers: enough to judge a Cal.com answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


def callback_query(callback_url: str) -> dict[str, str]:
    """The callback's query parameters; one given twice counts as missing."""
    query = parse_qs(urlsplit(callback_url).query)
    return {name: values[0] for name, values in query.items() if len(values) == 1}


def authorization_code(callback: Mapping[str, str]) -> str:
    """The code of a callback whose ``state`` checked out; an ``error`` raises its outcome."""
    error = callback.get("error")
    if error:
        raise _authorize_error(error, callback.get("error_description", ""))
    code = callback.get("code")
    if not code:
        raise errors.UpstreamError("the callback carries neither a code nor an error")
    return code


def token_payload(answer: HttpAnswer) -> dict[str, Any]:
    """A token endpoint answer's JSON when it holds tokens; otherwise the outcome it means
    is raised (#token-errors-and-check-order), so a failed refresh never replaces good tokens."""
    payload = _json_or_none(answer)
    status = answer.status_code
    if status >= 500:
        raise errors.UpstreamError(f"Cal.com's token endpoint answered {status}")
    if status != 200 or not isinstance(payload, dict):
        raise _token_error(status, payload)
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise errors.UpstreamError("the token response has no access_token")
    return payload


def token_lifetime(payload: Mapping[str, Any]) -> float:
    """Seconds the access token of a token response lives."""
    expires_in = payload.get("expires_in")
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool) or expires_in <= 0:
        # Missing is not "never" (issue #24840): assume Cal.com's 30 minutes.
        return DEFAULT_EXPIRES_IN
    return float(expires_in)


def check_api_path(path: str) -> None:
    """``path`` must be relative to the API base URL (``/me``): the token is only ever sent to
    ``env.api_base_url``, never to a caller-chosen host or a path outside API v2."""
    if not path.startswith("/") or path.startswith("//") or path.startswith("/v2/"):
        raise ValueError(f"API paths are relative to the API base URL (/me), not {path!r}")


def api_version_for(path: str) -> str | None:
    """The ``cal-api-version`` of ``path`` (relative to the API base URL, ``/bookings``; a
    full ``/v2/bookings`` path works too)."""
    path = path.removeprefix("/v2")
    for prefix, version in API_VERSIONS:
        if path == prefix or path.startswith(prefix + "/"):
            return version
    return None


def api_headers(path: str) -> dict[str, str]:
    """The headers of an API v2 call to ``path`` besides ``Authorization``."""
    headers = {"Accept": "application/json"}
    version = api_version_for(path)
    if version is not None:
        headers["cal-api-version"] = version
    return headers


def api_response(answer: HttpAnswer) -> ApiResponse:
    """What an API v2 answer (other than 429) means for the caller."""
    body = _json_or_none(answer)
    message = _error_message(body)
    if answer.status_code == 403 and message.startswith("insufficient_scope"):
        # Refreshing cannot help: refresh keeps the original scopes (#scope-enforcement-on-api-v2).
        raise errors.InsufficientScope(message)
    if answer.status_code >= 500:
        raise errors.UpstreamError(f"Cal.com answered {answer.status_code}")
    return ApiResponse(answer.status_code, dict(answer.headers), body)


def backoff_seconds(answer: HttpAnswer, attempt: int, now: float) -> float:
    """Seconds to wait after a 429: what ``X-RateLimit-Reset-Default`` says (#rate-limiting).

    The header is seconds in Cal.com's code; a value that looks like a unix timestamp is read
    as one (a third-party summary claims that form). No header: exponential. Bounded either way.
    """
    raw = answer.headers.get("X-RateLimit-Reset-Default")
    try:
        reset = float(raw) if raw is not None else None
    except ValueError:
        reset = None
    if reset is None:
        delay = 2.0 ** attempt
    elif reset > 1_000_000_000:
        delay = reset - now
    else:
        delay = reset
    return min(max(delay, 1.0), MAX_BACKOFF)


def _authorize_error(error: str, description: str) -> errors.ProviderError:
    """An ``error`` on the callback (#authorize-page: Deny, rejected client, scope errors)."""
    text = f"{error}: {description}" if description else error
    if error == "access_denied":
        return errors.AccessDenied(text)
    if error == "unauthorized_client":
        return (errors.ClientRejected(text) if "reject" in description
                else errors.ClientNotApproved(text))
    # The page may say invalid_scope or invalid_request for a scope problem (#authorize-page).
    if error == "invalid_scope" or (error == "invalid_request" and "scope" in description.lower()):
        return errors.InvalidScope(text)
    return errors.UpstreamError(f"authorization failed: {text}")


def _token_error(status: int, payload: Any) -> errors.ProviderError:
    """A 4xx from the token endpoint (#token-errors-and-check-order)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    description = payload.get("error_description", "") if isinstance(payload, dict) else ""
    text = f"{status} {error}: {description}"
    if error == "invalid_grant":
        # Dead refresh token or used code: retrying cannot help, the user must connect again.
        return errors.ReauthorizationRequired(text)
    if error == "invalid_client":
        # Unknown client or wrong secret: the operator's to fix; the user's tokens are fine.
        return errors.InvalidClient(text)
    if error == "unauthorized_client":
        return (errors.ClientRejected(text) if description == "client_rejected"
                else errors.ClientNotApproved(text))
    return errors.UpstreamError(text)


def _json_or_none(answer: HttpAnswer) -> Any:
    try:
        return answer.json()
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
    """The factory ``mock-calcom verify --provider mock_calcom_contracts.reference:make_provider`` loads."""
    return ReferenceProvider(env)
