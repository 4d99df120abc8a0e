"""In-process transports: async, sync (threads), and respx routing of production hosts."""

from __future__ import annotations

import importlib.machinery
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx
from respx.models import AllMockedAssertionError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_calcom.errors import ConnectionDropped
from mock_calcom.transports import (
    AsyncCalcomTransport,
    CalcomUrls,
    SyncCalcomTransport,
    respx_router,
)


async def _echo(request: Request) -> Response:
    return JSONResponse({
        "host": request.headers.get("host"),
        "path": request.url.path,
        "n": request.query_params.get("n"),
        "body": (await request.body()).decode(),
        "thread": threading.get_ident(),
    })


async def _drop(request: Request) -> Response:
    raise ConnectionDropped("hang up")


APP = Starlette(routes=[Route("/drop", _drop, methods=["GET", "POST"]),
                        Route("/{path:path}", _echo, methods=["GET", "POST"])])


def _portal_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "mock-calcom-transport"}


# -- async -----------------------------------------------------------------------------------

async def test_the_async_transport_runs_the_app_in_the_callers_thread() -> None:
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(APP),
                                 base_url="https://api.cal.com") as client:
        response = await client.post("/v2/me", content=b"payload")
    body = response.json()
    assert (body["host"], body["path"], body["body"]) == ("api.cal.com", "/v2/me", "payload")
    assert body["thread"] == threading.get_ident()


async def test_an_in_process_request_searches_for_no_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx's ASGI transport imports ``sniffio`` on every request: uninstalled, that was a
    failed import each time, a search of ``sys.path`` costing a quarter of the request."""
    searched: list[str] = []
    find_spec = importlib.machinery.PathFinder.find_spec

    def spy(name: str, *args: Any, **kwargs: Any) -> Any:
        searched.append(name)
        return find_spec(name, *args, **kwargs)

    async with httpx.AsyncClient(transport=AsyncCalcomTransport(APP),
                                 base_url="https://api.cal.com") as client:
        await client.get("/warm-up")  # first-use imports are fine
        monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", spy)
        for _ in range(3):
            assert (await client.get("/v2/me")).status_code == 200
    assert searched == []


async def test_a_dropped_connection_reaches_an_async_client_as_a_protocol_error() -> None:
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(APP)) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.get("https://api.cal.com/drop")


# -- sync ------------------------------------------------------------------------------------

def test_the_sync_transport_runs_the_app_on_a_background_loop() -> None:
    with httpx.Client(transport=SyncCalcomTransport(APP), base_url="https://app.cal.com") as client:
        response = client.post("/auth/oauth2/authorize", data={"a": "1"})
    body = response.json()
    assert (body["host"], body["path"], body["body"]) == ("app.cal.com", "/auth/oauth2/authorize", "a=1")
    assert body["thread"] != threading.get_ident()


def test_the_sync_transport_serves_many_threads_at_once_each_its_own_answer() -> None:
    transport = SyncCalcomTransport(APP)
    with httpx.Client(transport=transport, base_url="https://api.cal.com") as client:
        def call(n: int) -> str | None:
            value: str | None = client.get("/v2/me", params={"n": str(n)}).json()["n"]
            return value

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(call, range(64)))
    assert answers == [str(n) for n in range(64)]


def test_the_sync_transport_starts_its_loop_lazily_and_close_stops_it() -> None:
    before = _portal_threads()
    transport = SyncCalcomTransport(APP)
    assert _portal_threads() == before
    with httpx.Client(transport=transport) as client:
        client.get("https://api.cal.com/x")
        started = _portal_threads() - before
        assert len(started) == 1
    [thread] = started
    thread.join(5)
    assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        transport.handle_request(httpx.Request("GET", "https://api.cal.com/x"))


def test_a_dropped_connection_reaches_a_sync_client_as_a_protocol_error() -> None:
    with httpx.Client(transport=SyncCalcomTransport(APP)) as client, \
            pytest.raises(httpx.RemoteProtocolError):
        client.get("https://api.cal.com/drop")


# -- respx -----------------------------------------------------------------------------------

def test_respx_mode_routes_both_production_hosts_for_plain_sync_httpx() -> None:
    with respx_router(APP):
        web = httpx.get("https://app.cal.com/auth/oauth2/authorize").json()
        api = httpx.post("https://api.cal.com/v2/auth/oauth2/token", data={"x": "y"}).json()
    assert (web["host"], web["path"]) == ("app.cal.com", "/auth/oauth2/authorize")
    assert (api["host"], api["path"], api["body"]) == ("api.cal.com", "/v2/auth/oauth2/token", "x=y")


async def test_respx_mode_serves_async_clients_in_their_own_event_loop() -> None:
    with respx_router(APP):
        async with httpx.AsyncClient() as client:
            body = (await client.get("https://api.cal.com/v2/me")).json()
    assert body["host"] == "api.cal.com"
    assert body["thread"] == threading.get_ident()


async def test_respx_mode_serves_a_sync_client_inside_async_code_off_the_loop() -> None:
    with respx_router(APP):
        body = httpx.get("https://api.cal.com/v2/me").json()
    assert body["thread"] != threading.get_ident()


@pytest.mark.parametrize("url", ["https://example.com/", "http://api.cal.com/v2/me",
                                 "https://cal.com/", "https://api.cal.com.evil.example/"])
def test_respx_mode_refuses_every_other_url_instead_of_passing_it_through(url: str) -> None:
    with respx_router(APP), pytest.raises(AllMockedAssertionError):
        httpx.get(url)


def test_respx_mode_turns_a_drop_into_a_protocol_error_for_sync_clients() -> None:
    with respx_router(APP), pytest.raises(httpx.RemoteProtocolError):
        httpx.get("https://api.cal.com/drop")


async def test_respx_mode_turns_a_drop_into_a_protocol_error_for_async_clients() -> None:
    with respx_router(APP):
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("https://api.cal.com/drop")


def test_respx_mode_works_beside_a_tests_own_respx_routes() -> None:
    with respx.mock(assert_all_called=False) as own, respx_router(APP):
        own.get("https://hooks.example/ping").respond(204)
        assert httpx.get("https://hooks.example/ping").status_code == 204
        assert httpx.get("https://api.cal.com/v2/me").json()["host"] == "api.cal.com"


# -- URLs ------------------------------------------------------------------------------------

def test_production_urls_put_the_page_on_the_web_app_and_the_token_on_the_api() -> None:
    urls = CalcomUrls.production()
    assert urls.authorize_url == "https://app.cal.com/auth/oauth2/authorize"
    assert urls.token_url == "https://api.cal.com/v2/auth/oauth2/token"
    assert urls.legacy_token_url == "https://app.cal.com/api/auth/oauth/token"
    assert urls.legacy_refresh_url == "https://app.cal.com/api/auth/oauth/refreshToken"
    assert urls.api_base_url == "https://api.cal.com/v2"
    assert urls.client_info_url("abc") == "https://api.cal.com/v2/auth/oauth2/clients/abc"


def test_a_single_origin_serves_every_url() -> None:
    urls = CalcomUrls.single_origin("http://127.0.0.1:9")
    assert urls.authorize_url == "http://127.0.0.1:9/auth/oauth2/authorize"
    assert urls.token_url == "http://127.0.0.1:9/v2/auth/oauth2/token"
