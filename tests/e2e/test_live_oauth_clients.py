"""End to end: real third-party OAuth client libraries against the fake on a real socket.

The story Cal.com integrators live through: authorize, exchange the code, call the API, let
the access token expire (30 min), refresh (which rotates the refresh token), and find the old
refresh token dead (``invalid_grant``/``refresh_token_revoked``, FACTS §3).
"""

from __future__ import annotations

import warnings
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError
from httpx_oauth.oauth2 import BaseOAuth2, RefreshTokenError

from mock_calcom import MockCalcom
from mock_calcom.server import LiveServer

with warnings.catch_warnings():
    # Authlib 1.9 announces a rename of its httpx integration on import; it still works.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

CALLBACK = "https://integration.example/oauth/callback"
SCOPES = ["PROFILE_READ", "BOOKING_READ"]


def _register(calcom: MockCalcom) -> tuple[str, str]:
    calcom.create_user("alice")
    app = calcom.create_client("Integration", [CALLBACK], SCOPES)
    assert app.client_secret is not None
    return app.client_id, app.client_secret


def _browser(authorize_url: str) -> str:
    """What the user's browser does with consent ``approve``: one GET, then the redirect."""
    response = httpx.get(authorize_url)
    assert response.status_code in (302, 303), response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return location


def test_authlib_code_flow_expiry_refresh_and_rotation(calcom: MockCalcom, calcom_server: LiveServer) -> None:
    client_id, secret = _register(calcom)
    urls = calcom_server.urls
    # The scope goes on the authorize URL only: see the next test for why.
    oauth = OAuth2Client(client_id, secret, redirect_uri=CALLBACK,
                         token_endpoint_auth_method="client_secret_post")
    url, state = oauth.create_authorization_url(urls.authorize_url, scope=" ".join(SCOPES))
    location = _browser(url)
    assert parse_qs(urlsplit(location).query)["state"] == [state]

    first = oauth.fetch_token(urls.token_url, authorization_response=location)
    assert (first["token_type"], first["expires_in"]) == ("bearer", 1800)
    assert "scope" not in first  # Cal.com's token response has no scope
    me = oauth.get(f"{urls.api_base_url}/me")
    assert me.status_code == 200
    assert me.json()["data"]["username"] == "alice"

    calcom.advance(1801)
    expired = oauth.get(f"{urls.api_base_url}/me")
    assert expired.status_code == 401

    second = oauth.refresh_token(urls.token_url)
    assert second["refresh_token"] != first["refresh_token"]
    assert oauth.get(f"{urls.api_base_url}/me").status_code == 200

    with pytest.raises(AuthlibOAuthError) as refused:
        oauth.refresh_token(urls.token_url, refresh_token=first["refresh_token"])
    assert (refused.value.error, refused.value.description) == ("invalid_grant", "refresh_token_revoked")
    replay = httpx.post(urls.token_url, data={
        "client_id": client_id, "client_secret": secret, "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"]})
    assert replay.status_code == 400
    assert replay.json() == {"error": "invalid_grant", "error_description": "refresh_token_revoked"}

    # Hygiene, from the journal: the secret only ever went to the token endpoint.
    for entry in calcom.journal.entries():
        leaked = [where for where, kinds in entry.markers().items()
                  if "client_secret" in kinds and where.startswith("request")]
        assert not leaked or entry.is_token_request, entry.path


def test_authlib_with_a_session_scope_sends_scope_on_refresh_and_calcom_refuses_it(
        calcom: MockCalcom, calcom_server: LiveServer) -> None:
    """A real integration bug the fake catches: Authlib repeats the session's ``scope`` in
    the refresh request, and Cal.com's token input pipe forbids any extra field (FACTS §1.2)."""
    client_id, secret = _register(calcom)
    urls = calcom_server.urls
    oauth = OAuth2Client(client_id, secret, scope=" ".join(SCOPES), redirect_uri=CALLBACK,
                         token_endpoint_auth_method="client_secret_post")
    url, _ = oauth.create_authorization_url(urls.authorize_url)
    oauth.fetch_token(urls.token_url, authorization_response=_browser(url))
    with pytest.raises(AuthlibOAuthError) as refused:
        oauth.refresh_token(urls.token_url)
    assert refused.value.error == "invalid_request"
    assert "scope" in str(refused.value.description)
    last = calcom.journal.token_requests()[-1]
    assert (last.status, last.request_body["scope"]) == (400, "PROFILE_READ BOOKING_READ")


async def test_httpx_oauth_code_flow_and_refresh_rotation(calcom: MockCalcom,
                                                         calcom_server: LiveServer) -> None:
    client_id, secret = _register(calcom)
    urls = calcom_server.urls
    oauth: BaseOAuth2[dict[str, object]] = BaseOAuth2(
        client_id, secret, urls.authorize_url, urls.token_url, refresh_token_endpoint=urls.token_url)
    url = await oauth.get_authorization_url(CALLBACK, state="xyz", scope=SCOPES)
    code = parse_qs(urlsplit(_browser(url)).query)["code"][0]
    first = await oauth.get_access_token(code, CALLBACK)
    calcom.advance(1801)
    second = await oauth.refresh_token(first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    async with httpx.AsyncClient() as http:
        me = await http.get(f"{urls.api_base_url}/me",
                            headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    with pytest.raises(RefreshTokenError):
        await oauth.refresh_token(first["refresh_token"])
