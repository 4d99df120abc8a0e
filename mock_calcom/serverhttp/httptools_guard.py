"""uvicorn's httptools protocol with the read deadline: what ``serve`` runs where httptools
is installed (the faster parser)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_calcom.server import ReadDeadline
from mock_calcom.serverhttp.head_limit import HeadLimit


class GuardedHttpTools(HeadLimit, ReadDeadline, HttpToolsProtocol):
    """Which request is arriving is read from the parser's callbacks: between
    ``on_message_begin`` (its first byte) and ``on_message_complete`` (its last body byte) a
    request is on its way. Before the first byte of the first request the deadline runs from
    the connection; after a response, uvicorn's keep-alive timeout runs until the next
    request's first byte."""

    _arriving = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._read_deadline = None
        self._arriving = False
        super().connection_made(transport)
        self._arm()  # a client that connects must send a request in time

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._arriving and self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the request is whole; the app's time to answer is not limited
        else:
            # A request is on its way (or only stray bytes came, which also stopped
            # uvicorn's keep-alive timer): it must arrive in time.
            self._arm()

    def on_message_begin(self) -> None:
        self._arriving = True
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self._arriving = False
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if not self._arriving:
            self._disarm()  # idle now: the keep-alive timeout takes over
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
