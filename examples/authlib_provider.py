"""A correct Cal.com provider on Authlib's httpx client (``authlib.integrations.httpx_client``).

Authlib does most of the OAuth work; five of its defaults are wrong for Cal.com and are
switched off here, each where it happens:

1. client authentication: Authlib sends ``client_secret`` with HTTP Basic unless told otherwise;
   Cal.com reads it from the body only (FACTS §1.2, issue #24964), so
   ``token_endpoint_auth_method="client_secret_post"`` (``"none"`` for a PUBLIC client);
2. ``scope`` on refresh: Authlib adds the client's ``scope`` to refresh requests, and Cal.com's
   token endpoint rejects any field outside its whitelist (``forbidNonWhitelisted``), so the
   scopes go into the authorize URL only, never onto the client;
3. expiry: Authlib's ``OAuth2Token.is_expired`` reads ``time.time()``; here expiry is computed
   from ``expires_in`` on ``env.now()`` (the fake's clock) and a missing ``expires_in`` means
   Cal.com's 30 minutes, not "never" (issue #24840);
4. refresh is single-flight per connection (a lock): the sync client has none, and Cal.com
   rotates the refresh token and revokes every older one (FACTS §3), so two racing refreshes
   would kill the connection;
5. errors: Authlib parses any token response as a token; a compliance hook turns non-200
   answers into the suite's outcomes first, so a failed refresh never replaces good tokens.

Run it: ``mock-calcom verify --provider examples.authlib_provider:make_provider [--live]``.
"""

from __future__ import annotations

import functools
import ssl
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

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

with warnings.catch_warnings():
    # Authlib >= 1.7 prefers the ``httpx2`` package and warns when it falls back to httpx,
    # which is what this project (and most integrators) use.
    warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

#: Refresh this many seconds before the computed expiry.
LEEWAY = 60.0
#: Cal.com's access-token lifetime (FACTS §3), assumed when a response omits ``expires_in``.
ASSUMED_LIFETIME = 1800.0
#: Sends of one API call while Cal.com answers 429.
MAX_TRIES = 4
#: Upper bound of one 429 wait, whatever ``X-RateLimit-Reset-Default`` says.
MAX_WAIT = 120.0
#: ``cal-api-version`` by the first path segment after ``/v2/`` (FACTS §7.3); the rest
#: (``me``, ``calendars``, ``conferencing``) is unversioned.
API_VERSIONS: Mapping[str, str] = {
    "bookings": "2024-08-13",
    "event-types": "2024-06-14",
    "schedules": "2024-06-11",
    "slots": "2024-09-04",
}


class CalcomSession(OAuth2Client):  # type: ignore[misc]  # Authlib ships no type hints
    """One connection's Authlib client, with Cal.com's token-endpoint rules."""

    def __init__(self, env: ProviderEnvironment) -> None:
        # In-process runs hand us the fake's transport; live runs use real sockets.
        network: dict[str, Any] = (
            {"transport": env.transport} if env.transport is not None else {"verify": _tls()})
        super().__init__(
            client_id=env.client_id,
            client_secret=env.client_secret,
            token_endpoint_auth_method="none" if env.client_secret is None else "client_secret_post",
            redirect_uri=env.redirect_uri,
            code_challenge_method="S256",
            token_endpoint=env.token_url,
            timeout=30.0,
            **network,
        )
        self._env = env
        self._refresh_lock = threading.Lock()
        #: On the fake's clock; -inf until the first token arrives.
        self.expires_at = float("-inf")
        for hook in ("access_token_response", "refresh_token_response"):
            self.register_compliance_hook(hook, _check_token_response)

    def parse_response_token(self, resp: httpx.Response) -> Any:
        token = super().parse_response_token(resp)
        lifetime = token.get("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = ASSUMED_LIFETIME
        self.expires_at = self._env.now() + float(lifetime)
        return token

    def ensure_active_token(self, token: Any = None) -> bool:
        """Called by Authlib before every API request: refresh ahead of expiry, one at a time.

        Threads that queued behind a refresh find a fresh token and send no request of their own.
        """
        with self._refresh_lock:
            if self._env.now() < self.expires_at - LEEWAY:
                return True
            self.refresh_token(self.metadata["token_endpoint"])
            return True


class AuthlibProvider:
    def __init__(self, env: ProviderEnvironment) -> None:
        self._env = env
        self._front = CalcomSession(env)
        self._lock = threading.Lock()
        #: state -> PKCE verifier (``None`` for a confidential client), one use each.
        self._pending: dict[str, str | None] = {}
        self._sessions: dict[str, CalcomSession] = {}

    def close(self) -> None:
        with self._lock:
            sessions = [self._front, *self._sessions.values()]
            self._sessions.clear()
        for session in sessions:
            session.close()

    def authorization_url(self, scopes: Sequence[str]) -> str:
        # A confidential client must not use PKCE: Cal.com would then demand a code_verifier
        # next to client_secret, which its token endpoint forbids (FACTS §6).
        verifier = generate_token(48) if self._env.client_secret is None else None
        url, state = self._front.create_authorization_url(
            self._env.authorize_url, code_verifier=verifier, scope=" ".join(scopes))
        with self._lock:
            self._pending[state] = verifier
        return str(url)

    def complete(self, callback_url: str) -> str:
        query = parse_qs(urlsplit(callback_url).query)
        state = _only(query, "state")
        with self._lock:
            known = state is not None and state in self._pending
            verifier = self._pending.pop(state) if known and state is not None else None
        if not known:
            # Before anything else: a forged callback never reaches the token endpoint.
            raise StateMismatch("callback state missing or unknown")
        error = _only(query, "error")
        if error:
            raise _authorize_error(error, _only(query, "error_description") or "")
        code = _only(query, "code")
        if not code:
            raise UpstreamError("callback without code or error")
        session = CalcomSession(self._env)
        try:
            session.fetch_token(grant_type="authorization_code", code=code, code_verifier=verifier)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"token endpoint unreachable: {exc}") from exc
        connection: str = generate_token(24)
        with self._lock:
            self._sessions[connection] = session
        return connection

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        if not path.startswith("/v2/"):
            raise ValueError(f"not an API v2 path: {path!r}")
        with self._lock:
            session = self._sessions.get(connection)
        if session is None:
            raise ReauthorizationRequired("unknown or dropped connection")
        headers = {"Accept": "application/json"}
        version = API_VERSIONS.get(path.split("/")[2])
        if version:
            headers["cal-api-version"] = version
        url = self._env.api_base_url.rstrip("/") + path
        for attempt in range(1, MAX_TRIES + 1):
            try:
                response = session.request(method, url, params=dict(params or {}), json=json,
                                           headers=headers)
            except ReauthorizationRequired:
                with self._lock:
                    self._sessions.pop(connection, None)
                raise
            except httpx.HTTPError as exc:
                raise UpstreamError(f"Cal.com unreachable: {exc}") from exc
            if response.status_code != 429:
                return _api_response(response)
            if attempt < MAX_TRIES:
                self._env.sleep(self._wait(response, attempt))
        raise RateLimited(f"429 after {MAX_TRIES} tries")

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        """Seconds until Cal.com's window resets (FACTS §7.5), bounded; exponential without."""
        try:
            reset = float(response.headers["X-RateLimit-Reset-Default"])
        except (KeyError, ValueError):
            return min(2.0 ** attempt, MAX_WAIT)
        if reset > 1e9:  # a unix timestamp rather than seconds (the UNCONFIRMED reading)
            reset -= self._env.now()
        return min(max(reset, 1.0), MAX_WAIT)


def _check_token_response(resp: httpx.Response) -> httpx.Response:
    """Compliance hook: only a 200 with an access token may reach Authlib's parser."""
    if resp.status_code >= 500:
        raise UpstreamError(f"token endpoint answered {resp.status_code}")
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UpstreamError(f"token endpoint answered {resp.status_code} without JSON")
    if resp.status_code != 200:
        raise _token_error(resp.status_code, body)
    if not isinstance(body.get("access_token"), str):
        raise UpstreamError("token response without access_token")
    return resp


def _token_error(status: int, body: Mapping[str, Any]) -> ProviderError:
    error, description = body.get("error"), str(body.get("error_description") or "")
    text = f"{status} {error}: {description}"
    if error == "invalid_grant":
        # A used code or a dead/rotated refresh token: only a new authorization helps.
        return ReauthorizationRequired(text)
    if error == "unauthorized_client":
        return ClientRejected(text) if description == "client_rejected" else ClientNotApproved(text)
    return UpstreamError(text)


def _authorize_error(error: str, description: str) -> ProviderError:
    text = f"{error}: {description}"
    if error == "access_denied":
        return AccessDenied(text)
    if error == "unauthorized_client":
        return ClientRejected(text) if "reject" in description else ClientNotApproved(text)
    # Cal.com's page reports scope problems as invalid_scope or invalid_request (FACTS §1.1).
    if error == "invalid_scope" or (error == "invalid_request" and "scope" in description.lower()):
        return InvalidScope(text)
    return UpstreamError(f"authorization failed: {text}")


def _api_response(response: httpx.Response) -> ApiResponse:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if response.status_code == 403 and isinstance(message, str) \
            and message.startswith("insufficient_scope"):
        # Final: a refresh keeps the grant's scopes (FACTS §5); the user must re-consent.
        raise InsufficientScope(message)
    if response.status_code >= 500:
        raise UpstreamError(f"Cal.com answered {response.status_code}")
    return ApiResponse(response.status_code, dict(response.headers), body)


def _only(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name, [])
    return values[0] if len(values) == 1 else None


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for all sessions: loading the CA bundle per connection is slow."""
    return ssl.create_default_context()


def make_provider(env: ProviderEnvironment) -> Provider:
    return AuthlibProvider(env)
