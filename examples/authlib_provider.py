"""A correct Cal.com provider on Authlib's httpx client (``authlib.integrations.httpx_client``).

Authlib does most of the OAuth work; five of its defaults are wrong for Cal.com and are
switched off here, each where it happens:

1. client authentication: Authlib sends ``client_secret`` with HTTP Basic unless told otherwise;
   Cal.com reads it from the body only (docs/calcom-behaviour.md#token-endpoint, issue #24964), so
   ``token_endpoint_auth_method="client_secret_post"`` (``"none"`` for a PUBLIC client);
2. ``scope`` on refresh: Authlib adds the client's ``scope`` to refresh requests, and Cal.com's
   token endpoint rejects any field outside its whitelist (``forbidNonWhitelisted``), so the
   scopes go into the authorize URL only, never onto the client;
3. expiry: Authlib's ``OAuth2Token.is_expired`` reads ``time.time()``; here expiry is computed
   from ``expires_in`` on ``env.now()`` (the fake's clock) and a missing ``expires_in`` means
   Cal.com's 30 minutes, not "never" (issue #24840);
4. refresh is single-flight per connection (a lock): the sync client has none, and Cal.com
   rotates the refresh token and revokes every older one (docs/calcom-behaviour.md#refresh-rotation), so
   two racing refreshes
   would kill the connection;
5. errors: Authlib parses any token response as a token; a compliance hook turns non-200
   answers into the suite's outcomes first, so a failed refresh never replaces good tokens.

What does not depend on Authlib is shared with the requests example: the reference provider's
Cal.com rules (:mod:`mock_calcom_contracts.reference`: reading the callback, token lifetime) and
:mod:`examples._calcom` (the token-answer hook; API calls with their version header, what an
answer means, 429 backoff).

Run it: ``mock-calcom verify --provider examples.authlib_provider:make_provider [--live]``.
"""

from __future__ import annotations

import functools
import ssl
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

from examples._calcom import call_api, token_answer_hook
from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment
from mock_calcom_contracts.reference import EXPIRY_MARGIN, authorization_code, callback_query, token_lifetime

with warnings.catch_warnings():
    # Authlib >= 1.7 prefers the ``httpx2`` package and warns when it falls back to httpx,
    # which is what this project (and most integrators) use.
    warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client


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
            self.register_compliance_hook(hook, token_answer_hook)

    def parse_response_token(self, resp: httpx.Response) -> Any:
        token = super().parse_response_token(resp)
        self.expires_at = self._env.now() + token_lifetime(token)
        return token

    def ensure_active_token(self, token: Any = None) -> bool:
        """Called by Authlib before every API request: refresh ahead of expiry, one at a time.

        Threads that queued behind a refresh find a fresh token and send no request of their own.
        """
        with self._refresh_lock:
            if self._env.now() < self.expires_at - EXPIRY_MARGIN:
                return True
            self.refresh_token(self.metadata["token_endpoint"])
            return True


class AuthlibProvider:
    supports_public_clients = True

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
        # next to client_secret, which its token endpoint forbids (docs/calcom-behaviour.md#pkce-and-state).
        verifier = generate_token(48) if self._env.client_secret is None else None
        url, state = self._front.create_authorization_url(
            self._env.authorize_url, code_verifier=verifier, scope=" ".join(scopes))
        with self._lock:
            self._pending[state] = verifier
        return str(url)

    def complete(self, callback_url: str) -> str:
        callback = callback_query(callback_url)
        state = callback.get("state")
        with self._lock:
            known = state is not None and state in self._pending
            verifier = self._pending.pop(state) if known and state is not None else None
        if not known:
            # Before anything else: a forged callback never reaches the token endpoint.
            raise errors.StateMismatch("callback state missing or unknown")
        code = authorization_code(callback)
        session = CalcomSession(self._env)
        try:
            session.fetch_token(grant_type="authorization_code", code=code, code_verifier=verifier)
        except httpx.HTTPError as exc:
            raise errors.UpstreamError(f"token endpoint unreachable: {exc}") from exc
        connection: str = generate_token(24)
        with self._lock:
            self._sessions[connection] = session
        return connection

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        with self._lock:
            session = self._sessions.get(connection)
        if session is None:
            raise errors.ReauthorizationRequired("unknown or dropped connection")

        def send(url: str, headers: dict[str, str]) -> httpx.Response:
            try:
                # Authlib calls ensure_active_token first, then adds the Authorization header.
                answer: httpx.Response = session.request(
                    method, url, params=dict(params or {}), json=json, headers=headers)
                return answer
            except errors.ReauthorizationRequired:
                with self._lock:
                    self._sessions.pop(connection, None)
                raise
            except httpx.HTTPError as exc:
                raise errors.UpstreamError(f"Cal.com unreachable: {exc}") from exc

        return call_api(self._env, path, send)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for all sessions: loading the CA bundle per connection is slow."""
    return ssl.create_default_context()


def make_provider(env: ProviderEnvironment) -> Provider:
    return AuthlibProvider(env)
