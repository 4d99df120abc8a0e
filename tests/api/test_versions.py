"""``cal-api-version``: unknown or missing falls back to 2024-04-15, which no versioned
controller of the fake serves (Nest's 404); version-neutral controllers answer regardless."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom.api import versions
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


@pytest.mark.parametrize(("header", "expected"), [
    (None, "2024-04-15"), ("2024-08-13", "2024-08-13"), ("2024-09-04", "2024-09-04"),
    ("2099-01-01", "2024-04-15"), ("", "2024-04-15"), (" 2024-08-13", "2024-04-15")])
def test_unknown_or_missing_versions_fall_back_to_2024_04_15(header: str | None, expected: str) -> None:
    assert versions.requested(header) == expected


@pytest.mark.parametrize("header", [None, "2099-01-01", "2024-06-14", "2024-04-15"])
async def test_bookings_without_2024_08_13_is_nests_404_with_the_original_url(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, header: str | None) -> None:
    headers = {"Authorization": f"Bearer {mint(alice)}"}
    if header is not None:
        headers["cal-api-version"] = header
    response = await http.get("/v2/bookings?take=3&sortStart=asc", headers=headers)
    assert response.status_code == 404
    error = envelope_error(response)
    assert error == {"code": "NotFoundException", "message": "Cannot GET /v2/bookings?take=3&sortStart=asc",
                     "details": {"message": "Cannot GET /v2/bookings?take=3&sortStart=asc",
                                 "error": "Not Found", "statusCode": 404}}


async def test_the_version_404_comes_before_authentication(http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/bookings", json={})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Cannot POST /v2/bookings"


@pytest.mark.parametrize(("path", "good", "bad"), [
    ("/v2/event-types", "2024-06-14", "2024-06-11"),
    ("/v2/schedules", "2024-06-11", "2024-08-13"),
    ("/v2/schedules", "2024-06-14", None),
    ("/v2/bookings", "2024-08-13", "2024-09-04"),
])
async def test_each_controller_answers_only_its_versions(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str, good: str,
        bad: str | None) -> None:
    auth = {"Authorization": f"Bearer {mint(alice)}"}
    assert (await http.get(path, headers={**auth, "cal-api-version": good})).status_code == 200
    bad_headers = auth if bad is None else {**auth, "cal-api-version": bad}
    assert (await http.get(path, headers=bad_headers)).status_code == 404


@pytest.mark.parametrize("path", ["/v2/me", "/v2/calendars", "/v2/conferencing"])
@pytest.mark.parametrize("header", [None, "2024-08-13", "nonsense"])
async def test_version_neutral_controllers_answer_with_any_header(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, path: str, header: str | None) -> None:
    headers = {"Authorization": f"Bearer {mint(alice)}"}
    if header is not None:
        headers["cal-api-version"] = header
    assert (await http.get(path, headers=headers)).status_code == 200
