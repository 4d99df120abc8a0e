"""The fake's edge: every per-request layer around the router, as one pure ASGI layer
(:class:`EdgeMiddleware`; see its docstring for the order), cheap when idle.

Faults (:class:`FaultMiddleware`) play the network and gateway in front of Cal.com, so a
faulted request never reaches the throttler. The throttler is Cal.com's global
``CustomThrottlerGuard`` (throttler-guard.ts @42e7dc49, FACTS §7.5): Nest runs global guards
before controller guards, so a throttled request gets 429 before any 401/403, and every counted
response, errors included, carries the ``X-RateLimit-*-Default`` headers. Every API v2
response gets an ``X-Request-Id``, errors and throttled answers included (FACTS §11.5).

All of it runs inside the journal, so the journal records faulted and throttled answers.
"""

from __future__ import annotations

import base64
import json
import operator
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import anyio
from starlette._utils import get_route_path, is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Match, Route, Router
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from mock_calcom.asgi import READ_BODY, StartTracker, buffer_body, declares_body, header, headers_of
from mock_calcom.bodylimit import admit
from mock_calcom.control.security import CONTROL_PREFIX
from mock_calcom.errors import (
    ApiError,
    ConnectionDropped,
    ControlError,
    ThrottledError,
    UnauthorizedError,
)
from mock_calcom.journal import Captured, HeldAnswer, journaled, mark_fault
from mock_calcom.model.clock import MAX_TIME
from mock_calcom.model.ratelimit import Outcome, default_rule, tracker_for
from mock_calcom.routing import IndexedRouter

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom
    from mock_calcom.faults import Firing

#: throttler-guard.ts: an API-key bearer that matches no key.
INVALID_API_KEY_MESSAGE = "CustomThrottlerGuard - Invalid API Key"
#: throttler-guard.ts: the message of every ``ThrottlerException`` it throws.
THROTTLED_MESSAGE = "CustomThrottlerGuard - Too many requests. Please try again later."
_MAX_SNIFFED_BODY = 1 << 20
#: The real-time sleep of latency faults (a module attribute, so a test can watch it).
_sleep = anyio.sleep
_CLIENT_PATH = re.compile(r"/v2/auth/oauth2/clients/([^/]+)")


#: The header that sends a request to a tenant (``fake.tenant(name)``).
_TENANT_HEADER = "x-mock-tenant"


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

def request_id_for(scope: Scope, fake: MockCalcom) -> str:
    """``x-vercel-id ?? uuid()``: the id Cal.com's middleware gives a request.

    Cal.com's ``RequestIdMiddleware`` puts a UUID (or the incoming ``x-vercel-id``) on the
    request and its interceptor and exception filters copy it to the response
    (request-id.middleware.ts @03144727, request-id.interceptor.ts @03670679,
    http-exception.filter.ts @a5579781), so every ``/v2/`` answer carries ``X-Request-Id``. A
    route that sets its own (the token endpoint's error rule, ``oauth.token``) keeps it. Ids
    come from the fake's seeded randomness."""
    vercel = headers_of(scope).get("x-vercel-id")
    if vercel is not None:
        return vercel
    # ``uuid4_text`` of the stream's next 16 bytes, formatted in blocks (model.requestids).
    return fake.model.request_ids.next()


def uuid4_text(random16: bytes) -> str:
    """``str(uuid.UUID(bytes=random16, version=4))``, without building the UUID object: the
    version digit is 4 and the variant digit keeps its two low bits under ``10``."""
    h = random16.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


# -- rate limiting -------------------------------------------------------------------------

class _Throttler:
    """Cal.com's global ``CustomThrottlerGuard`` (throttler-guard.ts @42e7dc49, FACTS §7.5):
    Nest runs global guards before controller guards, so a throttled request gets 429 before
    any 401/403, and every counted response, errors included, carries the
    ``X-RateLimit-*-Default`` headers."""

    def __init__(self, fake: MockCalcom) -> None:
        self.fake = fake
        #: Route name -> served versions, read from the API surface once it is imported.
        self._versions: dict[str, frozenset[str]] | None = None

    def count(self, scope: Scope) -> Outcome | None:
        model = self.fake.model
        settings = model.settings
        if not settings.rate_limit_enabled:
            return None
        authorization = headers_of(scope).get("authorization")
        if settings.rate_limit_unauthenticated:
            client = scope.get("client")
            ip = headers_of(scope).get("cf-connecting-ip") or (client[0] if client else None)
            tracker = tracker_for(authorization, client_id_header=headers_of(scope).get("x-cal-client-id"),
                                  ip=ip)
        else:
            tracker = tracker_for(authorization)  # bearer trackers only (see Settings)
        # The tracker first: it is cheaper than routing, and nobody to count means no count.
        if tracker is None or not self.is_routed(scope):
            return None
        with model.lock:
            rule = model.ratelimits.rule_override(tracker) or default_rule(tracker.kind, settings)
            return model.ratelimits.hit(tracker, rule, model.clock.now())

    def is_routed(self, scope: Scope) -> bool:
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
                versions = self._versions
                if versions is None:
                    # Read on first use, not at start: the API surface is imported on the
                    # first /v2 request (app.py), which candidates() above has just loaded.
                    versions = self._versions = _served_versions()
                served = versions.get(getattr(route, "name", ""), None)
                return served is None or _requested_version(scope) in served
        return False


# -- the edge: every per-request layer in one ------------------------------------------------

#: ``render(scope, status, message)``: a body refused by the limits, in the surface's shape.
RenderRefusal = Callable[[Scope, int, str], Response]


class EdgeMiddleware:
    """Everything the fake does around its router, in one pass, outermost first:

    1. the control plane's guard (:mod:`mock_calcom.control.security`) on ``/_mock``;
    2. the body limits (:mod:`mock_calcom.bodylimit`), before anything is buffered or
       journaled;
    3. the journal (:func:`mock_calcom.journal.journaled`; not for ``/_mock``), outside the
       500 handler: it sees each answer as the client gets it;
    4. the 500 handler (Starlette's ``ServerErrorMiddleware``: a plain ``Internal Server
       Error`` if nothing was sent yet, and the exception goes on to the server);
    5. Express's lenient trailing slash (``/v2/me/`` is served as ``/v2/me``, not redirected
       as Starlette's router would);
    6. the faults (:class:`FaultMiddleware`, only when a fault is set): a fault plays the
       network in front of Cal.com, so its answers carry no request id;
    7. on ``/v2/``: the request id (``X-Request-Id``, FACTS §11.5, errors and throttled
       answers included) and the throttler;
    8. the exception handlers (Starlette's ``ExceptionMiddleware``: the app's renderers for
       Cal.com's errors and routing misses), then the router.

    These were eight ASGI middlewares; as one, a request builds one ``send`` wrapper per
    stage that needs one instead of a layer, a scope copy and a ``Request`` per layer.
    """

    def __init__(self, app: ASGIApp, fake: MockCalcom, *, refuse_body: RenderRefusal,
                 handlers: Mapping[Any, ExceptionHandler], owner: ASGIApp | None = None) -> None:
        from mock_calcom.app import render_api_error  # app imports this module

        self.app = app
        self.fake = fake
        #: The Starlette app this edge serves: ``scope["app"]`` (``fake_of(request)``).
        self._owner = owner
        self._refuse_body = refuse_body
        self._render_api_error = render_api_error
        error_handler: ExceptionHandler | None = None
        exception_handlers: dict[Any, ExceptionHandler] = {}
        status_handlers: dict[int, ExceptionHandler] = {}
        for key, value in handlers.items():
            if key in (500, Exception):
                error_handler = value
            elif isinstance(key, int):
                status_handlers[key] = value
            else:
                exception_handlers[key] = value
        self._error_handler = error_handler
        # What Starlette's ExceptionMiddleware publishes in the scope (function endpoints'
        # own exception wrapper reads it), with its defaults under the app's handlers.
        other = ExceptionMiddleware(app, handlers={**exception_handlers, **status_handlers})
        self._handlers: tuple[dict[Any, ExceptionHandler], dict[int, ExceptionHandler]] = (
            other._exception_handlers, other._status_handlers)
        #: Non-HTTP scopes (lifespan) take Starlette's own path.
        self._other = other
        self._throttler = _Throttler(fake)
        self._faults = FaultMiddleware(self._api, fake)
        #: What calling ``app`` runs: a router's ``__call__`` only awaits its
        #: ``middleware_stack`` (its ``app`` when it has no middleware of its own).
        self._dispatch: ASGIApp = app.middleware_stack if isinstance(app, Router) else app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._owner is not None:
            scope["app"] = self._owner  # what Starlette.__call__ does first
        if scope["type"] != "http":
            await self._other(scope, receive, send)
            return
        # The header dict every later layer reads (built here once, kept in the scope).
        headers = headers_of(scope)
        fake = self.fake
        # ``X-Mock-Tenant`` sends the request to another, isolated fake (whole: its own
        # journal, faults and throttler). Tenants do not nest, so only the root looks.
        if (fake.parent is None and _TENANT_HEADER in headers
                and await self._to_tenant(headers[_TENANT_HEADER], scope, receive, send)):
            return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await self._control(scope, receive, send)
            return
        body = None
        if scope["method"] not in ("GET", "HEAD"):  # admit() lets these through untouched
            admitted = await admit(scope, receive, send, self._refuse_body)
            if admitted is None:
                return
            body, receive = admitted
            if body is not None:
                # Read whole and within the limits: a route may take it from here instead of
                # through the replaying ``receive`` (asgi.READ_BODY).
                scope[READ_BODY] = body
        journal = fake.journal
        if fake.model.faults.entries:  # bool(faults), without the call
            # The journal answers an unexpected error with the 500 page (ServerErrorMiddleware's
            # place: inside the journal, outside everything else).
            await journaled(journal, self._inner, scope, receive, send, body,
                            error_page=self._error_page)
            return
        # Stages 3 to 8 when no fault is set, in this frame: what ``journaled(self._inner)``
        # does (HeldAnswer's steps), with the request id and the throttler's headers put on
        # the held answer once it is complete instead of by a ``send`` wrapper on its way
        # out (the journal holds every answer back until the app returns anyway).
        ident, started = journal.next_id(), journal.clock()  # journal.begin(), inline
        if body is None:
            # Read up front, so the body is journaled even if no handler reads it (a GET has
            # none to read: awaiting the client for it would only slow every such request
            # down). Neither header in the dict: no body is declared (asgi.declares_body).
            if (("content-length" in headers or "transfer-encoding" in headers)
                    and declares_body(scope)):
                body, receive = await buffer_body(receive)
            else:
                body = b""
        if "state" not in scope:
            scope["state"] = {}
        sent = Captured()
        inner = scope
        if path[-1:] == "/" and len(path) > 1:
            # A copy: the journal keeps the path as sent (the state dict is shared).
            inner = {**scope, "path": path.rstrip("/") or "/"}
        try:
            refused = extra = None
            if inner["path"].startswith("/v2/"):
                extra, refused = self._gate(inner, headers)
            try:
                # Stage 8 (what _handle does), in this frame.
                if refused is not None:
                    await self._render_api_error(Request(inner, receive), refused)(
                        inner, receive, sent)
                else:
                    inner["starlette.exception_handlers"] = self._handlers
                    try:
                        await self._dispatch(inner, receive, sent)
                    except Exception as exc:
                        await self._on_error(exc, inner, receive, sent, sent)
            finally:
                if extra is not None and sent:  # on /v2/, once the gate has let it through
                    sent[0] = _with_request_id(sent[0], extra, inner, fake, headers)
        except ConnectionDropped:
            journal.add(ident, started, scope, body, None)
            raise
        except BaseException as exc:
            await HeldAnswer(journal, ident, started, scope, receive, body, sent).fail(
                exc, self._error_page, send)
            raise
        journal.add(ident, started, scope, body, sent)
        for message in sent:
            await send(message)

    async def _to_tenant(self, name: str, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a request for the tenant ``name`` (its own fake); ``False`` when ``name`` is
        this fake itself."""
        try:
            target = self.fake.tenant(name)
        except ControlError as exc:
            await JSONResponse(exc.body(), status_code=exc.status_code)(scope, receive, send)
            return True
        if target is self.fake:
            return False
        await target.app(scope, receive, send)
        return True

    def _gate(self, scope: Scope, headers: dict[str, str] | None = None,
              ) -> tuple[list[tuple[bytes, bytes]], ApiError | None]:
        """The global guards of ``/v2/``: an API key's 401 and the throttler (its headers,
        and its 429 when the limit is reached). ``headers``: the request's header dict."""
        throttler = self._throttler
        authorization = (headers_of(scope) if headers is None else headers).get("authorization")
        # _is_api_key, with its usual case (a ``Bearer`` header) in this frame.
        if (authorization
                and (authorization.startswith("cal_", 7) if authorization.startswith("Bearer ")
                     else _is_api_key(authorization))
                and throttler.is_routed(scope)):
            # getTracker looks the key up itself and throws for an unknown one: a 401 with
            # no rate-limit headers, before any controller guard (FACTS §11.11). The fake
            # has no API keys, so every key is unknown.
            return [], UnauthorizedError(INVALID_API_KEY_MESSAGE)
        if not self.fake.model.settings.rate_limit_enabled:
            return [], None  # what count() answers then, without calling it
        outcome = throttler.count(scope)
        if outcome is None:
            return [], None
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                 for k, v in outcome.headers(self.fake.settings.rate_limit_reset_unit)]
        if outcome.blocked:
            # A string-built HttpException: Nest's getResponse() is the string itself.
            return extra, ThrottledError(THROTTLED_MESSAGE, details=THROTTLED_MESSAGE)
        return extra, None

    async def _handle(self, scope: Scope, receive: Receive, send: Send, refused: ApiError | None,
                      sent: list[Message]) -> None:
        """Stage 8 (:meth:`_handled` without its ``send`` wrapper): ``sent`` tells whether
        the answer has started."""
        if refused is not None:
            await self._render_api_error(Request(scope, receive), refused)(scope, receive, send)
            return
        scope["starlette.exception_handlers"] = self._handlers
        try:
            await self._dispatch(scope, receive, send)
        except Exception as exc:
            await self._on_error(exc, scope, receive, send, sent)

    async def _on_error(self, exc: Exception, scope: Scope, receive: Receive, send: Send,
                        sent: list[Message]) -> None:
        """Starlette's ExceptionMiddleware: the app's handler renders ``exc`` unless the
        answer has started (``sent``); with no handler for it, ``exc`` goes on."""
        handler = self._handler_for(exc)
        if handler is None:
            raise exc
        if sent:
            raise RuntimeError("Caught handled exception, but response already started.") from exc
        response = await _call_handler(handler, Request(scope, receive, send), exc)
        if response is not None:
            await response(scope, receive, send)
        # Reused exception instances would accumulate tracebacks across requests.
        exc.__traceback__ = None

    def _handler_for(self, exc: Exception) -> ExceptionHandler | None:
        exception_handlers, status_handlers = self._handlers
        handler = None
        if isinstance(exc, HTTPException):
            handler = status_handlers.get(exc.status_code)
        if handler is None:
            handler = next((exception_handlers[cls] for cls in type(exc).__mro__
                            if cls in exception_handlers), None)
        return handler

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``/_mock``: the guard, the body limits and the 500 page; no journal."""
        if await self._control_refused(scope, receive, send):
            return
        admitted = await admit(scope, receive, send, self._refuse_body)
        if admitted is None:
            return
        receive = admitted[1]
        tracked = StartTracker(send)
        try:
            await self._inner(scope, receive, tracked)
        except Exception as exc:
            response = await self._error_page(scope, exc)
            if not tracked.started:
                await response(scope, receive, send)
            # The exception goes on to the server (and to in-process clients), as Starlette's.
            raise

    async def _control_refused(self, scope: Scope, receive: Receive, send: Send) -> bool:
        # A tenant (X-Mock-Tenant) is served by its own app: it obeys its root's rules.
        root = self.fake
        while root.parent is not None:
            root = root.parent
        security = root.control_security
        refused = security.refusal(scope) if security is not None else None
        if refused is None:
            return False
        status, reason = refused
        await JSONResponse({"error": reason}, status_code=status,
                           headers={"connection": "close"})(scope, receive, send)
        return True

    async def _error_page(self, scope: Scope, exc: Exception) -> Response:
        """Starlette's ServerErrorMiddleware's answer (the app's 500 handler, if it has one)."""
        if self._error_handler is None:
            return PlainTextResponse("Internal Server Error", status_code=500)
        response: Response = await _call_handler(self._error_handler, Request(scope), exc)
        return response

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Trailing slash, then the faults (if any are set), then :meth:`_api`."""
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # A copy: the journal keeps the path as sent (the state dict is shared).
            scope = {**scope, "path": path.rstrip("/") or "/"}
        if self.fake.model.faults:
            await self._faults(scope, receive, send)
        else:
            await self._api(scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Request id and throttler on ``/v2/``, then the exception handlers and the router."""
        if not scope["path"].startswith("/v2/"):
            await self._handled(scope, receive, send, None, None)
            return
        extra, refused = self._gate(scope)
        await self._handled(scope, receive, send, extra, refused)

    async def _handled(self, scope: Scope, receive: Receive, send: Send,
                       extra: list[tuple[bytes, bytes]] | None, refused: ApiError | None) -> None:
        """Starlette's ExceptionMiddleware (the app's handler renders what the router raised,
        unless the answer had already started) and, when ``extra`` is given (``/v2/``), the
        throttler's headers and the request id on the answer, or the throttler's refusal."""
        fake = self.fake
        started: list[Message] = []

        async def sender(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)
                if extra is not None:
                    message = _with_request_id(message, extra, scope, fake)
            await send(message)

        await self._handle(scope, receive, sender, refused, started)


def _with_request_id(message: Message, extra: list[tuple[bytes, bytes]] | None, scope: Scope,
                     fake: MockCalcom, headers: dict[str, str] | None = None) -> Message:
    """A ``/v2/`` answer's start with the throttler's headers and the request id, unless the
    route set its own (the token endpoint's error rule, ``oauth.token``). ``headers``: the
    request's header dict, when the caller has it (``asgi.headers_of``)."""
    if extra is None or message["type"] != "http.response.start":
        return message
    own = message.get("headers", [])
    # Every header name, lower-cased, looked through in C (a Python loop per header cost more).
    if (_REQUEST_ID in map(_LOWER, map(_NAME, own))
            or (extra and _REQUEST_ID in map(_LOWER, map(_NAME, extra)))):
        # The route set its own: nothing to add but the throttler's headers.
        return {**message, "headers": [*own, *extra]} if extra else message
    # request_id_for, in this frame.
    vercel = (headers_of(scope) if headers is None else headers).get("x-vercel-id")
    request_id = vercel if vercel is not None else fake.model.request_ids.next()
    return {**message, "headers": [*own, *extra, (_REQUEST_ID, request_id.encode("latin-1"))]}


_REQUEST_ID = b"x-request-id"
_NAME = operator.itemgetter(0)
_LOWER = operator.methodcaller("lower")


async def _call_handler(handler: ExceptionHandler, request: Request, exc: Exception) -> Any:
    if is_async_callable(handler):
        return await handler(request, exc)  # type: ignore[arg-type]
    return await run_in_threadpool(handler, request, exc)


def _is_api_key(authorization: str | None) -> bool:
    """The guard's test: the bearer after ``replace("Bearer ", "", 1)`` starts with ``cal_``.
    A header that starts with ``Bearer `` loses exactly those 7 characters, so its test is
    whether ``cal_`` follows them (no copy of the token is made)."""
    if not authorization:
        return False
    if authorization.startswith("Bearer "):
        return authorization.startswith("cal_", 7)
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

    return requested(headers_of(scope).get(HEADER))


__all__ = ["INVALID_API_KEY_MESSAGE", "THROTTLED_MESSAGE", "EdgeMiddleware", "FaultMiddleware",
           "request_id_for", "uuid4_text"]
