"""``/v2/me``: the profile of the token's user, and its updates."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


@pytest.fixture
def auth(alice: User, mint: TokenFactory) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(alice, ['PROFILE_READ', 'PROFILE_WRITE'])}"}


async def test_me_is_the_users_profile(http: httpx.AsyncClient, alice: User, auth: dict[str, str]) -> None:
    assert (await http.get("/v2/me", headers=auth)).json() == {"status": "success", "data": {
        "id": alice.id, "username": "alice", "email": "alice@example.com", "name": "Alice Host",
        "avatarUrl": None, "bio": None, "timeFormat": 24, "defaultScheduleId": alice.default_schedule_id,
        "weekStart": "Monday", "timeZone": "Europe/London", "organizationId": None}}


async def test_patch_updates_the_profile_and_moves_the_default_schedule_time_zone(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, auth: dict[str, str]) -> None:
    response = await http.patch("/v2/me", headers=auth, json={
        "name": "Alice H.", "timeFormat": 12, "weekStart": "Sunday", "timeZone": "America/New_York",
        "bio": "Hello", "unknown": "dropped"})
    data = response.json()["data"]
    assert (data["name"], data["timeFormat"], data["weekStart"], data["timeZone"], data["bio"]) == (
        "Alice H.", 12, "Sunday", "America/New_York", "Hello")
    schedule = fake.model.resources.schedules.get(alice.default_schedule_id or 0)
    assert schedule is not None
    assert schedule.time_zone == "America/New_York"


async def test_a_new_email_waits_for_verification(http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await http.patch("/v2/me", headers=auth, json={"email": "new@example.com"})
    assert response.json()["data"]["email"] == "alice@example.com"


@pytest.mark.parametrize(("body", "prop"), [
    ({"timeFormat": 13}, "timeFormat"), ({"weekStart": "Caturday"}, "weekStart"),
    ({"timeZone": "Nowhere/Land"}, "timeZone"), ({"email": "not-an-email"}, "email"),
    ({"defaultScheduleId": "1"}, "defaultScheduleId")])
async def test_invalid_profile_changes_are_400_and_change_nothing(
        http: httpx.AsyncClient, alice: User, auth: dict[str, str], body: dict[str, object],
        prop: str) -> None:
    response = await http.patch("/v2/me", headers=auth, json={**body, "name": "Changed"})
    assert response.status_code == 400
    assert [e["property"] for e in envelope_error(response)["details"]["errors"]] == [prop]
    assert alice.name == "Alice Host"


async def test_the_default_schedule_must_be_the_users_own(
        http: httpx.AsyncClient, alice: User, bob: User, auth: dict[str, str]) -> None:
    response = await http.patch("/v2/me", headers=auth, json={"defaultScheduleId": bob.default_schedule_id})
    assert response.status_code == 403
    assert alice.default_schedule_id != bob.default_schedule_id


async def test_malformed_json_is_400_not_500(http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    headers = {**auth, "content-type": "application/json"}
    response = await http.patch("/v2/me", headers=headers, content=b"{oops")
    assert response.status_code == 400
    assert envelope_error(response)["code"] == "BadRequestException"


async def test_json_without_nan_or_infinity_as_javascript_parses_it(
        http: httpx.AsyncClient, alice: User, auth: dict[str, str]) -> None:
    headers = {**auth, "content-type": "application/json"}
    response = await http.patch("/v2/me", headers=headers, content=b'{"metadata": {"x": NaN}}')
    assert response.status_code == 400
    assert alice.metadata == {}
