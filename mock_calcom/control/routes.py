"""Routes of the control surface: the fake's own JSON API under ``/_mock``.

Another module's control routes join by adding one line to :data:`ENDPOINTS`; the fallback
after them answers anything else under ``/_mock`` in the control plane's own error shape.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from mock_calcom.control import endpoints as e
from mock_calcom.control import login, pages
from mock_calcom.control.faults import routes as fault_routes

_P = "/_mock"

_CORE: list[BaseRoute] = [
    Route(f"{_P}/users", e.create_user, methods=["POST"]),
    Route(f"{_P}/users", e.list_users, methods=["GET"]),
    Route(f"{_P}/users/{{user_id:int}}", e.get_user, methods=["GET"]),
    Route(f"{_P}/clients", e.create_client, methods=["POST"]),
    Route(f"{_P}/clients", e.list_clients, methods=["GET"]),
    Route(f"{_P}/clients/{{client_id}}", e.get_client, methods=["GET"]),
    Route(f"{_P}/clients/{{client_id}}", e.update_client, methods=["PATCH"]),
    Route(f"{_P}/clients/{{client_id}}/secrets", e.add_client_secret, methods=["POST"]),
    Route(f"{_P}/clients/{{client_id}}/secrets/{{secret_id:int}}", e.delete_client_secret,
          methods=["DELETE"]),
    Route(f"{_P}/consent", e.get_consent, methods=["GET"]),
    Route(f"{_P}/consent", e.put_consent, methods=["PUT"]),
    Route(f"{_P}/clock", e.get_clock, methods=["GET"]),
    Route(f"{_P}/clock/advance", e.advance_clock, methods=["POST"]),
    Route(f"{_P}/journal", e.get_journal, methods=["GET"]),
    Route(f"{_P}/journal", e.clear_journal, methods=["DELETE"]),
    Route(f"{_P}/settings", e.get_settings, methods=["GET"]),
    Route(f"{_P}/settings", e.patch_settings, methods=["PATCH"]),
    Route(f"{_P}/reset", e.reset, methods=["POST"]),
    Route(f"{_P}/demo", e.seed_demo, methods=["POST"]),
    Route(f"{_P}/callback", pages.callback_page, methods=["GET"]),
    Route(f"{_P}/callback/exchange", pages.exchange, methods=["POST"]),
    Route(f"{_P}/journal/view", pages.journal_page, methods=["GET"]),
    Route(f"{_P}/tenants", e.list_tenants, methods=["GET"]),
    Route(f"{_P}/tenants/{{name}}", e.drop_tenant, methods=["DELETE"]),
    Route(login.LOGIN_PATH, login.login, methods=["GET"]),
    Route(f"{_P}/login-links", login.new_login_link, methods=["POST"]),
]

#: Every control endpoint. Other surfaces of the control plane are added here.
ENDPOINTS: list[BaseRoute] = [
    *_CORE,
    *fault_routes,
]


async def _index(request: Request) -> Response:
    """``GET /_mock``: what the control plane offers (a page, to a browser)."""
    if pages.wants_html(request):
        return pages.index_page(request)
    listing = [f"{method} {route.path}" for route in ENDPOINTS if isinstance(route, Route)
               for method in sorted((route.methods or set()) - {"HEAD"})]
    return JSONResponse({"service": "mock-calcom control plane", "endpoints": listing})


async def _fallback(request: Request) -> Response:
    """Anything else under ``/_mock``: 405 if the path exists with another method, else 404,
    both as ``{"error": ...}`` rather than Cal.com's Nest 404 (this is not Cal.com)."""
    methods = sorted({m for route in ENDPOINTS if isinstance(route, Route)
                      and route.matches(request.scope)[0] is Match.PARTIAL
                      for m in (route.methods or set()) - {"HEAD"}})
    if methods:
        return JSONResponse(
            {"error": f"{request.method} is not allowed on {request.url.path}; "
                      f"use {', '.join(methods)}"},
            status_code=405, headers={"Allow": ", ".join(methods)})
    return JSONResponse({"error": f"no control endpoint {request.method} {request.url.path}"},
                        status_code=404)


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

routes: list[BaseRoute] = [
    Route(_P, _index, methods=["GET"]),
    *ENDPOINTS,
    Route(_P, _fallback, methods=_ALL_METHODS),
    Route(f"{_P}/{{rest:path}}", _fallback, methods=_ALL_METHODS),
]
