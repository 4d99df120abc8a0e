"""Redirect URLs built the way Cal.com builds them.

``OAuthService.buildRedirectUrl`` (@9d29dd7c) does ``new URL(redirectUri)`` and then
``url.searchParams.set(key, value)`` for every defined value. So the client's own query
parameters survive, a parameter of the same name is replaced, a ``None`` (``undefined``)
value is skipped, and the whole query is re-serialized as a form (spaces become ``+``).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote_plus, urlsplit, urlunsplit

from mock_calcom.oauth.bodies import form_pairs

#: The WHATWG urlencoded serializer leaves only these bytes (plus ASCII letters and digits)
#: unescaped; Python's ``quote_plus`` would also keep ``~`` and escape ``*``.
_FORM_SAFE = "*-._"
_NOTHING_TO_ESCAPE = re.compile(r"[A-Za-z0-9*\-._]*")


def build_redirect_url(base: str, params: list[tuple[str, str | None]]) -> str:
    scheme, netloc, path, pairs, fragment = _parsed_base(base)
    query = list(pairs)
    for key, value in params:
        if value is not None:
            query = _set(query, key, value)
    return urlunsplit((scheme, netloc, path, _serialize(query), fragment))


@functools.lru_cache(maxsize=256)
def _parsed_base(base: str) -> tuple[str, str, str, tuple[tuple[str, str], ...], str]:
    """A redirect URI's parts (a pure function of the text: a client's registered URIs are
    parsed once, not at every authorize)."""
    parts = urlsplit(base)
    # ``new URL("https://app.example")`` serializes with a "/" path.
    path = parts.path or ("/" if parts.scheme.lower() in ("http", "https") else "")
    return parts.scheme.lower(), parts.netloc, path, tuple(form_pairs(parts.query)), parts.fragment


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
