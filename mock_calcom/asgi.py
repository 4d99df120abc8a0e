"""Small helpers shared by the fake's middlewares and handlers: the fake a request is for,
headers and bodies read from the raw ASGI scope.

Every surface imports this module; it imports none of them (``app`` imports the surfaces'
routes while it is itself being imported).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom


class RequestEndpoint:
    """A ``Request -> Response`` handler as a plain ASGI app. Starlette wraps a function
    endpoint in a second exception layer per request; as an object it is called directly,
    and the app's edge, with the same handlers, renders whatever it raises."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive, send))
        await response(scope, receive, send)


class ScopeEndpoint:
    """A handler of requests whose body it never reads, as a plain ASGI app given only the
    scope: no ``Request`` per request (:class:`RequestEndpoint` otherwise)."""

    def __init__(self, handler: Callable[[Scope], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(scope)
        await response(scope, receive, send)


def fake_in(scope: Scope) -> MockCalcom:
    """:func:`fake_of` from the scope (the app object Starlette puts there)."""
    fake: MockCalcom = scope["app"].fake
    return fake


def fake_of(request: HTTPConnection) -> MockCalcom:
    """The fake a request is addressed to (handlers stay free of globals)."""
    fake: MockCalcom = request.app.fake
    return fake


#: Where the app's edge leaves a request body it read whole to judge it (the body limits):
#: what ``receive`` replays, so a route may take it from here. Never set for a body the
#: limits refused or did not read.
READ_BODY = "mock_calcom.body"

#: Where :func:`headers_of` keeps a request's header dict in its scope.
_HEADERS_KEY = "mock_calcom.headers"


def headers_of(scope: Scope) -> dict[str, str]:
    """The request's headers as one dict (lower-case names; the first of repeated headers
    wins, as ``Headers.get`` answers), built once per request and kept in the scope, so the
    edge, the guards and the handlers do not each decode the header list again.

    A client sends the same header list request after request: the dict of a list seen lately
    is copied from a memo (:func:`_decoded` is a pure function of the list) instead of
    decoding each name and value again, which cost about twice as much."""
    cached: dict[str, str] | None = scope.get(_HEADERS_KEY)
    if cached is None:
        raw = scope["headers"]
        key: tuple[Any, ...] | None
        try:
            key = listed = tuple(raw)
            known = _DICTS.get(listed)
        except TypeError:  # an item that is no tuple of bytes (a list, say): decoded each time
            key = known = None
        if known is not None:
            cached = known.copy()  # the scope's own: whoever reads it may change it
        else:
            cached = _decoded(raw)
            if (key is not None and len(key) <= _MEMO_HEADERS
                    and sum(map(len, cached.values())) <= _MEMO_CHARACTERS):
                if len(_DICTS) >= _MEMO_LISTS:
                    _DICTS.clear()
                _DICTS[key] = cached.copy()
        scope[_HEADERS_KEY] = cached
    return cached


def _decoded(headers: Any) -> dict[str, str]:
    """The header dict of a header list (what :func:`headers_of` gives)."""
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in reversed(headers)}


#: Header lists seen lately (as tuples) -> their dicts (:func:`headers_of`). A memo of a pure
#: function, shared by every fake: emptied when it holds :data:`_MEMO_LISTS`; a list of more
#: than :data:`_MEMO_HEADERS` headers or :data:`_MEMO_CHARACTERS` characters of values is not
#: kept. Its keys compare by the bytes of each name and value, which is all decoding reads.
_DICTS: dict[tuple[Any, ...], dict[str, str]] = {}
_MEMO_LISTS = 256
_MEMO_HEADERS = 32
_MEMO_CHARACTERS = 8192


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the (lower-case) header ``name``."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def declares_body(scope: Scope) -> bool:
    """Whether the request says a body follows: a Transfer-Encoding, or a Content-Length other
    than 0. With neither, an HTTP/1.1 request has no body (RFC 9112 §6.3): nothing to read."""
    headers = headers_of(scope)
    if "content-length" not in headers and "transfer-encoding" not in headers:
        # The dict has every name sent (latin-1 decoding is one to one): neither was.
        return False
    for key, value in scope["headers"]:
        if key == b"transfer-encoding" or (key == b"content-length" and value.strip() != b"0"):
            return True
    return False


async def buffer_body(receive: Receive, limit: int | None = None) -> tuple[bytes, Receive]:
    """Read the request body up front and give back a ``receive`` that replays it, then passes
    through (disconnects). Past ``limit`` bytes the rest is left in ``receive`` for the app:
    the replay then says more follows."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more and (limit is None or size <= limit):
        message = await receive()
        if message["type"] != "http.request":
            more = False  # the client went away: nothing more will come
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        more = bool(message.get("more_body", False))
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return body, replay


class StartTracker:
    """A ``send`` that remembers whether the response has started: an error caught after
    that can no longer be answered with an error page."""

    __slots__ = ("_send", "started")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)
