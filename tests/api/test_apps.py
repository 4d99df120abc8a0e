"""``/v2/calendars`` and ``/v2/conferencing``: the seeded Google Calendar and Google Meet."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


@pytest.fixture
def auth(alice: User, mint: TokenFactory) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(alice)}"}  # legacy token: /v2/calendars is closed to scoped ones


async def test_calendars_list_the_connected_google_calendar(
        http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    data = (await http.get("/v2/calendars", headers=auth)).json()["data"]
    [calendar] = data["connectedCalendars"]
    assert calendar["integration"]["type"] == "google_calendar"
    assert calendar["primary"]["externalId"] == "alice@example.com"
    assert data["destinationCalendar"]["credentialId"] == calendar["credentialId"]


@pytest.mark.parametrize(("calendar", "status", "message"), [
    ("google", 200, None),
    ("office365", 400, "Credentials for office365_calendar not found."),
    ("apple", 400, "Credentials for apple_calendar not found."),
    ("yahoo", 400, "Invalid calendar type, available calendars are: "),
])
async def test_calendar_check(http: httpx.AsyncClient, auth: dict[str, str], calendar: str, status: int,
                              message: str | None) -> None:
    response = await http.get(f"/v2/calendars/{calendar}/check", headers=auth)
    assert response.status_code == status
    if message is None:
        assert response.json() == {"status": "success"}
    else:
        assert envelope_error(response)["message"] == message


async def test_an_unknown_calendar_lists_the_known_ones_in_details(
        http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    details = envelope_error(await http.get("/v2/calendars/yahoo/check", headers=auth))["details"]
    assert details["error"] == "google, office365, apple"


async def test_conferencing_lists_installed_apps(
        http: httpx.AsyncClient, alice: User, auth: dict[str, str]) -> None:
    [app] = (await http.get("/v2/conferencing", headers=auth)).json()["data"]
    assert (app["type"], app["userId"]) == ("google_video", alice.id)
