"""``POST /v2/auth/oauth2/token``: Cal.com's G2 token endpoint, both grants on one URL.

Body decoding follows Express: JSON and urlencoded forms are parsed, any other content type
leaves an empty object (NestJS has no multipart parser on this route). Decisions where
Cal.com's behaviour cannot be read from its code:

- no body at all, or a content type no parser reads -> ``Body is required`` (body-parser 2.x
  leaves ``req.body`` undefined); ``Settings.empty_body = "empty_object"`` gives 1.x's ``{}``
  and so ``client_id is required`` (FACTS §11.12, UNCONFIRMED which is deployed);
- JSON that body-parser's strict mode refuses (bad syntax, a top-level scalar) -> also
  400 ``invalid_request`` / ``Body is required`` instead of Express's HTML error page, so a
  client always gets the RFC shape from this URL;
- a body over 100 KiB (body-parser's default limit) -> 413 ``invalid_request``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.types import Receive, Scope, Send

from mock_calcom.asgi import READ_BODY, header, headers_of
from mock_calcom.errors import OAuthError
from mock_calcom.journal import append_answer
from mock_calcom.middleware import request_id_for
from mock_calcom.model.tokens import MintedPair, TokenPair
from mock_calcom.oauth.bodies import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    InvalidJson,
    media_type_of,
    parse_json_strict,
    parse_qs_extended,
    read_body_raw,
)
from mock_calcom.oauth.token_input import ExchangeInput, invalid_request, parse_token_input

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

#: What the OAuth2 exception filter writes when the client sent no ``x-request-id``.
UNKNOWN_REQUEST_ID = "unknown-request-id"
#: oauth2.controller.ts @02892e6a sets these on success; app.py sets them on errors too.
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenEndpoint:
    """The endpoint as a plain ASGI app: the answer is written straight to ``send`` with its
    ``X-Request-Id`` (FACTS §11.5). A success gets the request's id like any v2 answer. An
    error is written as ``OAuth2HttpExceptionFilter`` does, and that filter reads the
    lower-case ``x-request-id`` header, one the request-id middleware never sets (it writes
    ``X-Request-Id``; oauth2-http-exception.filter.ts @a3230cb3): so an error echoes the
    client's own ``x-request-id``, or says ``unknown-request-id``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fake: MockCalcom = scope["app"].fake
        try:
            raw = scope.get(READ_BODY)  # the edge read the body whole to judge its limits
            if raw is None or len(raw) > MAX_BODY_BYTES:
                raw = await read_token_body(scope, receive)
            body = pair_json(*token_pair(fake, scope, raw))
            status, request_id = 200, request_id_for(scope, fake)
        except OAuthError as exc:
            body = _ENCODER.encode(exc.body()).encode("utf-8")
            status = exc.status_code
            request_id = header(scope, b"x-request-id") or UNKNOWN_REQUEST_ID
        start = {"type": "http.response.start", "status": status, "headers": [
            *_NO_STORE_RAW, (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"), (b"x-request-id", request_id.encode("latin-1"))]}
        answer = {"type": "http.response.body", "body": body}
        if not append_answer(send, start, answer):
            await send(start)
            await send(answer)


async def read_token_body(scope: Scope, receive: Receive) -> bytes:
    """The request body, read from ``receive``; 413 ``invalid_request`` past body-parser's
    limit."""
    try:
        return await read_body_raw(headers_of(scope).get("content-length"), receive)
    except BodyTooLarge:
        raise OAuthError(413, "invalid_request", "request entity too large") from None


def token_pair(fake: MockCalcom, scope: Scope, raw: bytes) -> tuple[TokenPair, bool]:
    """The tokens a token request with the body ``raw`` is answered with, and whether the
    answer names their scopes (``Settings.token_response_scope``); :class:`OAuthError` for
    every refusal."""
    model = fake.model
    # The first of repeated headers (the edge built the dict already).
    kind = media_type_of(headers_of(scope).get("content-type") or "")
    if kind == _FORM and raw:
        body = parse_qs_extended(raw)  # what _decode_body does with a form
    else:
        body = _decode_body(kind, raw)
        if body is None and model.settings.empty_body == "empty_object":
            body = {}  # body-parser 1.x leaves ``req.body = {}``
    token_input = parse_token_input(body)
    # Secrets received in secret fields are remembered, so the journal redacts them wherever
    # else they show up (a verifier echoed in a header, a code in a path). (The fields are
    # unpacked once: a named tuple's attributes are each a descriptor call.)
    known = model.secret_values
    exchange = False
    if isinstance(token_input, ExchangeInput):
        exchange = True
        client_id, code, redirect_uri, client_secret, code_verifier = token_input
        known.add_many(((code_verifier, "code_verifier"), (code, "code"),
                        (client_secret, "client_secret")))
    else:
        client_id, refresh_token, client_secret = token_input
        known.add_many(((client_secret, "client_secret"), (refresh_token, "refresh_token")))
    lock = model.lock
    try:
        # ``with model.lock``, written out: a ``with`` binds the lock's __enter__ and
        # __exit__ as new method objects, twice the instructions of the two calls.
        lock.acquire()
        try:
            if exchange:
                pair = model.oauth.exchange(
                    client_id=client_id, code=code, redirect_uri=redirect_uri,
                    client_secret=client_secret, code_verifier=code_verifier)
            else:
                pair = model.oauth.refresh(client_id=client_id, refresh_token=refresh_token,
                                           client_secret=client_secret)
            include_scope = model.settings.token_response_scope
        finally:
            lock.release()
    except OAuthError:
        raise
    except Exception:
        # OAuth2HttpExceptionFilter's fallback for anything that is not an OAuth error.
        raise OAuthError(500, "server_error", "An unexpected error occurred") from None
    return pair, include_scope


_FORM = "application/x-www-form-urlencoded"


#: JSONResponse.render's json.dumps options, as one encoder (dumps builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_NO_STORE_RAW = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                 for name, value in NO_STORE_HEADERS.items()]


#: The token body's usual shape: two tokens (base64url and dots, nothing JSON escapes), the
#: constant type and an integer; anything else goes through the encoder.
_PLAIN_BODY = ("access_token", "token_type", "refresh_token", "expires_in")


#: The characters the encoder writes as they are: printable ASCII but the quote and the
#: backslash (it escapes only those two and control characters).
_AS_IS = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')


def _plain(text: str) -> bool:
    """Whether the encoder writes ``text`` as it is (:data:`_AS_IS` only). ``isascii`` is a
    flag of the string; deleting the allowed bytes is one table pass, three times faster
    than ``isprintable`` over a token's 500 characters."""
    return text.isascii() and not text.encode("ascii").translate(None, _AS_IS)


def _token_json(content: dict[str, Any]) -> bytes:
    """``content`` as JSONResponse renders it."""
    access, refresh, expires_in = (content.get("access_token"), content.get("refresh_token"),
                                   content.get("expires_in"))
    if (tuple(content) == _PLAIN_BODY and content["token_type"] == "bearer"
            and type(expires_in) is int and type(access) is str and type(refresh) is str
            and _plain(access) and _plain(refresh)):
        return (f'{{"access_token":"{access}","token_type":"bearer","refresh_token":"{refresh}",'
                f'"expires_in":{expires_in}}}').encode("ascii")
    return _ENCODER.encode(content).encode("utf-8")


def pair_json(pair: TokenPair, include_scope: bool) -> bytes:
    """``_token_json(token_body(pair, include_scope=include_scope))``, written straight from
    the pair when the body is the usual four fields: two tokens the encoder writes as they
    are (a pair the service minted holds nothing else), the constant type and an integer."""
    access, refresh, expires_in = pair.access_token, pair.refresh_token, pair.expires_in
    if ((not include_scope or not pair.scopes) and type(expires_in) is int
            and (type(pair) is MintedPair or (type(access) is str and type(refresh) is str
                                              and _plain(access) and _plain(refresh)))):
        return (f'{{"access_token":"{access}","token_type":"bearer","refresh_token":"{refresh}",'
                f'"expires_in":{expires_in}}}').encode("ascii")
    return _token_json(token_body(pair, include_scope=include_scope))


def token_body(pair: TokenPair, *, include_scope: bool) -> dict[str, Any]:
    """The flat success body (no envelope): ``OAuth2TokensDto``'s four fields. ``scope`` is in
    the docs and PR #27707, never in the DTO's output (``Settings.token_response_scope`` adds it;
    even then it is left out for a grant without scopes)."""
    body: dict[str, Any] = {
        "access_token": pair.access_token,
        "token_type": "bearer",
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
    }
    if include_scope and pair.scopes:
        body["scope"] = " ".join(pair.scopes)
    return body


def _decode_body(kind: str, raw: bytes) -> Any:
    """``req.body`` under body-parser 2.x: ``undefined`` (``None``) for no body or a content
    type no parser reads."""
    if not raw:
        return None
    if kind == "application/json":
        try:
            return parse_json_strict(raw)
        except InvalidJson:
            raise invalid_request("Body is required") from None
    if kind == "application/x-www-form-urlencoded":
        return parse_qs_extended(raw)
    return None
