"""A seeded in-process fake, two users, and tokens (``http``, the client on this fake, is
in tests/conftest.py).

Tokens are minted by the fake's own token service (the same code the token endpoint uses);
``test_booking_flow.py`` walks the real OAuth HTTP flow instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.tokens import Grant
from mock_calcom.model.users import User
from tests.api.openapi_schema import OpenApiDocument, load

#: The ``cal-api-version`` each versioned resource needs.
VERSION = {"bookings": "2024-08-13", "event-types": "2024-06-14", "schedules": "2024-06-11",
           "slots": "2024-09-04"}
CLIENT_ID = "test-client"
TokenFactory = Callable[..., str]


def headers_for(path: str, token: str | None = None, **extra: str) -> dict[str, str]:
    """The version header a path's controller wants, plus a bearer when given."""
    headers: dict[str, str] = {}
    resource = path.split("?")[0].split("/")[2] if path.startswith("/v2/") else ""
    if resource in VERSION:
        headers["cal-api-version"] = VERSION[resource]
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(extra)
    return headers


@pytest.fixture
def fake() -> MockCalcom:
    return MockCalcom(Settings(seed=20240813))


@pytest.fixture
def alice(fake: MockCalcom) -> User:
    return fake.model.create_user("alice", "alice@example.com", name="Alice Host")


@pytest.fixture
def bob(fake: MockCalcom) -> User:
    return fake.model.create_user("bob", "bob@example.com", name="Bob Other")


@pytest.fixture
def mint(fake: MockCalcom) -> TokenFactory:
    """``mint(user, scopes=(), team_id=None)`` -> a valid access token of ``CLIENT_ID``."""

    def _mint(user: User | None, scopes: Sequence[str] = (), *, team_id: int | None = None) -> str:
        grant = Grant(CLIENT_ID, user.id if user else None, team_id, tuple(scopes))
        with fake.model.lock:
            return fake.model.tokens.mint_pair(grant).access_token

    return _mint


@pytest.fixture
def spec() -> OpenApiDocument | None:
    return load()


def envelope_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["status"] == "error", body
    error: dict[str, Any] = body["error"]
    return error
