"""uvicorn's h11 protocol with the read deadline: the fallback where httptools is missing."""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mock_calcom.server import ReadDeadline
from mock_calcom.serverhttp.head_limit import MAX_HEAD_BYTES, HeadRefusal, head_size


class GuardedH11(HeadRefusal, ReadDeadline, H11Protocol):
    """Which request is arriving is read from h11's connection state: ``IDLE`` (nothing or
    part of the headers) and ``SEND_BODY`` (part of the body) mean a request is on its way.

    A head over :data:`MAX_HEAD_BYTES` gets Node's 431, as under httptools: h11 refuses it
    too (its own limit is the same 16 KiB, and it hints 431), but uvicorn answers every h11
    refusal with a 400. While h11 waits for a head (``IDLE``), what it holds unparsed
    (``trailing_data``) is that head's start, so the head is measured before h11 sees more."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._read_deadline = None
        super().connection_made(transport)
        self._arm()  # a client that connects must send a request in time

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # answered 431 and closing: nothing more is parsed
        conn = self.conn
        if conn.their_state is h11.IDLE:
            pending = conn.trailing_data[0]
            if (len(pending) + len(data) > MAX_HEAD_BYTES
                    and head_size(pending + data) > MAX_HEAD_BYTES):
                self._refuse()
                return
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
