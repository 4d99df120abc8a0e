"""The G1 legacy web endpoints: /api/auth/oauth/token, /refreshToken and /me."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom.oauth.bodies import MAX_BODY_BYTES
from tests.oauth.conftest import REDIRECT, VERIFIER, OAuthWorld, challenge_for

TOKEN_URL = "https://app.cal.com/api/auth/oauth/token"
REFRESH_URL = "https://app.cal.com/api/auth/oauth/refreshToken"
ME_URL = "https://app.cal.com/api/auth/oauth/me"


def exchange_fields(client_id: str, secret: str | None, code: str, **extra: str) -> dict[str, str]:
    fields = {"client_id": client_id, "grant_type": "authorization_code", "code": code,
              "redirect_uri": REDIRECT}
    if secret is not None:
        fields["client_secret"] = secret
    fields.update(extra)
    return fields


def assert_legacy_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}


async def legacy_tokens(world: OAuthWorld, client_id: str, secret: str, code: str) -> dict[str, Any]:
    response = await world.http.post(TOKEN_URL, data=exchange_fields(client_id, secret, code))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- token ------------------------------------------------------------------------------------


async def test_legacy_exchange_answers_four_fields_without_scope(world: OAuthWorld) -> None:
    client, secret = world.client()
    assert secret is not None
    response = await world.http.post(
        TOKEN_URL, data=exchange_fields(client.client_id, secret, await world.code(client)))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


async def test_legacy_exchange_ignores_extra_fields(world: OAuthWorld) -> None:
    client, secret = world.client()
    fields = exchange_fields(client.client_id, secret, await world.code(client),
                             scope="BOOKING_READ", state="s")
    assert (await world.http.post(TOKEN_URL, data=fields)).status_code == 200


async def test_legacy_exchange_lets_a_confidential_client_finish_pkce(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client, code_challenge=challenge_for(VERIFIER),
                            code_challenge_method="S256")
    fields = exchange_fields(client.client_id, secret, code, code_verifier=VERIFIER)
    assert (await world.http.post(TOKEN_URL, data=fields)).status_code == 200


async def test_a_json_body_reads_as_missing_fields(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    response = await world.http.post(TOKEN_URL, json=exchange_fields(client.client_id, secret, code))
    assert_legacy_error(response, 400, "invalid_request")
    # Nothing happened to the code.
    assert (await world.exchange(client, secret, code)).status_code == 200


@pytest.mark.parametrize("missing", ["client_id", "code", "redirect_uri"])
async def test_a_missing_required_field_is_invalid_request(world: OAuthWorld, missing: str) -> None:
    client, secret = world.client()
    fields = exchange_fields(client.client_id, secret, "c")
    del fields[missing]
    assert_legacy_error(await world.http.post(TOKEN_URL, data=fields), 400, "invalid_request")


@pytest.mark.parametrize("grant_type", ["refresh_token", "implicit", ""])
async def test_a_wrong_grant_type_is_invalid_request(world: OAuthWorld, grant_type: str) -> None:
    client, secret = world.client()
    fields = exchange_fields(client.client_id, secret, "c", grant_type=grant_type)
    assert_legacy_error(await world.http.post(TOKEN_URL, data=fields), 400, "invalid_request")


async def test_service_errors_carry_only_the_rfc_code(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    unknown = exchange_fields("nope", secret, code)
    assert_legacy_error(await world.http.post(TOKEN_URL, data=unknown), 401, "invalid_client")
    wrong_secret = exchange_fields(client.client_id, "wrong", code)
    assert_legacy_error(await world.http.post(TOKEN_URL, data=wrong_secret), 401, "invalid_client")
    mismatch = exchange_fields(client.client_id, secret, code, redirect_uri="https://x.example/")
    assert_legacy_error(await world.http.post(TOKEN_URL, data=mismatch), 400, "invalid_grant")
    made_up = exchange_fields(client.client_id, secret, "made-up")
    assert_legacy_error(await world.http.post(TOKEN_URL, data=made_up), 400, "invalid_grant")
    # None of those consumed the code.
    assert (await world.http.post(TOKEN_URL, data=exchange_fields(
        client.client_id, secret, code))).status_code == 200


async def test_the_last_of_repeated_fields_wins(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    body = (f"client_id={client.client_id}&grant_type=authorization_code&code=first&code={code}"
            f"&redirect_uri={REDIRECT}&client_secret={secret}")
    response = await world.http.post(TOKEN_URL, content=body.encode(),
                                     headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200


async def test_an_oversized_body_is_refused(world: OAuthWorld) -> None:
    response = await world.http.post(TOKEN_URL, content=b"a" * (MAX_BODY_BYTES + 1))
    assert_legacy_error(response, 413, "invalid_request")


async def test_an_unexpected_failure_is_error_code_exchange(
    world: OAuthWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, secret = world.client()

    def explode(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(world.fake.model.oauth, "exchange", explode)
    response = await world.http.post(TOKEN_URL, data=exchange_fields(client.client_id, secret, "c"))
    assert_legacy_error(response, 500, "error_code_exchange")


# -- refreshToken -----------------------------------------------------------------------------


async def test_legacy_refresh_rotates_the_refresh_token(world: OAuthWorld) -> None:
    client, secret = world.client()
    assert secret is not None
    first = await legacy_tokens(world, client.client_id, secret, await world.code(client))
    response = await world.http.post(REFRESH_URL, data={
        "client_id": client.client_id, "client_secret": secret, "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in"]
    assert response.headers["cache-control"] == "no-store"
    old = await world.http.post(REFRESH_URL, data={
        "client_id": client.client_id, "client_secret": secret, "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"]})
    assert_legacy_error(old, 400, "invalid_grant")


async def test_legacy_refresh_falls_back_to_the_authorization_header(world: OAuthWorld) -> None:
    client, secret = world.client()
    assert secret is not None
    tokens = await legacy_tokens(world, client.client_id, secret, await world.code(client))
    response = await world.http.post(
        REFRESH_URL,
        data={"client_id": client.client_id, "client_secret": secret, "grant_type": "refresh_token"},
        headers={"authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 200


async def test_a_missing_refresh_token_is_checked_after_the_client_and_its_secret(
        world: OAuthWorld) -> None:
    """The newest route passes a missing token on as "" (FACTS §11.12): client lookup and
    secret check answer first, then the empty token is invalid_grant."""
    client, secret = world.client()
    assert secret is not None
    base = {"grant_type": "refresh_token"}
    unknown = await world.http.post(REFRESH_URL, data=base | {"client_id": "nope"})
    assert_legacy_error(unknown, 401, "invalid_client")
    wrong = await world.http.post(REFRESH_URL, data=base | {"client_id": client.client_id,
                                                            "client_secret": "wrong"})
    assert_legacy_error(wrong, 401, "invalid_client")
    response = await world.http.post(REFRESH_URL, data=base | {
        "client_id": client.client_id, "client_secret": secret})
    assert_legacy_error(response, 400, "invalid_grant")


async def test_an_unexpected_refresh_failure_is_server_error(
    world: OAuthWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, secret = world.client()

    def explode(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(world.fake.model.oauth, "refresh", explode)
    response = await world.http.post(REFRESH_URL, data={
        "client_id": client.client_id, "client_secret": str(secret),
        "grant_type": "refresh_token", "refresh_token": "x"})
    assert_legacy_error(response, 500, "server_error")


@pytest.mark.parametrize(("fields", "status", "error"), [
    ({"grant_type": "refresh_token", "refresh_token": "x"}, 400, "invalid_request"),
    ({"client_id": "{cid}", "grant_type": "authorization_code", "refresh_token": "x"},
     400, "invalid_request"),
    ({"client_id": "nope", "grant_type": "refresh_token", "refresh_token": "x"},
     401, "invalid_client"),
    ({"client_id": "{cid}", "client_secret": "{secret}", "grant_type": "refresh_token",
      "refresh_token": "garbage"}, 400, "invalid_grant"),
])
async def test_legacy_refresh_errors(world: OAuthWorld, fields: dict[str, str], status: int,
                                     error: str) -> None:
    client, secret = world.client()
    filled = {k: v.format(cid=client.client_id, secret=secret) for k, v in fields.items()}
    assert_legacy_error(await world.http.post(REFRESH_URL, data=filled), status, error)


# -- me ---------------------------------------------------------------------------------------


async def me_token(world: OAuthWorld, scope: str) -> str:
    client, secret = world.client(scopes=["READ_BOOKING", "READ_PROFILE"])
    tokens = (await world.exchange(client, secret, await world.code(client, scope=scope))).json()
    token: str = tokens["access_token"]
    return token


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_me_answers_201_with_the_username(world: OAuthWorld, method: str) -> None:
    token = await me_token(world, "READ_PROFILE")
    response = await world.http.request(method, ME_URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert response.json() == {"username": "owner"}


async def test_me_keeps_working_after_the_client_is_rejected(world: OAuthWorld) -> None:
    token = await me_token(world, "READ_PROFILE")
    for client in world.fake.model.clients.all():
        world.set_status(client, "REJECTED")
    response = await world.http.get(ME_URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 201


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz"])
async def test_me_without_a_valid_token_is_unauthorized(world: OAuthWorld,
                                                        header: str | None) -> None:
    headers = {"authorization": header} if header is not None else {}
    response = await world.http.get(ME_URL, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


async def test_me_needs_the_read_profile_scope(world: OAuthWorld) -> None:
    token = await me_token(world, "READ_BOOKING")
    response = await world.http.get(ME_URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


async def test_me_refuses_an_expired_token(world: OAuthWorld) -> None:
    token = await me_token(world, "READ_PROFILE")
    world.fake.model.clock.advance(1800)
    response = await world.http.get(ME_URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_me_refuses_a_refresh_token(world: OAuthWorld) -> None:
    client, secret = world.client(scopes=["READ_PROFILE"])
    tokens = (await world.exchange(client, secret, await world.code(client, scope="READ_PROFILE"))
              ).json()
    response = await world.http.get(
        ME_URL, headers={"authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 401


# -- switched off -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [TOKEN_URL, REFRESH_URL, ME_URL])
async def test_legacy_endpoints_can_be_switched_off(world: OAuthWorld, url: str) -> None:
    world.fake.update_settings(legacy_endpoints=False)
    response = await world.http.post(url, data={"client_id": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFoundException"
