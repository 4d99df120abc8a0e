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
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_calcom.addresses import CalcomUrls
from mock_calcom.asgi import StartTracker
from mock_calcom.control.security import ControlSecurity
from mock_calcom.errors import ConnectionDropped, InvalidControlInput

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom
    from mock_calcom.requestlog import RequestLog

#: Bounds of start and stop: a server that is not up in this time is reported as broken.
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_LOOPBACK_NAMES = {"localhost": "127.0.0.1"}


def loopback_address(host: str) -> str:
    """``host`` as an IP address, refused unless it is a loopback address: without an admin
    token the control plane must never be reachable from the network."""
    address = bind_address(host)
    if not ipaddress.ip_address(address).is_loopback:
        raise InvalidControlInput(
            f"host {host!r} is not a loopback address; mock-calcom binds other addresses only "
            "with an admin token (--admin-token or MOCK_CALCOM_ADMIN_TOKEN)")
    return address


def fastest_loop() -> str:
    """uvicorn's event loop: uvloop where it is installed (a runtime dependency on CPython
    outside Windows), else asyncio."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def fastest_http() -> str:
    """uvicorn's HTTP parser: ``httptools`` where it is installed (a runtime dependency on
    CPython outside Windows, like uvloop), else ``h11``. Both carry the same read deadline
    (:func:`guarded_protocol`)."""
    return "httptools" if importlib.util.find_spec("httptools") is not None else "h11"


def bind_address(host: str) -> str:
    """``host`` as an IP address (``localhost`` is 127.0.0.1)."""
    address = _LOOPBACK_NAMES.get(host.lower(), host).strip("[]")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise InvalidControlInput(f"host {host!r} is not an IP address or 'localhost'") from None
    return address


#: Server hygiene (issue 9): a client gets this long to send a whole request (headers and
#: body) once it has started one or connected; an idle keep-alive connection is closed
#: after ``KEEP_ALIVE``; at most ``MAX_CONNECTIONS`` connections are served at once (the
#: next get uvicorn's 503).
REQUEST_READ_TIMEOUT = 10.0
KEEP_ALIVE = 5
MAX_CONNECTIONS = 256

_log = logging.getLogger("mock_calcom.server")


class ReadDeadline:
    """The deadline for reading a request, mixed into uvicorn's HTTP protocols: a client that
    connects and sends nothing, or dribbles its headers or body (slowloris), is disconnected
    after :data:`REQUEST_READ_TIMEOUT` instead of holding a connection forever. uvicorn
    itself only times out idle keep-alive connections.

    The deadline runs from the connection (or from the first byte of a further request on a
    kept-alive one) until the request has arrived whole; the app's own time to answer is not
    limited. The protocol calls :meth:`_arm` while a request is still arriving and
    :meth:`_disarm` once it is complete, when the response is complete and when the
    connection is lost."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _read_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(REQUEST_READ_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            _log.warning("closed a connection that did not send its request within %gs",
                         REQUEST_READ_TIMEOUT)
            self.transport.close()


def guarded_protocol(http: str) -> type[asyncio.Protocol]:
    """uvicorn's ``h11`` or ``httptools`` protocol class with the :class:`ReadDeadline`;
    each parser is imported only when chosen."""
    if http == "httptools":
        from mock_calcom.serverhttp.httptools_guard import GuardedHttpTools

        return GuardedHttpTools
    if http == "h11":
        from mock_calcom.serverhttp.h11_guard import GuardedH11

        return GuardedH11
    raise ValueError(f"unknown HTTP implementation {http!r} (h11 or httptools)")


def direct_call(app: ASGIApp) -> ASGIApp:
    """What calling ``app`` runs, as a callable the interpreter calls without a detour: for
    an object whose class defines ``__call__`` in Python (the fake's edge), that method
    bound to it. Calling the object itself goes through its type's call slot, which looks
    the method up and binds it at every call. Anything else is ``app`` itself."""
    # The type's own lookup (its MRO, not the instance), as its call slot does it.
    call = next((klass.__dict__["__call__"] for klass in type(app).__mro__
                 if "__call__" in klass.__dict__), None)
    if isinstance(call, types.FunctionType):
        bound: ASGIApp = types.MethodType(call, app)
        return bound
    return app


class _Edge:
    """The outermost layer on a socket.

    * uvicorn answers 500 to an app that raises before responding. For a
      :class:`ConnectionDropped` the socket is aborted instead, so the client sees a
      connection closed with no response at all, as after a real network failure.
    * A request still running when the server shuts down (its task cancelled after the
      grace period) gets ``503`` with ``Connection: close``, not a 500.
    * Any other exception is logged as one line, its text redacted by value, never as a
      traceback with locals or chained messages (which have carried tokens), and answered
      500 if nothing was sent yet."""

    def __init__(self, app: ASGIApp, redact: Callable[[str], str] | None = None) -> None:
        self.app = app
        self.redact = redact or (lambda text: text)
        #: What calling ``app`` runs, when it says (the fake's app: its edge), found at the
        #: first request (when Starlette would build it): awaited directly, one frame less.
        self._entry: ASGIApp | None = None
        #: The class of a ``send``'s owner that said whether its answer started (uvicorn's
        #: cycle): its next instances are asked without looking the attribute up first.
        self._cycle_type: type | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # uvicorn's ``send`` is a method of its per-request cycle, which knows whether the
        # response has started (``response_started``): then it is passed on as it is, with no
        # wrapper to await per message. Any other ``send`` (a request log's) is tracked.
        cycle = getattr(send, "__self__", None)
        tracked: Any = None
        if type(cycle) is self._cycle_type:
            tracked = cycle
        elif type(getattr(cycle, "response_started", None)) is bool:
            tracked = cycle
            self._cycle_type = type(cycle)  # the next request's cycle is of the same class
        app_send = send
        if tracked is None:
            tracked = app_send = StartTracker(send)
        app = self._entry
        if app is None:
            entry = getattr(self.app, "entry", None)
            app = self._entry = direct_call(entry() if callable(entry) else self.app)
        try:
            await app(scope, receive, app_send)
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
        except asyncio.CancelledError:
            # Shutdown cancelled the request: answer it cleanly if it had no answer yet.
            if not _started(tracked):
                await _plain(send, 503, b"mock-calcom is shutting down")
        except Exception as exc:
            _log.error("request %s %s failed: %s: %s", scope["method"],
                       self.redact(scope["path"]), type(exc).__name__, self.redact(str(exc)))
            if not _started(tracked):
                await _plain(send, 500, b"Internal Server Error")


def _started(tracked: Any) -> bool:
    """Whether the response has started, by a :class:`StartTracker` or uvicorn's cycle."""
    return bool(tracked.started if isinstance(tracked, StartTracker) else tracked.response_started)


async def _plain(send: Send, status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(text)).encode("ascii")),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text})


class LiveServer:
    """``with LiveServer(fake) as server:`` serves ``fake`` at ``server.url`` until the block
    ends. ``port=0`` picks a free port."""

    def __init__(self, fake: MockCalcom, host: str = "127.0.0.1", port: int = 0, *,
                 access_log: bool = False, log_config: dict[str, Any] | None = None,
                 request_log: RequestLog | None = None, secure_control: bool = False,
                 admin_token: str | None = None, http: str | None = None) -> None:
        """``secure_control`` turns on the control plane's guard (JSON only, own Origin and
        Host; see :mod:`mock_calcom.control.security`); an ``admin_token`` implies it, is
        then required on every ``/_mock`` call, and allows a non-loopback ``host``.
        ``http`` picks uvicorn's parser (``h11`` or ``httptools``; default: the fastest
        installed, :func:`fastest_http`)."""
        self.fake = fake
        self._request_log = request_log
        if admin_token is not None and len(admin_token) < 16:
            raise InvalidControlInput("the admin token must be at least 16 characters")
        self.host = bind_address(host) if admin_token else loopback_address(host)
        self._secure = secure_control or admin_token is not None
        self._admin_token = admin_token
        self._requested_port = port
        self._access_log = access_log
        self._log_config = log_config
        self._protocol = guarded_protocol(http or fastest_http())
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
        if self._secure:
            self.fake.control_security = ControlSecurity.for_server(
                self.host, self._port, self._admin_token)
        # Log lines may quote a request to any tenant: each one's secrets are kept out.
        app: ASGIApp = _Edge(self.fake.app, self.fake.redact_text_everywhere)
        if self._request_log is not None:
            app = self._request_log.wrap(app, self.fake._secret_hashes_everywhere,
                                         self.fake.redact_text_everywhere)
        config = uvicorn.Config(
            app, lifespan="off", loop=fastest_loop(), http=self._protocol, ws="none",
            access_log=self._access_log, log_config=self._log_config,
            log_level=logging.INFO if self._access_log else logging.WARNING,
            timeout_graceful_shutdown=2, timeout_keep_alive=KEEP_ALIVE,
            limit_concurrency=MAX_CONNECTIONS,
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
