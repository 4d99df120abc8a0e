"""``POST /v2/auth/oauth2/token``: Cal.com's G2 token endpoint, both grants on one URL.

Body decoding follows Express: JSON and urlencoded forms are parsed, any other content type
leaves an empty object (NestJS has no multipart parser on this route). Decisions where
Cal.com's behaviour cannot be read from its code:

- no body at all -> ``Body is required`` (the fact sheet's "body missing" row);
- JSON that body-parser's strict mode refuses (bad syntax, a top-level scalar) -> also
  400 ``invalid_request`` / ``Body is required`` instead of Express's HTML error page, so a
  client always gets the RFC shape from this URL;
- a body over 100 KiB (body-parser's default limit) -> 413 ``invalid_request``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.asgi import fake_of
from mock_calcom.errors import OAuthError
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
    from mock_calcom.model.state import CalcomModel

#: oauth2.controller.ts @02892e6a sets these on success; app.py sets them on errors too.
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def token_endpoint(request: Request) -> Response:
    fake = fake_of(request)
    try:
        raw = await read_body(request)
    except BodyTooLarge:
        raise OAuthError(413, "invalid_request", "request entity too large") from None
    token_input = parse_token_input(_decode_body(media_type(request), raw))
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
    return JSONResponse(token_body(pair, include_scope=include_scope), headers=NO_STORE_HEADERS)


def _remember_secrets(fake: MockCalcom, token_input: object) -> None:
    """Secrets received in secret fields, so the journal redacts them wherever else they
    show up (a verifier echoed in a header, a code in a path)."""
    known = fake.model.secret_values
    for field, kind in (("code_verifier", "code_verifier"), ("code", "code"),
                        ("client_secret", "client_secret"), ("refresh_token", "refresh_token")):
        known.add(getattr(token_input, field, None), kind)


def token_body(pair: TokenPair, *, include_scope: bool) -> dict[str, Any]:
    """The flat success body (no envelope). ``scope`` is in the docs and PR #27707 but not
    in the OpenAPI DTO (UNCONFIRMED, ``Settings.token_response_scope``); it is left out when
    the grant has no scopes (a legacy client that asked for none)."""
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
    if not raw:
        return None
    if kind == "application/json":
        try:
            return parse_json_strict(raw)
        except InvalidJson:
            raise invalid_request("Body is required") from None
    if kind == "application/x-www-form-urlencoded":
        return parse_qs_extended(raw)
    return {}


class RequestIdMiddleware:
    """Adds ``X-Request-Id`` to every response of the wrapped route, errors included (the
    OAuth2 exception filter sets one). Ids come from the fake's seeded randomness, so a
    seeded fake hands out the same ids run after run."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _next_request_id(scope["app"].fake.model).encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


def _next_request_id(model: CalcomModel) -> str:
    """A uuid-shaped id from the fake's seeded randomness."""
    return str(uuid.UUID(bytes=model.request_ids.token_bytes(16), version=4))
