"""GET /v2/auth/oauth2/clients/{clientId}: behind ApiAuthGuard, with the hidden
``redirect_uri``, and Cal.com's string-built 404 (FACTS §11.4)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.responses import JSONResponse

from mock_calcom.api.auth import NO_AUTH_MESSAGE
from mock_calcom.api.scopes import NOT_AVAILABLE_MESSAGE
from mock_calcom.model.clients import OAuthClient
from mock_calcom.model.tokens import Grant
from tests.oauth.conftest import REDIRECT, OAuthWorld

URL = "https://api.cal.com/v2/auth/oauth2/clients/"


def _bearer(world: OAuthWorld, scopes: tuple[str, ...] = ()) -> dict[str, str]:
    """A live access token of some client for the owner; ``()`` scopes: a legacy token, which
    OAuthPermissionsGuard lets through everywhere."""
    client, _ = world.client(name="Caller")
    with world.fake.model.lock:
        pair = world.fake.model.tokens.mint_pair(
            Grant(client.client_id, world.owner.id, None, scopes))
    return {"Authorization": f"Bearer {pair.access_token}"}


async def test_a_client_is_described_without_secrets_and_with_its_primary_redirect_uri(
        world: OAuthWorld) -> None:
    client, secret = world.client(redirect_uris=[REDIRECT, "http://localhost:3000/cb"],
                                  is_trusted=True, logo="https://cdn.example.com/l.png")
    response = await world.http.get(URL + client.client_id, headers=_bearer(world))
    assert response.status_code == 200
    assert response.json() == {"status": "success", "data": {
        "client_id": client.client_id,
        "redirect_uris": [REDIRECT, "http://localhost:3000/cb"],
        "name": "Acme Scheduler",
        "logo": "https://cdn.example.com/l.png",
        "is_trusted": True,
        "client_type": "CONFIDENTIAL",
        "redirect_uri": REDIRECT,
    }}
    assert secret is not None
    assert secret not in response.text


async def test_a_client_without_logo_has_logo_null(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    data = (await world.http.get(URL + client.client_id, headers=_bearer(world))).json()["data"]
    assert data["logo"] is None
    assert data["client_type"] == "PUBLIC"
    assert data["is_trusted"] is False


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}],
                         ids=["no-credentials", "bad-bearer"])
async def test_the_lookup_needs_authentication(world: OAuthWorld, headers: dict[str, str]) -> None:
    client, _ = world.client()
    response = await world.http.get(URL + client.client_id, headers=headers)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "UnauthorizedException"
    if not headers:
        assert error["message"] == NO_AUTH_MESSAGE
    assert "Acme Scheduler" not in response.text  # nothing about the client leaks


async def test_an_unknown_client_is_cal_coms_string_built_404(world: OAuthWorld) -> None:
    response = await world.http.get(URL + "nope", headers=_bearer(world))
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == "error"
    assert body["path"] == "/v2/auth/oauth2/clients/nope"
    assert body["error"] == {"code": "HttpException", "message": "unauthorized_client",
                             "details": "unauthorized_client"}


async def test_a_token_with_mapped_scopes_is_refused_by_the_global_scope_guard(
        world: OAuthWorld) -> None:
    """The handler has no @OAuthPermissions (FACTS §11.9): only tokens the guard skips pass."""
    client, _ = world.client()
    response = await world.http.get(URL + client.client_id,
                                    headers=_bearer(world, ("PROFILE_READ",)))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == NOT_AVAILABLE_MESSAGE
    unmapped = await world.http.get(URL + client.client_id,
                                    headers=_bearer(world, ("READ_PROFILE", "WEBHOOK_READ")))
    assert unmapped.status_code == 200
    world.fake.update_settings(client_lookup_open_to_scoped_tokens=True)
    opened = await world.http.get(URL + client.client_id, headers=_bearer(world, ("PROFILE_READ",)))
    assert opened.status_code == 200


def _rendered(client: OAuthClient) -> bytes:
    """The answer's body computed afresh, as JSONResponse renders it (the slow path)."""
    return bytes(JSONResponse({"status": "success", "data": {
        "client_id": client.client_id, "redirect_uris": list(client.redirect_uris),
        "name": client.name, "logo": client.logo, "is_trusted": client.is_trusted,
        "client_type": client.client_type.value,
        "redirect_uri": client.redirect_uris[0] if client.redirect_uris else None}}).body)


async def test_a_remembered_description_follows_every_change_of_the_client(
        world: OAuthWorld) -> None:
    client, _ = world.client(name="Before")
    headers = _bearer(world)
    changes: list[dict[str, Any]] = [
        {}, {"name": "After é"}, {"logo": "https://cdn.example.com/x.png"}, {"is_trusted": True},
        {"redirect_uris": ["http://localhost:1/a", REDIRECT]}, {"name": "Before"}, {}]
    bodies = []
    for change in changes:
        if change:
            with world.fake.model.lock:
                world.fake.model.clients.update(client.client_id, **change)
        response = await world.http.get(URL + client.client_id, headers=headers)
        assert response.status_code == 200
        assert response.content == _rendered(client)
        bodies.append(response.content)
    assert len(set(bodies)) == 6  # each version its own bytes; back to "Before" is not the first


async def test_two_clients_with_the_same_facts_but_their_ids_are_described_each_as_itself(
        world: OAuthWorld) -> None:
    first, _ = world.client(name="Twin")
    second, _ = world.client(name="Twin")
    headers = _bearer(world)
    for client in (first, second, first):
        response = await world.http.get(URL + client.client_id, headers=headers)
        assert response.content == _rendered(client)


# -- the shortcut: the lookup as its own ASGI app ---------------------------------------------

@pytest.mark.parametrize("open_to_scoped", [True, False])
async def test_the_lookups_own_app_answers_as_its_handler_does(world: OAuthWorld,
                                                              open_to_scoped: bool) -> None:
    from mock_calcom.asgi import ScopeEndpoint
    from mock_calcom.oauth.client_info import ClientInfo, client_info

    world.fake.update_settings(client_lookup_open_to_scoped_tokens=open_to_scoped)
    client, _ = world.client(redirect_uris=[REDIRECT, "http://localhost:3000/cb"], logo="https://x/l.png")
    other, _ = world.client(name="Other é", client_type="PUBLIC", is_trusted=True)
    bearers = [_bearer(world), _bearer(world, ("BOOKING_READ",)), {"Authorization": "Bearer x.y.z"}, {},
               {"Authorization": "Bearer cal_1"}, {"x-cal-client-id": "a", "x-cal-secret-key": "b"}]

    async def outcome(app: object, client_id: str, headers: dict[str, str],
                      captured: bool = False) -> object:
        from mock_calcom.journal import Captured

        sent: list[Any] = Captured() if captured else []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: object) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": f"/v2/auth/oauth2/clients/{client_id}",
                 "query_string": b"", "app": world.fake.app, "path_params": {"client_id": client_id},
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        try:
            # The edge's own send (the journal's Captured list), or any other.
            await app(scope, receive, sent if captured else send)  # type: ignore[operator]
        except Exception as exc:  # the error (rendered by the edge) is the outcome compared
            return (type(exc).__name__, str(exc))
        return list(sent)

    seen = set()
    for client_id in (client.client_id, other.client_id, "nobody", client.client_id):
        for headers in bearers:
            expected = await outcome(ScopeEndpoint(client_info), client_id, headers)
            assert await outcome(ClientInfo(), client_id, headers) == expected
            assert await outcome(ClientInfo(), client_id, headers, captured=True) == expected
            seen.add(str(expected[0]) if isinstance(expected, tuple) else "sent")
    assert {"sent", "UnauthorizedError", "HttpExceptionError"} <= seen
    assert ("ForbiddenError" in seen) == (not open_to_scoped)


def _free_in_another_thread(lock: object) -> bool:
    """Whether another thread can take ``lock`` at once (this one may hold an RLock again)."""
    import threading

    taken: list[bool] = []

    def probe() -> None:
        ok = lock.acquire(blocking=False)  # type: ignore[attr-defined]
        taken.append(ok)
        if ok:
            lock.release()  # type: ignore[attr-defined]

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(5)
    return taken == [True]


@pytest.mark.parametrize("how", ["found", "unknown", "no credentials"])
async def test_the_lookup_frees_the_model_lock_whatever_it_answers(world: OAuthWorld, how: str) -> None:
    client, _ = world.client()
    headers = {} if how == "no credentials" else _bearer(world)
    response = await world.http.get(URL + (client.client_id if how == "found" else "nope"),
                                    headers=headers)
    assert response.status_code == {"found": 200, "unknown": 404, "no credentials": 401}[how]
    assert _free_in_another_thread(world.fake.model.lock)
