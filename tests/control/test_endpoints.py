"""The /_mock control plane over HTTP: same operations as the Python API, strict input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.model import ClientStatus, ConsentMode

CB = "https://app.example/callback"


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    with MockCalcom(Settings(seed=5)) as fake:
        yield fake


@pytest.fixture
def http(fake: MockCalcom) -> Iterator[httpx.Client]:
    with fake.client(base_url="http://127.0.0.1:8765") as client:
        yield client


def _client(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "App", "redirect_uris": [CB], "scopes": ["BOOKING_READ"], **fields}
    response = http.post("/_mock/clients", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# -- users -----------------------------------------------------------------------------------

def test_post_users_creates_a_user(http: httpx.Client, fake: MockCalcom) -> None:
    response = http.post("/_mock/users", json={"username": "alice", "name": "Alice", "time_zone": "UTC"})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "username": "alice", "email": "alice@example.com",
                               "name": "Alice", "time_zone": "UTC"}
    assert [u.username for u in fake.users()] == ["alice"]
    assert http.get("/_mock/users").json() == {"users": [response.json()]}
    assert http.get("/_mock/users/1").json()["username"] == "alice"


@pytest.mark.parametrize(("body", "message"), [
    ({}, "missing field: username"),
    ({"username": 7}, "username must be a string"),
    ({"username": "alice", "admin": True}, "unknown field: admin"),
    ({"username": "Not Valid"}, "username"),
])
def test_post_users_refuses_bad_input(http: httpx.Client, fake: MockCalcom, body: dict[str, Any],
                                      message: str) -> None:
    response = http.post("/_mock/users", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert fake.users() == []


def test_an_unknown_user_is_404(http: httpx.Client) -> None:
    response = http.get("/_mock/users/9")
    assert response.status_code == 404
    assert response.json() == {"error": "no user with id 9"}


# -- clients ---------------------------------------------------------------------------------

def test_post_clients_returns_the_plain_secret_once(http: httpx.Client, fake: MockCalcom) -> None:
    created = _client(http)
    secret = created["client_secret"]
    assert fake.get_client(created["client_id"]).verify_secret(secret)
    assert created["status"] == "APPROVED"
    assert created["client_type"] == "CONFIDENTIAL"
    shown = http.get(f"/_mock/clients/{created['client_id']}").json()
    assert "client_secret" not in shown
    assert secret not in str(shown)
    assert shown["secrets"][0]["hint"] == secret[-4:]
    assert [c["client_id"] for c in http.get("/_mock/clients").json()["clients"]] == [created["client_id"]]


def test_post_clients_takes_every_registration_field(http: httpx.Client) -> None:
    owner = http.post("/_mock/users", json={"username": "owner"}).json()
    created = _client(http, status="PENDING", client_type="PUBLIC", owner_user_id=owner["id"],
                      is_trusted=True, logo="https://img.example/logo.png")
    assert created["client_secret"] is None
    assert (created["status"], created["client_type"], created["owner_user_id"],
            created["is_trusted"], created["logo"]) == (
        "PENDING", "PUBLIC", owner["id"], True, "https://img.example/logo.png")


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"redirect_uris": "https://a.example/cb"}, 400, "redirect_uris must be a list of strings"),
    ({"redirect_uris": ["http://evil.example/cb"]}, 400, "https"),
    ({"scopes": ["EVERYTHING"]}, 400, "unknown scopes"),
    ({"status": "LIVE"}, 400, "status must be one of"),
    ({"is_trusted": "yes"}, 400, "is_trusted must be a boolean"),
    ({"owner_user_id": True}, 400, "owner_user_id must be an integer"),
    ({"owner_user_id": 12}, 404, "no user with id 12"),
    ({"secret": "mine"}, 400, "unknown field: secret"),
])
def test_post_clients_refuses_bad_input_and_creates_nothing(
        http: httpx.Client, fake: MockCalcom, fields: dict[str, Any], status: int, message: str) -> None:
    body = {"name": "App", "redirect_uris": [CB], **fields}
    response = http.post("/_mock/clients", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert fake.clients() == []


def test_patch_client_moves_status_and_changes_fields(http: httpx.Client, fake: MockCalcom) -> None:
    cid = _client(http)["client_id"]
    response = http.patch(f"/_mock/clients/{cid}", json={
        "status": "REJECTED", "rejection_reason": "spam", "redirect_uris": [CB, "https://b.example/cb"]})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("REJECTED", "spam")
    client = fake.get_client(cid)
    assert client.status is ClientStatus.REJECTED
    assert client.redirect_uris == [CB, "https://b.example/cb"]


def test_patch_client_as_owner_applies_the_resubmission_rule(http: httpx.Client) -> None:
    cid = _client(http)["client_id"]
    response = http.patch(f"/_mock/clients/{cid}", json={"as_owner": True, "name": "Renamed"})
    assert response.json()["status"] == "PENDING"
    refused = http.patch(f"/_mock/clients/{cid}", json={"as_owner": True, "status": "APPROVED"})
    assert refused.status_code == 400


def test_patch_client_with_one_bad_field_changes_nothing(http: httpx.Client, fake: MockCalcom) -> None:
    cid = _client(http)["client_id"]
    response = http.patch(f"/_mock/clients/{cid}", json={"name": "New", "scopes": ["NOPE"]})
    assert response.status_code == 400
    assert fake.get_client(cid).name == "App"


def test_patch_an_unknown_client_is_404(http: httpx.Client) -> None:
    response = http.patch("/_mock/clients/nope", json={"name": "x"})
    assert response.status_code == 404
    assert "nope" in response.json()["error"]


def test_secrets_rotate_over_http(http: httpx.Client, fake: MockCalcom) -> None:
    created = _client(http)
    cid = created["client_id"]
    added = http.post(f"/_mock/clients/{cid}/secrets")
    assert added.status_code == 201
    new = added.json()
    assert fake.get_client(cid).verify_secret(new["client_secret"])
    third = http.post(f"/_mock/clients/{cid}/secrets")
    assert third.status_code == 400
    assert "at most 2" in third.json()["error"]
    old_id = created["secrets"][0]["id"]
    assert http.delete(f"/_mock/clients/{cid}/secrets/{old_id}").status_code == 204
    assert not fake.get_client(cid).verify_secret(created["client_secret"])
    assert http.delete(f"/_mock/clients/{cid}/secrets/{old_id}").status_code == 404
    last = http.delete(f"/_mock/clients/{cid}/secrets/{new['id']}")
    assert last.status_code == 400


def test_adding_a_secret_takes_no_fields(http: httpx.Client) -> None:
    cid = _client(http)["client_id"]
    response = http.post(f"/_mock/clients/{cid}/secrets", json={"client_secret": "mine"})
    assert response.status_code == 400


# -- consent, clock --------------------------------------------------------------------------

def test_consent_is_read_and_replaced(http: httpx.Client, fake: MockCalcom) -> None:
    assert http.get("/_mock/consent").json() == {"mode": "approve", "user_id": None}
    user = http.post("/_mock/users", json={"username": "u"}).json()
    response = http.put("/_mock/consent", json={"mode": "interactive", "user_id": user["id"]})
    assert response.json() == {"mode": "interactive", "user_id": user["id"]}
    assert fake.consent.mode is ConsentMode.INTERACTIVE
    assert http.put("/_mock/consent", json={"mode": "sometimes"}).status_code == 400
    assert http.put("/_mock/consent", json={"mode": "deny", "user_id": 99}).status_code == 404
    assert fake.consent.mode is ConsentMode.INTERACTIVE


def test_the_clock_is_read_and_advanced(http: httpx.Client, fake: MockCalcom) -> None:
    clock = http.get("/_mock/clock").json()
    assert clock == {"now": fake.now(), "iso": "2026-01-05T09:00:00Z", "frozen": True}
    advanced = http.post("/_mock/clock/advance", json={"seconds": 1800.5}).json()
    assert advanced["now"] == clock["now"] + 1800.5
    assert advanced["iso"] == "2026-01-05T09:30:00.500000Z"


@pytest.mark.parametrize("raw", [b'{"seconds": -1}', b'{"seconds": "60"}', b'{"seconds": NaN}',
                                 b'{"seconds": Infinity}', b'{"seconds": true}', b"{}", b"[60]",
                                 b"not json", b""])
def test_the_clock_refuses_anything_but_a_finite_non_negative_number(
        http: httpx.Client, fake: MockCalcom, raw: bytes) -> None:
    before = fake.now()
    response = http.post("/_mock/clock/advance", content=raw,
                         headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()
    assert fake.now() == before


# -- journal ---------------------------------------------------------------------------------

def test_the_journal_lists_requests_with_secrets_redacted(http: httpx.Client) -> None:
    created = _client(http)
    http.post("/_mock/users", json={"username": "alice"})
    http.post("https://api.cal.com/v2/auth/oauth2/token", data={
        "client_id": created["client_id"], "client_secret": created["client_secret"],
        "grant_type": "authorization_code", "code": "c0de", "redirect_uri": CB})
    http.get(f"https://api.cal.com/v2/auth/oauth2/clients/{created['client_id']}")
    journal = http.get("/_mock/journal").json()
    assert journal["count"] == 2
    token_entry = journal["entries"][0]
    assert token_entry["request_body"]["client_secret"] == "<redacted:client_secret>"
    assert token_entry["request_body"]["code"] == "<redacted:code>"
    assert created["client_secret"] not in str(journal)
    assert [e["path"] for e in journal["entries"]] == [
        "/v2/auth/oauth2/token", f"/v2/auth/oauth2/clients/{created['client_id']}"]


def test_the_journal_filters_by_path_host_method_and_limit(http: httpx.Client) -> None:
    http.get("https://app.cal.com/auth/oauth2/authorize")
    http.get("https://api.cal.com/v2/me")
    http.post("https://api.cal.com/v2/auth/oauth2/token", data={})

    def paths(query: dict[str, str]) -> list[str]:
        return [e["path"] for e in http.get("/_mock/journal", params=query).json()["entries"]]

    assert paths({"path": "/v2/"}) == ["/v2/me", "/v2/auth/oauth2/token"]
    assert paths({"host": "app.cal.com"}) == ["/auth/oauth2/authorize"]
    assert paths({"method": "POST"}) == ["/v2/auth/oauth2/token"]
    assert paths({"limit": "1"}) == ["/v2/auth/oauth2/token"]


def test_the_journal_page_links_its_pages_when_filtered_by_path(http: httpx.Client) -> None:
    """Found by ``make fuzz``: a ``path`` filter on a page with an older or newer page 500'd."""
    for _ in range(3):
        http.get("https://api.cal.com/v2/me")
    first = http.get("/_mock/journal/view", params={"path": "/v2/me", "size": "2"})
    assert first.status_code == 200
    assert "before=" in first.text
    assert "path=%2Fv2%2Fme" in first.text
    second = http.get("/_mock/journal/view", params={"path": "/v2/me", "size": "2", "before": "2"})
    assert second.status_code == 200
    assert "path=%2Fv2%2Fme" in second.text


@pytest.mark.parametrize("query", ["limit=-1", "limit=ten", "since=3", "limit=1&limit=2"])
def test_the_journal_refuses_bad_query_parameters(http: httpx.Client, query: str) -> None:
    assert http.get(f"/_mock/journal?{query}").status_code == 400


def test_the_journal_is_cleared(http: httpx.Client, fake: MockCalcom) -> None:
    http.get("https://api.cal.com/v2/me")
    assert http.delete("/_mock/journal").status_code == 204
    assert len(fake.journal) == 0


def test_the_control_plane_itself_is_not_journaled(http: httpx.Client, fake: MockCalcom) -> None:
    http.post("/_mock/users", json={"username": "alice"})
    http.get("/_mock/journal")
    assert len(fake.journal) == 0


# -- settings, reset, demo -------------------------------------------------------------------

def test_settings_are_read_and_patched(http: httpx.Client, fake: MockCalcom) -> None:
    assert http.get("/_mock/settings").json()["access_token_ttl"] == 1800
    response = http.patch("/_mock/settings", json={"access_token_ttl": 60, "legacy_endpoints": False})
    assert response.status_code == 200
    assert (response.json()["access_token_ttl"], response.json()["legacy_endpoints"]) == (60, False)
    assert fake.settings.access_token_ttl == 60


@pytest.mark.parametrize("body", [{"access_token_ttl": "60"}, {"access_token_ttl": 0},
                                  {"nope": 1}, {"token_response_scope": 1}])
def test_a_bad_settings_patch_changes_nothing(http: httpx.Client, fake: MockCalcom,
                                              body: dict[str, Any]) -> None:
    before = fake.settings
    assert http.patch("/_mock/settings", json=body).status_code == 400
    assert fake.settings == before


def test_reset_forgets_everything(http: httpx.Client, fake: MockCalcom) -> None:
    _client(http)
    http.post("/_mock/users", json={"username": "alice"})
    assert http.post("/_mock/reset").json() == {"reset": True}
    assert (fake.users(), fake.clients()) == ([], [])


def test_demo_seeds_a_ready_client(http: httpx.Client, fake: MockCalcom) -> None:
    response = http.post("/_mock/demo")
    assert response.status_code == 201
    demo = response.json()
    assert fake.get_client(demo["client"]["client_id"]).verify_secret(demo["client"]["client_secret"])
    assert demo["redirect_uri"] == "http://localhost:3000/callback"
    assert http.post("/_mock/demo").json() == demo


def test_the_callback_page_shows_the_code_escaped(http: httpx.Client) -> None:
    # The page runs an inline script of its own, so look for the payload itself.
    response = http.get("/_mock/callback", params={"code": "abc", "state": "<script>alert(1)"})
    assert response.status_code == 200
    assert "abc" in response.text
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text
