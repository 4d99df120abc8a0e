"""Request bodies as Cal.com's two servers see them.

API v2 (NestJS on Express) parses JSON with body-parser (strict: only an object or an array at
the top) and forms with ``qs`` (``extended: true``: repeated keys become arrays, ``a[b]=c``
nests). The web app's legacy G1 routes read the raw text with ``URLSearchParams`` and
``Object.fromEntries``, whatever the content type (``parseUrlFormData``, parseRequestData.ts
@1fff9d0a), so the last of repeated keys wins and a JSON body reads as missing fields.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import unquote_plus

from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive

#: body-parser's default ``limit: "100kb"``: a larger body is refused with 413 before any
#: handler runs. The fake applies it to every body it reads.
MAX_BODY_BYTES = 100 * 1024

#: ``qs`` reads at most this many pairs and ignores the rest (``parameterLimit``).
_QS_PARAMETER_LIMIT = 1000

#: ``qs`` drops keys that would shadow ``Object.prototype`` (``allowPrototypes: false``).
_PROTOTYPE_KEYS = frozenset({
    "__proto__", "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
    "toLocaleString", "toString", "valueOf", "__defineGetter__", "__defineSetter__",
    "__lookupGetter__", "__lookupSetter__",
})

_BRACKETED = re.compile(r"^([^\[\]]+)\[([^\[\]]*)\]")


class BodyTooLarge(Exception):
    """The body is larger than :data:`MAX_BODY_BYTES`."""


class InvalidJson(Exception):
    """The body is not what body-parser's strict JSON parser accepts."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, refusing (before reading, if the length is declared) past ``limit``."""
    return await read_body_raw(request.headers.get("content-length"), request.receive, limit)


async def read_body_raw(declared: str | None, receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    """:func:`read_body` from ASGI parts: the ``Content-Length`` value (``None`` when not
    sent) and ``receive``."""
    # isdecimal, not isdigit: "²" is a digit int() cannot read (a 500, before this).
    if declared is not None and declared.strip().isdecimal() and int(declared) > limit:
        raise BodyTooLarge
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        # The usual case: the whole body in one message.
        body = message.get("body", b"")
        if type(body) is bytes:  # else joined into bytes below
            if len(body) > limit:
                raise BodyTooLarge
            return body
    return await _read_rest(message, receive, limit)


async def _read_rest(message: Message, receive: Receive, limit: int) -> bytes:
    """:func:`read_body_raw` from its first ``message`` on."""
    chunks: list[bytes] = []
    size = 0
    # What ``request.stream()`` reads, without an async generator: asyncio registers and
    # tracks each one, which cost more than the reading on the token endpoint's hot path.
    while True:
        if message["type"] != "http.request":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
        message = await receive()


def media_type(request: Request) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return media_type_of(request.headers.get("content-type", ""))


def _media_type_of(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


#: :func:`media_type` of a ``Content-Type`` value (a pure function of a value clients repeat
#: with every request, so remembered).
media_type_of = functools.lru_cache(maxsize=256)(_media_type_of)


def parse_json_strict(raw: bytes) -> Any:
    """JSON as body-parser's ``strict`` mode reads it: the text must start with ``{`` or
    ``[``, and JavaScript's ``JSON.parse`` knows no ``NaN``/``Infinity``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson from exc
    stripped = text.lstrip(" \t\n\r")
    if not stripped or stripped[0] not in "{[":
        raise InvalidJson
    try:
        return json.loads(stripped, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidJson from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Keys that :func:`parse_qs_extended` takes as they are: non-empty, nothing to unquote
#: (no ``%`` or ``+``), no bracket, not a prototype key. The OAuth fields every token and
#: authorize request sends.
PLAIN_KEYS = frozenset({
    "client_id", "client_secret", "grant_type", "code", "redirect_uri", "code_verifier",
    "refresh_token", "scope", "state", "code_challenge", "code_challenge_method",
    "response_type",
})


def parse_qs_extended(raw: bytes) -> dict[str, Any]:
    """A form body as Express's ``urlencoded({extended: true})`` (``qs``) turns it into an
    object: a repeated key becomes an array, a bracketed key (``a[]``, ``a[b]``) an array
    or an object. Only strings, lists and dicts come out, so a validator can tell a single
    string from anything else, as class-validator's ``@IsString()`` does.

    A form of :data:`PLAIN_KEYS`, each once (what every OAuth client sends; so far fewer
    pairs than ``parameterLimit``), is read in one plain pass: such a key decodes to itself
    and names no array or object, so each value is simply its key's. Anything else takes
    the whole of ``qs``'s rules (:func:`_parse_qs_general`). (``partition`` finds a
    separator with ``memchr``; ``split`` and a regular expression go character by
    character, twice the instructions over a refresh token.)"""
    text = raw.decode("utf-8", "replace")
    escaped = "%" in text or "+" in text
    result: dict[str, Any] = {}
    rest = text
    while True:
        part, more, rest = rest.partition("&")
        key, _, value = part.partition("=")
        if key not in PLAIN_KEYS or key in result:
            return _parse_qs_general(text)
        result[key] = _unquote_plus(value) if escaped else value
        if not more:
            return result


def _parse_qs_general(text: str) -> dict[str, Any]:
    """:func:`parse_qs_extended` of any decoded form text."""
    result: dict[str, Any] = {}
    for count, part in enumerate(p for p in text.split("&") if p):
        if count >= _QS_PARAMETER_LIMIT:
            break
        key_raw, sep, value_raw = part.partition("=")
        key = _unquote_plus(key_raw)
        value = _unquote_plus(value_raw) if sep else ""
        nested = _BRACKETED.match(key) if "[" in key else None
        item: Any = value
        if nested is not None:
            key, inner = nested.group(1), nested.group(2)
            item = [value] if inner == "" else {inner: value}
        if not key or key in _PROTOTYPE_KEYS:
            continue
        if key in result:
            previous = result[key]
            head = previous if isinstance(previous, list) else [previous]
            result[key] = head + (item if isinstance(item, list) else [item])
        else:
            result[key] = item
    return result


#: Escaped texts up to this length have their decoding remembered (see :func:`_unquote_plus`).
_REMEMBERED_LENGTH = 512


def _unquote_plus(text: str) -> str:
    """``unquote_plus``. An escaped text is decoded once: a client sends the same escaped
    ``redirect_uri`` and ``scope`` at every authorize and exchange, and ``unquote_plus`` costs
    more than the rest of the parse. Long texts are decoded every time (the cache stays small)."""
    if "%" not in text and "+" not in text:
        return text
    if len(text) <= _REMEMBERED_LENGTH:
        return _decoded(text)
    return unquote_plus(text)


#: A pure function of the text, so a remembered answer can never be stale.
_decoded = functools.lru_cache(maxsize=1024)(unquote_plus)


def form_pairs(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True)``: the pairs of a urlencoded string in order,
    without the work of unquoting text that has nothing to unquote (ids, codes)."""
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_unquote_plus(key), _unquote_plus(value)))
    return pairs


def parse_url_search_params(raw: bytes) -> dict[str, str]:
    """``Object.fromEntries(new URLSearchParams(text))``: plain strings, the last repeated
    key wins, and text that is not a form (JSON, say) yields keys nobody asks for."""
    return dict(form_pairs(raw.decode("utf-8", "replace")))
