"""GET /v2/auth/oauth2/clients/{clientId}."""

from __future__ import annotations

from tests.oauth.conftest import REDIRECT, OAuthWorld

URL = "https://api.cal.com/v2/auth/oauth2/clients/"


async def test_a_client_is_described_without_secrets(world: OAuthWorld) -> None:
    client, secret = world.client(redirect_uris=[REDIRECT, "http://localhost:3000/cb"],
                                  is_trusted=True, logo="https://cdn.example.com/l.png")
    response = await world.http.get(URL + client.client_id)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "data": {
        "client_id": client.client_id,
        "redirect_uris": [REDIRECT, "http://localhost:3000/cb"],
        "name": "Acme Scheduler",
        "logo": "https://cdn.example.com/l.png",
        "is_trusted": True,
        "client_type": "CONFIDENTIAL",
    }}
    assert secret is not None
    assert secret not in response.text


async def test_a_client_without_logo_has_logo_null(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    data = (await world.http.get(URL + client.client_id)).json()["data"]
    assert data["logo"] is None
    assert data["client_type"] == "PUBLIC"
    assert data["is_trusted"] is False


async def test_an_unknown_client_is_a_404_envelope(world: OAuthWorld) -> None:
    response = await world.http.get(URL + "nope")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == "error"
    assert body["path"] == "/v2/auth/oauth2/clients/nope"
    assert body["error"]["code"] == "NotFoundException"
    assert "not found" in body["error"]["message"]
    assert body["error"]["details"] == {"message": body["error"]["message"],
                                        "error": "Not Found", "statusCode": 404}
