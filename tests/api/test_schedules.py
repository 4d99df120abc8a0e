"""``/v2/schedules``: one default per user, CRUD, and Cal.com's answers for missing ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error, headers_for

PATH = "/v2/schedules"
EVENINGS = {"name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False,
            "availability": [{"days": ["Monday", "Friday"], "startTime": "18:00", "endTime": "21:00"}]}


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http, self.token = http, token

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, path, json=body, headers=headers_for(path, self.token))

    async def data(self, path: str) -> Any:
        return (await self.send("GET", path)).json()["data"]


@pytest.fixture
def api(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> Api:
    return Api(http, mint(alice, ["SCHEDULE_READ", "SCHEDULE_WRITE", "PROFILE_READ"]))


async def test_a_new_user_has_one_default_working_hours_schedule(api: Api, alice: User) -> None:
    schedules = await api.data(PATH)
    assert schedules == [{"id": alice.default_schedule_id, "ownerId": alice.id, "name": "Working Hours",
                          "timeZone": "Europe/London", "isDefault": True, "overrides": [],
                          "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                                            "startTime": "09:00", "endTime": "17:00"}]}]
    assert await api.data(f"{PATH}/default") == schedules[0]


async def test_creating_a_default_moves_the_default(api: Api, alice: User) -> None:
    old = alice.default_schedule_id
    created = await api.send("POST", PATH, {**EVENINGS, "isDefault": True})
    assert created.status_code == 201
    new = created.json()["data"]
    assert new["isDefault"] is True
    flags = {s["id"]: s["isDefault"] for s in await api.data(PATH)}
    assert flags == {old: False, new["id"]: True}
    assert (await api.data("/v2/me"))["defaultScheduleId"] == new["id"]


async def test_a_schedule_without_availability_gets_weekdays_nine_to_five(api: Api) -> None:
    created = (await api.send("POST", PATH, {"name": "Plain", "timeZone": "UTC", "isDefault": False})).json()
    assert created["data"]["availability"] == [
        {"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], "startTime": "09:00",
         "endTime": "17:00"}]


async def test_update_changes_fields_and_false_does_not_unset_the_default(api: Api, alice: User) -> None:
    path = f"{PATH}/{alice.default_schedule_id}"
    updated = (await api.send("PATCH", path, {"name": "Core", "isDefault": False,
                                              "overrides": [{"date": "2026-02-02", "startTime": "10:00",
                                                             "endTime": "12:00"}]})).json()["data"]
    assert (updated["name"], updated["isDefault"]) == ("Core", True)
    assert updated["overrides"] == [{"date": "2026-02-02", "startTime": "10:00", "endTime": "12:00"}]


async def test_delete_answers_status_only_and_leaves_no_default(api: Api, alice: User) -> None:
    schedule_id = alice.default_schedule_id
    response = await api.send("DELETE", f"{PATH}/{schedule_id}")
    assert response.json() == {"status": "success"}
    assert await api.data(f"{PATH}/default") is None
    assert (await api.data("/v2/me"))["defaultScheduleId"] is None
    missing = await api.send("GET", f"{PATH}/{schedule_id}")
    assert missing.status_code == 404
    assert envelope_error(missing)["message"] == f"Schedule with ID={schedule_id} does not exist."
    again = await api.send("DELETE", f"{PATH}/{schedule_id}")
    assert again.status_code == 400


@pytest.mark.parametrize(("body", "props"), [
    ({}, ["name", "timeZone", "isDefault"]),
    ({**EVENINGS, "timeZone": "Mars/Olympus"}, ["timeZone"]),
    ({**EVENINGS, "availability": [{"days": ["Funday"], "startTime": "9:00", "endTime": "25:00"}]},
     ["availability"]),
    ({**EVENINGS, "isDefault": "yes"}, ["isDefault"]),
])
async def test_invalid_schedule_bodies_are_400(api: Api, body: dict[str, Any], props: list[str]) -> None:
    response = await api.send("POST", PATH, body)
    assert response.status_code == 400
    errors = envelope_error(response)["details"]["errors"]
    assert [e["property"] for e in errors] == props


async def test_bad_availability_items_are_reported_as_children(api: Api) -> None:
    body = {**EVENINGS, "availability": [{"days": ["Funday"], "startTime": "9:00", "endTime": "17:00"}]}
    [error] = envelope_error(await api.send("POST", PATH, body))["details"]["errors"]
    [item] = error["children"]
    assert {c["property"]: c["constraints"] for c in item["children"]} == {
        "days": {"isEnum": "each value in days must be one of the following values: Monday, Tuesday, "
                           "Wednesday, Thursday, Friday, Saturday, Sunday"},
        "startTime": {"matches": "startTime must be a valid time format HH:MM"}}
