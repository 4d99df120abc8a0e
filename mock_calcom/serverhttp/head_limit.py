"""A size limit for a request's head (request line and headers) under httptools.

httptools keeps every header byte until the head is complete, with no limit of its own, so
within the 10 s read deadline one client could make the server hold gigabytes (8 MiB of
headers were accepted and journaled). h11, the fallback parser, stops at 16 KiB by itself,
but uvicorn turns h11's refusal into a 400 (``h11_guard`` answers first). Node, which serves
Cal.com, refuses a head over 16 KiB (``--max-http-header-size``'s default) with
``431 Request Header Fields Too Large`` and ``Connection: close``; the fake does the same
before anything reaches the app or the journal, under either parser. Whether Cal.com's
hosting (proxy, CDN) cuts in earlier is UNCONFIRMED.
"""

from __future__ import annotations

import asyncio
import logging

#: Bytes a request's head may take, request line and every header together (Node's default).
MAX_HEAD_BYTES = 16 * 1024
_REFUSAL = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-length: 0\r\nconnection: close\r\n\r\n")
#: The end of a head (shared with ``httptools_guard``, which counts heads as they arrive).
HEAD_END = b"\r\n\r\n"
#: How long a refused connection keeps reading (and discarding) before it is closed.
_LINGER_SECONDS = 2.0

_log = logging.getLogger("mock_calcom.server")


class HeadRefusal:
    """The 431 and the lingering close, for a protocol that found a head too large."""

    transport: asyncio.Transport
    _refused = False

    def _refuse(self) -> None:
        self._refused = True
        if self.transport.is_closing():
            return
        _log.warning("refused a request whose head passed %d bytes (431)", MAX_HEAD_BYTES)
        self.transport.write(_REFUSAL)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # A lingering close: closing a socket with unread bytes makes the kernel send a reset,
        # which can reach the client before it has read the 431 (it is usually still sending
        # its head). So end our side, keep discarding what arrives, and close once the client
        # has hung up or after a short grace.
        self.transport.write_eof()
        asyncio.get_running_loop().call_later(_LINGER_SECONDS, self.transport.close)


def head_size(pending: bytes) -> int:
    """How many bytes of ``pending`` (the start of a request) are its head: up to and
    including the blank line, or all of it while the blank line has not arrived."""
    end = pending.find(HEAD_END)
    return len(pending) if end < 0 else end + len(HEAD_END)
