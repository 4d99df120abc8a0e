"""Platform, managed-user and API-key operations: what a third-party OAuth token gets there.

None of these is for OAuth tokens, and the fake has no platform organizations, platform OAuth
clients or API keys, so every request here ends at a guard or check; which one decides the
answer. After ``ApiAuthGuard`` (401 without credentials) the global ``OAuthPermissionsGuard``
refuses a scoped token (no ``@OAuthPermissions`` on any of these handlers: 403 ``not available
for third-party OAuth tokens``); a legacy (unscoped) token goes on to the controller's own guards:

* ``/v2/oauth-clients`` (oauth-clients.controller.ts @03670679): ``ApiAuthGuard``,
  ``OrganizationRolesGuard``;
* ``/v2/oauth-clients/{clientId}/users`` (oauth-client-users.controller.ts @01598ed4):
  ``ApiAuthGuard``, ``OAuthClientGuard``, ``OrganizationRolesGuard``;
* ``/v2/oauth-clients/{clientId}/webhooks`` (oauth-client-webhooks.controller.ts @eff75b63):
  ``ApiAuthGuard``, ``OrganizationRolesGuard``, ``OAuthClientGuard``;
* ``POST /v2/oauth/{clientId}/refresh`` (oauth-flow.controller.ts @015ff2e1): ``ApiAuthGuard``,
  then the body, then the client lookup by id and ``x-cal-secret-key``
  (oauth-flow.service.ts: ``Invalid OAuthClient credentials.``);
* ``POST /v2/api-keys/refresh`` (api-keys.controller.ts @0e907a82): ``ApiAuthGuard``, then
  ``ApiKeysService.getRequestApiKey``, which refuses anything but an API key (401).

The guard messages are organization-roles.guard.ts @c0a8e1a6 and oauth-client-guard.ts @03670679.
"""

from __future__ import annotations

from typing import NoReturn

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint, Handler
from mock_calcom.api.validation import IS_BOOLEAN, IS_NUMBER, IS_STRING, Prop, Schema, min_value
from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError

ROLES_NO_ORG = "OrganizationRolesGuard - No organization associated with the user."
ROLES_NOT_PLATFORM = "OrganizationRolesGuard - Organization is not a platform (SHP)."
CLIENT_GUARD_NO_ORG = "OAuthClientGuard - No organization associated with the user."
CLIENT_GUARD_NOT_FOUND = "OAuthClientGuard - OAuth client not found."
API_KEY_ONLY = ("ApiKeysService - This endpoint can only be accessed using an API key by providing "
                "'Authorization: Bearer <apiKey>' header")
INVALID_CLIENT_CREDENTIALS = "Invalid OAuthClient credentials."

REFRESH_TOKEN_INPUT = Schema((Prop("refreshToken", (IS_STRING,)),))
REFRESH_API_KEY_INPUT = Schema((
    Prop("apiKeyDaysValid", (IS_NUMBER, min_value(1)), optional=True),
    Prop("apiKeyNeverExpires", (IS_BOOLEAN,), optional=True),
))


def oauth_clients(call: Call) -> NoReturn:
    """``OrganizationRolesGuard``."""
    # The fake has organizations only as an id on a user, and none is a platform.
    if call.user.organization_id is None:
        raise ForbiddenError(ROLES_NO_ORG)
    raise ForbiddenError(ROLES_NOT_PLATFORM)


def managed_users(call: Call) -> NoReturn:
    """``OAuthClientGuard``."""
    if call.user.organization_id is None:
        raise ForbiddenError(CLIENT_GUARD_NO_ORG)
    raise NotFoundError(CLIENT_GUARD_NOT_FOUND)


def refresh_managed_user_tokens(call: Call) -> NoReturn:
    REFRESH_TOKEN_INPUT.validate(call.body)
    raise BadRequestError(INVALID_CLIENT_CREDENTIALS)


def refresh_api_key(call: Call) -> NoReturn:
    REFRESH_API_KEY_INPUT.validate(call.body)
    # A third-party token authenticated (the fake's only kind): not an API key.
    raise UnauthorizedError(API_KEY_ONLY)


_A = versions.ANY
_OC = "/v2/oauth-clients"
_C = "/v2/oauth-clients/{clientId}"


def _e(method: str, path: str, operation_id: str, handler: Handler, *, body: bool = False) -> Endpoint:
    return Endpoint(method, path, operation_id, handler, _A, API_AUTH, reads_body=body)


_CLIENTS = "OAuthClientsController_"
_USERS = "OAuthClientUsersController_"
_HOOKS = "OAuthClientWebhooksController_"
ENDPOINTS: tuple[Endpoint, ...] = (
    _e("POST", "/v2/api-keys/refresh", "ApiKeysController_refresh", refresh_api_key, body=True),
    _e("POST", "/v2/oauth/{clientId}/refresh", "OAuthFlowController_refreshTokens",
       refresh_managed_user_tokens, body=True),
    _e("POST", _OC, f"{_CLIENTS}createOAuthClient", oauth_clients, body=True),
    _e("GET", _OC, f"{_CLIENTS}getOAuthClients", oauth_clients),
    # Fixed sub-paths before /{clientId}/... templates that could swallow them.
    _e("GET", f"{_C}/users", f"{_USERS}getManagedUsers", managed_users),
    _e("POST", f"{_C}/users", f"{_USERS}createUser", managed_users, body=True),
    _e("GET", f"{_C}/users/{{userId}}", f"{_USERS}getUserById", managed_users),
    _e("PATCH", f"{_C}/users/{{userId}}", f"{_USERS}updateUser", managed_users, body=True),
    _e("DELETE", f"{_C}/users/{{userId}}", f"{_USERS}deleteUser", managed_users),
    _e("POST", f"{_C}/users/{{userId}}/force-refresh", f"{_USERS}forceRefresh", managed_users),
    _e("POST", f"{_C}/webhooks", f"{_HOOKS}createOAuthClientWebhook", oauth_clients, body=True),
    _e("GET", f"{_C}/webhooks", f"{_HOOKS}getOAuthClientWebhooks", oauth_clients),
    _e("DELETE", f"{_C}/webhooks", f"{_HOOKS}deleteAllOAuthClientWebhooks", oauth_clients),
    _e("PATCH", f"{_C}/webhooks/{{webhookId}}", f"{_HOOKS}updateOAuthClientWebhook", oauth_clients,
       body=True),
    _e("GET", f"{_C}/webhooks/{{webhookId}}", f"{_HOOKS}getOAuthClientWebhook", oauth_clients),
    _e("DELETE", f"{_C}/webhooks/{{webhookId}}", f"{_HOOKS}deleteOAuthClientWebhook", oauth_clients),
    _e("GET", _C, f"{_CLIENTS}getOAuthClientById", oauth_clients),
    _e("PATCH", _C, f"{_CLIENTS}updateOAuthClient", oauth_clients, body=True),
    _e("DELETE", _C, f"{_CLIENTS}deleteOAuthClient", oauth_clients),
)
