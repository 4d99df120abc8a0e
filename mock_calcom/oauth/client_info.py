"""``GET /v2/auth/oauth2/clients/{clientId}`` (OAuth2Controller_getClient): the public facts
about a client, for a caller ``ApiAuthGuard`` lets in (FACTS §11.4: its e2e test asserts a 401
without credentials). Never the secrets, status or scopes.

* The body carries a ``redirect_uri`` the OpenAPI document hides: the primary registered URI
  (oauth2-client.output.ts, ``@ApiHideProperty() @Expose({name: "redirectUri"})``).
* An unknown id is ``new HttpException("unauthorized_client", 404)``: code ``HttpException``,
  message and details the bare string.
* The handler has no ``@OAuthPermissions``, and ``OAuthPermissionsGuard`` is global (FACTS
  §11.9), so a token holding mapped scopes gets its "not available" 403; tokens the guard
  skips (legacy or unmapped scopes) are served. That the guard covers this handler is inferred,
  not seen: ``Settings.client_lookup_open_to_scoped_tokens`` serves every valid token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mock_calcom.api import auth, scopes
from mock_calcom.api.envelope import JsonBytes, to_json
from mock_calcom.asgi import fake_of, headers_of
from mock_calcom.errors import HttpExceptionError

CLIENT_NOT_FOUND = "unauthorized_client"


async def client_info(request: Request) -> Response:
    fake = fake_of(request)
    client_id = request.path_params["client_id"]
    with fake.model.lock:
        caller = auth.authenticate(fake.model, headers_of(request.scope))
        assert caller is not None  # ApiAuthGuard: never anonymous
        if not fake.model.settings.client_lookup_open_to_scoped_tokens:
            scopes.check_scopes(caller.scopes, scopes.NOT_AVAILABLE)
        client = fake.model.clients.get(client_id)
        if client is None:
            raise HttpExceptionError(CLIENT_NOT_FOUND, 404)
        data = {
            "client_id": client.client_id,
            "redirect_uris": list(client.redirect_uris),
            "name": client.name,
            "logo": client.logo,
            "is_trusted": client.is_trusted,
            "client_type": client.client_type.value,
            "redirect_uri": client.redirect_uris[0] if client.redirect_uris else None,
        }
    return JsonBytes(to_json({"status": "success", "data": data}))
