"""End to end, in-process: integration code that hard-codes https://app.cal.com and
https://api.cal.com runs unmodified against the fake (respx mode)."""

from __future__ import annotations

import hashlib
import secrets
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from mock_calcom import MockCalcom

CALLBACK = "https://integration.example/oauth/callback"


class CalcomIntegration:
    """Stand-in for an integrator's code: production URLs baked in, a plain httpx client."""

    AUTHORIZE = "https://app.cal.com/auth/oauth2/authorize"
    TOKEN = "https://api.cal.com/v2/auth/oauth2/token"
    API = "https://api.cal.com/v2"

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens: dict[str, str] = {}

    def authorize_url(self, state: str) -> str:
        return self.AUTHORIZE + "?" + urlencode({
            "client_id": self.client_id, "redirect_uri": CALLBACK, "response_type": "code",
            "scope": "PROFILE_READ", "state": state})

    def finish(self, callback_url: str) -> None:
        code = parse_qs(urlsplit(callback_url).query)["code"][0]
        response = httpx.post(self.TOKEN, data={
            "client_id": self.client_id, "client_secret": self.client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
        response.raise_for_status()
        self.tokens = response.json()

    def me(self) -> dict[str, object]:
        response = httpx.get(f"{self.API}/me",
                             headers={"Authorization": f"Bearer {self.tokens['access_token']}"})
        response.raise_for_status()
        data: dict[str, object] = response.json()["data"]
        return data


def test_hard_coded_production_urls_reach_the_fake(calcom_respx: MockCalcom) -> None:
    calcom_respx.create_user("alice")
    app = calcom_respx.create_client("Integration", [CALLBACK], ["PROFILE_READ"])
    assert app.client_secret is not None
    integration = CalcomIntegration(app.client_id, app.client_secret)

    browser = httpx.get(integration.authorize_url(state="s-1"))
    integration.finish(browser.headers["location"])
    assert integration.me()["username"] == "alice"

    hosts = [(e.host, e.path) for e in calcom_respx.journal.entries()]
    assert hosts == [("app.cal.com", "/auth/oauth2/authorize"),
                     ("api.cal.com", "/v2/auth/oauth2/token"),
                     ("api.cal.com", "/v2/me")]
    token_request = calcom_respx.journal.token_requests()[0]
    assert token_request.request_body["client_secret"] == "<redacted:client_secret>"
    me = calcom_respx.journal.last()
    assert me is not None
    assert me.request_headers["authorization"] == "Bearer <redacted:access_token>"


def test_an_integration_that_strays_from_cal_com_hosts_fails_loudly(calcom_respx: MockCalcom) -> None:
    with pytest.raises(Exception, match="not mocked"):
        httpx.post("https://api.cal.dev/v2/auth/oauth2/token", data={})


async def test_async_pkce_integration_against_production_urls(calcom: MockCalcom) -> None:
    calcom.create_user("alice")
    app = calcom.create_client("Spa", [CALLBACK], ["PROFILE_READ"], client_type="PUBLIC")
    verifier = secrets.token_urlsafe(48)
    challenge = urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with calcom.mock_cal_com():
        async with httpx.AsyncClient() as http:
            redirect = await http.get(calcom.authorize_url(app.client_id, CALLBACK, ["PROFILE_READ"],
                                                           code_challenge=challenge))
            code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
            token = await http.post("https://api.cal.com/v2/auth/oauth2/token", json={
                "client_id": app.client_id, "grant_type": "authorization_code", "code": code,
                "redirect_uri": CALLBACK, "code_verifier": verifier})
            assert token.status_code == 200, token.text
            me = await http.get("https://api.cal.com/v2/me",
                                headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["data"]["username"] == "alice"
    exchange = calcom.journal.token_requests()[0]
    assert exchange.request_body["code_verifier"] == "<redacted:code_verifier>"
