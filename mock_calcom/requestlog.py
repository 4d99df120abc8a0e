"""One concise log line per request, for ``mock-calcom serve`` (``--quiet`` turns it off)::

    POST /v2/auth/oauth2/token 400 client=demo-client-id user=- rule="invalid_grant: code expired"
    GET /v2/bookings 200 client=demo-client-id user=1

``client`` comes from the request (``client_id`` in the query or a form/JSON body, the
``x-cal-client-id`` header) or from the bearer token's claims, ``user`` from those claims;
``rule`` is what Cal.com's answer names when it refuses: the OAuth ``error`` and
``error_description``, the v2 envelope's message, or the ``error`` of an authorize redirect.
Secrets never reach the line: tokens, codes and client secrets are not printed, and any
token-shaped text left in a path or message is replaced by its marker.

A pure ASGI wrapper: it watches the body chunks as the app reads them and the answer as the
app sends it, copying nothing on the way (a body is only parsed after the answer, and only
if it is small).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from typing import TextIO
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.refusal import bearer_claims, client_in, jwt_claims, rule_of, user_of

#: Bodies beyond this are not parsed for a client id or a rule: a log line is no reason to
#: hold large requests in memory.
_PEEK_LIMIT = 16 * 1024
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
_CONTROL = "/_mock"


def _redact(text: str, secret_hashes: Callable[[], frozenset[str]] | None = None) -> str:
    """Tokens out; a 64-hex string only if it is a client secret of the fake (client ids
    have the same form and are no secret)."""
    text = _JWT.sub("<redacted>", text)
    if secret_hashes is None or not _HEX64.search(text):
        return text
    hashes = secret_hashes()
    return _HEX64.sub(lambda m: "<redacted>" if hashlib.sha256(m.group(0).encode()).hexdigest()
                      in hashes else m.group(0), text)


def _client_from_body(body: bytes, content_type: str) -> str | None:
    if not body or len(body) > _PEEK_LIMIT:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            return client_in(json.loads(text))
        except ValueError:
            return None
    return client_in(parse_qs(text))


def _rule(status: int, headers: dict[str, str], body: bytes) -> str | None:
    parsed: object = None
    if body and len(body) <= _PEEK_LIMIT and "json" in headers.get("content-type", ""):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return rule_of(status, headers.get("location"), parsed)


def _minted_user(body: bytes) -> int | None:
    """The user a token response's access token was minted for."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    token = data.get("access_token") if isinstance(data, dict) else None
    return user_of(jwt_claims(token)) if isinstance(token, str) else None


class RequestLog:
    """Writes one line per request to ``out`` (thread-safe)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._secret_hashes: Callable[[], frozenset[str]] | None = None
        self._by_value: Callable[[str], str] = lambda text: text

    def wrap(self, app: ASGIApp, secret_hashes: Callable[[], frozenset[str]] | None = None,
             redact_text: Callable[[str], str] | None = None) -> ASGIApp:
        """``app`` with a line per request; ``secret_hashes`` (sha256 of the fake's client
        secrets) lets a secret in an odd place be told from a client id of the same form;
        ``redact_text`` (the fake's redaction by value) replaces every code, verifier or
        secret the fake issued or received."""
        log = self
        self._secret_hashes = secret_hashes
        if redact_text is not None:
            self._by_value = redact_text

        async def logged(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []
            size = 0
            answer: dict[str, object] = {"status": None, "headers": {}, "body": []}

            async def watched_receive() -> Message:
                nonlocal size
                message = await receive()
                if message["type"] == "http.request" and size <= _PEEK_LIMIT:
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    chunks.append(chunk)
                return message

            async def watched_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    answer["status"] = message["status"]
                    answer["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1")
                                         for k, v in message.get("headers", [])}
                elif message["type"] == "http.response.body":
                    body = answer["body"]
                    assert isinstance(body, list)
                    if sum(len(b) for b in body) <= _PEEK_LIMIT:
                        body.append(message.get("body", b""))
                await send(message)

            try:
                await app(scope, watched_receive, watched_send)
            finally:
                log.write(scope, b"".join(chunks), answer)

        return logged

    def line(self, scope: Scope, body: bytes, answer: dict[str, object]) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        client: str | None = (query.get("client_id", [None])[0] or headers.get("x-cal-client-id")
                  or _client_from_body(body, headers.get("content-type", "")))
        user: object = None
        claims = bearer_claims(headers.get("authorization"))
        if claims:
            claimed = claims.get("clientId")
            client = client or (claimed if isinstance(claimed, str) else None)
            user = user_of(claims)
        status = answer.get("status")
        response_headers = answer.get("headers")
        chunks = answer.get("body")
        rule = None
        if isinstance(status, int) and isinstance(response_headers, dict) and isinstance(chunks, list):
            answered = b"".join(chunks)
            rule = _rule(status, response_headers, answered)
            if user is None and status == 200 and b'"access_token"' in answered[:_PEEK_LIMIT]:
                user = _minted_user(answered)
        def _redact_here(text: str) -> str:
            return _redact(self._by_value(text), self._secret_hashes)

        parts = [scope.get("method", "?"), _redact_here(scope.get("path", "")),
                 str(status) if status is not None else "dropped"]
        tenant = headers.get("x-mock-tenant")
        if tenant:
            parts.append(f"tenant={_redact_here(tenant)[:64]}")
        if not scope.get("path", "").startswith(_CONTROL):
            parts += [f"client={_redact_here(str(client)) if client else '-'}",
                      f"user={user if isinstance(user, int) else '-'}"]
        if rule:
            parts.append(f"rule={json.dumps(_redact_here(rule)[:200])}")
        return " ".join(parts)

    def write(self, scope: Scope, body: bytes, answer: dict[str, object]) -> None:
        try:
            text = self.line(scope, body, answer)
        except Exception as exc:  # a log line must never break a request
            # The exception's type only: its message may quote the request.
            text = (f"{scope.get('method', '?')} {_redact(self._by_value(scope.get('path', '')))}"
                    f" (log: {type(exc).__name__})")
        with self._lock:
            print(text, file=self._out, flush=True)
