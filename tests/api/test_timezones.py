"""``GET /v2/timezones`` (TimezonesController, not in the published document): the city list of
Cal.com's time-zone picker, the same for everyone, readable without credentials."""

from __future__ import annotations

import httpx

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.scopes import NOT_AVAILABLE_MESSAGE
from mock_calcom.api.timezones import city_timezones
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


async def test_anyone_gets_the_city_list_without_credentials(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/timezones")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    cities = {entry["city"]: entry for entry in body["data"]}
    assert cities["New York"] == {"city": "New York", "timezone": "America/New_York", "pop": 0}
    assert cities["London"]["timezone"] == "Europe/London"
    assert all(set(entry) == {"city", "timezone", "pop"} for entry in body["data"])


async def test_every_version_is_served_and_the_answer_never_depends_on_state(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    first = await http.get("/v2/timezones")
    fake.model.create_user("bob", "bob@example.com")
    for version in ("2024-04-15", "2024-08-13", "2024-09-04", "1999-01-01"):
        again = await http.get("/v2/timezones", headers={"cal-api-version": version})
        assert again.status_code == 200, version
        assert again.content == first.content
    legacy_token = mint(alice, ["READ_PROFILE"])
    with_token = await http.get("/v2/timezones", headers={"Authorization": f"Bearer {legacy_token}"})
    assert with_token.content == first.content


async def test_a_scoped_token_is_refused_by_the_global_scope_guard(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["PROFILE_READ"])
    response = await http.get("/v2/timezones", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert envelope_error(response)["message"] == NOT_AVAILABLE_MESSAGE


async def test_the_setting_that_opens_legacy_handlers_opens_it_too(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    fake.model.apply_settings(Settings(seed=20240813, legacy_serve_scoped_tokens=True))
    token = mint(alice, ["PROFILE_READ"])
    response = await http.get("/v2/timezones", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_one_entry_per_city_preferring_the_canonical_zone_and_londons_override() -> None:
    zones = frozenset({"America/Buenos_Aires", "America/Argentina/Buenos_Aires", "Etc/GMT+1",
                       "US/Eastern", "Europe/London", "Canada/London", "Asia/Kolkata", "UTC"})
    assert city_timezones(zones) == [
        {"city": "Buenos Aires", "timezone": "America/Argentina/Buenos_Aires", "pop": 0},
        {"city": "Kolkata", "timezone": "Asia/Kolkata", "pop": 0},
        {"city": "London", "timezone": "Europe/London", "pop": 0},
    ]


async def test_unknown_methods_and_sub_paths_are_nests_404(http: httpx.AsyncClient) -> None:
    for method, path in (("POST", "/v2/timezones"), ("GET", "/v2/timezones/Europe")):
        response = await http.request(method, path, json={"x": 1})
        assert response.status_code == 404, (method, path)
        assert envelope_error(response)["message"] == f"Cannot {method} {path}"
