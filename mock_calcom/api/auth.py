"""Who a request acts for: API v2's auth guards, as functions of the request headers.

Three guards decide, in each controller's order (see ``Endpoint.guards``):

* ``ApiAuthGuard`` (api-auth.strategy.ts @5b6d63e6): a bearer is tried as a platform access
  token, then as a third-party OAuth JWT. A third-party token is valid when its signature, its
  ``exp`` (on the fake's clock) and ``token_type == "Access Token"`` check out; nothing else is
  looked up, so a token keeps working until it expires even after its client is rejected. A
  bad bearer fails the platform lookup and that error is what the caller sees (401, message
  ``Settings.api_invalid_token_message``). No credentials at all: 401 ``ApiAuthStrategy - No
  authentication method provided...``.
* ``OptionalApiAuthGuard`` (optional-api-auth.guard.ts @30f11f51): the same, except that no
  credentials (or half of the platform pair) means anonymous. A bad bearer still fails.
* ``PermissionsGuard`` (permissions.guard.ts @4118bdf1), which only acts on handlers carrying
  ``@Permissions``: it lets API keys and *valid* third-party tokens through and looks anything
  else up as a platform token. Where it runs before ``ApiAuthGuard`` (class-level guard on
  bookings and event types) an expired or garbage bearer therefore gets 403
  ``PermissionsGuard - no oAuth client found for access token=<token>`` instead of a 401
  (issue #24840), and no credentials at all get its own 403.

The fake has no platform OAuth clients, managed users or API keys: those credentials always
fail the way an unknown one does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from mock_calcom.errors import ForbiddenError, UnauthorizedError
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import AccessClaims, TokenRejected
from mock_calcom.model.users import User

X_CAL_CLIENT_ID = "x-cal-client-id"
X_CAL_SECRET_KEY = "x-cal-secret-key"
API_KEY_PREFIX = "cal_"

NO_AUTH_MESSAGE = (
    "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' "
    "header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers"
)
ONLY_CLIENT_ID_MESSAGE = (
    "ApiAuthStrategy - Only 'x-cal-client-id' header provided. Please also provide "
    "'x-cal-secret-key' header or Auth bearer token as 'Authentication' header"
)
ONLY_SECRET_MESSAGE = (
    "ApiAuthStrategy - Only 'x-cal-secret-key' header provided. Please also provide "
    "'x-cal-client-id' header or Auth bearer token as 'Authentication' header"
)
PERMISSIONS_NO_AUTH_MESSAGE = (
    "PermissionsGuard - no authentication provided. Provide either authorization bearer token "
    "containing managed user access token or oAuth client id in 'x-cal-client-id' header."
)
INVALID_API_KEY_MESSAGE = "ApiAuthStrategy - api key - Your api key is not valid"
NO_USER_MESSAGE = "ApiAuthStrategy - third-party token - No user or team owner associated with the token."
NO_TEAM_OWNER_MESSAGE = "ApiAuthStrategy - third-party token - No owner found for the associated team."


class Caller(NamedTuple):
    """An authenticated request: the acting user and the token's verified claims (a named
    tuple: one is made per authenticated request, and a tuple is made in C)."""

    user: User
    claims: AccessClaims

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.claims.grant.scopes


def bearer_of(authorization: str | None) -> str | None:
    """``request.get("Authorization")?.replace("Bearer ", "")``: the first ``"Bearer "`` goes
    wherever it is, and an empty result is no bearer at all."""
    if not authorization:
        return None
    return authorization.replace("Bearer ", "", 1) or None


def third_party_claims(model: CalcomModel, token: str) -> AccessClaims | None:
    """``getDecodedThirdPartyAccessToken``: the claims of a valid access JWT, else ``None``."""
    try:
        return model.tokens.verify_access(token)
    except TokenRejected:
        return None


def _acting_user(model: CalcomModel, claims: AccessClaims) -> User:
    grant = claims.grant
    if grant.user_id is not None:
        user = model.users.get(grant.user_id)
        if user is not None:
            return user
    elif grant.team_id is not None:
        # Team tokens act as the team's owner; the fake has no teams.
        raise UnauthorizedError(NO_TEAM_OWNER_MESSAGE)
    raise UnauthorizedError(NO_USER_MESSAGE)


class Presented:
    """The credentials one request presents, read from its headers once, its bearer verified
    at most once: the legacy scope guard, ``PermissionsGuard`` and ``ApiAuthGuard`` each decode
    the same bearer in Cal.com, at the same instant as far as the fake's clock goes (a request
    runs under the model's lock), so the second and third decode could only repeat the first.
    Expiry is still judged on the fake's clock for every request (``verify_access``)."""

    __slots__ = ("_claims", "_verified", "headers", "token")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = headers
        authorization = headers.get("authorization")  # bearer_of, one frame less
        self.token = (authorization.replace("Bearer ", "", 1) or None) if authorization else None
        self._claims: AccessClaims | None = None
        self._verified = False

    def claims(self, model: CalcomModel) -> AccessClaims | None:
        """:func:`third_party_claims` of the bearer (``None`` without one)."""
        if not self._verified:
            self._verified = True
            if self.token is not None:
                try:  # third_party_claims, one frame less
                    self._claims = model.tokens.verify_access(self.token)
                except TokenRejected:
                    self._claims = None
        return self._claims


def authenticate(model: CalcomModel, headers: Mapping[str, str], *, optional: bool = False) -> Caller | None:
    """``ApiAuthGuard`` (``optional=False``, never returns ``None``) or ``OptionalApiAuthGuard``.

    The usual request, a bearer that is no API key and not both platform headers, is decided
    here as :func:`authenticate_presented` decides it (its claims or the invalid-token 401),
    without the :class:`Presented` and two calls in between; any other takes that path."""
    authorization = headers.get("authorization")
    if authorization and not (headers.get(X_CAL_CLIENT_ID) and headers.get(X_CAL_SECRET_KEY)):
        token = authorization.replace("Bearer ", "", 1)  # Presented's bearer
        if token and not token.startswith(API_KEY_PREFIX):
            try:
                claims: AccessClaims | None = model.tokens.verify_access(token)
            except TokenRejected:
                claims = None
            if claims is None:
                raise UnauthorizedError(model.settings.api_invalid_token_message)
            return Caller(_acting_user(model, claims), claims)
    return authenticate_presented(model, Presented(headers), optional=optional)


def authenticate_presented(model: CalcomModel, presented: Presented, *,
                           optional: bool = False) -> Caller | None:
    """:func:`authenticate` of a request's :class:`Presented` credentials."""
    headers = presented.headers
    client_id = headers.get(X_CAL_CLIENT_ID)
    secret = headers.get(X_CAL_SECRET_KEY)
    token = presented.token
    if client_id and secret:
        raise UnauthorizedError(f"ApiAuthStrategy - oAuth client - Client with ID {client_id} not found")
    if token is not None:
        if token.startswith(API_KEY_PREFIX):
            raise UnauthorizedError(INVALID_API_KEY_MESSAGE)
        claims = presented.claims(model)
        if claims is None:
            raise UnauthorizedError(model.settings.api_invalid_token_message)
        return Caller(_acting_user(model, claims), claims)
    if optional:
        return None
    if client_id:
        raise UnauthorizedError(ONLY_CLIENT_ID_MESSAGE)
    if secret:
        raise UnauthorizedError(ONLY_SECRET_MESSAGE)
    raise UnauthorizedError(NO_AUTH_MESSAGE)


def permissions_then_authenticate(model: CalcomModel, presented: Presented) -> Caller:
    """``PermissionsGuard``, then ``ApiAuthGuard`` (the bookings and event-types chain):
    :func:`permissions_guard_presented`, then :func:`authenticate_presented`. A valid
    third-party bearer, the usual request, passes the first at once and, without the
    platform pair of headers, is the second's caller: answered here in one frame. Anything
    else takes the two guards in turn."""
    token = presented.token
    if token is not None and not token.startswith(API_KEY_PREFIX):
        claims = presented.claims(model)
        headers = presented.headers
        if claims is not None and not (headers.get(X_CAL_CLIENT_ID) and headers.get(X_CAL_SECRET_KEY)):
            return Caller(_acting_user(model, claims), claims)
    permissions_guard_presented(model, presented)
    caller = authenticate_presented(model, presented)
    assert caller is not None  # ApiAuthGuard: never anonymous
    return caller


def permissions_guard(model: CalcomModel, headers: Mapping[str, str]) -> None:
    """``PermissionsGuard`` on a handler with ``@Permissions`` (see the module docstring)."""
    permissions_guard_presented(model, Presented(headers))


def permissions_guard_presented(model: CalcomModel, presented: Presented) -> None:
    """:func:`permissions_guard` of a request's :class:`Presented` credentials."""
    token = presented.token
    if token is not None and (token.startswith(API_KEY_PREFIX) or presented.claims(model)):
        return
    client_id = presented.headers.get(X_CAL_CLIENT_ID)
    if token is None and not client_id:
        raise ForbiddenError(PERMISSIONS_NO_AUTH_MESSAGE)
    if token is not None:
        raise ForbiddenError(f"PermissionsGuard - no oAuth client found for access token={token}")
    raise ForbiddenError(f"PermissionsGuard - no oAuth client found for client id={client_id}")
