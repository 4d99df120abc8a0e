"""Booking sub-routes at 2024-08-13: attendees, guests, location, links, references, reassign."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

V = {"cal-api-version": "2024-08-13"}


def _h(token: str) -> dict[str, str]:
    return {**V, "Authorization": f"Bearer {token}"}


def _uid(fake: MockCalcom, user: User, status: BookingStatus = BookingStatus.ACCEPTED) -> str:
    now = fake.model.clock.now()
    return next(b.uid for b in sorted(fake.model.resources.bookings.hosted_by(user.id), key=lambda b: b.start)
                if b.status is status and b.end > now)


async def test_an_added_attendee_is_listed_readable_and_removable(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h, uid = _h(mint(alice)), _uid(fake, alice)
    added = await http.post(f"/v2/bookings/{uid}/attendees", headers=h,
                            json={"name": "Kim", "email": "kim@example.org", "timeZone": "Asia/Seoul"})
    assert added.status_code == 201
    new = added.json()["data"]
    listed = (await http.get(f"/v2/bookings/{uid}/attendees", headers=h)).json()["data"]
    assert [a["email"] for a in listed][-1] == "kim@example.org"
    one = (await http.get(f"/v2/bookings/{uid}/attendees/{new['id']}", headers=h)).json()["data"]
    assert one["timeZone"] == "Asia/Seoul"
    booking = (await http.get(f"/v2/bookings/{uid}", headers=h)).json()["data"]
    assert "kim@example.org" in [a["email"] for a in booking["attendees"]]
    removed = await http.delete(f"/v2/bookings/{uid}/attendees/{new['id']}", headers=h)
    assert removed.json()["data"] == {"id": new["id"], "bookingId": new["bookingId"], "name": "Kim",
                                      "email": "kim@example.org", "timeZone": "Asia/Seoul"}
    missing = await http.get(f"/v2/bookings/{uid}/attendees/{new['id']}", headers=h)
    assert missing.status_code == 404


async def test_the_last_attendee_cannot_be_removed(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h, uid = _h(mint(alice)), _uid(fake, alice)
    only = (await http.get(f"/v2/bookings/{uid}/attendees", headers=h)).json()["data"]
    assert len(only) == 1
    response = await http.delete(f"/v2/bookings/{uid}/attendees/{only[0]['id']}", headers=h)
    assert response.status_code == 400
    assert len((await http.get(f"/v2/bookings/{uid}/attendees", headers=h)).json()["data"]) == 1


async def test_someone_else_s_booking_has_no_attendees_to_show(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    uid = _uid(fake, alice)
    response = await http.get(f"/v2/bookings/{uid}/attendees", headers=_h(mint(bob)))
    assert response.status_code == 404
    assert envelope_error(response)["message"] == f"Booking with uid {uid} not found"


async def test_guests_are_added_once(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h, uid = _h(mint(alice)), _uid(fake, alice)
    body = {"guests": [{"email": "g@example.org"}]}
    first = await http.post(f"/v2/bookings/{uid}/guests", json=body, headers=h)
    assert first.status_code == 200
    assert first.json()["data"]["guests"] == ["g@example.org"]
    again = await http.post(f"/v2/bookings/{uid}/guests", json=body, headers=h)
    assert again.status_code == 400
    booking = (await http.get(f"/v2/bookings/{uid}", headers=h)).json()["data"]
    assert [a["email"] for a in booking["attendees"]].count("g@example.org") == 1


@pytest.mark.parametrize("body", [{"guests": []}, {"guests": [{"email": "nope"}]},
                                  {"guests": [{"email": f"g{i}@x.org"} for i in range(11)]}])
async def test_a_bad_guest_list_is_a_400(body: dict[str, object], fake: MockCalcom,
                                         http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.post(f"/v2/bookings/{_uid(fake, alice)}/guests", json=body,
                               headers=_h(mint(alice)))
    assert response.status_code == 400


async def test_a_new_location_is_what_the_booking_shows(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h, uid = _h(mint(alice)), _uid(fake, alice)
    response = await http.patch(f"/v2/bookings/{uid}/location", headers=h,
                                json={"location": {"type": "link", "link": "https://meet.example/x"}})
    assert response.json()["data"]["location"] == "https://meet.example/x"
    assert (await http.get(f"/v2/bookings/{uid}", headers=h)).json()["data"]["location"] == (
        "https://meet.example/x")
    refs = (await http.get(f"/v2/bookings/{uid}/references", headers=h)).json()["data"]
    assert [r["type"] for r in refs] == ["google_calendar"]
    bad = await http.patch(f"/v2/bookings/{uid}/location", headers=h,
                           json={"location": {"type": "integration", "integration": "carrier-pigeon"}})
    assert bad.status_code == 400


async def test_calendar_links_name_the_four_targets(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    links = (await http.get(f"/v2/bookings/{_uid(fake, alice)}/calendar-links",
                            headers=_h(mint(alice)))).json()["data"]
    assert [link["label"] for link in links] == [
        "googleCalendar", "microsoftOffice", "microsoftOutlook", "ics"]
    assert links[0]["link"].startswith("https://calendar.google.com/")


async def test_reassign_is_for_round_robin_and_for_the_event_type_owner(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    uid = _uid(fake, alice)
    other = await http.post(f"/v2/bookings/{uid}/reassign", headers=_h(mint(bob)))
    assert (other.status_code, envelope_error(other)["message"]) == (
        403, "You do not have permission to reassign this booking")
    own = await http.post(f"/v2/bookings/{uid}/reassign", headers=_h(mint(alice)))
    assert (own.status_code, envelope_error(own)["message"]) == (
        400, "Can't reassign the booking because no other host is available at that time.")
    to_bob = await http.post(f"/v2/bookings/{uid}/reassign/{bob.id}", json={}, headers=_h(mint(alice)))
    assert to_bob.status_code == 400
    assert envelope_error(to_bob)["message"].startswith(f"User with id={bob.id} is not a valid Round Robin")
    nobody = await http.post(f"/v2/bookings/{uid}/reassign/999", json={}, headers=_h(mint(alice)))
    assert envelope_error(nobody)["message"] == "User with id=999 was not found in the database"


async def test_sub_routes_need_the_2024_08_13_version(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get(f"/v2/bookings/{_uid(fake, alice)}/attendees",
                              headers={"Authorization": f"Bearer {mint(alice)}"})
    assert response.status_code == 404
    assert envelope_error(response)["message"].startswith("Cannot GET /v2/bookings/")
