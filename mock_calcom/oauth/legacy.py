"""The G1 ("legacy") web endpoints on app.cal.com, served when ``Settings.legacy_endpoints``.

``POST /api/auth/oauth/token`` (token/route.ts @503bbcce), ``POST /api/auth/oauth/refreshToken``
(refreshToken/route.ts @93c75b5a) and ``GET|POST /api/auth/oauth/me`` (me/route.ts @03670679).
They share the OAuthService with G2, so the checks and their order are the same; only the
parsing and the error body differ: forms only, and ``{"error": <rfc code>}`` with no
description. These routes are Next.js handlers, not NestJS, so none of the G2 pipe applies:
extra fields are ignored and a confidential client may send ``code_verifier`` (the only way
to finish a confidential PKCE flow, FACTS §6).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_calcom.asgi import fake_of
from mock_calcom.errors import OAuthError
from mock_calcom.model.tokens import TokenPair, TokenRejected
from mock_calcom.oauth.bodies import BodyTooLarge, parse_url_search_params, read_body
from mock_calcom.oauth.token import NO_STORE_HEADERS

#: The legacy routes' catch-all answers for anything that is not an OAuth error: the token
#: route's, and the newest refreshToken route's (FACTS §11.12).
_UNEXPECTED = {"error": "error_code_exchange"}
_UNEXPECTED_REFRESH = {"error": "server_error"}


async def legacy_token(request: Request) -> Response:
    fields = await _form(request)
    if isinstance(fields, Response):
        return fields
    client_id, code, redirect_uri = (fields.get(k) for k in ("client_id", "code", "redirect_uri"))
    if not client_id or not code or not redirect_uri:
        return _invalid_request()
    if fields.get("grant_type") != "authorization_code":
        return _invalid_request()
    fake = fake_of(request)
    return _answer(request, lambda: fake.model.oauth.exchange(
        client_id=client_id, code=code, redirect_uri=redirect_uri,
        client_secret=fields.get("client_secret"), code_verifier=fields.get("code_verifier"),
    ))


async def legacy_refresh(request: Request) -> Response:
    fields = await _form(request)
    if isinstance(fields, Response):
        return fields
    client_id = fields.get("client_id")
    if not client_id:
        return _invalid_request()
    if fields.get("grant_type") != "refresh_token":
        return _invalid_request()
    # The body wins; the Authorization header is the pre-#24046 place (issue #24016). With
    # neither, the newest route passes "" on (FACTS §11.12): the client lookup and the secret
    # check answer first, then the empty token is an invalid_grant.
    refresh_token = fields.get("refresh_token") or _bearer(request)
    fake = fake_of(request)
    return _answer(request, lambda: fake.model.oauth.refresh(
        client_id=client_id, refresh_token=refresh_token,
        client_secret=fields.get("client_secret"),
    ), unexpected=_UNEXPECTED_REFRESH)


async def legacy_me(request: Request) -> Response:
    """``isAuthorized(token, ["READ_PROFILE"])``: a live access token holding the legacy
    scope; answers **201** with the username. Team grants do not exist in the fake."""
    _require_legacy(request)
    fake = fake_of(request)
    with fake.model.lock:
        try:
            claims = fake.model.tokens.verify_access(_bearer(request))
        except TokenRejected:
            return _unauthorized()
        user = (fake.model.users.get(claims.grant.user_id)
                if claims.grant.user_id is not None else None)
        if "READ_PROFILE" not in claims.grant.scopes or user is None:
            return _unauthorized()
        return JSONResponse({"username": user.username}, status_code=201)


def _answer(request: Request, call: Callable[[], TokenPair], *,
            unexpected: dict[str, str] = _UNEXPECTED) -> Response:
    fake = fake_of(request)
    try:
        with fake.model.lock:
            pair = call()
    except OAuthError as exc:
        return JSONResponse(exc.legacy_body(), status_code=exc.status_code)
    except Exception:
        return JSONResponse(unexpected, status_code=500)
    # G1 never sends ``scope`` (FACTS §1.3).
    return JSONResponse({
        "access_token": pair.access_token,
        "token_type": "bearer",
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
    }, headers=NO_STORE_HEADERS)


async def _form(request: Request) -> dict[str, str] | Response:
    _require_legacy(request)
    try:
        raw = await read_body(request)
    except BodyTooLarge:
        return JSONResponse({"error": "invalid_request"}, status_code=413)
    return parse_url_search_params(raw)


def _require_legacy(request: Request) -> None:
    if not fake_of(request).model.settings.legacy_endpoints:
        raise HTTPException(404)


def _bearer(request: Request) -> str:
    """``req.headers.get("authorization")?.split(" ")[1] || ""``: the second word, whatever
    the first one says."""
    words = request.headers.get("authorization", "").split(" ")
    return words[1] if len(words) > 1 else ""


def _invalid_request() -> Response:
    return JSONResponse({"error": "invalid_request"}, status_code=400)


def _unauthorized() -> Response:
    return JSONResponse({"message": "Unauthorized"}, status_code=401)
