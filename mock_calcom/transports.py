"""Ways for an httpx client to reach a fake without a socket.

* :class:`AsyncCalcomTransport`: ``httpx.AsyncClient(transport=...)``, runs the app in the
  caller's event loop.
* :class:`SyncCalcomTransport`: ``httpx.Client(transport=...)``, runs the app on a private
  event loop in a background thread (an anyio blocking portal, started on first use), so
  sync code, and many threads at once, can call an async app.
* :func:`respx_router`: routes ``https://app.cal.com`` and ``https://api.cal.com`` to the fake
  for *every* httpx client, so code that hard-codes production URLs runs unmodified.

All three turn :class:`~mock_calcom.errors.ConnectionDropped` raised in the app into
``httpx.RemoteProtocolError``, which is what a client sees when a server hangs up.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import threading
import weakref
from collections.abc import Awaitable, Iterator
from typing import Any

import anyio
import httpx
import respx
from anyio.from_thread import BlockingPortal
from starlette.types import ASGIApp

from mock_calcom.addresses import API_URL, APP_URL, CalcomUrls
from mock_calcom.errors import ConnectionDropped

__all__ = ["API_URL", "APP_URL", "AsyncCalcomTransport", "CalcomUrls", "SyncCalcomTransport",
           "respx_router"]

#: What ``request.client`` looks like to the app for in-process requests.
_CLIENT_ADDRESS = ("127.0.0.1", 50000)
_DROPPED_MESSAGE = "Server disconnected without sending a response."


def _dropped(request: httpx.Request, cause: ConnectionDropped) -> httpx.RemoteProtocolError:
    error = httpx.RemoteProtocolError(_DROPPED_MESSAGE, request=request)
    error.__cause__ = cause
    return error


class AsyncCalcomTransport(httpx.AsyncBaseTransport):
    """The app behind an ``httpx.AsyncClient``, in the caller's event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app, client=_CLIENT_ADDRESS)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped as exc:
            raise _dropped(request, exc) from exc


class _PortalThread:
    """An event loop in a *daemon* thread, reached through an anyio blocking portal.

    anyio's ``start_blocking_portal`` runs its loop in a ``ThreadPoolExecutor`` worker, which
    the interpreter joins at exit: a transport nobody closed would then hang the process
    forever. A daemon thread never holds up exit, and :meth:`stop` still ends it cleanly.
    """

    def __init__(self, name: str) -> None:
        ready: concurrent.futures.Future[BlockingPortal] = concurrent.futures.Future()

        async def run() -> None:
            async with BlockingPortal() as portal:
                ready.set_result(portal)
                await portal.sleep_until_stopped()

        def main() -> None:
            try:
                anyio.run(run)
            except BaseException as exc:  # surfaced to the starter, never lost
                if not ready.done():
                    ready.set_exception(exc)

        self._thread = threading.Thread(target=main, name=name, daemon=True)
        self._thread.start()
        self.portal = ready.result()

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped, or the loop is gone
            self.portal.call(self.portal.stop, True)
        if self._thread is not threading.current_thread():
            self._thread.join(5)


class _PortalHolder:
    """What a transport's finalizer needs: everything but the transport itself."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: _PortalThread | None = None
        self.closed = False

    def close(self) -> None:
        with self.lock:
            self.closed = True
            thread, self.thread = self.thread, None
        if thread is not None:
            thread.stop()


class SyncCalcomTransport(httpx.BaseTransport):
    """The app behind an ``httpx.Client``: requests are handed to one background event loop
    (started lazily, stopped by :meth:`close`, by garbage collection, or at interpreter exit).
    Thread-safe: many threads may share it."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = AsyncCalcomTransport(app)
        self._holder = _PortalHolder()
        # A transport dropped unclosed stops its loop when collected, or at exit at the latest.
        self._finalizer = weakref.finalize(self, self._holder.close)

    def _get_portal(self) -> BlockingPortal:
        holder = self._holder
        with holder.lock:
            if holder.closed:
                raise RuntimeError("this mock-calcom transport is closed")
            if holder.thread is None:
                holder.thread = _PortalThread("mock-calcom-transport")
            return holder.thread.portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Reading makes the body a ByteStream, which the async side can iterate too.
        request.read()
        portal = self._get_portal()
        status, headers, content, extensions = portal.call(self._send, request)
        return httpx.Response(status, headers=headers, content=content, extensions=extensions)

    async def _send(self, request: httpx.Request
                    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, dict[str, Any]]:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content, dict(response.extensions)

    @property
    def closed(self) -> bool:
        return self._holder.closed

    def close(self) -> None:
        self._finalizer()


#: Set while respx resolves a request of an async client: the same side effect serves both
#: kinds of client, and respx gives it no other way to tell them apart.
_RESOLVING_ASYNC: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "mock_calcom_resolving_async", default=False)


class _CalcomRouter(respx.MockRouter):
    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        token = _RESOLVING_ASYNC.set(True)
        try:
            return await super().async_handler(request)
        finally:
            _RESOLVING_ASYNC.reset(token)


class _FakeSideEffect:
    """Answers sync clients through the sync transport, async ones in the caller's loop."""

    def __init__(self, sync: SyncCalcomTransport, async_: AsyncCalcomTransport) -> None:
        self._sync = sync
        self._async = async_

    def __call__(self, request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        if _RESOLVING_ASYNC.get():
            return self._answer_async(request)
        return self._sync.handle_request(request)

    async def _answer_async(self, request: httpx.Request) -> httpx.Response:
        response = await self._async.handle_async_request(request)
        await response.aread()
        return response


@contextlib.contextmanager
def respx_router(app: ASGIApp, *, hosts: tuple[str, ...] = ("app.cal.com", "api.cal.com")
                 ) -> Iterator[respx.MockRouter]:
    """Route every httpx request for ``https://<host>`` to ``app``, sync and async clients
    alike, for the duration of the ``with``. Anything else fails with respx's
    ``AllMockedAssertionError`` instead of reaching the network, so a test never silently
    talks to the real Cal.com. Other respx routers active at the same time still work."""
    sync = SyncCalcomTransport(app)
    side_effect = _FakeSideEffect(sync, AsyncCalcomTransport(app))
    router = _CalcomRouter(assert_all_called=False, assert_all_mocked=True)
    for host in hosts:
        router.route(scheme="https", host=host).mock(side_effect=side_effect)
    try:
        with router:
            yield router
    finally:
        sync.close()
