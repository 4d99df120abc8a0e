"""Redirect URLs built the way Cal.com builds them.

``OAuthService.buildRedirectUrl`` (@9d29dd7c) does ``new URL(redirectUri)`` and then
``url.searchParams.set(key, value)`` for every defined value. So the client's own query
parameters survive, a parameter of the same name is replaced, a ``None`` (``undefined``)
value is skipped, and the whole query is re-serialized as a form (spaces become ``+``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

from mock_calcom.oauth.bodies import form_pairs

#: The WHATWG urlencoded serializer leaves only these bytes (plus ASCII letters and digits)
#: unescaped; Python's ``quote_plus`` would also keep ``~`` and escape ``*``.
_FORM_SAFE = "*-._"
_NOTHING_TO_ESCAPE = re.compile(r"[A-Za-z0-9*\-._]*")


def build_redirect_url(base: str, params: list[tuple[str, str | None]]) -> str:
    parsed = _parsed_base(base)
    query = _query(parsed.pairs, params)
    return parsed.head + ("?" + query if query else "") + parsed.tail


def redirect_location(base: str, params: list[tuple[str, str | None]]) -> str:
    """``quote(build_redirect_url(base, params), safe=LOCATION_SAFE)``: the ``location``
    header Starlette's ``RedirectResponse`` sends for the URL. Quoting works character by
    character, so the redirect URI's own parts are quoted once (with its parse), and the
    query needs none: the form serializer leaves only letters, digits, ``*-._%+`` and its
    ``=``/``&``, all of which the quoting keeps."""
    parsed = _parsed_base(base)
    query = _query(parsed.pairs, params)
    return parsed.quoted_head + ("?" + query if query else "") + parsed.quoted_tail


def code_location(base: str, code: str, state: str | None) -> str:
    """``redirect_location(base, [("code", code), ("state", state)])``, the answer of every
    approved authorize. Where the code goes, and everything around it, depends only on the
    redirect URI and the state, which a client sends the same at every authorize: that is
    serialised and quoted once, and only the code is encoded per request."""
    if state is not None and len(state) > _REMEMBERED_STATE:
        return redirect_location(base, [("code", code), ("state", state)])
    before, after = _around_code(base, state)
    return before + _encode(code) + after


#: ``state`` values up to this length have the location around the code remembered.
_REMEMBERED_STATE = 512


@functools.lru_cache(maxsize=256)
def _around_code(base: str, state: str | None) -> tuple[str, str]:
    """The location of a code redirect before and after the code's encoded value. ``_set``
    puts the code where the first ``code`` pair of the redirect URI was, else last, and the
    state changes no pair but its own; ``_serialize`` joins ``name=value`` pairs with ``&``."""
    parsed = _parsed_base(base)
    query = _set(list(parsed.pairs), "code", "")
    if state is not None:
        query = _set(query, "state", state)
    at = next(index for index, (name, _) in enumerate(query) if name == "code")
    head, tail = _serialize(query[:at]), _serialize(query[at + 1:])
    return (parsed.quoted_head + "?" + (head + "&" if head else "") + "code=",
            ("&" + tail if tail else "") + parsed.quoted_tail)


#: What Starlette's ``RedirectResponse`` leaves unquoted in a ``location``.
LOCATION_SAFE = ":/%#?=@[]!$&'()*+,;"


class _Base(NamedTuple):
    #: ``urlunsplit`` of the scheme, host and path: the URL up to its query.
    head: str
    pairs: tuple[tuple[str, str], ...]
    #: ``#fragment``, or nothing.
    tail: str
    quoted_head: str
    quoted_tail: str


@functools.lru_cache(maxsize=256)
def _parsed_base(base: str) -> _Base:
    """A redirect URI's parts (a pure function of the text: a client's registered URIs are
    parsed once, not at every authorize). ``urlunsplit`` appends ``?query`` and
    ``#fragment`` after everything else, so the URL before them is joined here once."""
    parts = urlsplit(base)
    # ``new URL("https://app.example")`` serializes with a "/" path.
    path = parts.path or ("/" if parts.scheme.lower() in ("http", "https") else "")
    head = urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))
    tail = "#" + parts.fragment if parts.fragment else ""
    return _Base(head, tuple(form_pairs(parts.query)), tail,
                 quote(head, safe=LOCATION_SAFE), quote(tail, safe=LOCATION_SAFE))


def _query(pairs: tuple[tuple[str, str], ...], params: list[tuple[str, str | None]]) -> str:
    query = list(pairs)
    for key, value in params:
        if value is not None:
            query = _set(query, key, value)
    return _serialize(query)


def _set(query: list[tuple[str, str]], key: str, value: str) -> list[tuple[str, str]]:
    """``URLSearchParams.set``: the first pair named ``key`` takes the value, later ones go;
    with none, the pair is appended."""
    result: list[tuple[str, str]] = []
    placed = False
    for name, old in query:
        if name != key:
            result.append((name, old))
        elif not placed:
            result.append((name, value))
            placed = True
    if not placed:
        result.append((key, value))
    return result


def _serialize(query: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in query)


def _encode(text: str) -> str:
    if _NOTHING_TO_ESCAPE.fullmatch(text):  # codes and most states
        return text
    return quote_plus(text, safe=_FORM_SAFE).replace("~", "%7E")
