"""``GET /v2/auth/oauth2/clients/{clientId}``: the public facts about a client, no auth
(OpenAPI ``OAuth2Controller_getClient``). Never the secrets, status or scopes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_calcom.asgi import fake_of
from mock_calcom.errors import REASON_MESSAGES, NotFoundError


async def client_info(request: Request) -> Response:
    fake = fake_of(request)
    client_id = request.path_params["client_id"]
    with fake.model.lock:
        client = fake.model.clients.get(client_id)
        if client is None:
            # 404 whose message says "not found" (oauth2.controller.e2e-spec.ts @26e194db).
            raise NotFoundError(REASON_MESSAGES["client_not_found"])
        data = {
            "client_id": client.client_id,
            "redirect_uris": list(client.redirect_uris),
            "name": client.name,
            "logo": client.logo,
            "is_trusted": client.is_trusted,
            "client_type": client.client_type.value,
        }
    return JSONResponse({"status": "success", "data": data})
