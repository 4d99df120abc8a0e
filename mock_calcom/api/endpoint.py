"""One API v2 endpoint as data, and the request pipeline Nest runs for it.

The order is Cal.com's: body parsing (Express middleware) → version routing → the controller's
guards in declaration order → the OAuth scope guard → validation pipes → the handler. Handlers
get a :class:`Call` and return a response; they raise :class:`~mock_calcom.errors.ApiError` for
Cal.com's errors, which ``app.py`` renders. Model work runs under the model's lock, so a request
sees and leaves one consistent state.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import parse_qsl

from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mock_calcom.api import auth, scopes, versions
from mock_calcom.api.envelope import JsonBytes
from mock_calcom.api.scopes import Requirement
from mock_calcom.asgi import headers_of
from mock_calcom.errors import BadRequestError, ForbiddenError, UnauthorizedError
from mock_calcom.journal import append_response
from mock_calcom.model.users import User

if TYPE_CHECKING:
    from mock_calcom.model.state import CalcomModel
    from mock_calcom.settings import Settings

#: ``permissions``: PermissionsGuard on a handler with ``@Permissions``; ``api_auth``:
#: ApiAuthGuard; ``optional_auth``: OptionalApiAuthGuard.
Guard = Literal["permissions", "api_auth", "optional_auth"]

#: The guard chains the served controllers use.
API_AUTH: tuple[Guard, ...] = ("api_auth",)
OPTIONAL_AUTH: tuple[Guard, ...] = ("optional_auth",)
#: Class-level PermissionsGuard, then the handler's ApiAuthGuard (bookings, event types).
PERMISSIONS_THEN_API_AUTH: tuple[Guard, ...] = ("permissions", "api_auth")


class Call(NamedTuple):
    """What a handler works with (a named tuple: one is made per request, in C; the
    endpoint's pipeline is its only maker, and handlers only read it)."""

    model: CalcomModel
    caller: auth.Caller | None
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    body: Any
    version: str
    #: Whether Express's body parsers produced ``body`` (a non-empty JSON or urlencoded body).
    #: When they did not, ``body`` is ``{}`` and Cal.com's own input pipes see ``{}`` or
    #: ``undefined`` depending on body-parser's major version (``Settings.empty_body``).
    body_parsed: bool
    #: The request's cookies, read only for endpoints with ``reads_cookies`` (the booking
    #: handlers take a slot reservation's uid from the ``uid`` cookie).
    cookies: dict[str, str]

    @property
    def user(self) -> User:
        """The acting user of an endpoint whose guards require one."""
        if self.caller is None:  # pragma: no cover - guarded by Endpoint.guards
            raise UnauthorizedError(auth.NO_AUTH_MESSAGE)
        return self.caller.user

    @property
    def user_or_none(self) -> User | None:
        return self.caller.user if self.caller is not None else None


Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation_id: str
    handler: Handler
    versions: frozenset[str] | None
    guards: tuple[Guard, ...]
    reads_body: bool = field(default=False)
    #: A 2024-04-15 legacy handler (FACTS §11.1): none carries ``@OAuthPermissions``.
    legacy: bool = field(default=False)
    #: A handler with neither an auth guard nor ``@OAuthPermissions`` that the global scope
    #: guard still reaches, as it reaches the legacy ones (``/v2/timezones``).
    global_scope_guard: bool = field(default=False)
    reads_cookies: bool = field(default=False)

    @property
    def scopes(self) -> scopes.Requirement:
        if self.legacy or self.global_scope_guard:
            return scopes.NOT_AVAILABLE
        return scopes.requirement(self.method, self.path)

    def route(self) -> Route:
        return Route(self.path, _EndpointApp(self), methods=[self.method], name=self.operation_id)

    async def serve(self, scope: Scope, receive: Receive, send: Send, *,
                    version: str | None = None) -> Response:
        """The response to one request routed here (errors raised, for the app to render).
        ``version``: the request's version when the caller already routed by it."""
        if not self.reads_body:
            return self.run(scope, None, False, version)
        request = Request(scope, receive, send)
        body = await _read_body(request)
        parsed = await _parsed_by_body_parser(request)
        return self.run(scope, body, parsed, version)

    async def answer(self, scope: Scope, receive: Receive, send: Send,
                     version: str | None = None) -> None:
        """:meth:`serve`, then the response sent; a body-less endpoint runs without a
        coroutine in between, and a :class:`JsonBytes` (every v2 success) is sent as
        ``Response.__call__`` sends it for an HTTP scope (a Route matches no other)."""
        if self.reads_body:
            response = await self.serve(scope, receive, send, version=version)
        else:
            response = self.run(scope, None, False, version)
        if type(response) is not JsonBytes or not append_response(send, response):
            await response(scope, receive, send)

    def run(self, scope: Scope, body: Any, body_parsed: bool = True,
            version: str | None = None) -> Response:
        """The pipeline after body parsing. ``version`` is given by a caller that chose this
        endpoint by the request's version (:mod:`mock_calcom.api.dispatch`: it serves that
        version by construction); otherwise it is read and checked here."""
        model = scope["app"].fake.model
        if version is None:
            version = versions.ensure_served(scope, self.versions)
        with model.lock:
            # The guards read a few headers several times: one plain dict per request, and
            # the bearer verified once for all of them (auth.Presented).
            headers = headers_of(scope)
            presented = auth.Presented(headers)
            if self.legacy or self.global_scope_guard:
                _legacy_scope_guard(model, presented)
            caller = self._chain(model, presented)
            if caller is not None and not self.legacy:
                rule, opener = self._scope_rule  # self._requirement(model.settings), inline
                required = scopes.PUBLIC if opener is not None and getattr(model.settings, opener) else rule
                refusal = scopes.refusal(caller.claims.grant.scopes, required)
                if refusal is not None:
                    raise ForbiddenError(refusal)
            # What request.query_params.multi_items() gives, without building the multidict.
            raw_query = scope.get("query_string", b"")
            query = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else []
            return self.handler(Call(
                model, caller, dict(scope.get("path_params", {})), query, body, version, body_parsed,
                cookie_parser(headers.get("cookie", "")) if self.reads_cookies else {}))

    def _requirement(self, settings: Settings) -> Requirement:
        """``scopes.requirement_under(settings, method, path)``: the endpoint's part of it
        looked up once (the map is constant), the setting read at every request."""
        fixed = self._scope_rule
        if fixed[1] is not None and getattr(settings, fixed[1]):
            return scopes.PUBLIC
        return fixed[0]

    @functools.cached_property
    def _scope_rule(self) -> tuple[Requirement, str | None]:
        return scopes.requirement(self.method, self.path), scopes.opened_by_setting(self.method, self.path)

    @functools.cached_property
    def _chain(self) -> Callable[[CalcomModel, auth.Presented], auth.Caller | None]:
        """:meth:`_guard`, or the one function that decides as its chain of guards does
        (``auth.permissions_then_authenticate``)."""
        if self.guards == PERMISSIONS_THEN_API_AUTH:
            return auth.permissions_then_authenticate
        return self._guard

    def _guard(self, model: CalcomModel, presented: auth.Presented) -> auth.Caller | None:
        caller: auth.Caller | None = None
        for guard in self.guards:
            if guard == "permissions":
                auth.permissions_guard_presented(model, presented)
            else:
                caller = auth.authenticate_presented(model, presented, optional=guard == "optional_auth")
        return caller


class _EndpointApp:
    """The endpoint as a plain ASGI app. Starlette wraps a function endpoint in a second
    exception-handling layer and a ``Request`` per request; the app's edge, with the same
    handlers, already renders whatever this raises."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.endpoint.answer(scope, receive, send)


def _legacy_scope_guard(model: CalcomModel, presented: auth.Presented) -> None:
    """The global ``OAuthPermissionsGuard`` on a legacy handler (oauth-permissions.guard.ts
    @58bd767a): it decodes the bearer itself, so it acts even on handlers with no auth guard,
    and runs before the controller's guards (Nest runs global guards first). No legacy handler
    carries ``@OAuthPermissions``, so a valid token with mapped scopes is refused; legacy and
    scope-less tokens, API keys and anonymous requests pass. Whether production wires the guard
    this way is UNCONFIRMED (FACTS §11.1, §11.9): ``Settings.legacy_serve_scoped_tokens``
    serves those tokens instead (for ``global_scope_guard`` handlers too: the same guard, the
    same unconfirmed reach)."""
    if model.settings.legacy_serve_scoped_tokens:
        return
    claims = presented.claims(model)
    if claims is not None:
        scopes.check_scopes(claims.grant.scopes, scopes.NOT_AVAILABLE)


def _refuse_constant(name: str) -> Any:
    # JSON.parse knows no NaN or Infinity; Python's json would take them.
    raise ValueError(f"Unexpected token {name[0]}")


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _parser_for(media_type: str) -> str | None:
    if media_type == "application/json" or media_type.endswith("+json"):
        return "json"
    if media_type == "application/x-www-form-urlencoded":
        return "form"
    return None


async def _parsed_by_body_parser(request: Request) -> bool:
    """Whether one of Nest's body parsers read this request's body (``request.body()`` is
    cached by Starlette, so this reads nothing twice)."""
    raw = await request.body()
    return bool(raw.strip()) and _parser_for(_media_type(request)) is not None


async def _read_body(request: Request) -> Any:
    """Express's body parsers as Nest registers them: JSON and urlencoded bodies are parsed,
    anything else leaves ``{}``. Malformed JSON is a 400 before routing goes any further."""
    raw = await request.body()
    parser = _parser_for(_media_type(request))
    if not raw.strip():
        return {}
    if parser == "json":
        try:
            parsed = json.loads(raw, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequestError(f"Unexpected token in JSON: {exc}") from None
        # body-parser's strict mode takes only objects and arrays.
        if not isinstance(parsed, dict | list):
            raise BadRequestError(f"Unexpected token in JSON: {raw[:20]!r} is not an object")
        return parsed
    if parser == "form":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return {}
