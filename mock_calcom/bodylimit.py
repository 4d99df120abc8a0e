"""Request bodies the fake will read at all: a size limit and a JSON depth limit, applied at
the very edge, before anything is buffered or journaled.

:class:`BodyLimit` is a pure ASGI middleware outside the journal. A declared
``Content-Length`` over the limit is refused without reading a byte; a chunked body is read
only up to the limit. A JSON body nested deeper than :data:`MAX_JSON_DEPTH` is refused too:
Python's parser recurses, and 600 levels of ``[`` would otherwise turn into a
``RecursionError`` (a 500) in a handler, in the journal and in every later journal read.

Each surface answers in its own shape (``render`` is given by the app): Cal.com's token
endpoints with an RFC 6749 error, API v2 with its envelope, the control plane with
``{"error": ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: body-parser's default ``limit: "100kb"`` (FACTS; ``oauth/bodies.py``): Cal.com's routes
#: refuse a larger body with 413.
MAX_BODY_BYTES = 100 * 1024
#: The control plane takes bigger bodies (a fault's canned answer), but not unbounded ones.
MAX_CONTROL_BODY_BYTES = 1024 * 1024
#: Deepest JSON nesting read anywhere. Cal.com's own DTOs nest a few levels; V8 would parse
#: deeper, but nothing it accepts at that depth passes validation (UNCONFIRMED exact answer:
#: the fake gives the malformed-JSON 400 of each surface).
MAX_JSON_DEPTH = 64

#: ``[`` and ``{`` as byte values: ``91 in body`` is one ``memchr``, while ``b"[" in body``
#: first tries the operand as an integer and raises and clears a ``TypeError`` (with its
#: formatted message) before it searches: four times the instructions.
_OPEN_SQUARE, _OPEN_CURLY = ord("["), ord("{")

_JSON_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SURROGATE = re.compile("[\ud800-\udfff]")

#: ``render(scope, status, message)``: the refusal in the shape of the surface.
Render = Callable[[Scope, int, str], Response]


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``raw`` nests arrays/objects deeper than ``limit`` (strings are
    skipped, so brackets inside them do not count). Cheap for ordinary bodies: unless there
    are more than ``limit`` opening brackets, nothing is scanned."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_STRUCTURE.finditer(raw):
        char = match.group(0)
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth = max(0, depth - 1)
    return False


def has_lone_surrogate(value: Any) -> bool:
    """Whether a parsed JSON value holds a string with a lone surrogate (``"\\ud800"``), which
    no UTF-8 encoder can write back out. Iterative: depth is already bounded, but cheap."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _length_of(value: bytes | None) -> int | None:
    """A ``Content-Length`` value as a number (``None`` when absent or unreadable)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _is_json_media(content_type: bytes | None) -> bool:
    """Whether a ``Content-Type`` value names JSON (``application/json``, ``...+json``)."""
    if content_type is None:
        return False
    media: bytes = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


def _first(headers: Any, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value  # type: ignore[no-any-return]
    return None


class BodyLimit:
    """Refuses oversized and over-deep bodies before the rest of the app sees the request.
    (The fake's app applies the same rules, :func:`admit`, in its one edge layer.)"""

    def __init__(self, app: ASGIApp, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admitted = await admit(scope, receive, send, self.render)
        if admitted is not None:
            await self.app(scope, admitted[1], send)


async def admit(scope: Scope, receive: Receive, send: Send, render: Render
                ) -> tuple[bytes | None, Receive] | None:
    """Apply the limits to an HTTP request. ``None``: refused, and already answered with
    ``render``'s response. Otherwise ``(body, receive)``: ``body`` is the whole body when it
    had to be read to be judged (``None`` when it was not read), and ``receive`` replays it
    to the app. The first ``Content-Length`` and ``Content-Type`` count.

    The usual request (no header name repeated, a ``Content-Length`` of digits within
    every surface's limit, the body in one message with no bracket in it) is judged in a
    few steps: the headers in one dict built in C; nothing can be over the limit; JSON
    without a bracket is not nested. So is one that declares no body at all. Any other
    takes :func:`_admit`, the rules in full. ``tests/test_bodylimit.py`` compares both
    with the limits as written before."""
    if scope["method"] in ("GET", "HEAD"):
        return None, receive
    length = None
    headers = scope["headers"]
    if type(headers) is list:
        try:
            named = dict(headers)
        except (TypeError, ValueError):
            named = {}
        if len(named) == len(headers):  # no name repeated: each value is the first
            length = named.get(b"content-length")
            if length is None and b"transfer-encoding" not in named:
                return None, receive  # no body follows: nothing to judge
    if type(length) is bytes and length.isdigit() and 0 < int(length) <= MAX_BODY_BYTES:
        message = await receive()
        body = message.get("body", b"")
        if (message["type"] == "http.request" and not message.get("more_body", False)
                and type(body) is bytes and len(body) <= MAX_BODY_BYTES
                and _OPEN_SQUARE not in body and _OPEN_CURLY not in body):
            return body, _replay(body, False, receive)
        return await _admit(scope, receive, send, render, message)
    return await _admit(scope, receive, send, render, None)


async def _admit(scope: Scope, receive: Receive, send: Send, render: Render,
                 first: Message | None) -> tuple[bytes | None, Receive] | None:
    """:func:`admit` in full; ``first`` is the body's first message if it was taken already
    (only when the declared length asks for reading it)."""
    headers = scope["headers"]
    declared = _length_of(_first(headers, b"content-length"))
    limit = MAX_CONTROL_BODY_BYTES if scope["path"].startswith("/_mock") else MAX_BODY_BYTES
    if declared is not None and declared > limit:
        await _refuse(render, scope, receive, send, 413, "request entity too large")
        return None
    if declared == 0 or (declared is None and not any(key == b"transfer-encoding"
                                                      for key, _ in headers)):
        return None, receive
    body, more, gone = await _read_up_to(receive, limit,
                                         await receive() if first is None else first)
    if more:
        await _refuse(render, scope, receive, send, 413, "request entity too large")
        return None
    if _is_json_media(_first(headers, b"content-type")) and json_too_deep(body):
        await _refuse(render, scope, receive, send, 400,
                      f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return None
    return body, _replay(body, gone, receive)


def _replay(body: bytes, gone: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read whole, then passes on to ``receive`` (or says
    the client went away, if it did while the body was read)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        if gone:
            return {"type": "http.disconnect"}
        return await receive()

    return replay


async def _refuse(render: Render, scope: Scope, receive: Receive, send: Send, status: int,
                  message: str) -> None:
    response = render(scope, status, message)
    # The unread rest of the body makes the server close the connection afterwards.
    response.headers["connection"] = "close"
    await response(scope, receive, send)


async def _read_up_to(receive: Receive, limit: int, message: Message
                      ) -> tuple[bytes, bool, bool]:
    """The body, from its first ``message`` on, if it is at most ``limit`` bytes; ``more``
    when it is longer (the rest stays unread), ``gone`` when the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] != "http.request":
            return b"".join(chunks), False, True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True, False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False, False
        message = await receive()
