"""Both uvicorn stacks ``serve`` may run (httptools where installed, else h11) carry the same
server hygiene: a deadline to receive a whole request, keep-alive, clean drops and 503s."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

import mock_calcom.server as server_module
from mock_calcom import MockCalcom
from mock_calcom.server import LiveServer, fastest_http, guarded_protocol

STACKS = ["h11", "httptools"]
_GET = b"GET /_mock/clock HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    if request.param == "httptools":
        pytest.importorskip("httptools", reason="httptools is not installed on this platform")
    name: str = request.param
    return name


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(server_module, "REQUEST_READ_TIMEOUT", 0.4)
    return 0.4


@pytest.fixture
def served(stack: str) -> Iterator[LiveServer]:
    with MockCalcom() as fake, LiveServer(fake, http=stack) as server:
        yield server


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (the clock's JSON body is small: headers and body end with '}')."""
    data = b""
    while not data.endswith(b"}"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """The server closed the connection (recv returns b'') before ``seconds`` passed."""
    sock.settimeout(seconds)
    try:
        while sock.recv(1024):
            pass
    except TimeoutError:
        return False
    return True


def test_serve_uses_httptools_where_installed_and_h11_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("httptools")
    assert fastest_http() == "httptools"
    assert guarded_protocol(fastest_http()).__name__ == "GuardedHttpTools"
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "httptools" else object())
    assert fastest_http() == "h11"
    assert guarded_protocol(fastest_http()).__name__ == "GuardedH11"


def test_an_unknown_http_implementation_is_refused() -> None:
    with pytest.raises(ValueError, match="h11 or httptools"):
        guarded_protocol("wsproto")


def test_two_requests_share_one_kept_alive_connection(served: LiveServer) -> None:
    with _connect(served) as sock:
        for _ in range(2):
            sock.sendall(_GET)
            assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_pipelined_requests_are_both_answered(served: LiveServer) -> None:
    with _connect(served) as sock:
        sock.sendall(_GET + _GET)
        first = _read_response(sock)
        second = first[first.index(b"}") + 1:] or _read_response(sock)
        if not second.endswith(b"}"):
            second += _read_response(sock)
    assert first.startswith(b"HTTP/1.1 200")
    assert second.startswith(b"HTTP/1.1 200")


@pytest.mark.usefixtures("short_deadline")
def test_a_client_that_connects_and_sends_nothing_is_disconnected(served: LiveServer) -> None:
    with _connect(served) as sock:
        assert _closed_within(sock, 4)


@pytest.mark.usefixtures("short_deadline")
def test_a_client_that_dribbles_its_headers_is_disconnected(served: LiveServer) -> None:
    with _connect(served) as sock:
        sock.sendall(b"GET /_mock/clock HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        # One header byte every 50 ms never finishes the headers (bounded: 4 s).
        while time.monotonic() - started < 4:
            try:
                sock.sendall(b"x")
            except OSError:
                closed = True
                break
            if _closed_within(sock, 0.05):
                closed = True
                break
    assert closed


@pytest.mark.usefixtures("short_deadline")
def test_a_client_that_never_finishes_its_body_is_disconnected(served: LiveServer) -> None:
    with _connect(served) as sock:
        sock.sendall(b"POST /v2/auth/oauth2/token HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\ngrant_type=")
        assert _closed_within(sock, 4)


@pytest.mark.usefixtures("short_deadline")
def test_the_deadline_starts_again_for_the_next_request_on_a_connection(served: LiveServer) -> None:
    with _connect(served) as sock:
        sock.sendall(_GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /_mock/clock HTTP/1.1\r\n")  # and no more
        assert _closed_within(sock, 4)


@pytest.mark.usefixtures("short_deadline")
def test_the_deadline_does_not_limit_the_time_the_app_takes_to_answer(stack: str) -> None:
    with MockCalcom() as fake:
        fake.add_fault(path="/v2/me", latency=1.0)  # well past the 0.4 s read deadline
        with LiveServer(fake, http=stack) as server:
            response = httpx.get(f"{server.url}/v2/me", timeout=10)
    assert response.status_code == 401  # answered (no bearer), not cut off


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive(
        stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "KEEP_ALIVE", 1)
    with MockCalcom() as fake, LiveServer(fake, http=stack) as server, _connect(server) as sock:
        sock.sendall(_GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        assert _closed_within(sock, 4)


def test_a_dropped_connection_is_a_hang_up_on_both_stacks(stack: str) -> None:
    with MockCalcom() as fake:
        fake.add_fault("/v2/me", drop="before", times=1)
        with LiveServer(fake, http=stack) as server:
            with pytest.raises(httpx.RemoteProtocolError):
                httpx.get(f"{server.url}/v2/me")
            assert httpx.get(f"{server.url}/v2/me").status_code == 401


def test_a_request_in_flight_at_shutdown_gets_503_on_both_stacks(stack: str) -> None:
    fake = MockCalcom()
    fake.add_fault(path="/v2/me", latency=30)
    server = LiveServer(fake, http=stack).start()
    result: dict[str, int] = {}

    def call() -> None:
        result["status"] = httpx.get(f"{server.url}/v2/me", timeout=20).status_code

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 10
    while not fake.faults[0].hits and time.monotonic() < deadline:
        time.sleep(0.01)
    server.stop()
    caller.join(20)
    assert result.get("status") == 503
