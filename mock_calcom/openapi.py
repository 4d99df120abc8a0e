"""The fake's own OpenAPI 3.1 document, served at ``GET /_mock/openapi.json``.

Paths and methods come from the live routing table, so the document cannot list a route the
fake does not serve; what each operation *is* comes from :data:`OPERATIONS`, a short
hand-written description per (method, path). A route without one is still listed, marked
``x-undocumented``, and ``tests/test_openapi.py`` fails naming it.

This documents the fake, not Cal.com: Cal.com's own document is far larger (org and Platform
endpoints) and its exact response schemas live beside the fact sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

OPENAPI_PATH = "/_mock/openapi.json"

_CONVERTER = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")
_PARAM_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}, "uuid":
                {"type": "string", "format": "uuid"}}

# -- reusable bits -------------------------------------------------------------------------

_V2 = "Cal.com API v2"
_OAUTH = "Cal.com OAuth"
_LEGACY = "Cal.com OAuth (G1 legacy)"
_FAULTS = "Control: faults"
_LIMITS = "Control: rate limits"
_TOKENS = "Control: tokens"
_META = "Control: meta"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], *, form: bool = False, required: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": schema}
    return {"required": required, "content": content}


def _success(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The v2 success envelope ``{"status": "success", "data": ...}``."""
    return {"type": "object", "required": ["status", "data"], "properties": {
        "status": {"const": "success"}, "data": data if data is not None else {}}}


_API_ERROR = _json(_ref("ApiError"), "Error in Cal.com's v2 envelope")
_OAUTH_ERROR = _json(_ref("OAuthError"), "RFC 6749 error")
_CONTROL_ERROR = _json(_ref("ControlError"), "The control plane was used wrongly")
_THROTTLED = _json(_ref("ApiError"), "Rate limit exceeded (ThrottlerException)")


@dataclass(frozen=True)
class Op:
    """What one route does, for the document."""

    summary: str
    tags: tuple[str, ...]
    responses: dict[str, Any]
    description: str | None = None
    request_body: dict[str, Any] | None = None
    query: tuple[tuple[str, dict[str, Any], str], ...] = ()
    bearer: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# -- the operations ------------------------------------------------------------------------

_FAULT_LIST = {"type": "object", "properties": {"faults": {"type": "array", "items": _ref("Fault")}}}
_RULE = _ref("RateLimitRule")

OPERATIONS: dict[tuple[str, str], Op] = {
    # Cal.com OAuth (G2 and the consent page)
    ("GET", "/auth/oauth2/authorize"): Op(
        "Consent page", (_OAUTH,),
        {"200": {"description": "The consent page (HTML), or the page-shown error",
                 "content": {"text/html": {"schema": {"type": "string"}}}},
         "302": {"description": "Redirect back to the client (auto-approved trusted client, "
                 "or a redirectable error), or to the login page"},
         "400": {"description": "A non-redirectable error shown on the page",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        description="app.cal.com's authorize page: validates client_id, redirect_uri, scope "
        "and PKCE, then asks the signed-in user to allow or deny.",
        query=(("client_id", {"type": "string"}, "The OAuth client"),
               ("redirect_uri", {"type": "string"}, "One of the client's registered URIs"),
               ("state", {"type": "string"}, "Echoed back unchanged"),
               ("scope", {"type": "string"}, "Space- or comma-separated AccessScope values"),
               ("code_challenge", {"type": "string"}, "PKCE S256 challenge"),
               ("code_challenge_method", {"const": "S256"}, "Only S256"))),
    ("POST", "/auth/oauth2/authorize"): Op(
        "Consent decision", (_OAUTH,),
        {"302": {"description": "Back to redirect_uri with ?code=&state= or "
                 "?error=access_denied&state="},
         "303": {"description": "Back to redirect_uri (See Other)"},
         "400": {"description": "The form was tampered with or the request is invalid",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        description="The consent page's Allow / Deny form post.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}}}}),
    ("POST", "/v2/auth/oauth2/token"): Op(
        "Token endpoint (G2)", (_OAUTH,),
        {"200": _json(_ref("TokenResponse"), "Tokens (Cache-Control: no-store)"),
         "400": _OAUTH_ERROR, "401": _OAUTH_ERROR, "429": _THROTTLED, "500": _OAUTH_ERROR},
        description="authorization_code and refresh_token grants; JSON or form; exactly the "
        "whitelisted fields per grant and client kind, anything else is invalid_request.",
        request_body=_body(_ref("TokenRequest"), form=True)),
    ("GET", "/v2/auth/oauth2/clients/{client_id}"): Op(
        "OAuth client info", (_OAUTH,),
        {"200": _json(_success(_ref("OAuthClientInfo")), "The client's public fields"),
         "404": _API_ERROR, "429": _THROTTLED}),
    # G1 legacy web endpoints
    ("POST", "/api/auth/oauth/token"): Op(
        "Legacy token endpoint (G1)", (_LEGACY,),
        {"200": _json(_ref("TokenResponse"), "Tokens"),
         "400": _json(_ref("LegacyOAuthError"), "Bare RFC error code"),
         "401": _json(_ref("LegacyOAuthError"), "Bare RFC error code")},
        description="Form-encoded only: a JSON body reads as missing fields.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": _ref("TokenRequest")}}}),
    ("POST", "/api/auth/oauth/refreshToken"): Op(
        "Legacy refresh endpoint (G1)", (_LEGACY,),
        {"200": _json(_ref("TokenResponse"), "Tokens (the refresh token rotated)"),
         "400": _json(_ref("LegacyOAuthError"), "Bare RFC error code"),
         "401": _json(_ref("LegacyOAuthError"), "Bare RFC error code")},
        description="refresh_token in the form, or as Authorization: Bearer.",
        request_body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": _ref("TokenRequest")}}}),
    ("GET", "/api/auth/oauth/me"): Op(
        "Legacy profile (G1)", (_LEGACY,),
        {"201": _json({"type": "object", "properties": {"username": {"type": "string"}}},
                      "The username (201, as Cal.com answers)"),
         "401": _json(_ref("LegacyMessage"), "Unauthorized")}, bearer=True),
    ("POST", "/api/auth/oauth/me"): Op(
        "Legacy profile (G1), POST", (_LEGACY,),
        {"201": _json({"type": "object", "properties": {"username": {"type": "string"}}},
                      "The username"),
         "401": _json(_ref("LegacyMessage"), "Unauthorized")}, bearer=True),
    # control plane: faults
    ("POST", "/_mock/faults"): Op(
        "Add a fault", (_FAULTS,),
        {"201": _json(_ref("Fault"), "The fault, with its id"), "400": _CONTROL_ERROR},
        description="Match requests by method, path glob or regex, bearer token or client id; "
        "respond with a canned answer, drop the connection (before or after the fake works), "
        "and/or add latency or advance the clock; once, N times, or with a seeded probability.",
        request_body=_body(_ref("FaultInput"))),
    ("GET", "/_mock/faults"): Op(
        "List faults", (_FAULTS,), {"200": _json(_FAULT_LIST, "Faults with hits and remaining")}),
    ("DELETE", "/_mock/faults"): Op(
        "Remove every fault", (_FAULTS,),
        {"200": _json({"type": "object", "properties": {"removed": {"type": "integer"}}},
                      "How many were removed")}),
    ("GET", "/_mock/faults/{fault_id}"): Op(
        "One fault", (_FAULTS,), {"200": _json(_ref("Fault"), "The fault"), "404": _CONTROL_ERROR}),
    ("DELETE", "/_mock/faults/{fault_id}"): Op(
        "Remove a fault", (_FAULTS,),
        {"200": _json(_ref("Fault"), "The removed fault, with its final counts"),
         "404": _CONTROL_ERROR}),
    # control plane: rate limits
    ("GET", "/_mock/rate-limits"): Op(
        "Rate-limit rules", (_LIMITS,),
        {"200": _json({"type": "object", "properties": {
            "enabled": {"type": "boolean"}, "unauthenticated": {"type": "boolean"},
            "defaults": {"type": "object", "additionalProperties": _RULE},
            "overrides": {"type": "array", "items": _RULE}}}, "Defaults and per-token rules")}),
    ("POST", "/_mock/rate-limits"): Op(
        "Set one token's rate limit", (_LIMITS,),
        {"200": _json(_RULE, "The rule, with the token's tracker key"), "400": _CONTROL_ERROR},
        request_body=_body({"type": "object", "required": ["token", "limit"], "properties": {
            "token": {"type": "string"}, "limit": {"type": "integer", "minimum": 1},
            "window": {"type": "number", "exclusiveMinimum": 0},
            "block": {"type": "number", "exclusiveMinimum": 0}},
            "additionalProperties": False})),
    ("POST", "/_mock/rate-limits/reset"): Op(
        "Forget every request count and block", (_LIMITS,),
        {"200": _json({"type": "object", "properties": {"reset": {"const": True}}}, "Done")}),
    ("DELETE", "/_mock/rate-limits/{tracker}"): Op(
        "Put a tracker back on the default limit", (_LIMITS,),
        {"200": _json(_RULE, "The removed rule"), "404": _CONTROL_ERROR}),
    # control plane: tokens
    ("POST", "/_mock/tokens/revoke"): Op(
        "Revoke refresh tokens of (client, user)", (_TOKENS,),
        {"200": _json({"type": "object", "properties": {"revoked": {"type": "integer"}}},
                      "How many refresh-token rows were deleted"),
         "400": _CONTROL_ERROR, "404": _CONTROL_ERROR},
        request_body=_body({"type": "object", "required": ["client_id"], "properties": {
            "client_id": {"type": "string"}, "user_id": {"type": "integer"},
            "team_id": {"type": "integer"}}, "additionalProperties": False})),
    ("POST", "/_mock/tokens/expire"): Op(
        "Force a token to expire", (_TOKENS,),
        {"200": _json({"type": "object", "properties": {"expired": {"const": True}}}, "Done"),
         "400": _CONTROL_ERROR},
        request_body=_body({"type": "object", "required": ["token"], "properties": {
            "token": {"type": "string"}}, "additionalProperties": False})),
    # control plane: meta
    ("GET", OPENAPI_PATH): Op(
        "This document", (_META,),
        {"200": _json({"type": "object"}, "OpenAPI 3.1 document of every route the fake serves")}),
}

# -- components ----------------------------------------------------------------------------

_SCHEMAS: dict[str, Any] = {
    "ApiError": {
        "type": "object", "required": ["status", "timestamp", "path", "error"],
        "properties": {
            "status": {"const": "error"},
            "timestamp": {"type": "string", "format": "date-time"},
            "path": {"type": "string", "description": "Request path with its query"},
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "examples": ["ForbiddenException"]},
                "message": {"type": "string"},
                "details": {"description": "Nest's exception response: an object or a string"}}},
        },
    },
    "OAuthError": {
        "type": "object", "required": ["error", "error_description"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
    "LegacyOAuthError": {"type": "object", "required": ["error"],
                         "properties": {"error": {"type": "string"}}},
    "LegacyMessage": {"type": "object", "required": ["message"],
                      "properties": {"message": {"type": "string"}}},
    "ControlError": {"type": "object", "required": ["error"],
                     "properties": {"error": {"type": "string"}}},
    "TokenRequest": {
        "type": "object", "required": ["grant_type", "client_id"],
        "properties": {
            "grant_type": {"enum": ["authorization_code", "refresh_token"]},
            "client_id": {"type": "string"}, "client_secret": {"type": "string"},
            "code": {"type": "string"}, "redirect_uri": {"type": "string"},
            "code_verifier": {"type": "string"}, "refresh_token": {"type": "string"},
        },
    },
    "TokenResponse": {
        "type": "object", "required": ["access_token", "token_type", "refresh_token", "expires_in"],
        "properties": {
            "access_token": {"type": "string"}, "token_type": {"const": "bearer"},
            "refresh_token": {"type": "string"}, "expires_in": {"type": "integer"},
            "scope": {"type": "string"},
        },
    },
    "OAuthClientInfo": {
        "type": "object",
        "properties": {
            "client_id": {"type": "string"},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "name": {"type": "string"}, "logo": {"type": ["string", "null"]},
            "is_trusted": {"type": "boolean"},
            "client_type": {"enum": ["CONFIDENTIAL", "PUBLIC"]},
        },
    },
    "FaultInput": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "method": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                       "description": "A method, a list, or '*' (default: any)"},
            "path": {"type": "string", "description": "Glob over the whole path; * crosses /"},
            "path_regex": {"type": "string", "description": "Regex that must match the whole path"},
            "token": {"type": "string", "description": "Only requests with this bearer token"},
            "client_id": {"type": "string",
                          "description": "Only requests of this OAuth client (token claim, "
                          "query, path or token-request body)"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "body": {"description": "JSON body of the canned response"},
            "text": {"type": "string", "description": "Plain-text body of the canned response"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "latency": {"type": "number", "minimum": 0, "maximum": 30,
                        "description": "Real seconds to sleep first"},
            "advance_clock": {"type": "number", "minimum": 0,
                              "description": "Fake-clock seconds to advance first"},
            "drop": {"enum": ["before", "after"],
                     "description": "Hang up before the fake sees the request, or after it "
                     "has processed it"},
            "times": {"type": ["integer", "null"], "minimum": 1,
                      "description": "How many times it fires (null: always)"},
            "probability": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        },
    },
    "Fault": {
        "allOf": [
            {"$ref": "#/components/schemas/FaultInput"},
            {"type": "object", "required": ["id", "hits", "matched", "remaining", "exhausted"],
             "properties": {"id": {"type": "string"}, "hits": {"type": "integer"},
                            "matched": {"type": "integer"},
                            "remaining": {"type": ["integer", "null"]},
                            "exhausted": {"type": "boolean"}}},
        ],
    },
    "RateLimitRule": {
        "type": "object", "required": ["tracker", "limit", "window", "block"],
        "properties": {"tracker": {"type": "string"}, "limit": {"type": "integer"},
                       "window": {"type": "number"}, "block": {"type": "number"}},
    },
}

_RATE_LIMIT_HEADERS = {
    f"X-RateLimit-{part}-Default": {"description": text, "schema": {"type": "integer"}}
    for part, text in (("Limit", "Requests allowed per window"),
                       ("Remaining", "Requests left in this window (0 while blocked)"),
                       ("Reset", "Seconds until the window or block ends"))
}


# -- building ------------------------------------------------------------------------------

def walk_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str, Route]]:
    """Every (METHOD, path template, route) the app serves; ``HEAD`` (implied by GET) omitted."""
    for route in routes:
        if isinstance(route, Mount):
            yield from walk_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    yield method, prefix + route.path, route


def openapi_path(template: str) -> str:
    """Starlette's ``{id:int}`` as OpenAPI's ``{id}``."""
    return _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", template)


def _path_parameters(template: str) -> list[dict[str, Any]]:
    return [{"name": m.group(1), "in": "path", "required": True,
             "schema": _PARAM_TYPES.get(m.group(2) or "", {"type": "string"})}
            for m in _CONVERTER.finditer(template)]


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words or 'root'}"


def _operation(method: str, template: str, op: Op | None) -> dict[str, Any]:
    path = openapi_path(template)
    if op is None:
        out: dict[str, Any] = {"summary": f"{method} {path} (undocumented)",
                               "operationId": _operation_id(method, path),
                               "x-undocumented": True,
                               "responses": {"default": {"description": "Not yet described"}}}
    else:
        responses = op.responses
        if path.startswith("/v2/"):
            responses = {code: {**resp, "headers": _RATE_LIMIT_HEADERS}
                         for code, resp in responses.items()}
        out = {"summary": op.summary, "operationId": _operation_id(method, path),
               "tags": list(op.tags), "responses": responses, **op.extra}
        if op.description:
            out["description"] = op.description
        if op.request_body is not None:
            out["requestBody"] = op.request_body
        if op.bearer:
            out["security"] = [{"bearer": []}]
    parameters = _path_parameters(template)
    if op is not None:
        parameters += [{"name": name, "in": "query", "required": False, "schema": schema,
                        "description": text} for name, schema, text in op.query]
    if parameters:
        out["parameters"] = parameters
    return out


def build_document(routes: list[BaseRoute]) -> dict[str, Any]:
    """The document for an app with these routes."""
    paths: dict[str, dict[str, Any]] = {}
    for method, template, _route in walk_routes(routes):
        path = openapi_path(template)
        op = OPERATIONS.get((method, path))
        paths.setdefault(path, {})[method.lower()] = _operation(method, template, op)
    tags = sorted({tag for op in OPERATIONS.values() for tag in op.tags})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mock-calcom",
            "version": _version(),
            "description": "A fake of Cal.com's OAuth server and API v2 (app.cal.com and "
            "api.cal.com paths on one server), plus its /_mock control plane.",
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT"}},
        },
    }


def undocumented(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    """(METHOD, path) of every served route with no entry in :data:`OPERATIONS`."""
    return [(m, openapi_path(t)) for m, t, _ in walk_routes(routes)
            if (m, openapi_path(t)) not in OPERATIONS]


def _version() -> str:
    try:
        return version("mock-calcom")
    except PackageNotFoundError:
        return "0"


async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(build_document(list(request.app.routes)))


routes: list[BaseRoute] = [Route(OPENAPI_PATH, openapi_document, methods=["GET"])]
