"""uvicorn's httptools protocol with the read deadline and the head limit: what ``serve``
runs where httptools is installed (the faster parser)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_calcom.server import ReadDeadline
from mock_calcom.serverhttp.head_limit import HEAD_END, MAX_HEAD_BYTES, HeadRefusal


class GuardedHttpTools(HeadRefusal, ReadDeadline, HttpToolsProtocol):
    """Two guards, in the callbacks uvicorn's protocol already has (each one frame: the
    parser calls them for every request):

    * **The head limit.** httptools keeps every header byte until the head is complete, with
      no limit of its own (:mod:`~mock_calcom.serverhttp.head_limit`). The bytes of each head
      are counted as they arrive (from the end of the previous request, until a blank line);
      once they pass :data:`MAX_HEAD_BYTES` the connection is answered 431 and closed,
      without handing the bytes to the parser.
    * **The read deadline.** Which request is arriving is read from the parser's callbacks:
      between ``on_message_begin`` (its first byte) and ``on_message_complete`` (its last
      body byte) a request is on its way. Before the first byte of the first request the
      deadline runs from the connection; after a response, uvicorn's keep-alive timeout runs
      until the next request's first byte."""

    _arriving = False
    _head_open = True
    _head_bytes = 0
    _head_tail = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._read_deadline = None
        self._arriving = False
        super().connection_made(transport)
        self._arm()  # a client that connects must send a request in time

    def data_received(self, data: bytes) -> None:
        # Once refused (answered 431 and closing), nothing more is parsed.
        if self._head_open and not self._refused:
            seen = self._head_tail + data
            end = seen.find(HEAD_END)
            if end < 0:
                self._head_bytes += len(data)
                self._head_tail = seen[-3:]
            else:
                self._head_bytes += end + len(HEAD_END) - len(self._head_tail)
                self._head_open, self._head_tail = False, b""
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()
        if not self._refused:
            HttpToolsProtocol.data_received(self, data)
        cycle = self.cycle
        if not self._arriving and cycle is not None and not cycle.response_complete:
            # The request is whole; the app's time to answer is not limited.
            if self._read_deadline is not None:  # (what _disarm looks at first)
                self._disarm()
        else:
            # A request is on its way (or only stray bytes came, which also stopped
            # uvicorn's keep-alive timer): it must arrive in time.
            self._arm()

    def on_message_begin(self) -> None:
        self._arriving = True
        HttpToolsProtocol.on_message_begin(self)

    def on_message_complete(self) -> None:
        self._arriving = False
        # The next bytes on this connection start another request's head.
        self._head_open, self._head_bytes, self._head_tail = True, 0, b""
        HttpToolsProtocol.on_message_complete(self)

    def on_response_complete(self) -> None:
        if not self._arriving and self._read_deadline is not None:
            self._disarm()  # idle now: the keep-alive timeout takes over
        HttpToolsProtocol.on_response_complete(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        HttpToolsProtocol.connection_lost(self, exc)
