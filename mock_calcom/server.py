"""``LiveServer``: a fake on a real socket, for clients that do not use httpx (requests, a
browser, another process) and for the ``mock-calcom serve`` command.

uvicorn runs in a background thread on its own event loop; the fake's state is shared with
the test thread through the model lock, so ``fake.advance(...)`` or ``fake.create_client(...)``
between two requests just works. Servers bind to loopback addresses only.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_calcom.addresses import CalcomUrls
from mock_calcom.errors import ConnectionDropped, InvalidControlInput

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom
    from mock_calcom.requestlog import RequestLog

#: Bounds of start and stop: a server that is not up in this time is reported as broken.
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_LOOPBACK_NAMES = {"localhost": "127.0.0.1"}


def loopback_address(host: str) -> str:
    """``host`` as an IP address, refused unless it is a loopback address: the fake has no
    authentication and must never be reachable from the network."""
    address = _LOOPBACK_NAMES.get(host.lower(), host).strip("[]")
    try:
        is_loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        raise InvalidControlInput(f"host {host!r} is not an IP address or 'localhost'") from None
    if not is_loopback:
        raise InvalidControlInput(
            f"host {host!r} is not a loopback address; mock-calcom only binds to loopback")
    return address


def fastest_stack() -> tuple[str, str]:
    """(event loop, HTTP parser) for uvicorn: uvloop and httptools where they are installed
    (runtime dependencies on CPython outside Windows; about twice the throughput of asyncio
    and h11), else the pure-Python asyncio and h11 that always work."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") is not None else "h11"
    return loop, http


class _HangUpOnDrop:
    """uvicorn answers 500 to an app that raises before responding. For a
    :class:`ConnectionDropped` the socket is aborted instead, so the client sees a connection
    closed with no response at all, as after a real network failure."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ConnectionDropped:
            # uvicorn's ``send`` is a method of its per-request cycle, which owns the transport.
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is None or not hasattr(transport, "abort"):
                raise
            transport.abort()
            # Let uvicorn see the connection lost before the app returns, so it neither
            # logs an incomplete response nor tries to write a 500 to the dead socket.
            for _ in range(3):
                await asyncio.sleep(0)


class LiveServer:
    """``with LiveServer(fake) as server:`` serves ``fake`` at ``server.url`` until the block
    ends. ``port=0`` picks a free port."""

    def __init__(self, fake: MockCalcom, host: str = "127.0.0.1", port: int = 0, *,
                 access_log: bool = False, log_config: dict[str, Any] | None = None,
                 request_log: RequestLog | None = None) -> None:
        self.fake = fake
        self._request_log = request_log
        self.host = loopback_address(host)
        self._requested_port = port
        self._access_log = access_log
        self._log_config = log_config
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, no trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def urls(self) -> CalcomUrls:
        """Authorize, token and API URLs: the web app and the API share this one origin."""
        return CalcomUrls.single_origin(self.url)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LiveServer:
        if self._server is not None:
            raise RuntimeError("the server is already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says
        # TCP, and without it every answer (headers, then body) waits ~40 ms on delayed ACKs.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        app: ASGIApp = _HangUpOnDrop(self.fake.app)
        if self._request_log is not None:
            app = self._request_log.wrap(app, self.fake._secret_hashes)
        loop, http = fastest_stack()
        config = uvicorn.Config(
            app, lifespan="off", loop=loop, http=http,
            ws="none", access_log=self._access_log, log_config=self._log_config,
            log_level=logging.INFO if self._access_log else logging.WARNING,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                  name=f"mock-calcom-server-{self._port}", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self._server = self._thread = None
                sock.close()
                raise RuntimeError(f"mock-calcom server on port {self._port} failed to start")
            time.sleep(0.005)
        # The socket is uvicorn's now: it closes it on shutdown.
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_STOP_TIMEOUT)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
