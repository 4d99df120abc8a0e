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

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mock_calcom.asgi import fake_in, headers_of
from mock_calcom.errors import HttpExceptionError
from mock_calcom.journal import append_answer

if TYPE_CHECKING:
    from mock_calcom.api.auth import Caller
    from mock_calcom.api.envelope import JsonBytes
    from mock_calcom.api.scopes import Requirement
    from mock_calcom.model.state import CalcomModel

CLIENT_NOT_FOUND = "unauthorized_client"


async def client_info(scope: Scope) -> Response:
    return _api().json_bytes(_answer(scope)[0])


class ClientInfo:
    """``ScopeEndpoint(client_info)``: the lookup as a plain ASGI app, its answer sent as the
    two messages a :class:`~mock_calcom.api.envelope.JsonBytes` of the body sends, without
    the handler's and the response's coroutines in between."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, length = _answer(scope)
        start = {"type": "http.response.start", "status": 200,
                 "headers": [(b"content-length", length), (b"content-type", b"application/json")]}
        answer = {"type": "http.response.body", "body": body}
        if not append_answer(send, start, answer):
            await send(start)
            await send(answer)


def _answer(scope: Scope) -> tuple[bytes, bytes]:
    """The body of a lookup's 200 and its length, as a ``content-length`` value (errors
    raised, for the app's edge to render)."""
    api = _api()
    model = fake_in(scope).model
    client_id = scope["path_params"]["client_id"]
    lock = model.lock
    # ``with model.lock``, written out (as the token endpoint): a ``with`` binds the lock's
    # __enter__ and __exit__ as new method objects.
    lock.acquire()
    try:
        caller = api.authenticate(model, headers_of(scope))
        assert caller is not None  # ApiAuthGuard: never anonymous
        if not model.settings.client_lookup_open_to_scoped_tokens:
            api.check_scopes(caller.scopes, api.not_available)
        client = model.clients.get(client_id)
        if client is None:
            raise HttpExceptionError(CLIENT_NOT_FOUND, 404)
        return _described(client.client_id, tuple(client.redirect_uris), client.name,
                          # ``_value_`` is what the enum's ``value`` property (two Python
                          # calls) returns.
                          client.logo, client.is_trusted, client.client_type._value_)
    finally:
        lock.release()


class _Api(NamedTuple):
    authenticate: Callable[[CalcomModel, Mapping[str, str]], Caller | None]
    check_scopes: Callable[[Sequence[str], Requirement], None]
    not_available: Requirement
    json_bytes: type[JsonBytes]


@functools.cache
def _api() -> _Api:
    """The API's guards and envelope, imported on first use (with the API surface, app.py):
    serve's start does not need them. Kept here after that: an import statement costs about
    2 us even when the modules are loaded, as much as the rest of the handler's own work."""
    from mock_calcom.api import auth, scopes
    from mock_calcom.api.envelope import JsonBytes

    return _Api(auth.authenticate, scopes.check_scopes, scopes.NOT_AVAILABLE, JsonBytes)


# typed: ``True`` and ``1`` are equal keys but not the same JSON.
@functools.lru_cache(maxsize=256, typed=True)
def _described(client_id: str, redirect_uris: tuple[str, ...], name: str, logo: str | None,
               is_trusted: bool, client_type: str) -> tuple[bytes, bytes]:
    """The answer's bytes and their length, a pure function of the client's public facts:
    serialised once per version of a client (an update changes an argument, so it is never
    served stale)."""
    data = {
        "client_id": client_id,
        "redirect_uris": list(redirect_uris),
        "name": name,
        "logo": logo,
        "is_trusted": is_trusted,
        "client_type": client_type,
        "redirect_uri": redirect_uris[0] if redirect_uris else None,
    }
    from mock_calcom.api.envelope import to_json

    body = to_json({"status": "success", "data": data})
    return body, str(len(body)).encode("latin-1")
