"""Issue 9, item 1: the control plane of a served fake refuses what a hostile web page or a
DNS-rebinding page can send, and such a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.control.security import ADMIN_TOKEN_HEADER, ControlSecurity
from mock_calcom.errors import InvalidControlInput
from mock_calcom.server import LiveServer

Served = tuple[MockCalcom, httpx.Client]
TOKEN = "s3cret-admin-token-0123456789"


@pytest.fixture(scope="module")
def guarded() -> Iterator[tuple[MockCalcom, str]]:
    fake = MockCalcom()
    with LiveServer(fake, secure_control=True) as server:
        yield fake, server.url


@pytest.fixture
def served(guarded: tuple[MockCalcom, str]) -> Iterator[tuple[MockCalcom, httpx.Client]]:
    fake, url = guarded
    fake.reset()
    with httpx.Client(base_url=url, timeout=10) as http:
        yield fake, http


def test_a_cross_site_text_plain_post_is_refused_and_changes_nothing(served: Served) -> None:
    fake, http = served
    response = http.post("/_mock/users", content='{"username": "mallory"}',
                         headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert fake.users() == []


def test_a_form_post_and_a_bodyless_post_are_refused(served: Served) -> None:
    fake, http = served
    fake.create_user("alice")
    assert http.post("/_mock/reset", content=b"x=1",
                     headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 415
    assert http.post("/_mock/reset").status_code == 415  # fetch(no-cors) sends no type at all
    assert [u.username for u in fake.users()] == ["alice"]


def test_a_foreign_origin_is_refused_even_with_json(served: Served) -> None:
    fake, http = served
    response = http.post("/_mock/users", json={"username": "mallory"},
                         headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    assert http.post("/_mock/users", json={"username": "eve"},
                     headers={"origin": "null"}).status_code == 403
    assert fake.users() == []


def test_the_fakes_own_origin_is_accepted(served: Served) -> None:
    _, http = served
    own = str(http.base_url).rstrip("/")
    response = http.post("/_mock/users", json={"username": "alice"}, headers={"origin": own})
    assert response.status_code == 201, response.text


def test_a_rebinding_host_is_refused(served: Served) -> None:
    fake, http = served
    fake.create_user("alice")
    response = http.get("/_mock/users", headers={"host": "evil.example:8765"})
    assert response.status_code == 403
    assert "alice" not in response.text


def test_localhost_names_the_same_socket(served: Served) -> None:
    _, http = served
    port = http.base_url.port
    assert http.get("/_mock/users", headers={"host": f"localhost:{port}"}).status_code == 200


def test_calcom_routes_are_not_guarded(served: Served) -> None:
    _, http = served
    response = http.get("/v2/me", headers={"host": "api.cal.com", "origin": "https://x.example"})
    assert response.status_code == 401  # Cal.com's own answer, not the guard's


def test_in_process_the_rules_are_off() -> None:
    with MockCalcom() as fake, fake.client(base_url="http://testserver") as http:
        response = http.post("/_mock/users", content='{"username": "a"}',
                             headers={"content-type": "text/plain"})
        assert response.status_code == 201


def test_an_admin_token_is_required_on_every_control_call() -> None:
    fake = MockCalcom()
    with LiveServer(fake, admin_token=TOKEN) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/_mock/users").status_code == 401
        assert http.post("/_mock/users", json={"username": "a"},
                         headers={ADMIN_TOKEN_HEADER: "wrong-token-wrong-token"}).status_code == 401
        assert fake.users() == []
        ok = http.post("/_mock/users", json={"username": "a"}, headers={ADMIN_TOKEN_HEADER: TOKEN})
        assert ok.status_code == 201
        # The redirect landing page echoes only its own query: a browser reaches it tokenless.
        assert http.get("/_mock/callback?code=x").status_code == 200


def test_a_non_loopback_bind_needs_an_admin_token() -> None:
    with pytest.raises(InvalidControlInput, match="admin token"):
        LiveServer(MockCalcom(), host="0.0.0.0")
    with pytest.raises(InvalidControlInput, match="16 characters"):
        LiveServer(MockCalcom(), host="0.0.0.0", admin_token="short")


def test_an_unspecified_bind_accepts_any_host_but_only_its_own_origin() -> None:
    security = ControlSecurity.for_server("0.0.0.0", 8765, TOKEN)
    base = {"type": "http", "path": "/_mock/users", "method": "GET"}
    ok = {**base, "headers": [(b"host", b"box.lan:8765"), (ADMIN_TOKEN_HEADER.encode(), TOKEN.encode())]}
    assert security.refusal(ok) is None
    cross = {**base, "headers": [*ok["headers"], (b"origin", b"http://evil.example")]}
    assert security.refusal(cross) == (403, "cross-origin requests to the control plane are refused")


def test_duplicate_json_keys_are_refused(served: Served) -> None:
    fake, http = served
    response = http.post("/_mock/users", content='{"username": "a", "username": "b"}',
                         headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "repeats the key" in response.json()["error"]
    assert fake.users() == []


def test_a_tenant_obeys_the_guard_of_its_server(served: Served) -> None:
    _, http = served
    response = http.post("/_mock/users", content='{"username": "mallory"}',
                         headers={"content-type": "text/plain", "x-mock-tenant": "t1"})
    assert response.status_code == 415
    rebound = http.get("/_mock/users", headers={"host": "evil.example", "x-mock-tenant": "t1"})
    assert rebound.status_code == 403
