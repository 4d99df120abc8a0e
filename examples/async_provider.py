"""A correct Cal.com provider written with ``async def``, on ``httpx.AsyncClient``.

The suites await an async provider on one event loop per scenario, in-process (through
``env.async_transport``) as well as ``--live``, so an integration built on httpx-oauth,
Authlib's ``AsyncOAuth2Client`` or plain ``httpx.AsyncClient`` is verified as it runs.

The Cal.com rules are the reference provider's (:mod:`mock_calcom_contracts.reference`: the
token whitelist, expiry on ``env.now()``, rotation, what each answer means, the 429 backoff);
what is particular to async code:

* single flight with an :class:`asyncio.Lock` per connection: concurrent tasks on an expired
  token wait for one refresh (Cal.com revokes every other refresh token on rotation,
  docs/calcom-behaviour.md#refresh-rotation);
* ``env.sleep`` advances the fake's clock and returns at once; it is run in a thread
  (``asyncio.to_thread``) here only to show that a wait made off the loop counts too.

Run it: ``mock-calcom verify --provider examples.async_provider:make_provider [--live]``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse, ProviderEnvironment
from mock_calcom_contracts.reference import (
    EXPIRY_MARGIN,
    MAX_ATTEMPTS,
    api_headers,
    api_response,
    authorization_code,
    backoff_seconds,
    callback_query,
    check_api_path,
    token_lifetime,
    token_payload,
)


@dataclass
class _Tokens:
    access_token: str
    refresh_token: str
    expires_at: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AsyncProvider:
    """Confidential clients only (no PKCE); PUBLIC-CLIENT reports ``n/a`` for it."""

    def __init__(self, env: ProviderEnvironment) -> None:
        self._env = env
        self._http = httpx.AsyncClient(transport=env.async_transport, timeout=30.0)
        self._states: set[str] = set()
        self._connections: dict[str, _Tokens] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authorization_url(self, scopes: Sequence[str]) -> str:
        state = secrets.token_urlsafe(32)
        self._states.add(state)
        query = urlencode({"client_id": self._env.client_id, "redirect_uri": self._env.redirect_uri,
                           "response_type": "code", "scope": " ".join(scopes), "state": state})
        return f"{self._env.authorize_url}?{query}"

    async def complete(self, callback_url: str) -> str:
        callback = callback_query(callback_url)
        state = callback.get("state")
        if state is None or state not in self._states:
            raise errors.StateMismatch("the callback's state is missing or was not issued by us")
        self._states.discard(state)
        code = authorization_code(callback)
        try:
            tokens = await self._token_request({"grant_type": "authorization_code", "code": code,
                                                "redirect_uri": self._env.redirect_uri})
        except errors.ReauthorizationRequired as exc:
            raise errors.CodeExchangeFailed(str(exc)) from exc
        connection = secrets.token_urlsafe(16)
        self._connections[connection] = tokens
        return connection

    async def request(self, connection: str, method: str, path: str,
                      params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        check_api_path(path)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            token = await self._fresh_token(connection)
            headers = {"Authorization": f"Bearer {token}", **api_headers(path)}
            try:
                answer = await self._http.request(method, self._env.api_base_url + path,
                                                  params=dict(params or {}), json=json,
                                                  headers=headers)
            except httpx.TransportError as exc:
                raise errors.UpstreamError(f"Cal.com could not be reached: {exc}") from exc
            if answer.status_code != 429:
                return api_response(answer)
            if attempt < MAX_ATTEMPTS:
                await asyncio.to_thread(self._env.sleep,
                                        backoff_seconds(answer, attempt, self._env.now()))
        raise errors.RateLimited(f"429 after {MAX_ATTEMPTS} attempts")

    async def _fresh_token(self, connection: str) -> str:
        tokens = self._connections.get(connection)
        if tokens is None:
            raise errors.ReauthorizationRequired("no such connection (it was dropped)")
        async with tokens.lock:
            if self._env.now() < tokens.expires_at - EXPIRY_MARGIN:
                return tokens.access_token
            try:
                fresh = await self._token_request({"grant_type": "refresh_token",
                                                   "refresh_token": tokens.refresh_token})
            except errors.ReauthorizationRequired:
                self._connections.pop(connection, None)
                raise
            tokens.access_token, tokens.expires_at = fresh.access_token, fresh.expires_at
            tokens.refresh_token = fresh.refresh_token or tokens.refresh_token
            return tokens.access_token

    async def _token_request(self, fields: Mapping[str, str]) -> _Tokens:
        body = {"client_id": self._env.client_id, **fields}
        if self._env.client_secret is not None:
            body["client_secret"] = self._env.client_secret
        sent_at = self._env.now()
        try:
            answer = await self._http.post(self._env.token_url, data=body,
                                           headers={"Accept": "application/json"})
        except httpx.TransportError as exc:
            raise errors.UpstreamError(f"the token endpoint could not be reached: {exc}") from exc
        payload = token_payload(answer)
        refresh = payload.get("refresh_token")
        return _Tokens(payload["access_token"], refresh if isinstance(refresh, str) else "",
                       sent_at + token_lifetime(payload))


def make_provider(env: ProviderEnvironment) -> AsyncProvider:
    return AsyncProvider(env)
