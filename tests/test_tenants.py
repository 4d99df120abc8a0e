"""Tenants: ``X-Mock-Tenant`` picks an isolated fake on one server."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_calcom import LiveServer, MockCalcom
from mock_calcom.tenancy import MAX_TENANTS

pytest_plugins = ["pytester"]

_CB = "http://localhost:3000/cb"
_V = {"cal-api-version": "2024-08-13"}


def _dance(base: str, tenant: str) -> dict[str, Any]:
    """Everything one CI job would do in its tenant; returns what it made and saw."""
    with httpx.Client(base_url=base, headers={"X-Mock-Tenant": tenant}, timeout=10) as http:
        user = http.post("/_mock/users", json={"username": f"user-{tenant}"}).json()
        client = http.post("/_mock/clients", json={
            "name": f"App {tenant}", "redirect_uris": [_CB], "scopes": ["BOOKING_READ"]}).json()
        http.put("/_mock/consent", json={"mode": "approve"})
        location = http.get("/auth/oauth2/authorize", params={
            "client_id": client["client_id"], "redirect_uri": _CB, "response_type": "code",
            "scope": "BOOKING_READ"}).headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        tokens = http.post("/v2/auth/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": client["client_id"],
            "client_secret": client["client_secret"], "code": code, "redirect_uri": _CB}).json()
        bookings = http.get("/v2/bookings", headers={
            **_V, "Authorization": f"Bearer {tokens['access_token']}"})
        assert bookings.status_code == 200, bookings.text
        http.post("/_mock/clock/advance", json={"seconds": 100 if tenant == "a" else 7})
        http.patch("/_mock/settings", json={"rate_limit": 11 if tenant == "a" else 22})
        http.post("/_mock/faults", json={"path": f"/v2/only-{tenant}", "status": 503})
        return {"user": user, "client": client, "tokens": tokens}


def _view(base: str, tenant: str | None) -> dict[str, Any]:
    headers = {"X-Mock-Tenant": tenant} if tenant else {}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        return {
            "users": [u["username"] for u in http.get("/_mock/users").json()["users"]],
            "clients": [c["client_id"] for c in http.get("/_mock/clients").json()["clients"]],
            "journal": {e["path"] for e in http.get("/_mock/journal").json()["entries"]},
            "clock": http.get("/_mock/clock").json()["now"],
            "rate_limit": http.get("/_mock/settings").json()["rate_limit"],
            "faults": [f["path"] for f in http.get("/_mock/faults").json()["faults"]],
        }


def test_two_tenants_driven_concurrently_never_see_each_other() -> None:
    with MockCalcom() as fake, LiveServer(fake) as server:
        start = fake.now()
        results: dict[str, dict[str, Any]] = {}
        errors: list[BaseException] = []

        def job(tenant: str) -> None:
            try:
                results[tenant] = _dance(server.url, tenant)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=job, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        a, b = _view(server.url, "a"), _view(server.url, "b")
        assert a["users"] == ["user-a"]
        assert b["users"] == ["user-b"]
        assert a["clients"] == [results["a"]["client"]["client_id"]]
        assert b["clients"] == [results["b"]["client"]["client_id"]]
        assert results["a"]["client"]["client_id"] != results["b"]["client"]["client_id"]
        assert "/v2/bookings" in a["journal"]
        assert a["journal"] == b["journal"]  # same paths, but each journal holds only its own
        assert (a["clock"] - start, b["clock"] - start) == (100, 7)
        assert (a["rate_limit"], b["rate_limit"]) == (11, 22)
        assert (a["faults"], b["faults"]) == (["/v2/only-a"], ["/v2/only-b"])
        # The default tenant (no header) is the server's own fake, untouched by both.
        default = _view(server.url, None)
        assert default["users"] == []
        assert default["clients"] == []
        assert default["journal"] == set()
        assert fake.users() == []
        assert len(fake.tenant("a").journal) == len(fake.tenant("b").journal) == 3
        # A token of one tenant means nothing in the other, nor in the default tenant.
        token_a = results["a"]["tokens"]["access_token"]
        for other in ("b", None):
            headers = {**_V, "Authorization": f"Bearer {token_a}"}
            if other:
                headers["X-Mock-Tenant"] = other
            assert httpx.get(f"{server.url}/v2/bookings", headers=headers).status_code in (401, 403)


def test_reset_is_per_tenant() -> None:
    with MockCalcom() as fake:
        fake.tenant("a").create_user("alice")
        fake.tenant("b").create_user("bob")
        with fake.client(headers={"X-Mock-Tenant": "a"}) as http:
            assert http.post("/_mock/reset", json={}).status_code == 200
        assert fake.tenant("a").users() == []
        assert [u.username for u in fake.tenant("b").users()] == ["bob"]


def test_a_tenant_has_its_own_clock_kind_and_consent_from_the_server() -> None:
    fake = MockCalcom()
    fake.set_consent("interactive")
    tenant = fake.tenant("ci-job-1")
    assert tenant.model.clock.frozen
    assert tenant.now() == fake.now()
    assert tenant.consent.mode.value == "interactive"
    assert fake.tenant("default") is fake
    assert fake.tenant("ci-job-1") is tenant


def test_tenant_names_and_count_are_bounded() -> None:
    with MockCalcom() as fake:
        with fake.client() as http:
            bad = http.get("/_mock/users", headers={"X-Mock-Tenant": "no spaces!"})
            assert bad.status_code == 400
            assert "X-Mock-Tenant" in bad.json()["error"]
        for index in range(MAX_TENANTS):
            fake.tenant(f"t{index}")
        with fake.client() as http:
            full = http.get("/_mock/users", headers={"X-Mock-Tenant": "one-too-many"})
            assert full.status_code == 400
            assert http.get("/_mock/tenants").json()["tenants"][:2] == ["t0", "t1"]
            assert http.delete("/_mock/tenants/t0").status_code == 204
            assert http.get("/_mock/users", headers={"X-Mock-Tenant": "one-too-many"}).status_code == 200
            assert http.delete("/_mock/tenants/t0").status_code == 404


def test_the_plugin_s_calcom_server_can_be_a_tenant_of_an_external_server(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with MockCalcom() as fake, LiveServer(fake) as server:
        fake.tenant("pytest-gw3").create_user("leftover")  # a previous test's state
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
        pytester.makepyfile("""
            import httpx, pytest

            @pytest.mark.calcom(consent="deny", access_token_ttl=60)
            def test_remote(calcom_server):
                assert calcom_server.tenant == "pytest-gw3"
                assert calcom_server.control("GET", "/users")["users"] == []
                assert calcom_server.control("GET", "/consent")["mode"] == "deny"
                assert calcom_server.control("GET", "/settings")["access_token_ttl"] == 60
                calcom_server.control("POST", "/users", {"username": "alice"})
                with calcom_server.client() as http:
                    assert http.get("/_mock/users").json()["users"][0]["username"] == "alice"
        """)
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
        result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                                    f"--calcom-url={server.url}")
        result.assert_outcomes(passed=1)
        assert [u.username for u in fake.tenant("pytest-gw3").users()] == ["alice"]
        assert fake.users() == []


def test_redacting_everywhere_covers_the_secrets_of_every_tenant_and_of_the_root() -> None:
    with MockCalcom() as fake:
        root = fake.create_client("Root", ["http://localhost:3000/cb"])
        made = fake.tenant("ci-1").create_client("Tenant", ["http://localhost:3000/cb"])
        assert root.client_secret
        assert made.client_secret
        text = f"got {root.client_secret} and {made.client_secret}"
        # The root alone does not know the tenant's secret; everywhere does.
        assert made.client_secret in fake.redact_text(text)
        redacted = fake.redact_text_everywhere(text)
        assert root.client_secret not in redacted
        assert made.client_secret not in redacted
        assert redacted.startswith("got <redacted")
