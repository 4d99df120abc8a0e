"""Fixtures shared by test areas: an httpx client on a package's ``fake``, and a fake served
both in-process and over a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.transports import AsyncCalcomTransport

#: What ``served`` yields: the fake, an httpx client on it, and ``"in_process"`` or ``"live"``.
Served = tuple[MockCalcom, httpx.AsyncClient, str]


@pytest.fixture
async def http(fake: MockCalcom) -> AsyncIterator[httpx.AsyncClient]:
    """An async client on the ``fake`` fixture of the requesting test's package, at api.cal.com."""
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.cal.com") as client:
        yield client


@pytest.fixture(scope="module")
def live_server() -> Iterator[tuple[MockCalcom, str]]:
    """One live server per module (starting uvicorn per test costs more than the tests)."""
    server_module = pytest.importorskip("mock_calcom.server")
    fake = MockCalcom()
    with server_module.LiveServer(fake) as server:
        yield fake, str(server.url)


@pytest.fixture
def settings() -> Settings:
    """The settings of the ``served`` fake; a module overrides this fixture to change them."""
    return Settings(seed=1)


@pytest.fixture(params=["in_process", "live"])
async def served(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Served]:
    """A fake with ``settings`` and a client on it: in-process (drops raise as from a socket),
    then the module's live server, reset to ``settings`` as a new fake would be.
    ``pytest.mark.parametrize("served", ["in_process"], indirect=True)`` keeps one mode."""
    if request.param == "in_process":
        fake = MockCalcom(settings)
        async with httpx.AsyncClient(transport=AsyncCalcomTransport(fake.app),
                                     base_url="https://api.cal.com") as http:
            yield fake, http, request.param
        return
    shared, url = request.getfixturevalue("live_server")
    shared.model.apply_settings(settings)
    shared.reset()
    async with httpx.AsyncClient(base_url=url) as http:
        yield shared, http, request.param
