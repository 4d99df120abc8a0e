"""An in-process fake (``http``, the client on it, is in tests/conftest.py), plus helpers
that walk the OAuth flow."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.clients import OAuthClient
from mock_calcom.model.consent import ConsentMode
from mock_calcom.model.users import User

REDIRECT = "https://app.example.com/callback"
SCOPES = ["BOOKING_READ", "BOOKING_WRITE", "PROFILE_READ"]
VERIFIER = "a-verifier-that-is-long-enough-to-be-a-real-pkce-code-verifier-0123"


def challenge_for(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def granted_scopes(token_body: dict[str, Any]) -> list[str]:
    """The ``scope`` claim of a token response's access token (the response itself carries no
    ``scope``): decoded without verification, as a client that peeks would."""
    payload = token_body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    scopes: list[str] = claims["scope"]
    return scopes


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


@dataclass
class OAuthWorld:
    """One fake with a signed-in owner, and shortcuts through its OAuth surface."""

    fake: MockCalcom
    http: httpx.AsyncClient
    owner: User

    def user(self, username: str) -> User:
        return self.fake.model.create_user(username)

    def client(self, **overrides: Any) -> tuple[OAuthClient, str | None]:
        options: dict[str, Any] = {
            "name": "Acme Scheduler", "redirect_uris": [REDIRECT], "scopes": list(SCOPES),
            "owner_user_id": self.owner.id,
        }
        options.update(overrides)
        with self.fake.model.lock:
            return self.fake.model.clients.create(**options)

    def set_status(self, client: OAuthClient, status: str) -> None:
        with self.fake.model.lock:
            self.fake.model.clients.update(client.client_id, status=status)

    def sign_in(self, user: User) -> None:
        self.fake.model.consent.user_id = user.id

    def consent(self, mode: ConsentMode) -> None:
        self.fake.model.consent.mode = mode

    async def authorize(self, client: OAuthClient, /,
                        **overrides: str | None) -> httpx.Response:
        query: dict[str, str] = {
            "client_id": client.client_id, "redirect_uri": client.redirect_uris[0],
            "response_type": "code", "state": "st-1",
        }
        if client.scopes and not client.is_legacy:
            query["scope"] = " ".join(client.scopes)
        if client.is_public:
            query["code_challenge"] = challenge_for(VERIFIER)
            query["code_challenge_method"] = "S256"
        for key, value in overrides.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = value
        return await self.http.get("https://app.cal.com/auth/oauth2/authorize", params=query)

    async def code(self, client: OAuthClient, **overrides: str | None) -> str:
        response = await self.authorize(client, **overrides)
        assert response.status_code == 302, response.text
        return query_of(response.headers["location"])["code"][0]

    async def token(self, fields: dict[str, Any], *, as_json: bool = False) -> httpx.Response:
        url = "https://api.cal.com/v2/auth/oauth2/token"
        if as_json:
            return await self.http.post(url, json=fields)
        return await self.http.post(url, data=fields)

    async def exchange(self, client: OAuthClient, secret: str | None, auth_code: str, /,
                       **overrides: Any) -> httpx.Response:
        fields: dict[str, Any] = {
            "client_id": client.client_id, "grant_type": "authorization_code", "code": auth_code,
            "redirect_uri": client.redirect_uris[0],
        }
        if secret is not None:
            fields["client_secret"] = secret
        else:
            fields["code_verifier"] = VERIFIER
        for key, value in overrides.items():
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
        return await self.token(fields)

    async def tokens(self, client: OAuthClient, secret: str | None) -> dict[str, Any]:
        response = await self.exchange(client, secret, await self.code(client))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def refresh(self, client: OAuthClient, secret: str | None, refresh_token: str, /,
                      **overrides: Any) -> httpx.Response:
        fields: dict[str, Any] = {
            "client_id": client.client_id, "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        if secret is not None:
            fields["client_secret"] = secret
        fields.update(overrides)
        return await self.token(fields)


@pytest.fixture
def fake() -> MockCalcom:
    return MockCalcom(Settings(seed=20260105))


@pytest.fixture
def world(fake: MockCalcom, http: httpx.AsyncClient) -> OAuthWorld:
    return OAuthWorld(fake, http, fake.model.create_user("owner"))
