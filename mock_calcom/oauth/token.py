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
import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.asgi import fake_of, header
from mock_calcom.errors import OAuthError
from mock_calcom.middleware import request_id_for
from mock_calcom.model.tokens import TokenPair
from mock_calcom.oauth.bodies import (
    BodyTooLarge,
    InvalidJson,
    media_type,
    parse_json_strict,
    parse_qs_extended,
    read_body,
)
from mock_calcom.oauth.token_input import ExchangeInput, invalid_request, parse_token_input

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

#: What the OAuth2 exception filter writes when the client sent no ``x-request-id``.
UNKNOWN_REQUEST_ID = "unknown-request-id"
#: oauth2.controller.ts @02892e6a sets these on success; app.py sets them on errors too.
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def token_endpoint(request: Request) -> Response:
    fake = fake_of(request)
    try:
        raw = await read_body(request)
    except BodyTooLarge:
        raise OAuthError(413, "invalid_request", "request entity too large") from None
    body = _decode_body(media_type(request), raw)
    if body is None and fake.model.settings.empty_body == "empty_object":
        body = {}  # body-parser 1.x leaves ``req.body = {}``
    token_input = parse_token_input(body)
    _remember_secrets(fake, token_input)
    try:
        with fake.model.lock:
            if isinstance(token_input, ExchangeInput):
                pair = fake.model.oauth.exchange(
                    client_id=token_input.client_id, code=token_input.code,
                    redirect_uri=token_input.redirect_uri,
                    client_secret=token_input.client_secret,
                    code_verifier=token_input.code_verifier,
                )
            else:
                pair = fake.model.oauth.refresh(
                    client_id=token_input.client_id, refresh_token=token_input.refresh_token,
                    client_secret=token_input.client_secret,
                )
            include_scope = fake.model.settings.token_response_scope
    except OAuthError:
        raise
    except Exception:
        # OAuth2HttpExceptionFilter's fallback for anything that is not an OAuth error.
        raise OAuthError(500, "server_error", "An unexpected error occurred") from None
    return _TokenResponse(token_body(pair, include_scope=include_scope))


#: JSONResponse.render's json.dumps options, as one encoder (dumps builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_NO_STORE_RAW = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                 for name, value in NO_STORE_HEADERS.items()]


class _TokenResponse(Response):
    """``JSONResponse(body, headers=NO_STORE_HEADERS)``: the same bytes and headers in the
    same order (the no-store pair, content-length, content-type), without Response's
    generic header building on the token endpoint's hot path."""

    media_type = JSONResponse.media_type

    def __init__(self, content: dict[str, Any]) -> None:
        self.status_code = 200
        self.background = None
        self.body = _token_json(content)
        self.raw_headers = [*_NO_STORE_RAW,
                            (b"content-length", str(len(self.body)).encode("latin-1")),
                            (b"content-type", b"application/json")]


#: The token body's usual shape: two tokens (base64url and dots, nothing JSON escapes), the
#: constant type and an integer; anything else goes through the encoder.
_PLAIN_BODY = ("access_token", "token_type", "refresh_token", "expires_in")
_TOKEN_TEXT = re.compile(r"[A-Za-z0-9_.-]*")


def _token_json(content: dict[str, Any]) -> bytes:
    """``content`` as JSONResponse renders it."""
    access, refresh, expires_in = (content.get("access_token"), content.get("refresh_token"),
                                   content.get("expires_in"))
    if (tuple(content) == _PLAIN_BODY and content["token_type"] == "bearer"
            and type(expires_in) is int and type(access) is str and type(refresh) is str
            and _TOKEN_TEXT.fullmatch(access) and _TOKEN_TEXT.fullmatch(refresh)):
        return (f'{{"access_token":"{access}","token_type":"bearer","refresh_token":"{refresh}",'
                f'"expires_in":{expires_in:d}}}').encode("ascii")
    return _ENCODER.encode(content).encode("utf-8")


def _remember_secrets(fake: MockCalcom, token_input: object) -> None:
    """Secrets received in secret fields, so the journal redacts them wherever else they
    show up (a verifier echoed in a header, a code in a path)."""
    known = fake.model.secret_values
    for field, kind in (("code_verifier", "code_verifier"), ("code", "code"),
                        ("client_secret", "client_secret"), ("refresh_token", "refresh_token")):
        known.add(getattr(token_input, field, None), kind)


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


class TokenRequestIdMiddleware:
    """``X-Request-Id`` on the token endpoint (FACTS §11.5). A success gets the request's id
    like any v2 answer. An error goes through ``OAuth2HttpExceptionFilter``, which reads the
    lower-case ``x-request-id`` header, one the request-id middleware never sets (it writes
    ``X-Request-Id``; oauth2-http-exception.filter.ts @a3230cb3): so the answer echoes the
    client's own ``x-request-id``, or says ``unknown-request-id``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] >= 400:
                    request_id = header(scope, b"x-request-id") or UNKNOWN_REQUEST_ID
                else:
                    request_id = request_id_for(scope, scope["app"].fake)
                headers = [*message.get("headers", []),
                           (b"x-request-id", request_id.encode("latin-1"))]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)
