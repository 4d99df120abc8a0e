"""LiveServer: the fake on a loopback socket."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
import requests

from mock_calcom import MockCalcom
from mock_calcom.errors import InvalidControlInput
from mock_calcom.server import LiveServer, loopback_address


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    with MockCalcom() as fake:
        yield fake


def test_the_server_serves_the_fake_whose_state_the_test_shares(fake: MockCalcom) -> None:
    with LiveServer(fake) as server:
        registered = fake.create_client("App", ["https://a.example/cb"])
        response = httpx.get(f"{server.url}/_mock/clients/{registered.client_id}")
        assert response.status_code == 200
        assert response.json()["client_id"] == registered.client_id
        created = httpx.post(f"{server.url}/_mock/users", json={"username": "alice"})
        assert created.status_code == 201
    assert [u.username for u in fake.users()] == ["alice"]


def test_clients_not_built_on_httpx_reach_it(fake: MockCalcom) -> None:
    with LiveServer(fake) as server:
        response = requests.get(f"{server.url}/_mock/clock", timeout=5)
    assert response.json()["now"] == fake.now()


def test_port_zero_picks_a_free_port_and_two_servers_coexist(fake: MockCalcom) -> None:
    with MockCalcom() as other, LiveServer(fake) as one, LiveServer(other) as two:
        assert one.port != two.port
        one_user = httpx.post(f"{one.url}/_mock/users", json={"username": "a"}).json()
        assert one_user["id"] == 1
        assert httpx.get(f"{two.url}/_mock/users").json() == {"users": []}


def test_the_url_set_points_at_the_one_origin(fake: MockCalcom) -> None:
    with LiveServer(fake) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.urls.authorize_url == f"{server.url}/auth/oauth2/authorize"
        assert server.urls.token_url == f"{server.url}/v2/auth/oauth2/token"
        assert server.urls.api_base_url == f"{server.url}/v2"


def test_journal_records_the_host_the_client_used(fake: MockCalcom) -> None:
    with LiveServer(fake) as server:
        httpx.get(f"{server.url}/v2/me")
    entry = fake.journal.last()
    assert entry is not None
    assert entry.host == f"127.0.0.1:{server.port}"
    assert entry.scheme == "http"


def test_stopping_closes_the_port(fake: MockCalcom) -> None:
    server = LiveServer(fake).start()
    url = server.url
    assert server.running
    server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_mock/clock")


def test_a_dropped_connection_is_a_hang_up_not_a_500(fake: MockCalcom,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    registered = fake.create_client("App", ["https://a.example/cb"])
    fake.add_fault("/v2/auth/oauth2/clients/*", drop="before", times=1)
    with LiveServer(fake) as server, caplog.at_level(logging.WARNING):
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(server.urls.client_info_url(registered.client_id))
        # Then an answer, not a 500: the lookup's 401 (it needs authentication).
        assert httpx.get(server.urls.client_info_url(registered.client_id)).status_code == 401
    assert "Exception in ASGI application" not in caplog.text
    dropped = fake.journal.entries()[0]
    assert (dropped.status, dropped.fault) == (None, "fault_1")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_only_loopback_addresses_are_served(fake: MockCalcom, host: str) -> None:
    with pytest.raises(InvalidControlInput):
        LiveServer(fake, host=host)


@pytest.mark.parametrize(("host", "address"), [("localhost", "127.0.0.1"), ("127.0.0.1", "127.0.0.1"),
                                               ("[::1]", "::1"), ("127.0.0.2", "127.0.0.2")])
def test_loopback_names_resolve_to_addresses(host: str, address: str) -> None:
    assert loopback_address(host) == address


def test_a_server_is_started_once(fake: MockCalcom) -> None:
    server = LiveServer(fake)
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url
    with server, pytest.raises(RuntimeError, match="already started"):
        server.start()
