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


def _declared_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def limit_for(path: str) -> int:
    return MAX_CONTROL_BODY_BYTES if path.startswith("/_mock") else MAX_BODY_BYTES


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
    to the app."""
    if scope["method"] in ("GET", "HEAD"):
        return None, receive
    limit = limit_for(scope["path"])
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        await _refuse(render, scope, receive, send, 413, "request entity too large")
        return None
    if declared == 0 or (declared is None and not _chunked(scope)):
        return None, receive
    body, more, gone = await _read_up_to(receive, limit)
    if more:
        await _refuse(render, scope, receive, send, 413, "request entity too large")
        return None
    if _is_json(scope) and json_too_deep(body):
        await _refuse(render, scope, receive, send, 400,
                      f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return None
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        if gone:
            return {"type": "http.disconnect"}
        return await receive()

    return body, replay


async def _refuse(render: Render, scope: Scope, receive: Receive, send: Send, status: int,
                  message: str) -> None:
    response = render(scope, status, message)
    # The unread rest of the body makes the server close the connection afterwards.
    response.headers["connection"] = "close"
    await response(scope, receive, send)


def _chunked(scope: Scope) -> bool:
    return any(key == b"transfer-encoding" for key, _ in scope["headers"])


async def _read_up_to(receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
    """The body if it is at most ``limit`` bytes; ``more`` when it is longer (the rest stays
    unread), ``gone`` when the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False, True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True, False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False, False
