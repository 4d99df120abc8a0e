"""Issue 9, item 6: a request head (request line and headers) over 16 KiB is refused at the
socket, as Node refuses it, before the app or the journal sees it; under either parser
``serve`` may run (httptools, or the h11 fallback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mock_calcom import MockCalcom
from mock_calcom.server import LiveServer
from mock_calcom.serverhttp.head_limit import MAX_HEAD_BYTES


@pytest.fixture(scope="module", params=["httptools", "h11"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[MockCalcom, LiveServer]]:
    if request.param == "httptools":
        pytest.importorskip("httptools")
    fake = MockCalcom()
    with LiveServer(fake, http=request.param) as live:
        yield fake, live


def _send(port: int, head: bytes, *more: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        for part in more:
            sock.sendall(part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def _head(port: int, filler: int, path: str = "/v2/me") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
            + b"X-Filler: " + b"a" * filler + b"\r\n\r\n")


def test_a_head_over_16_kib_gets_431_and_never_reaches_the_app(
        served: tuple[MockCalcom, LiveServer]) -> None:
    fake, live = served
    fake.journal.clear()
    answer = _send(live.port, _head(live.port, MAX_HEAD_BYTES))
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"connection: close" in answer.lower()
    assert len(fake.journal) == 0


def test_a_head_within_the_limit_is_served(served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    answer = _send(live.port, _head(live.port, MAX_HEAD_BYTES - 200))
    assert answer.startswith(b"HTTP/1.1 401")


def test_a_head_sent_in_many_small_pieces_is_counted_whole(
        served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    pieces = [f"X-Part-{i}: {'b' * 100}\r\n".encode() for i in range(200)]
    answer = _send(live.port, f"GET /v2/me HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n".encode(),
                   *pieces, b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_long_url_counts_towards_the_head(served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    answer = _send(live.port, _head(live.port, 10, path="/v2/" + "x" * MAX_HEAD_BYTES))
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_big_body_is_not_mistaken_for_a_big_head(served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    body = b'{"a": "' + b"x" * 50_000 + b'"}'
    head = (f"POST /_mock/nowhere HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    answer = _send(live.port, head + body)  # one write: head and body arrive together
    assert answer.startswith(b"HTTP/1.1 404")


def test_the_limit_starts_again_for_the_next_request_on_a_connection(
        served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        for _ in range(3):  # 3 x 12 KiB on one connection: each head is within the limit
            sock.sendall(_head(live.port, 12 * 1024))
            answer = b""
            while not answer.endswith(b"}"):
                answer += sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 401")


def test_a_client_still_sending_after_the_limit_reads_its_431_and_is_then_hung_up_on(
        served: tuple[MockCalcom, LiveServer]) -> None:
    """The refusal must not be lost to a reset: the server stops its side after the 431 and
    keeps discarding the rest of the head instead of closing on unread bytes."""
    _, live = served
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(f"GET /v2/me HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n".encode())
        for i in range(2_000):  # ~200 KiB of headers, far past the limit
            sock.sendall(f"X-Part-{i}: {'c' * 100}\r\n".encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431")


def _read_head(sock: socket.socket) -> bytes:
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def test_a_later_request_on_a_connection_is_held_to_the_limit_too(
        served: tuple[MockCalcom, LiveServer]) -> None:
    _, live = served
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(_head(live.port, 100))
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 401")
        sock.sendall(_head(live.port, MAX_HEAD_BYTES))
        assert _read_head(sock).startswith(b"HTTP/1.1 431")


def test_a_blank_line_split_between_two_reads_still_ends_the_head(
        served: tuple[MockCalcom, LiveServer]) -> None:
    """The head's end is found across reads; the body after it is not counted as head."""
    import time

    _, live = served
    body = b'{"a": "' + b"x" * 12_000 + b'"}'
    head = (f"POST /_mock/nowhere HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Filler: {'f' * 8_000}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(head[:-1])  # "...\r\n\r": the last byte of the blank line comes later
        time.sleep(0.2)
        sock.sendall(head[-1:] + body)
        assert _read_head(sock).startswith(b"HTTP/1.1 404")


def test_nothing_sent_after_a_refused_head_reaches_the_app(
        served: tuple[MockCalcom, LiveServer]) -> None:
    import time

    fake, live = served
    fake.journal.clear()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(f"GET /v2/me HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n".encode()
                     + b"X-Filler: " + b"a" * (MAX_HEAD_BYTES + 10))
        assert _read_head(sock).startswith(b"HTTP/1.1 431")
        sock.sendall(b"\r\n\r\n")  # the head's end, after the refusal
        time.sleep(0.3)
    assert len(fake.journal) == 0
