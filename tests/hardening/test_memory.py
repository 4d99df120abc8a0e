"""Issue 9: memory stays bounded under many large bodies the fake refuses."""

from __future__ import annotations

import resource
import socket

from mock_calcom import MockCalcom
from mock_calcom.server import LiveServer

#: What 20 refused 50 MB posts may add to this process's peak RSS (they used to add ~1 GB).
BOUND_BYTES = 64 * 1024 * 1024


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _post_huge(port: int, path: str, megabytes: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     f"Content-Type: application/json\r\n"
                     f"Content-Length: {megabytes * 1024 * 1024}\r\n\r\n".encode())
        chunk = b"x" * (1024 * 1024)
        try:
            for _ in range(megabytes):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: the rest was never wanted
        return sock.recv(200)


def test_many_large_refused_bodies_keep_rss_bounded() -> None:
    fake = MockCalcom()
    with LiveServer(fake) as server:
        before = _peak_rss()
        for path in ["/v2/bookings", "/v2/auth/oauth2/token", "/_mock/users", "/nowhere"] * 5:
            head = _post_huge(server.port, path, 50)
            assert head.startswith(b"HTTP/1.1 413"), head
        grown = _peak_rss() - before
    assert grown < BOUND_BYTES, f"peak RSS grew by {grown / 2**20:.0f} MiB"
    assert len(fake.journal) == 0
