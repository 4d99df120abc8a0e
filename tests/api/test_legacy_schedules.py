"""``SchedulesController_2024_04_15``: no ``cal-api-version`` gets the legacy schedule bodies over
the same schedules as the 2024-06-11 controller (FACTS §11.1). Shapes are checked against the
source DTOs (the legacy controller is left out of the published document)."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

CURRENT = {"cal-api-version": "2024-06-11"}
#: ScheduleOutput, apps/api/v2/src/ee/schedules/schedules_2024_04_15/outputs/schedule.output.ts @03670679.
SCHEDULE_FIELDS = {"id", "name", "isManaged", "workingHours", "schedule", "availability", "timeZone",
                   "dateOverrides", "isDefault", "isLastSchedule", "readOnly"}
ROW_FIELDS = {"id", "userId", "eventTypeId", "days", "startTime", "endTime", "date", "scheduleId"}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_legacy_default_schedule_has_the_dto_fields(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/schedules/default", headers=_auth(mint(alice)))
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == SCHEDULE_FIELDS
    assert data["id"] == alice.default_schedule_id
    assert data["workingHours"] == [{"days": [1, 2, 3, 4, 5], "startTime": 540, "endTime": 1020,
                                     "userId": alice.id}]
    assert all(set(row) == ROW_FIELDS for row in data["schedule"])
    assert len(data["availability"]) == 7
    assert data["availability"][0] == []  # Sunday first
    assert data["availability"][1] == [
        {"start": "1970-01-01T09:00:00.000Z", "end": "1970-01-01T17:00:00.000Z"}]
    assert (data["isDefault"], data["isLastSchedule"]) == (True, True)


async def test_a_legacy_created_schedule_is_the_same_schedule_at_2024_06_11(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice)
    created = await http.post("/v2/schedules", headers=_auth(token), json={
        "name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False, "availabilities": [
            {"days": [1, 3], "startTime": "2024-05-01T18:00:00.000Z",
             "endTime": "2024-05-01T21:00:00.000Z"}]})
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert set(data) == SCHEDULE_FIELDS
    assert data["workingHours"][0]["days"] == [1, 3]
    current = await http.get(f"/v2/schedules/{data['id']}", headers={**_auth(token), **CURRENT})
    assert current.json()["data"]["availability"] == [
        {"days": ["Monday", "Wednesday"], "startTime": "18:00", "endTime": "21:00"}]
    listed = (await http.get("/v2/schedules", headers=_auth(token))).json()["data"]
    assert [s["id"] for s in listed] == [alice.default_schedule_id, data["id"]]
    assert all(set(s) == SCHEDULE_FIELDS and s["isLastSchedule"] is False for s in listed)


async def test_a_legacy_update_answers_the_update_handlers_result(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice)
    schedule_id = alice.default_schedule_id
    monday = [{"start": "2024-05-06T08:00:00.000Z", "end": "2024-05-06T12:00:00.000Z"}]
    week = [[], monday, [], [], [], [], []]
    response = await http.patch(f"/v2/schedules/{schedule_id}", headers=_auth(token),
                                json={"name": "Mornings", "schedule": week})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == {"schedule", "isDefault", "timeZone", "prevDefaultId", "currentDefaultId"}
    assert data["schedule"]["name"] == "Mornings"
    assert [(r["days"], r["startTime"]) for r in data["schedule"]["availability"]] == [
        ([1], "1970-01-01T08:00:00.000Z")]
    current = (await http.get(f"/v2/schedules/{schedule_id}", headers={**_auth(token), **CURRENT})).json()
    assert current["data"]["availability"] == [{"days": ["Monday"], "startTime": "08:00", "endTime": "12:00"}]


@pytest.mark.parametrize("availability", [
    {"days": [1], "startTime": "09:00", "endTime": "2024-05-01T17:00:00.000Z"},
    {"days": [1], "startTime": "2024-05-01T25:00:00.000Z", "endTime": "2024-05-01T17:00:00.000Z"},
    {"days": [1], "startTime": 9, "endTime": "2024-05-01T17:00:00.000Z"},
    {"days": ["Monday"], "startTime": "2024-05-01T09:00:00.000Z", "endTime": "2024-05-01T17:00:00.000Z"},
])
async def test_a_bad_legacy_availability_is_a_400_and_creates_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory,
        availability: dict[str, object]) -> None:
    before = len(fake.model.resources.schedules.of_user(alice.id))
    response = await http.post("/v2/schedules", headers=_auth(mint(alice)), json={
        "name": "X", "timeZone": "Europe/Rome", "isDefault": True, "availabilities": [availability]})
    assert response.status_code == 400
    assert envelope_error(response)["code"] == "BadRequestException"
    assert len(fake.model.resources.schedules.of_user(alice.id)) == before


async def test_a_legacy_delete_of_a_missing_schedule_is_a_400(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.delete("/v2/schedules/999", headers=_auth(mint(alice)))
    assert response.status_code == 400
    assert envelope_error(response)["message"] == "Schedule with ID=999 does not exist."


async def test_the_legacy_schedules_authenticate_first(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/schedules", headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 401
