"""``create_app``: one Starlette app serving every surface of one fake.

Surfaces are separate packages, each exporting ``routes``: ``oauth`` (authorize page, token
endpoints), ``api`` (API v2 resources) and ``control`` (the fake's own ``/_mock`` plane).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request

from mock_calcom.api.routes import routes as api_routes
from mock_calcom.control.routes import routes as control_routes
from mock_calcom.oauth.routes import routes as oauth_routes

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom


def create_app(fake: MockCalcom) -> Starlette:
    app = Starlette(routes=[*oauth_routes, *api_routes, *control_routes])
    app.state.fake = fake
    return app


def fake_of(request: Request) -> MockCalcom:
    """The fake a request is addressed to (handlers stay free of globals)."""
    fake: MockCalcom = request.app.state.fake
    return fake
