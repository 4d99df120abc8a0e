"""Routes of the oauth surface: the consent page (app.cal.com), the G2 token endpoint and
client lookup (api.cal.com), and the G1 legacy web endpoints (app.cal.com)."""

from starlette.routing import BaseRoute, Route

from mock_calcom.asgi import RequestEndpoint
from mock_calcom.oauth.authorize import AUTHORIZE_PATH, AuthorizePage, authorize_decision
from mock_calcom.oauth.client_info import ClientInfo
from mock_calcom.oauth.legacy import legacy_me, legacy_refresh, legacy_token
from mock_calcom.oauth.token import TokenEndpoint

routes: list[BaseRoute] = [
    Route(AUTHORIZE_PATH, AuthorizePage(), methods=["GET"]),
    Route(AUTHORIZE_PATH, RequestEndpoint(authorize_decision), methods=["POST"]),
    Route("/v2/auth/oauth2/token", TokenEndpoint(), methods=["POST"]),
    Route("/v2/auth/oauth2/clients/{client_id}", ClientInfo(), methods=["GET"]),
    Route("/api/auth/oauth/token", legacy_token, methods=["POST"]),
    Route("/api/auth/oauth/refreshToken", legacy_refresh, methods=["POST"]),
    Route("/api/auth/oauth/me", legacy_me, methods=["GET", "POST"]),
]
