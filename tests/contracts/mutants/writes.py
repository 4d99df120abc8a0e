"""Mutants of identity and writes: whose token a call uses, what a write's answer becomes."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse
from mock_calcom_contracts.reference import ReferenceProvider, _Connection
from tests.contracts.mutants._base import Mutant


class LatestGrantForEveryone(Mutant):
    """Keys its token store by the client, not by the connection: every connection id acts
    with the tokens of whoever connected last (one user's calls run as another user)."""

    KILLS = "IDENTITY"

    def complete(self, callback_url: str) -> str:
        connection = super().complete(callback_url)
        with self._lock:
            self._latest = connection
        return connection

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            latest = getattr(self, "_latest", connection_id)
        return super()._fresh_access_token(latest)


class OnlyOkIs200(Mutant):
    """Treats every 2xx other than 200 as a failure (``if status != 200``): Cal.com's 201 for a
    created or rescheduled booking becomes an UpstreamError, although the booking exists."""

    KILLS = "WRITES"

    @staticmethod
    def _interpret(response: httpx.Response) -> ApiResponse:
        if 200 < response.status_code < 300:
            raise errors.UpstreamError(f"unexpected status {response.status_code}")
        return ReferenceProvider._interpret(response)


class RetriesEveryMethod(Mutant):
    """Retries any request once after a 5xx or a dropped connection, POSTs included: a lost
    answer to a create makes a second booking."""

    KILLS = "WRITES"

    def _send(self, method: str, path: str, token: str, params: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        try:
            response = super()._send(method, path, token, params, json)
        except errors.UpstreamError:
            return super()._send(method, path, token, params, json)
        if response.status_code >= 500:
            return super()._send(method, path, token, params, json)
        return response


class SharedStoreAcrossClients(Mutant):
    """Keeps its tokens in a process-wide store keyed by the Cal.com user, shared by the
    providers of every OAuth client (two apps of one company): a user connected through both
    clients has one set of tokens, so one client refreshes with the other client's token."""

    KILLS = "IDENTITY"

    #: Per in-process Cal.com (its transport), so that scenarios do not share it.
    _STORES: ClassVar[dict[int, dict[int, _Connection]]] = {}

    def complete(self, callback_url: str) -> str:
        connection = super().complete(callback_url)
        with self._lock:
            tokens = self._connections[connection]
            user = _user_id(tokens.access_token)
            shared = self._STORES.setdefault(id(self._env.transport), {})
            shared[user] = tokens
            self._users = {**getattr(self, "_users", {}), connection: user}
        return connection

    def _fresh_access_token(self, connection_id: str) -> str:
        with self._lock:
            user = getattr(self, "_users", {}).get(connection_id)
            shared = self._STORES.get(id(self._env.transport), {})
            if user is not None and user in shared:
                self._connections[connection_id] = shared[user]
        return super()._fresh_access_token(connection_id)


def _user_id(access_token: str) -> int:
    payload = access_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return int(claims["userId"])


MUTANTS: tuple[type[Mutant], ...] = (LatestGrantForEveryone, SharedStoreAcrossClients, OnlyOkIs200,
                                     RetriesEveryMethod)
