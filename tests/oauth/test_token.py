"""POST /v2/auth/oauth2/token over HTTP: every row of FACTS §2 with status and body."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.consent import ConsentMode
from mock_calcom.model.tokens import Grant
from tests.oauth.conftest import REDIRECT, VERIFIER, OAuthWorld, challenge_for, granted_scopes

TOKEN_URL = "https://api.cal.com/v2/auth/oauth2/token"


def rfc(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


def assert_error(response: httpx.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == rfc(error, description)
    assert response.headers["cache-control"] == "no-store"


# -- success ---------------------------------------------------------------------------------


async def test_confidential_exchange_returns_the_flat_token_body(world: OAuthWorld) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, await world.code(client))
    assert response.status_code == 200
    body = response.json()
    # OAuth2TokensDto's four fields and nothing else: no ``scope`` (FACTS §11.3).
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert granted_scopes(body) == ["BOOKING_READ", "BOOKING_WRITE", "PROFILE_READ"]
    assert body["access_token"].count(".") == 2
    assert body["refresh_token"].count(".") == 2


async def test_token_responses_are_not_cacheable(world: OAuthWorld) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, await world.code(client))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


async def test_json_bodies_are_accepted_like_forms(world: OAuthWorld) -> None:
    client, secret = world.client()
    fields = {"client_id": client.client_id, "grant_type": "authorization_code",
              "code": await world.code(client), "redirect_uri": REDIRECT, "client_secret": secret}
    response = await world.token(fields, as_json=True)
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_public_client_exchanges_with_a_pkce_verifier(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    response = await world.exchange(client, None, await world.code(client))
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1800


async def test_token_carries_exactly_the_requested_scopes(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client, scope="BOOKING_READ,PROFILE_READ")
    response = await world.exchange(client, secret, code)
    assert granted_scopes(response.json()) == ["BOOKING_READ", "PROFILE_READ"]


async def test_the_token_response_has_no_scope_by_default(world: OAuthWorld) -> None:
    client, secret = world.client()
    first = await world.tokens(client, secret)
    assert "scope" not in first
    refreshed = await world.refresh(client, secret, first["refresh_token"])
    assert refreshed.status_code == 200
    assert "scope" not in refreshed.json()


async def test_scope_is_sent_when_the_setting_asks_for_it(world: OAuthWorld) -> None:
    world.fake.update_settings(token_response_scope=True)
    client, secret = world.client()
    code = await world.code(client, scope="BOOKING_READ,PROFILE_READ")
    response = await world.exchange(client, secret, code)
    assert response.status_code == 200
    assert list(response.json())[-1] == "scope"
    assert response.json()["scope"] == "BOOKING_READ PROFILE_READ"


async def test_scope_is_left_out_for_a_grant_without_scopes(world: OAuthWorld) -> None:
    world.fake.update_settings(token_response_scope=True)
    client, secret = world.client(scopes=[])
    response = await world.exchange(client, secret, await world.code(client))
    assert response.status_code == 200
    assert "scope" not in response.json()


async def test_every_token_response_has_a_request_id(world: OAuthWorld) -> None:
    client, secret = world.client()
    ok = await world.exchange(client, secret, await world.code(client))
    again = await world.exchange(client, secret, await world.code(client))
    ids = [ok.headers["x-request-id"], again.headers["x-request-id"]]
    for request_id in ids:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                            request_id)
    assert ids[0] != ids[1]
    # An error says what the client sent as x-request-id, or unknown-request-id (FACTS §11.5).
    failed = await world.exchange(client, secret, "no-such-code")
    assert failed.headers["x-request-id"] == "unknown-request-id"


# -- the input pipe (400 invalid_request) ---------------------------------------------------


async def test_an_empty_body_is_required(world: OAuthWorld) -> None:
    response = await world.http.post(TOKEN_URL, content=b"",
                                     headers={"content-type": "application/json"})
    assert_error(response, 400, "invalid_request", "Body is required")


async def test_an_empty_body_reads_as_an_empty_object_under_the_body_parser_1_option(
        world: OAuthWorld) -> None:
    """FACTS §11.12: body-parser 1.x leaves ``req.body = {}`` (UNCONFIRMED which is live)."""
    world.fake.update_settings(empty_body="empty_object")
    response = await world.http.post(TOKEN_URL, content=b"",
                                     headers={"content-type": "application/json"})
    assert_error(response, 400, "invalid_request", "client_id is required")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded",
                                          "Application/X-WWW-Form-Urlencoded; charset=utf-8"])
@pytest.mark.parametrize(("empty_body", "description"), [
    ("undefined", "Body is required"), ("empty_object", "client_id is required")])
async def test_an_empty_form_is_no_body(world: OAuthWorld, content_type: str, empty_body: str,
                                        description: str) -> None:
    world.fake.update_settings(empty_body=empty_body)
    response = await world.http.post(TOKEN_URL, content=b"", headers={"content-type": content_type})
    assert_error(response, 400, "invalid_request", description)


async def test_a_form_without_a_content_type_is_not_read(world: OAuthWorld) -> None:
    client, _ = world.client()
    body = f"client_id={client.client_id}&grant_type=refresh_token&refresh_token=x"
    request = world.http.build_request("POST", TOKEN_URL, content=body.encode())
    assert "content-type" not in request.headers
    assert_error(await world.http.send(request), 400, "invalid_request", "Body is required")


@pytest.mark.parametrize("text", ["{not json", "42", '"client_id"', "null", "true", "NaN"])
async def test_json_that_body_parser_refuses_reads_as_no_body(world: OAuthWorld, text: str) -> None:
    response = await world.http.post(TOKEN_URL, content=text.encode(),
                                     headers={"content-type": "application/json"})
    assert_error(response, 400, "invalid_request", "Body is required")


async def test_a_json_array_is_an_object_without_client_id(world: OAuthWorld) -> None:
    response = await world.http.post(TOKEN_URL, json=[{"client_id": "x"}])
    assert_error(response, 400, "invalid_request", "client_id is required")


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x",
                                          "application/xml"])
@pytest.mark.parametrize(("empty_body", "description"), [
    ("undefined", "Body is required"), ("empty_object", "client_id is required")])
async def test_other_content_types_are_not_parsed(world: OAuthWorld, content_type: str,
                                                  empty_body: str, description: str) -> None:
    world.fake.update_settings(empty_body=empty_body)
    client, _ = world.client()
    body = f"client_id={client.client_id}&grant_type=refresh_token&refresh_token=x"
    response = await world.http.post(TOKEN_URL, content=body.encode(),
                                     headers={"content-type": content_type})
    assert_error(response, 400, "invalid_request", description)


@pytest.mark.parametrize("client_id", [None, "", ["a", "b"]])
async def test_client_id_must_be_a_non_empty_string(world: OAuthWorld,
                                                    client_id: object) -> None:
    fields: dict[str, object] = {"grant_type": "authorization_code", "code": "c",
                                 "redirect_uri": REDIRECT, "client_secret": "s"}
    if client_id is not None:
        fields["client_id"] = client_id
    response = await world.token(fields)
    assert_error(response, 400, "invalid_request", "client_id is required")


@pytest.mark.parametrize("grant_type", ["implicit", "client_credentials", "password", None])
async def test_a_bad_grant_type_is_invalid_request_not_unsupported_grant_type(
    world: OAuthWorld, grant_type: str | None,
) -> None:
    client, secret = world.client()
    fields: dict[str, object] = {"client_id": client.client_id, "client_secret": secret}
    if grant_type is not None:
        fields["grant_type"] = grant_type
    response = await world.token(fields)
    assert_error(response, 400, "invalid_request",
                 "grant_type must be 'authorization_code' or 'refresh_token'")


async def test_a_missing_field_names_the_property(world: OAuthWorld) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, await world.code(client), code=None)
    assert_error(response, 400, "invalid_request", "code property is wrong,code must be a string ")


@pytest.mark.parametrize("extra", ["scope", "state"])
async def test_extra_fields_are_rejected(world: OAuthWorld, extra: str) -> None:
    client, secret = world.client()
    code = await world.code(client)
    response = await world.exchange(client, secret, code, **{extra: "BOOKING_READ"})
    assert_error(response, 400, "invalid_request",
                 f"{extra} property is wrong,property {extra} should not exist ")
    # Refused before the service: the code is still good.
    assert (await world.exchange(client, secret, code)).status_code == 200


async def test_confidential_client_cannot_send_a_verifier_next_to_its_secret(
    world: OAuthWorld,
) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, await world.code(client),
                                    code_verifier=VERIFIER)
    assert_error(response, 400, "invalid_request",
                 "code_verifier property is wrong,property code_verifier should not exist ")


async def test_extra_fields_come_before_missing_ones_in_the_description(world: OAuthWorld) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, "c", state="s", redirect_uri=None)
    assert_error(response, 400, "invalid_request",
                 "state property is wrong,property state should not exist , "
                 "redirect_uri property is wrong,redirect_uri must be a string ")


async def test_a_repeated_form_field_is_an_array_not_a_string(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    body = (f"client_id={client.client_id}&grant_type=authorization_code&code={code}&code={code}"
            f"&redirect_uri={REDIRECT}&client_secret={secret}")
    response = await world.http.post(
        TOKEN_URL, content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert_error(response, 400, "invalid_request", "code property is wrong,code must be a string ")
    assert (await world.exchange(client, secret, code)).status_code == 200


async def test_a_json_number_is_not_a_string(world: OAuthWorld) -> None:
    client, secret = world.client()
    fields = {"client_id": client.client_id, "grant_type": "refresh_token",
              "refresh_token": 12345, "client_secret": secret}
    response = await world.token(fields, as_json=True)
    assert_error(response, 400, "invalid_request",
                 "refresh_token property is wrong,refresh_token must be a string ")


async def test_public_refresh_accepts_no_verifier(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    tokens = await world.tokens(client, None)
    response = await world.refresh(client, None, tokens["refresh_token"], code_verifier=VERIFIER)
    assert_error(response, 400, "invalid_request",
                 "code_verifier property is wrong,property code_verifier should not exist ")


async def test_an_oversized_body_is_refused_and_changes_nothing(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    response = await world.exchange(client, secret, code,
                                    redirect_uri=REDIRECT + "?" + "x" * 200_000)
    assert_error(response, 413, "invalid_request", "request entity too large")
    assert (await world.exchange(client, secret, code)).status_code == 200


# -- the service (FACTS §2, in Cal.com's check order) ---------------------------------------


async def test_unknown_client_is_invalid_client(world: OAuthWorld) -> None:
    response = await world.token({"client_id": "nope", "grant_type": "authorization_code",
                                  "code": "c", "redirect_uri": REDIRECT, "client_secret": "s"})
    assert_error(response, 401, "invalid_client", "client_not_found")


async def test_redirect_uri_mismatch_is_checked_before_the_secret(world: OAuthWorld) -> None:
    client, _ = world.client()
    code = await world.code(client)
    response = await world.exchange(client, "wrong-secret", code,
                                    redirect_uri="https://app.example.com/callback/")
    assert_error(response, 400, "invalid_grant", "redirect_uri_mismatch")


async def test_redirect_uri_is_compared_with_every_registered_uri(world: OAuthWorld) -> None:
    other = "http://localhost:8000/cb"
    client, secret = world.client(redirect_uris=[REDIRECT, other])
    code = await world.code(client)  # authorized with the first URI
    response = await world.exchange(client, secret, code, redirect_uri=other)
    assert response.status_code == 200


async def test_a_wrong_secret_does_not_consume_the_code(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    response = await world.exchange(client, "0" * 64, code)
    assert_error(response, 401, "invalid_client", "invalid_client_credentials")
    assert (await world.exchange(client, secret, code)).status_code == 200


async def test_a_confidential_client_without_a_secret_is_invalid_client(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    # No client_secret key: the public schema, which wants a verifier and gets one.
    response = await world.exchange(client, None, code)
    assert_error(response, 401, "invalid_client", "invalid_client_credentials")
    assert (await world.exchange(client, secret, code)).status_code == 200


async def test_a_code_redeems_once(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    assert (await world.exchange(client, secret, code)).status_code == 200
    again = await world.exchange(client, secret, code)
    assert_error(again, 400, "invalid_grant", "code_invalid_or_expired")


async def test_a_code_expires_after_ten_minutes(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    world.fake.model.clock.advance(600)
    response = await world.exchange(client, secret, code)
    assert_error(response, 400, "invalid_grant", "code_invalid_or_expired")


async def test_a_code_is_scoped_to_its_client(world: OAuthWorld) -> None:
    client, _ = world.client()
    other, other_secret = world.client(name="Other")
    code = await world.code(client)
    response = await world.exchange(other, other_secret, code)
    assert_error(response, 400, "invalid_grant", "code_invalid_or_expired")


@pytest.mark.parametrize("code", ["garbage", "", "x" * 5000])
async def test_a_made_up_code_is_invalid_grant(world: OAuthWorld, code: str) -> None:
    client, secret = world.client()
    response = await world.exchange(client, secret, code)
    assert_error(response, 400, "invalid_grant", "code_invalid_or_expired")


async def test_a_rejected_client_fails_after_the_code_is_consumed(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    world.set_status(client, "REJECTED")
    response = await world.exchange(client, secret, code)
    assert_error(response, 401, "unauthorized_client", "client_rejected")
    world.set_status(client, "APPROVED")
    burned = await world.exchange(client, secret, code)
    assert_error(burned, 400, "invalid_grant", "code_invalid_or_expired")


async def test_a_pending_client_works_for_its_owner(world: OAuthWorld) -> None:
    client, secret = world.client(status="PENDING")
    tokens = await world.tokens(client, secret)
    response = await world.refresh(client, secret, tokens["refresh_token"])
    assert response.status_code == 200


async def test_a_pending_client_fails_for_anyone_else_at_exchange(world: OAuthWorld) -> None:
    client, secret = world.client()
    world.sign_in(world.user("bob"))
    code = await world.code(client)
    world.set_status(client, "PENDING")
    response = await world.exchange(client, secret, code)
    assert_error(response, 401, "unauthorized_client", "client_not_approved")


async def test_a_pending_client_fails_for_anyone_else_at_refresh(world: OAuthWorld) -> None:
    client, secret = world.client()
    world.sign_in(world.user("bob"))
    tokens = await world.tokens(client, secret)
    world.set_status(client, "PENDING")
    response = await world.refresh(client, secret, tokens["refresh_token"])
    assert_error(response, 401, "unauthorized_client", "client_not_approved")


async def test_a_rejected_client_cannot_refresh_even_for_its_owner(world: OAuthWorld) -> None:
    client, secret = world.client()
    tokens = await world.tokens(client, secret)
    world.set_status(client, "REJECTED")
    response = await world.refresh(client, secret, tokens["refresh_token"])
    assert_error(response, 401, "unauthorized_client", "client_rejected")


async def test_pkce_missing_verifier_burns_the_code(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client, code_challenge=challenge_for(VERIFIER),
                            code_challenge_method="S256")
    # The confidential G2 schema has no code_verifier field, so PKCE cannot pass (FACTS §6).
    response = await world.exchange(client, secret, code)
    assert_error(response, 400, "invalid_request", "pkce_missing_parameters_or_invalid_method")
    again = await world.exchange(client, secret, code)
    assert_error(again, 400, "invalid_grant", "code_invalid_or_expired")


async def test_pkce_wrong_verifier_burns_the_code(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    code = await world.code(client)
    response = await world.exchange(client, None, code, code_verifier="not-the-verifier")
    assert_error(response, 400, "invalid_grant", "pkce_verification_failed")
    again = await world.exchange(client, None, code)
    assert_error(again, 400, "invalid_grant", "code_invalid_or_expired")


async def test_a_public_client_sending_a_secret_is_not_authenticated_and_fails_pkce(
    world: OAuthWorld,
) -> None:
    client, _ = world.client(client_type="PUBLIC")
    code = await world.code(client)
    response = await world.exchange(client, "any-secret", code)
    assert_error(response, 400, "invalid_request", "pkce_missing_parameters_or_invalid_method")


# -- refresh ----------------------------------------------------------------------------------


async def test_refresh_rotates_and_revokes_the_old_refresh_token(world: OAuthWorld) -> None:
    client, secret = world.client()
    first = await world.tokens(client, secret)
    response = await world.refresh(client, secret, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert granted_scopes(second) == granted_scopes(first)
    old = await world.refresh(client, secret, first["refresh_token"])
    assert_error(old, 400, "invalid_grant", "refresh_token_revoked")
    assert (await world.refresh(client, secret, second["refresh_token"])).status_code == 200


async def test_refresh_revokes_refresh_tokens_of_parallel_authorizations(world: OAuthWorld) -> None:
    client, secret = world.client()
    laptop = await world.tokens(client, secret)
    phone = await world.tokens(client, secret)
    assert (await world.refresh(client, secret, phone["refresh_token"])).status_code == 200
    response = await world.refresh(client, secret, laptop["refresh_token"])
    assert_error(response, 400, "invalid_grant", "refresh_token_revoked")


async def test_refresh_leaves_other_users_refresh_tokens_alone(world: OAuthWorld) -> None:
    client, secret = world.client()
    mine = await world.tokens(client, secret)
    world.sign_in(world.user("bob"))
    bobs = await world.tokens(client, secret)
    assert (await world.refresh(client, secret, bobs["refresh_token"])).status_code == 200
    assert (await world.refresh(client, secret, mine["refresh_token"])).status_code == 200


async def test_public_client_refreshes_without_a_secret(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    tokens = await world.tokens(client, None)
    response = await world.refresh(client, None, tokens["refresh_token"])
    assert response.status_code == 200


@pytest.mark.parametrize("refresh_token", ["garbage", "a.b.c", "x" * 4000])
async def test_a_garbage_refresh_token_is_invalid(world: OAuthWorld, refresh_token: str) -> None:
    client, secret = world.client()
    response = await world.refresh(client, secret, refresh_token)
    assert_error(response, 400, "invalid_grant", "invalid_refresh_token")


async def test_a_refresh_token_expires_after_thirty_days(world: OAuthWorld) -> None:
    client, secret = world.client()
    tokens = await world.tokens(client, secret)
    world.fake.model.clock.advance(30 * 24 * 3600 - 1)
    fresh = await world.tokens(client, secret)  # a later grant keeps working
    world.fake.model.clock.advance(1)
    response = await world.refresh(client, secret, tokens["refresh_token"])
    assert_error(response, 400, "invalid_grant", "invalid_refresh_token")
    assert (await world.refresh(client, secret, fresh["refresh_token"])).status_code == 200


async def test_an_access_token_is_not_a_refresh_token(world: OAuthWorld) -> None:
    client, secret = world.client()
    tokens = await world.tokens(client, secret)
    response = await world.refresh(client, secret, tokens["access_token"])
    assert_error(response, 400, "invalid_grant", "invalid_refresh_token")


async def test_a_refresh_token_of_another_client_is_client_id_mismatch(world: OAuthWorld) -> None:
    client, secret = world.client()
    other, other_secret = world.client(name="Other")
    tokens = await world.tokens(client, secret)
    response = await world.refresh(other, other_secret, tokens["refresh_token"])
    assert_error(response, 400, "invalid_grant", "client_id_mismatch")
    # Not consumed by the failed attempt.
    assert (await world.refresh(client, secret, tokens["refresh_token"])).status_code == 200


async def test_a_refresh_with_a_wrong_secret_changes_nothing(world: OAuthWorld) -> None:
    client, secret = world.client()
    tokens = await world.tokens(client, secret)
    response = await world.refresh(client, "wrong", tokens["refresh_token"])
    assert_error(response, 401, "invalid_client", "invalid_client_credentials")
    assert (await world.refresh(client, secret, tokens["refresh_token"])).status_code == 200


async def test_a_token_of_another_fake_is_garbage_here(world: OAuthWorld) -> None:
    client, secret = world.client()
    other = MockCalcom(Settings(seed=1))
    foreign = other.model.tokens.mint_pair(Grant(client.client_id, world.owner.id, None, ()))
    response = await world.refresh(client, secret, foreign.refresh_token)
    assert_error(response, 400, "invalid_grant", "invalid_refresh_token")


# -- the unexpected ---------------------------------------------------------------------------


async def test_an_unexpected_failure_is_a_500_server_error_without_traceback(
    world: OAuthWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, secret = world.client()
    code = await world.code(client)

    def explode(**_: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(world.fake.model.oauth, "exchange", explode)
    response = await world.exchange(client, secret, code)
    assert_error(response, 500, "server_error", "An unexpected error occurred")
    assert "database on fire" not in response.text
    # ... and the model's lock is free again: another thread takes it at once.
    import threading

    taken: list[bool] = []

    def take() -> None:
        lock = world.fake.model.lock
        taken.append(lock.acquire(timeout=2))
        if taken[-1]:
            lock.release()

    other = threading.Thread(target=take)
    other.start()
    other.join()
    assert taken == [True]


async def test_consent_mode_does_not_matter_to_the_token_endpoint(world: OAuthWorld) -> None:
    client, secret = world.client()
    code = await world.code(client)
    world.consent(ConsentMode.DENY)
    assert (await world.exchange(client, secret, code)).status_code == 200


async def test_a_token_answer_is_byte_for_byte_what_json_response_renders(world: OAuthWorld) -> None:
    from starlette.responses import JSONResponse

    from mock_calcom.oauth.token import NO_STORE_HEADERS

    client, secret = world.client()
    response = await world.exchange(client, secret, await world.code(client))
    assert response.status_code == 200
    rendered = JSONResponse(response.json(), headers=NO_STORE_HEADERS)
    assert response.content == rendered.body
    # Its headers in JSONResponse's order, then the request id the route adds.
    names = [name.lower() for name, _ in response.headers.raw]
    assert names[:4] == [name for name, _ in rendered.raw_headers]
    assert dict(rendered.raw_headers).items() <= {k.lower(): v for k, v in response.headers.raw}.items()


_TOKENISH = st.one_of(st.text(max_size=8), st.from_regex(r"[A-Za-z0-9_.-]{0,12}", fullmatch=True))


@settings(max_examples=80, deadline=None)
@given(access=_TOKENISH, refresh=_TOKENISH, expires_in=st.integers(-5, 10**6) | st.booleans(),
       token_type=st.sampled_from(["bearer", "Bearer"]), scope=st.none() | st.text(max_size=5))
def test_the_token_body_renders_as_json_response_does_whatever_it_holds(
        access: str, refresh: str, expires_in: int, token_type: str, scope: str | None) -> None:
    from starlette.responses import JSONResponse

    from mock_calcom.oauth.token import _token_json

    body: dict[str, object] = {"access_token": access, "token_type": token_type,
                               "refresh_token": refresh, "expires_in": expires_in}
    if scope is not None:
        body["scope"] = scope
    assert _token_json(body) == JSONResponse(body).body


@settings(max_examples=80, deadline=None)
@given(access=_TOKENISH, refresh=_TOKENISH, expires_in=st.integers(-5, 10**6) | st.booleans(),
       scopes=st.lists(st.sampled_from(["BOOKING_READ", "PROFILE_READ"]), max_size=2).map(tuple),
       include_scope=st.booleans())
def test_a_token_pair_is_written_as_its_body_renders(access: str, refresh: str, expires_in: int,
                                                    scopes: tuple[str, ...],
                                                    include_scope: bool) -> None:
    from starlette.responses import JSONResponse

    from mock_calcom.model.tokens import TokenPair
    from mock_calcom.oauth.token import pair_json, token_body

    pair = TokenPair(access, refresh, expires_in, scopes, 0)
    body = token_body(pair, include_scope=include_scope)
    assert pair_json(pair, include_scope) == JSONResponse(body).body


@pytest.mark.parametrize("char", [chr(c) for c in range(0x80)] + ["é", "\u2028", "\ud800"])
def test_a_token_character_is_written_as_is_only_when_json_response_would(char: str) -> None:
    from mock_calcom.oauth.token import _plain

    expected = char.isascii() and char.isprintable() and char not in '"\\'
    assert _plain(f"ab{char}cd") is expected


@settings(max_examples=40, deadline=None)
@given(client_id=st.text(max_size=6), user_id=st.none() | st.integers(-3, 10**9),
       scopes=st.lists(st.text(max_size=4), max_size=3), challenge=st.none() | st.text(max_size=5),
       include_scope=st.booleans())
def test_a_minted_pair_is_written_as_its_body_renders(client_id: str, user_id: int | None,
                                                      scopes: list[str], challenge: str | None,
                                                      include_scope: bool) -> None:
    """Whatever a grant holds, the service's tokens are written as they are."""
    from starlette.responses import JSONResponse

    from mock_calcom.model.clock import FrozenClock
    from mock_calcom.model.randomness import Randomness
    from mock_calcom.model.tokens import MintedPair, TokenService
    from mock_calcom.oauth.token import _plain, pair_json, token_body

    tokens = TokenService(FrozenClock(), Randomness(2), access_ttl=1800, refresh_ttl=3600)
    pair = tokens.mint_pair(Grant(client_id, user_id, None, tuple(scopes)), code_challenge=challenge,
                            code_challenge_method="S256" if challenge else None)
    assert type(pair) is MintedPair
    assert _plain(pair.access_token)
    assert _plain(pair.refresh_token)
    assert pair_json(pair, include_scope) == JSONResponse(token_body(pair, include_scope=include_scope)).body


async def test_a_content_length_of_a_digit_int_cannot_read_is_no_server_error() -> None:
    """In process nothing vets the header first (a server would): "²" is a digit to Python's
    ``isdigit`` but no number to ``int``."""
    fake = MockCalcom(Settings(seed=4))
    sent: list[Any] = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v2/auth/oauth2/token", "raw_path": b"/v2/auth/oauth2/token",
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 2),
             "headers": [(b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", "²".encode("latin-1"))]}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"client_id=nobody", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await fake.app(scope, receive, send)
    assert sent[0]["status"] == 400  # the body was read: it names no grant type
    assert b"grant_type must be" in sent[1]["body"]


# -- the body the edge already read (a shortcut: the same answers as reading it again) --------

async def _token_call(fake: MockCalcom, body: bytes, content_type: bytes) -> list[Any]:
    sent: list[Any] = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v2/auth/oauth2/token", "raw_path": b"/v2/auth/oauth2/token",
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 2),
             "headers": [(b"content-type", content_type),
                         (b"content-length", str(len(body)).encode())]}
    given = False

    async def receive() -> dict[str, object]:
        nonlocal given
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await fake.app(scope, receive, send)
    return sent


def _client_with_code(fake: MockCalcom, user_name: str) -> tuple[Any, str]:
    """A confidential client of ``https://app.example/cb`` and a code of a new user's."""
    from mock_calcom.model.scopes import USER_SCOPES

    client = fake.create_client("app", ["https://app.example/cb"], list(USER_SCOPES))
    user = fake.create_user(user_name)
    with fake.model.lock:
        code = fake.model.codes.issue(client_id=client.client_id, user_id=user.id,
                                      scopes=("BOOKING_READ",)).code
    return client, code


async def _conversation(fake: MockCalcom) -> list[list[Any]]:
    from urllib.parse import urlencode

    client, code = _client_with_code(fake, "handoff")
    form = b"application/x-www-form-urlencoded"
    exchange = {"grant_type": "authorization_code", "client_id": client.client_id,
                "client_secret": client.client_secret, "code": code, "redirect_uri": "https://app.example/cb"}
    answers = [await _token_call(fake, urlencode(exchange).encode(), form)]
    refresh = json.loads(answers[0][1]["body"])["refresh_token"]
    for body, kind in [
        (urlencode({"grant_type": "refresh_token", "client_id": client.client_id,
                    "client_secret": client.client_secret, "refresh_token": refresh}).encode(), form),
        (json.dumps({"grant_type": "refresh_token", "client_id": client.client_id,
                     "refresh_token": refresh, "client_secret": client.client_secret}).encode(),
         b"application/json"),
        (b"client_id=x&grant_type=refresh_token&refresh_token=a&refresh_token=b", form),
        (b"{bad", b"application/json"),
        (b"", form),
    ]:
        answers.append(await _token_call(fake, body, kind))
    return answers


async def test_the_body_the_edge_read_is_answered_as_the_body_read_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import mock_calcom.oauth.token as token_module

    handed = await _conversation(MockCalcom(Settings(seed=21)))
    monkeypatch.setattr(token_module, "READ_BODY", "not-handed-over")
    read_again = await _conversation(MockCalcom(Settings(seed=21)))
    assert handed == read_again
    assert [answer[0]["status"] for answer in handed] == [200, 200, 400, 400, 400, 400]


async def test_the_token_route_takes_the_body_the_edge_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import mock_calcom.oauth.token as token_module

    async def never(*args: object) -> bytes:
        raise AssertionError("the body was read again")

    monkeypatch.setattr(token_module, "read_body_raw", never)
    answer = await _token_call(MockCalcom(Settings(seed=2)), b"client_id=x",
                               b"application/x-www-form-urlencoded")
    assert answer[0]["status"] == 400


async def test_the_answer_held_for_the_journal_is_what_awaiting_its_send_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The endpoint appends its two messages to the edge's ``Captured`` list itself; awaited
    through ``Captured.__call__`` instead, the answers and the journal are the same."""
    import mock_calcom.oauth.token as token_module

    def journaled(fake: MockCalcom) -> list[tuple[object, ...]]:
        return [(e.status, e.response_headers, e.response_body) for e in fake.journal.entries()]

    appended_fake = MockCalcom(Settings(seed=22))
    appended = await _conversation(appended_fake)
    # The shortcut off: every message awaited through the edge's ``send``.
    monkeypatch.setattr(token_module, "append_answer", lambda send, start, answer: False)
    awaited_fake = MockCalcom(Settings(seed=22))
    awaited = await _conversation(awaited_fake)
    assert appended == awaited
    assert [answer[0]["status"] for answer in appended] == [200, 200, 400, 400, 400, 400]
    assert journaled(appended_fake) == journaled(awaited_fake)
    assert len(journaled(appended_fake)) == len(appended)


async def test_the_secrets_of_a_token_request_are_remembered_by_value() -> None:
    """Every secret field of an exchange and of a refresh is remembered under its kind (the
    journal redacts it by value wherever else it shows up)."""
    from urllib.parse import urlencode

    fake = MockCalcom(Settings(seed=23))
    client, code = _client_with_code(fake, "remembered")
    form = b"application/x-www-form-urlencoded"
    secret = client.client_secret
    assert secret is not None
    exchanged = await _token_call(fake, urlencode({
        "grant_type": "authorization_code", "client_id": client.client_id,
        "client_secret": secret, "code": code, "redirect_uri": "https://app.example/cb"}).encode(), form)
    refresh = json.loads(exchanged[1]["body"])["refresh_token"]
    await _token_call(fake, urlencode({
        "grant_type": "refresh_token", "client_id": client.client_id, "client_secret": secret,
        "refresh_token": refresh}).encode(), form)
    known = fake.model.secret_values
    assert (known.kind_of(code), known.kind_of(secret), known.kind_of(refresh)) == (
        "code", "client_secret", "refresh_token")
