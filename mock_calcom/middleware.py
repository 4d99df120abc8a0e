"""The fake's edge, as two pure ASGI middlewares (cheap when idle: one check per request).

``FaultMiddleware`` (outer) carries out the faults of :mod:`mock_calcom.faults`: it plays the
network and gateway in front of Cal.com, so a faulted request never reaches the throttler.
``ThrottleMiddleware`` (inner) is Cal.com's global ``CustomThrottlerGuard``
(throttler-guard.ts @42e7dc49, FACTS §7.5): Nest runs global guards before controller guards,
so a throttled request gets 429 before any 401/403, and every counted response, errors
included, carries the ``X-RateLimit-*-Default`` headers.

``RequestIdMiddleware`` (between them) gives every API v2 response an ``X-Request-Id``, errors
and throttled answers included (FACTS §11.5).

All sit inside the journal middleware, so the journal records faulted and throttled answers.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import anyio
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.asgi import buffer_body, header
from mock_calcom.errors import ConnectionDropped, ThrottledError, UnauthorizedError
from mock_calcom.faults import Firing
from mock_calcom.journal import mark_fault
from mock_calcom.model.clock import MAX_TIME
from mock_calcom.model.ratelimit import Outcome, default_rule, tracker_for
from mock_calcom.routing import IndexedRouter

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

#: throttler-guard.ts: an API-key bearer that matches no key.
INVALID_API_KEY_MESSAGE = "CustomThrottlerGuard - Invalid API Key"
#: throttler-guard.ts: the message of every ``ThrottlerException`` it throws.
THROTTLED_MESSAGE = "CustomThrottlerGuard - Too many requests. Please try again later."
_MAX_SNIFFED_BODY = 1 << 20
#: The real-time sleep of latency faults (a module attribute, so a test can watch it).
_sleep = anyio.sleep
_CLIENT_PATH = re.compile(r"/v2/auth/oauth2/clients/([^/]+)")


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


# -- faults --------------------------------------------------------------------------------

class FaultMiddleware:
    def __init__(self, app: ASGIApp, fake: MockCalcom) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        registry = self.fake.model.faults
        if scope["type"] != "http" or not registry:
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        token = _bearer(header(scope, b"authorization"))
        client_id = None
        if registry.needs_client_id(method, path, token):
            client_id, receive = await _find_client_id(scope, receive, token)
        firing = registry.select(method, path, token, client_id)
        if firing is None:
            await self.app(scope, receive, send)
            return
        mark_fault(scope, firing.fault_id)
        await self._carry_out(firing, scope, receive, send)

    async def _carry_out(self, firing: Firing, scope: Scope, receive: Receive, send: Send) -> None:
        if firing.advance_clock:
            with self.fake.model.lock:
                clock = self.fake.model.clock
                # Never past the clock's end: the fault still fires, the clock stops there.
                clock.advance(max(0.0, min(firing.advance_clock, MAX_TIME - clock.now())))
        if firing.latency:
            await _sleep(firing.latency)
        if firing.response is not None:
            status, headers, content = firing.response.render()
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
            raw.append((b"content-length", str(len(content)).encode("ascii")))
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": content})
        elif firing.drop == "before":
            await _hang_up(send)
        elif firing.drop == "after":
            await self.app(scope, receive, _swallow)
            await _hang_up(send)
        else:
            await self.app(scope, receive, send)


async def _swallow(message: Message) -> None:
    """A ``send`` that loses the response: the work was done, the answer never leaves."""


async def _hang_up(send: Send) -> None:
    """Hang up: the journal holds the response back and records no status, the live server
    aborts the socket and the in-process transports raise ``httpx.RemoteProtocolError``.
    Starting a response first keeps Starlette's error layer from composing a 500 page that
    would only be thrown away (and, without the journal, makes uvicorn close mid-response)."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    raise ConnectionDropped("the connection was dropped by a fault")


async def _find_client_id(scope: Scope, receive: Receive,
                          token: str | None) -> tuple[str | None, Receive]:
    """The OAuth client a request speaks for: the bearer JWT's ``clientId`` claim, the
    ``client_id`` query parameter, the client-info path, or the token request body's
    ``client_id``. Reading the body means replaying it to the app afterwards."""
    claimed = _jwt_client_id(token)
    if claimed is not None:
        return claimed, receive
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("client_id"):
        return query["client_id"][0], receive
    in_path = _CLIENT_PATH.match(scope["path"])
    if in_path:
        return in_path.group(1), receive
    if scope["method"] not in ("POST", "PUT", "PATCH"):
        return None, receive
    body, receive = await buffer_body(receive, limit=_MAX_SNIFFED_BODY)
    return _body_client_id(body, header(scope, b"content-type") or ""), receive


def _jwt_client_id(token: str | None) -> str | None:
    """``clientId`` from a JWT's payload, unverified: a fault matches expired tokens too."""
    if token is None or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    client_id = claims.get("clientId") if isinstance(claims, dict) else None
    return client_id if isinstance(client_id, str) else None


def _body_client_id(body: bytes, content_type: str) -> str | None:
    if "application/json" in content_type:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None
        value = data.get("client_id") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None
    form = parse_qs(body.decode("latin-1"))
    values = form.get("client_id")
    return values[0] if values else None


# -- request ids ---------------------------------------------------------------------------

class RequestIdMiddleware:
    """Cal.com's ``RequestIdMiddleware`` puts a UUID (or the incoming ``x-vercel-id``) on the
    request and its interceptor and exception filters copy it to the response
    (request-id.middleware.ts @03144727, request-id.interceptor.ts @03670679,
    http-exception.filter.ts @a5579781), so every ``/v2/`` answer carries ``X-Request-Id``. A
    route that sets its own (the token endpoint's error rule, ``oauth.token``) keeps it. Ids
    come from the fake's seeded randomness."""

    def __init__(self, app: ASGIApp, fake: MockCalcom) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2/"):
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id_for(scope, self.fake).encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


def request_id_for(scope: Scope, fake: MockCalcom) -> str:
    """``x-vercel-id ?? uuid()``: the id Cal.com's middleware gives a request."""
    vercel = header(scope, b"x-vercel-id")
    if vercel is not None:
        return vercel
    return str(uuid.UUID(bytes=fake.model.request_ids.token_bytes(16), version=4))


# -- rate limiting -------------------------------------------------------------------------

class ThrottleMiddleware:
    def __init__(self, app: ASGIApp, fake: MockCalcom) -> None:
        self.app = app
        self.fake = fake
        # Built when Starlette builds its middleware stack (first request): every surface
        # is imported by then.
        self._versions = _served_versions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2/"):
            await self.app(scope, receive, send)
            return
        if _is_api_key(header(scope, b"authorization")) and self._is_routed(scope):
            # getTracker looks the key up itself and throws for an unknown one: a 401 with no
            # rate-limit headers, before any controller guard (FACTS §11.11). The fake has no
            # API keys, so every key is unknown.
            from mock_calcom.app import render_api_error  # app imports this module

            refused = UnauthorizedError(INVALID_API_KEY_MESSAGE)
            await render_api_error(Request(scope, receive), refused)(scope, receive, send)
            return
        outcome = self._count(scope)
        if outcome is None:
            await self.app(scope, receive, send)
            return
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                   for k, v in outcome.headers(self.fake.settings.rate_limit_reset_unit)]
        send = _with_headers(send, headers)
        if outcome.blocked:
            from mock_calcom.app import render_api_error  # app imports this module

            # A string-built HttpException: Nest's getResponse() is the string itself.
            error = ThrottledError(THROTTLED_MESSAGE, details=THROTTLED_MESSAGE)
            await render_api_error(Request(scope, receive), error)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _count(self, scope: Scope) -> Outcome | None:
        model = self.fake.model
        settings = model.settings
        if not settings.rate_limit_enabled:
            return None
        authorization = header(scope, b"authorization")
        if settings.rate_limit_unauthenticated:
            client = scope.get("client")
            ip = header(scope, b"cf-connecting-ip") or (client[0] if client else None)
            tracker = tracker_for(authorization, client_id_header=header(scope, b"x-cal-client-id"),
                                  ip=ip)
        else:
            tracker = tracker_for(authorization)  # bearer trackers only (see Settings)
        # The tracker first: it is cheaper than routing, and nobody to count means no count.
        if tracker is None or not self._is_routed(scope):
            return None
        with model.lock:
            rule = model.ratelimits.rule_override(tracker) or default_rule(tracker.kind, settings)
            return model.ratelimits.hit(tracker, rule, model.clock.now())

    def _is_routed(self, scope: Scope) -> bool:
        """Nest runs guards only for a handler it routed to: an unknown path or method, or a
        ``cal-api-version`` the controller does not serve, is a plain 404 with no rate-limit
        headers that counts for nothing."""
        router = getattr(scope.get("app"), "router", None)
        if not isinstance(router, IndexedRouter):
            return True
        for route in router.candidates(get_route_path(scope)):
            # Only API v2 routes count (a catch-all of another surface is not Nest's).
            if isinstance(route, Route) and not route.path.startswith("/v2/"):
                continue
            if route.matches(scope)[0] == Match.FULL:
                served = self._versions.get(getattr(route, "name", ""), None)
                return served is None or _requested_version(scope) in served
        return False


class EdgeMiddleware:
    """The fake's edge as one layer: Express's lenient trailing slash (``/v2/me/`` is served as
    ``/v2/me``, not redirected as Starlette's router would), then the faults, request ids and
    the throttler. Without faults the fault layer is skipped."""

    def __init__(self, app: ASGIApp, fake: MockCalcom) -> None:
        self.fake = fake
        # Faults, request ids, then the throttler: a fault plays the network in front of
        # Cal.com, so its answers carry no request id.
        self._ids = RequestIdMiddleware(ThrottleMiddleware(app, fake), fake)
        self._faults = FaultMiddleware(self._ids, fake)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/") or "/"}
            if self.fake.model.faults:
                await self._faults(scope, receive, send)
                return
        await self._ids(scope, receive, send)


def _is_api_key(authorization: str | None) -> bool:
    """The guard's test: the bearer after ``replace("Bearer ", "")`` starts with ``cal_``."""
    if not authorization:
        return False
    return authorization.replace("Bearer ", "", 1).startswith("cal_")


def _served_versions() -> dict[str, frozenset[str]]:
    """Route name -> the ``cal-api-version`` values its controller serves (version-neutral
    controllers are left out), from the API surface's endpoint table."""
    try:
        from mock_calcom.api.routes import ENDPOINTS
    except ImportError:  # pragma: no cover - the API surface is part of the package
        return {}
    return {e.operation_id: e.versions for e in ENDPOINTS if e.versions is not None}


def _requested_version(scope: Scope) -> str:
    from mock_calcom.api.versions import HEADER, requested

    return requested(header(scope, HEADER.encode("latin-1")))


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *headers]}
        await send(message)

    return sender


__all__ = ["INVALID_API_KEY_MESSAGE", "THROTTLED_MESSAGE", "EdgeMiddleware", "FaultMiddleware",
           "RequestIdMiddleware", "ThrottleMiddleware", "request_id_for"]
