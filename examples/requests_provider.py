"""A correct Cal.com provider on ``requests`` + ``requests-oauthlib`` (``OAuth2Session``).

``requests`` cannot use an httpx transport, so this one is verified against the live server::

    mock-calcom verify --provider examples.requests_provider:make_provider --live

What oauthlib does by default and Cal.com rejects, and what is done instead:

1. client authentication: without ``include_client_id=True`` ``fetch_token`` puts
   ``client_id``/``client_secret`` into an HTTP Basic header; Cal.com reads the body only
   (docs/calcom-behaviour.md#token-endpoint, issue #24964). Refresh gets both as body fields too;
2. ``scope``: ``OAuth2Session(scope=...)`` is re-sent on every refresh, and Cal.com's token
   endpoint rejects any field outside its whitelist (``forbidNonWhitelisted``). The scopes go
   into the authorize URL, then the session forgets them;
3. expiry: oauthlib computes it with ``time.time()`` and its auto-refresh triggers on that;
   here the lifetime is tracked on ``env.now()`` (the fake's clock), a missing ``expires_in``
   means Cal.com's 30 minutes (issue #24840), and refresh happens before use, one at a time
   per connection (Cal.com rotates and revokes older refresh tokens,
   docs/calcom-behaviour.md#refresh-rotation). The session is
   given its token without a lifetime, so oauthlib never judges expiry on its own clock;
4. errors: a compliance hook turns any non-200 token answer into an outcome before oauthlib
   parses it, so a failed refresh never replaces good tokens;
5. ``http://127.0.0.1``: oauthlib refuses plain HTTP unless ``OAUTHLIB_INSECURE_TRANSPORT`` is
   set; it is set only when every endpoint is on the loopback interface (the live fake).

What does not depend on requests-oauthlib is shared with the Authlib example: the reference
provider's Cal.com rules (:mod:`mock_calcom_contracts.reference`: reading the callback, token lifetime)
and :mod:`examples._calcom` (the token-answer hook; API calls with their version header, what
an answer means, 429 backoff).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests_oauthlib import OAuth2Session

from examples._calcom import call_api, token_answer_hook
from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment
from mock_calcom_contracts.reference import EXPIRY_MARGIN, authorization_code, callback_query, token_lifetime

TIMEOUT = 30.0
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_LIFETIME_KEYS = ("expires_in", "expires_at")


@dataclass
class _Connection:
    session: OAuth2Session
    expires_at: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class RequestsOAuthlibProvider:
    supports_public_clients = True

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
            session.register_compliance_hook(hook, token_answer_hook)
        url, state = session.authorization_url(self._env.authorize_url)
        with self._lock:
            self._pending[state] = session
        return str(url)

    def complete(self, callback_url: str) -> str:
        callback = callback_query(callback_url)
        state = callback.get("state")
        with self._lock:
            session = self._pending.pop(state, None) if state is not None else None
        if session is None:
            # Checked first: a forged callback never reaches the token endpoint.
            raise errors.StateMismatch("callback state missing or unknown")
        code = authorization_code(callback)
        session.scope = None  # see point 2 of the module docstring
        sent_at = self._env.now()
        try:
            token = session.fetch_token(self._env.token_url, code=code, include_client_id=True,
                                        client_secret=self._env.client_secret, timeout=TIMEOUT,
                                        headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise errors.UpstreamError(f"token endpoint unreachable: {exc}") from exc
        connection = _Connection(session, self._adopt(session, token, sent_at))
        connection_id = secrets.token_urlsafe(18)
        with self._lock:
            self._connections[connection_id] = connection
        return connection_id

    def _adopt(self, session: OAuth2Session, token: Mapping[str, Any], sent_at: float) -> float:
        """Hand the token to the session without its lifetime; return its expiry on our clock."""
        session.token = {k: v for k, v in token.items() if k not in _LIFETIME_KEYS}
        return sent_at + token_lifetime(token)

    # -- calling the API -------------------------------------------------------------------

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        def send(url: str, headers: dict[str, str]) -> requests.Response:
            session = self._fresh_session(connection)
            try:
                answer: requests.Response = session.request(
                    method, url, params=dict(params or {}), json=json, headers=headers,
                    timeout=TIMEOUT)
                return answer
            except requests.RequestException as exc:
                raise errors.UpstreamError(f"Cal.com unreachable: {exc}") from exc

        return call_api(self._env, path, send)

    def _fresh_session(self, connection_id: str) -> OAuth2Session:
        with self._lock:
            connection = self._connections.get(connection_id)
        if connection is None:
            raise errors.ReauthorizationRequired("unknown or dropped connection")
        with connection.lock:  # single flight: late comers find the refreshed token
            if self._env.now() < connection.expires_at - EXPIRY_MARGIN:
                return connection.session
            sent_at = self._env.now()
            try:
                token = connection.session.refresh_token(
                    self._env.token_url, client_id=self._env.client_id,
                    client_secret=self._env.client_secret, timeout=TIMEOUT,
                    headers={"Accept": "application/json",
                             "Content-Type": "application/x-www-form-urlencoded"})
            except errors.ReauthorizationRequired:
                with self._lock:
                    self._connections.pop(connection_id, None)
                raise
            except requests.RequestException as exc:
                raise errors.UpstreamError(f"token endpoint unreachable: {exc}") from exc
            # requests-oauthlib keeps the old refresh token only if none came back; Cal.com
            # always rotates, and the new one is what the session holds now.
            connection.expires_at = self._adopt(connection.session, token, sent_at)
            return connection.session


def _allow_plain_http_on_loopback(env: ProviderEnvironment) -> None:
    urls = (env.authorize_url, env.token_url, env.api_base_url)
    if all(urlsplit(u).hostname in _LOOPBACK for u in urls):
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def make_provider(env: ProviderEnvironment) -> Provider:
    _allow_plain_http_on_loopback(env)
    return RequestsOAuthlibProvider(env)
