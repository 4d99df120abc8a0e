"""``create_app``: one Starlette app serving every surface of one fake.

Surfaces are separate packages, each exporting ``routes``: ``oauth`` (authorize page, token
endpoints), ``api`` (API v2 resources) and ``control`` (the fake's own ``/_mock`` plane).
Errors are data (:mod:`mock_calcom.errors`); this module is the one place that renders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_calcom.addresses import OPENAPI_PATH
from mock_calcom.asgi import fake_of
from mock_calcom.control.routes import routes as control_routes
from mock_calcom.errors import (
    ApiError,
    BadRequestError,
    CalcomError,
    ControlError,
    NotFoundError,
    OAuthError,
    PayloadTooLargeError,
)
from mock_calcom.middleware import EdgeMiddleware
from mock_calcom.oauth.authorize import too_large_page
from mock_calcom.oauth.routes import routes as oauth_routes
from mock_calcom.routing import IndexedRouter, LazyRoutes

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

#: The G1 web token endpoints: a refused body is their bare ``invalid_request``.
_LEGACY_BODY_PATHS = frozenset({"/api/auth/oauth/token", "/api/auth/oauth/refreshToken"})


class _CalcomApp(Starlette):
    """Starlette serving one fake (``fake_of(request)`` reads :attr:`fake`), with the journal
    outside every layer, even the 500 handler: it sees each answer as the client gets it, and
    can hold back a response the app then drops."""

    def __init__(self, fake: MockCalcom, **options: Any) -> None:
        # A plain attribute, not ``app.state``: State's lookup raises and catches an
        # AttributeError on every read, and every request reads it.
        self.fake = fake
        super().__init__(**options)
        # The same routes, dispatched through an index instead of a scan of every route.
        self.router = IndexedRouter(routes=self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette.__call__, inline (one frame less); the edge puts this app in the scope
        # and sends a request with ``X-Mock-Tenant`` on to its tenant (middleware.py).
        stack = self.middleware_stack
        if stack is None:
            stack = self.middleware_stack = self.build_middleware_stack()
        await stack(scope, receive, send)

    def entry(self) -> ASGIApp:
        """What a call of this app runs (its edge), built on first use. A server awaits it
        directly: one frame less on every request."""
        stack = self.middleware_stack
        if stack is None:
            stack = self.middleware_stack = self.build_middleware_stack()
        return stack

    def build_middleware_stack(self) -> ASGIApp:
        # One layer (middleware.py): the control plane's guard, the body limits, the
        # journal, the 500 handler, trailing slash, faults, request ids, the throttler and
        # the exception handlers. Middleware added with ``add_middleware`` wraps the router,
        # inside all of these.
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return EdgeMiddleware(app, self.fake, refuse_body=self._refuse_body,
                              handlers=self.exception_handlers, owner=self)

    def _refuse_body(self, scope: Scope, status: int, message: str) -> Response:
        """A body refused by :class:`BodyLimit`, in the shape of the surface it was sent to."""
        path: str = scope["path"]
        if path.startswith("/_mock"):
            return JSONResponse({"error": f"request body refused: {message}"}, status_code=status)
        if path.rstrip("/") == "/auth/oauth2/authorize":
            return too_large_page() if status == 413 else HTMLResponse(message, status_code=status)
        if path.rstrip("/") in _LEGACY_BODY_PATHS:  # oauth/legacy.py's 413 answer
            return JSONResponse({"error": "invalid_request"}, status_code=status)
        if path.rstrip("/") == "/v2/auth/oauth2/token":
            return JSONResponse({"error": "invalid_request", "error_description": message},
                                status_code=status,
                                headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        # body-parser's errors reach Nest's filters with their own status (413 or 400);
        # the envelope's code is the matching Nest exception (UNCONFIRMED for 413).
        error: ApiError = (PayloadTooLargeError(message) if status == 413
                           else BadRequestError(f"Unexpected token in JSON: {message}"))
        return render_api_error(Request(scope), error)



def _api_routes() -> list[BaseRoute]:
    from mock_calcom.api.routes import routes

    return routes


async def _openapi_document(request: Request) -> Response:
    from mock_calcom.openapi import openapi_document

    return await openapi_document(request)


#: The API v2 surface: every route of it is under ``/v2``. It is imported on the first request
#: there (or when the routes are read), so ``serve`` answers its first request sooner.
_API = LazyRoutes("v2", _api_routes)
#: ``/_mock/openapi.json``; the document's module is imported when it is asked for.
_OPENAPI = Route(OPENAPI_PATH, _openapi_document, methods=["GET"])


def create_app(fake: MockCalcom) -> Starlette:
    return _CalcomApp(
        fake,
        # The document before the control routes: they end in a catch-all for /_mock/*.
        routes=[*oauth_routes, _API, _OPENAPI, *control_routes],
        exception_handlers={
            CalcomError: _render_calcom_error,
            ControlError: _render_control_error,
            HTTPException: _render_http_exception,
        },
    )


def iso_timestamp(seconds: float) -> str:
    """Cal.com's timestamp form, ``2025-11-01T11:43:48.458Z`` (JavaScript's toISOString)."""
    # Imported on first use: timeutil brings zoneinfo, which serve's start does not need.
    from mock_calcom.model.resources.timeutil import iso_ms

    return iso_ms(seconds)


def render_api_error(request: Request, exc: ApiError) -> JSONResponse:
    """The v2 envelope; ``path`` is the original URL path with its query, as Nest's ``req.url``."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    now = fake_of(request).model.clock.now()
    return JSONResponse(exc.body(path=path, timestamp=iso_timestamp(now)),
                        status_code=exc.status_code)


async def _render_calcom_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ApiError):
        return render_api_error(request, exc)
    if isinstance(exc, OAuthError):
        return JSONResponse(exc.body(), status_code=exc.status_code,
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
    assert isinstance(exc, CalcomError)
    return JSONResponse(exc.body(), status_code=exc.status_code)


async def _render_control_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    return JSONResponse(exc.body(), status_code=exc.status_code)


async def _render_http_exception(request: Request, exc: Exception) -> Response:
    """Routing misses. Nest answers an unknown route or method with 404
    ``Cannot <METHOD> <originalUrl>`` (query included) in the v2 envelope, for any path."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return render_api_error(request, NotFoundError(f"Cannot {request.method} {url}"))
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
