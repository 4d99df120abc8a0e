"""The body limits' shortcuts answer every request as the limits written out in full do."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from mock_calcom import bodylimit
from mock_calcom.bodylimit import MAX_BODY_BYTES, MAX_CONTROL_BODY_BYTES, MAX_JSON_DEPTH, admit

# -- the limits as they were written before the shortcuts (the reference) --------------------


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


def _chunked(scope: Scope) -> bool:
    return any(key == b"transfer-encoding" for key, _ in scope["headers"])


async def _read_up_to(receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
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


async def admit_as_before(scope: Scope, receive: Receive, send: Send, render: Any
                          ) -> tuple[bytes | None, Receive] | None:
    if scope["method"] in ("GET", "HEAD"):
        return None, receive
    limit = MAX_CONTROL_BODY_BYTES if scope["path"].startswith("/_mock") else MAX_BODY_BYTES
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
    if _is_json(scope) and bodylimit.json_too_deep(body):
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


async def _refuse(render: Any, scope: Scope, receive: Receive, send: Send, status: int,
                  message: str) -> None:
    response = render(scope, status, message)
    response.headers["connection"] = "close"
    await response(scope, receive, send)


# -- one request through either -----------------------------------------------------------------

def _render(scope: Scope, status: int, message: str) -> Response:
    return PlainTextResponse(f"{scope['path']} {message}", status_code=status)


def _run(limits: Any, scope: Scope, messages: list[Message]) -> tuple[Any, ...]:
    """What ``limits`` did: its verdict, the body it read, what its ``receive`` replays
    (three calls), what it sent, and how many messages it took from the client first."""
    queue = list(messages)
    taken = [0]
    sent: list[Message] = []

    async def receive() -> Message:
        if not queue:
            return {"type": "http.disconnect", "end": True}
        taken[0] += 1
        return queue.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    async def go() -> tuple[Any, ...]:
        admitted = await limits({**scope, "headers": list(scope["headers"])}, receive, send,
                                _render)
        read_before = taken[0]
        if admitted is None:
            return None, None, [], sent, read_before
        body, replay = admitted
        replayed = [await replay() for _ in range(3)]
        # bytes, whatever the messages held (a bytearray equals bytes of the same value)
        return "admitted", (type(body), body), replayed, sent, read_before

    return asyncio.run(go())


# -- generated requests ------------------------------------------------------------------------

_LIMIT = MAX_BODY_BYTES
_LENGTHS = st.sampled_from([b"0", b"5", b"12", b" 12 ", b"-1", b"+3", b"1_0", b"abc", b"",
                            str(_LIMIT).encode(), str(_LIMIT + 1).encode(),
                            str(MAX_CONTROL_BODY_BYTES + 1).encode()])
_TYPES = st.sampled_from([b"application/json", b"Application/JSON; charset=utf-8",
                          b"application/x-www-form-urlencoded", b"text/plain",
                          b"application/problem+json", b" application/json ;x=1"])
_HEADER = st.one_of(
    st.tuples(st.just(b"content-length"), _LENGTHS),
    st.tuples(st.just(b"content-type"), _TYPES),
    st.tuples(st.just(b"transfer-encoding"), st.just(b"chunked")),
    st.tuples(st.sampled_from([b"host", b"accept", b"x-other"]), st.just(b"v")),
)
_CHUNK = st.one_of(
    st.sampled_from([b"", b"a=1&b=2", b'{"a": [1, 2]}', b"[" * (MAX_JSON_DEPTH + 1),
                     b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH,
                     b'["' + b"[" * 80 + b'"]', b"{" * 70, b"x" * _LIMIT, b"y" * (_LIMIT + 1)]),
    st.binary(max_size=40),
)


@st.composite
def _messages(draw: st.DrawFn) -> list[Message]:
    chunks = draw(st.lists(_CHUNK, min_size=0, max_size=3))
    messages: list[Message] = []
    for index, chunk in enumerate(chunks):
        message: Message = {"type": "http.request", "more_body": index < len(chunks) - 1}
        if chunk or draw(st.booleans()):
            message["body"] = bytearray(chunk) if draw(st.integers(0, 5)) == 0 else chunk
        if not message["more_body"] and draw(st.booleans()):
            del message["more_body"]
        messages.append(message)
    if draw(st.booleans()):
        messages.append({"type": "http.disconnect"})
    return messages


@st.composite
def _scopes(draw: st.DrawFn) -> Scope:
    return {"type": "http", "method": draw(st.sampled_from(["POST", "PUT", "GET", "HEAD", "PATCH"])),
            "path": draw(st.sampled_from(["/v2/auth/oauth2/token", "/_mock/faults", "/x"])),
            "headers": draw(st.lists(_HEADER, max_size=5))}


def _whole(size: int, *, declared: bool = True, says: int | None = None,
           path: str = "/v2/auth/oauth2/token") -> tuple[Scope, list[Message]]:
    """A request whose body comes in one message; ``says`` is its declared length if
    that is not the body's."""
    headers = [(b"content-length", str(size if says is None else says).encode())] if declared else [
        (b"transfer-encoding", b"chunked")]
    return ({"type": "http", "method": "POST", "path": path, "headers": headers},
            [{"type": "http.request", "body": b"z" * size, "more_body": False}])


def _deep(body: bytes) -> tuple[Scope, list[Message]]:
    """A JSON body in one message, of the usual declared length: only its brackets can
    refuse it."""
    return ({"type": "http", "method": "POST", "path": "/v2/bookings",
             "headers": [(b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]},
            [{"type": "http.request", "body": body, "more_body": False}])


@settings(max_examples=300, deadline=None)
@given(_scopes(), _messages())
@example(*_whole(_LIMIT))
@example(*_whole(_LIMIT + 1, declared=False))
@example(*_whole(_LIMIT, declared=False))
@example(*_whole(_LIMIT + 1))
@example(*_whole(_LIMIT + 1, path="/_mock/faults"))
@example(*_whole(_LIMIT + 1, says=5))
@example(*_whole(3, says=0))
@example(*_deep(b"[" * (MAX_JSON_DEPTH + 1)))
@example(*_deep(b"{" * (MAX_JSON_DEPTH + 1)))
@example(*_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH))
def test_every_request_is_admitted_or_refused_as_by_the_limits_written_in_full(
        scope: Scope, messages: list[Message]) -> None:
    assert _run(admit, scope, messages) == _run(admit_as_before, scope, messages)


def test_the_usual_form_request_is_read_once_and_replayed() -> None:
    body = b"grant_type=refresh_token&client_id=c"
    scope = {"type": "http", "method": "POST", "path": "/v2/auth/oauth2/token",
             "headers": [(b"host", b"h"), (b"content-length", str(len(body)).encode()),
                         (b"content-type", b"application/x-www-form-urlencoded")]}
    outcome = _run(admit, scope, [{"type": "http.request", "body": body, "more_body": False}])
    assert outcome[:3] == ("admitted", (bytes, body), [
        {"type": "http.request", "body": body, "more_body": False},
        {"type": "http.disconnect", "end": True}, {"type": "http.disconnect", "end": True}])
    assert outcome[4] == 1


def test_the_first_of_repeated_headers_counts() -> None:
    deep = b"[" * (MAX_JSON_DEPTH + 1)
    scope = {"type": "http", "method": "POST", "path": "/v2/x",
             "headers": [(b"content-type", b"application/json"), (b"content-type", b"text/plain"),
                         (b"content-length", str(len(deep)).encode()), (b"content-length", b"0")]}
    outcome = _run(admit, scope, [{"type": "http.request", "body": deep}])
    assert outcome[0] is None
    assert re.search(rb"nested deeper", outcome[3][1]["body"])
