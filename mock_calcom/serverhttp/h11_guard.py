"""uvicorn's h11 protocol with the read deadline: the fallback where httptools is missing."""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mock_calcom.server import ReadDeadline


class GuardedH11(ReadDeadline, H11Protocol):
    """Which request is arriving is read from h11's connection state: ``IDLE`` (nothing or
    part of the headers) and ``SEND_BODY`` (part of the body) mean a request is on its way."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._read_deadline = None
        super().connection_made(transport)
        self._arm()  # a client that connects must send a request in time

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._arm()  # a request is on its way: it must arrive in time
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        self._disarm()  # idle now: the keep-alive timeout takes over
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
