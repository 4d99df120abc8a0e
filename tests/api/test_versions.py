"""``cal-api-version``: unknown or missing falls back to 2024-04-15, served by the legacy
controllers (FACTS §11.1); a path with no controller at the version is Nest's 404;
version-neutral controllers answer regardless."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.api import versions
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


@pytest.mark.parametrize(("header", "expected"), [
    (None, "2024-04-15"), ("2024-08-13", "2024-08-13"), ("2024-09-04", "2024-09-04"),
    ("2099-01-01", "2024-04-15"), ("", "2024-04-15"), (" 2024-08-13", "2024-04-15")])
def test_unknown_or_missing_versions_fall_back_to_2024_04_15(header: str | None, expected: str) -> None:
    assert versions.requested(header) == expected


@pytest.mark.parametrize("header", [None, "2099-01-01", "2024-06-14", "2024-04-15"])
@pytest.mark.parametrize("route", ["reschedule", "confirm", "decline", "mark-absent"])
async def test_a_booking_route_without_a_legacy_twin_is_nests_404_with_the_original_url(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, header: str | None, route: str) -> None:
    headers = {"Authorization": f"Bearer {mint(alice)}"}
    if header is not None:
        headers["cal-api-version"] = header
    url = f"/v2/bookings/some-uid/{route}?take=3&sortStart=asc"
    response = await http.post(url, headers=headers, json={})
    assert response.status_code == 404
    error = envelope_error(response)
    assert error == {"code": "NotFoundException", "message": f"Cannot POST {url}",
                     "details": {"message": f"Cannot POST {url}", "error": "Not Found", "statusCode": 404}}


async def test_the_version_404_comes_before_authentication(http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/bookings/some-uid/confirm", json={})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Cannot POST /v2/bookings/some-uid/confirm"


def _controller(response: httpx.Response) -> str:
    """Which controller answered a list request: the legacy ones wrap their lists."""
    if response.status_code == 404:
        return "none"
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    if isinstance(data, list) and (not data or "workingHours" not in data[0]):
        return "current"
    return "legacy"


@pytest.mark.parametrize(("path", "header", "expected"), [
    ("/v2/bookings", "2024-08-13", "current"),
    ("/v2/bookings", None, "legacy"),
    ("/v2/bookings", "2024-04-15", "legacy"),
    ("/v2/bookings", "2024-06-11", "legacy"),
    ("/v2/bookings", "2024-06-14", "legacy"),
    ("/v2/bookings", "nonsense", "legacy"),
    ("/v2/bookings", "2024-09-04", "none"),
    ("/v2/event-types", "2024-06-14", "current"),
    ("/v2/event-types", None, "legacy"),
    ("/v2/event-types", "2024-06-11", "legacy"),
    ("/v2/event-types", "2024-08-13", "none"),
    ("/v2/event-types", "2024-09-04", "none"),
    ("/v2/schedules", "2024-06-11", "current"),
    ("/v2/schedules", "2024-06-14", "current"),
    ("/v2/schedules", None, "legacy"),
    ("/v2/schedules", "2024-04-15", "legacy"),
    ("/v2/schedules", "2024-08-13", "none"),
])
async def test_each_path_reaches_the_controller_serving_its_version(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str, header: str | None,
        expected: str) -> None:
    headers = {"Authorization": f"Bearer {mint(alice)}"}
    if header is not None:
        headers["cal-api-version"] = header
    assert _controller(await http.get(path, headers=headers)) == expected


@pytest.mark.parametrize(("header", "status"), [
    (None, 200), ("2024-04-15", 200), ("2024-06-11", 200), ("2024-06-14", 200), ("2024-08-13", 200),
    ("2024-09-04", 404)])
async def test_legacy_slots_serve_every_version_before_2024_09_04(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, header: str | None, status: int) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    headers = {"cal-api-version": header} if header is not None else {}
    response = await http.get(
        f"/v2/slots/available?eventTypeId={event_type.id}&startTime=2030-01-07&endTime=2030-01-08",
        headers=headers)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("path", ["/v2/me", "/v2/calendars", "/v2/conferencing"])
@pytest.mark.parametrize("header", [None, "2024-08-13", "nonsense"])
async def test_version_neutral_controllers_answer_with_any_header(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str, header: str | None) -> None:
    headers = {"Authorization": f"Bearer {mint(alice)}"}
    if header is not None:
        headers["cal-api-version"] = header
    assert (await http.get(path, headers=headers)).status_code == 200
