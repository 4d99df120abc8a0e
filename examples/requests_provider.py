"""A correct Cal.com provider on ``requests`` + ``requests-oauthlib`` (``OAuth2Session``).

``requests`` cannot use an httpx transport, so this one is verified against the live server::

    mock-calcom verify --provider examples.requests_provider:make_provider --live

What oauthlib does by default and Cal.com rejects, and what is done instead:

1. client authentication: without ``include_client_id=True`` ``fetch_token`` puts
   ``client_id``/``client_secret`` into an HTTP Basic header; Cal.com reads the body only
   (FACTS §1.2, issue #24964). Refresh gets both as body fields too;
2. ``scope``: ``OAuth2Session(scope=...)`` is re-sent on every refresh, and Cal.com's token
   endpoint rejects any field outside its whitelist (``forbidNonWhitelisted``). The scopes go
   into the authorize URL, then the session forgets them;
3. expiry: oauthlib computes it with ``time.time()`` and its auto-refresh triggers on that;
   here the lifetime is tracked on ``env.now()`` (the fake's clock), a missing ``expires_in``
   means Cal.com's 30 minutes (issue #24840), and refresh happens before use, one at a time
   per connection (Cal.com rotates and revokes older refresh tokens, FACTS §3). The session is
   given its token without a lifetime, so oauthlib never judges expiry on its own clock;
4. errors: a compliance hook turns any non-200 token answer into an outcome before oauthlib
   parses it, so a failed refresh never replaces good tokens;
5. ``http://127.0.0.1``: oauthlib refuses plain HTTP unless ``OAUTHLIB_INSECURE_TRANSPORT`` is
   set; it is set only when every endpoint is on the loopback interface (the live fake).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests_oauthlib import OAuth2Session

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

#: Refresh this many seconds before the computed expiry.
LEEWAY = 60.0
#: Cal.com's access-token lifetime (FACTS §3), assumed when a response omits ``expires_in``.
ASSUMED_LIFETIME = 1800.0
#: Sends of one API call while Cal.com answers 429.
MAX_TRIES = 4
#: Upper bound of one 429 wait, whatever ``X-RateLimit-Reset-Default`` says.
MAX_WAIT = 120.0
TIMEOUT = 30.0
#: ``cal-api-version`` by the first path segment after ``/v2/`` (FACTS §7.3).
API_VERSIONS: Mapping[str, str] = {
    "bookings": "2024-08-13",
    "event-types": "2024-06-14",
    "schedules": "2024-06-11",
    "slots": "2024-09-04",
}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_LIFETIME_KEYS = ("expires_in", "expires_at")


@dataclass
class _Connection:
    session: OAuth2Session
    expires_at: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class RequestsOAuthlibProvider:
    def __init__(self, env: ProviderEnvironment) -> None:
        if env.transport is not None:
            raise RuntimeError("the requests example talks to real sockets: verify it with --live")
        self._env = env
        self._lock = threading.Lock()
        #: state -> the session that issued it (it holds the PKCE verifier), one use each.
        self._pending: dict[str, OAuth2Session] = {}
        self._connections: dict[str, _Connection] = {}

    def close(self) -> None:
        with self._lock:
            sessions = [c.session for c in self._connections.values()]
            sessions += self._pending.values()
            self._connections.clear()
            self._pending.clear()
        for session in sessions:
            session.close()

    # -- connecting ------------------------------------------------------------------------

    def authorization_url(self, scopes: Sequence[str]) -> str:
        session = OAuth2Session(
            self._env.client_id, redirect_uri=self._env.redirect_uri, scope=list(scopes),
            # PKCE only without a secret: Cal.com forbids code_verifier next to client_secret.
            pkce="S256" if self._env.client_secret is None else None,
        )
        for hook in ("access_token_response", "refresh_token_response"):
            session.register_compliance_hook(hook, _check_token_response)
        url, state = session.authorization_url(self._env.authorize_url)
        with self._lock:
            self._pending[state] = session
        return str(url)

    def complete(self, callback_url: str) -> str:
        query = parse_qs(urlsplit(callback_url).query)
        state = _only(query, "state")
        with self._lock:
            session = self._pending.pop(state, None) if state is not None else None
        if session is None:
            # Checked first: a forged callback never reaches the token endpoint.
            raise StateMismatch("callback state missing or unknown")
        error = _only(query, "error")
        if error:
            raise _authorize_error(error, _only(query, "error_description") or "")
        code = _only(query, "code")
        if not code:
            raise UpstreamError("callback without code or error")
        session.scope = None  # see point 2 of the module docstring
        sent_at = self._env.now()
        try:
            token = session.fetch_token(self._env.token_url, code=code, include_client_id=True,
                                        client_secret=self._env.client_secret, timeout=TIMEOUT,
                                        headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise UpstreamError(f"token endpoint unreachable: {exc}") from exc
        connection = _Connection(session, self._adopt(session, token, sent_at))
        connection_id = secrets.token_urlsafe(18)
        with self._lock:
            self._connections[connection_id] = connection
        return connection_id

    def _adopt(self, session: OAuth2Session, token: Mapping[str, Any], sent_at: float) -> float:
        """Hand the token to the session without its lifetime; return its expiry on our clock."""
        lifetime = token.get("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = ASSUMED_LIFETIME
        session.token = {k: v for k, v in token.items() if k not in _LIFETIME_KEYS}
        return sent_at + float(lifetime)

    # -- calling the API -------------------------------------------------------------------

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        if not path.startswith("/v2/"):
            raise ValueError(f"not an API v2 path: {path!r}")
        headers = {"Accept": "application/json"}
        version = API_VERSIONS.get(path.split("/")[2])
        if version:
            headers["cal-api-version"] = version
        url = self._env.api_base_url.rstrip("/") + path
        for attempt in range(1, MAX_TRIES + 1):
            session = self._fresh_session(connection)
            try:
                response = session.request(method, url, params=dict(params or {}), json=json,
                                           headers=headers, timeout=TIMEOUT)
            except requests.RequestException as exc:
                raise UpstreamError(f"Cal.com unreachable: {exc}") from exc
            if response.status_code != 429:
                return _api_response(response)
            if attempt < MAX_TRIES:
                self._env.sleep(self._wait(response, attempt))
        raise RateLimited(f"429 after {MAX_TRIES} tries")

    def _fresh_session(self, connection_id: str) -> OAuth2Session:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            raise ReauthorizationRequired("unknown or dropped connection")
        with connection.lock:  # single flight: late comers find the refreshed token
            if self._env.now() < connection.expires_at - LEEWAY:
                return connection.session
            sent_at = self._env.now()
            try:
                token = connection.session.refresh_token(
                    self._env.token_url, client_id=self._env.client_id,
                    client_secret=self._env.client_secret, timeout=TIMEOUT,
                    headers={"Accept": "application/json",
                             "Content-Type": "application/x-www-form-urlencoded"})
            except ReauthorizationRequired:
                with self._lock:
                    self._connections.pop(connection_id, None)
                raise
            except requests.RequestException as exc:
                raise UpstreamError(f"token endpoint unreachable: {exc}") from exc
            # requests-oauthlib keeps the old refresh token only if none came back; Cal.com
            # always rotates, and the new one is what the session holds now.
            connection.expires_at = self._adopt(connection.session, token, sent_at)
            return connection.session

    def _wait(self, response: requests.Response, attempt: int) -> float:
        """Seconds until Cal.com's window resets (FACTS §7.5), bounded; exponential without."""
        try:
            reset = float(response.headers["X-RateLimit-Reset-Default"])
        except (KeyError, ValueError):
            return min(2.0 ** attempt, MAX_WAIT)
        if reset > 1e9:  # a unix timestamp rather than seconds (the UNCONFIRMED reading)
            reset -= self._env.now()
        return min(max(reset, 1.0), MAX_WAIT)


def _check_token_response(resp: requests.Response) -> requests.Response:
    """Compliance hook: only a 200 with an access token may reach oauthlib's parser."""
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
    if error == "invalid_scope" or (error == "invalid_request" and "scope" in description.lower()):
        return InvalidScope(text)
    return UpstreamError(f"authorization failed: {text}")


def _api_response(response: requests.Response) -> ApiResponse:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if response.status_code == 403 and isinstance(message, str) \
            and message.startswith("insufficient_scope"):
        raise InsufficientScope(message)
    if response.status_code >= 500:
        raise UpstreamError(f"Cal.com answered {response.status_code}")
    return ApiResponse(response.status_code, dict(response.headers), body)


def _only(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name, [])
    return values[0] if len(values) == 1 else None


def _allow_plain_http_on_loopback(env: ProviderEnvironment) -> None:
    urls = (env.authorize_url, env.token_url, env.api_base_url)
    if all(urlsplit(u).hostname in _LOOPBACK for u in urls):
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def make_provider(env: ProviderEnvironment) -> Provider:
    _allow_plain_http_on_loopback(env)
    return RequestsOAuthlibProvider(env)
