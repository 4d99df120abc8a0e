"""Calendars beyond the list: ICS feeds, busy times, connections, destination and selected
calendars, disconnecting, and the provider-only operations."""

from __future__ import annotations

import datetime as dt

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _google(fake: MockCalcom, user: User) -> tuple[int, str]:
    connection = fake.model.resources.apps.calendar(user.id, "google")
    assert connection is not None
    return connection.credential_id, connection.external_id


def _day(fake: MockCalcom, offset: int) -> str:
    today = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date()
    return (today + dt.timedelta(days=offset)).isoformat()


async def test_ics_feed_check_fails_until_a_feed_is_saved(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    before = await http.get("/v2/calendars/ics-feed/check", headers=h)
    assert before.status_code == 400
    assert envelope_error(before)["message"] == "Credentials for Ics Feed calendar not found."
    saved = await http.post("/v2/calendars/ics-feed/save", json={"urls": ["https://x.example/a.ics"]},
                            headers=h)
    assert saved.status_code == 201
    assert saved.json()["data"]["type"] == "ics-feed_calendar"
    assert (await http.get("/v2/calendars/ics-feed/check", headers=h)).json() == {"status": "success"}


async def test_an_ics_url_must_end_in_ics(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.post("/v2/calendars/ics-feed/save", json={"urls": ["https://x.example/a"]},
                               headers=_auth(mint(alice)))
    assert response.status_code == 400
    errors = envelope_error(response)["details"]["errors"]
    assert errors[0]["constraints"] == {"isICSUrl": "The URL must be a valid ICS URL (ending with .ics)"}


async def test_busy_times_are_the_hosts_blocking_bookings_on_the_destination_calendar(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    credential, external = _google(fake, alice)
    url = (f"/v2/calendars/busy-times?timeZone=UTC&dateFrom={_day(fake, -7)}&dateTo={_day(fake, 9)}"
           f"&calendarsToLoad[0][credentialId]={credential}&calendarsToLoad[0][externalId]={external}")
    busy = (await http.get(url, headers=_auth(mint(alice)))).json()["data"]
    holding = (BookingStatus.ACCEPTED, BookingStatus.PENDING)
    blocking = sorted(b.start for b in fake.model.resources.bookings.hosted_by(alice.id)
                      if b.status in holding)
    assert [dt.datetime.fromisoformat(b["start"]).timestamp() for b in busy] == blocking
    assert blocking  # the seed has some


async def test_busy_times_need_a_time_zone_and_the_user_s_own_credential(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    no_tz = await http.get("/v2/calendars/busy-times?dateFrom=2026-01-01&dateTo=2026-01-02",
                           headers=_auth(mint(alice)))
    assert no_tz.status_code == 400
    assert envelope_error(no_tz)["message"] == "Either timeZone or loggedInUsersTz must be provided"
    credential, external = _google(fake, bob)
    foreign = await http.get(
        f"/v2/calendars/busy-times?timeZone=UTC&dateFrom=2026-01-01&dateTo=2026-01-02"
        f"&calendarsToLoad[0][credentialId]={credential}&calendarsToLoad[0][externalId]={external}",
        headers=_auth(mint(alice)))
    assert foreign.status_code == 404
    assert envelope_error(foreign)["message"] == "Calendar credentials not found"


async def test_destination_must_be_one_of_the_user_s_calendars(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.put("/v2/destination-calendars", headers=_auth(mint(alice)),
                              json={"integration": "google_calendar", "externalId": "nobody@x.io"})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == "Could not find calendar nobody@x.io"
    assert fake.model.resources.apps.destination_of(alice.id) is not None


async def test_unselecting_a_calendar_shows_in_the_calendar_list(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    credential, external = _google(fake, alice)
    query = f"integration=google_calendar&externalId={external}&credentialId={credential}"
    assert (await http.delete(f"/v2/selected-calendars?{query}", headers=h)).status_code == 200
    listed = (await http.get("/v2/calendars", headers=h)).json()["data"]["connectedCalendars"]
    assert listed[0]["calendars"][0]["isSelected"] is False
    body = {"integration": "google_calendar", "externalId": external, "credentialId": credential}
    assert (await http.post("/v2/selected-calendars", json=body, headers=h)).status_code == 201
    listed = (await http.get("/v2/calendars", headers=h)).json()["data"]["connectedCalendars"]
    assert listed[0]["calendars"][0]["isSelected"] is True


async def test_disconnecting_removes_the_connection(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    credential, _ = _google(fake, alice)
    foreign = await http.post("/v2/calendars/google/disconnect", json={"id": credential},
                              headers=_auth(mint(bob)))
    assert foreign.status_code == 404
    done = await http.post("/v2/calendars/google/disconnect", json={"id": credential},
                           headers=_auth(mint(alice)))
    assert done.status_code == 200
    assert done.json()["data"]["id"] == credential
    connections = (await http.get("/v2/calendars/connections", headers=_auth(mint(alice)))).json()
    assert connections["data"]["connections"] == []


async def test_provider_event_operations_answer_a_documented_400(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    credential, _ = _google(fake, alice)
    h = _auth(mint(alice))
    for path in (f"/v2/calendars/connections/{credential}/events?from=2026-01-01&to=2026-01-02",
                 "/v2/calendars/google/events/abc", "/v2/calendars/google/connect"):
        response = await http.get(path, headers=h)
        assert response.status_code == 400, path
        assert envelope_error(response)["message"].startswith("mock-calcom does not emulate "), path
    bad = await http.get("/v2/calendars/connections/abc/events", headers=h)
    assert envelope_error(bad)["message"] == "Invalid connectionId"
