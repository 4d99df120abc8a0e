"""Conferencing defaults, slot reservations, private links, verified resources and Stripe."""

from __future__ import annotations

import datetime as dt

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

SLOTS = {"cal-api-version": "2024-09-04"}


def _auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def _slot(fake: MockCalcom, days: int = 2, hour: int = 13) -> str:
    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _event_type(fake: MockCalcom, user: User, slug: str = "30min") -> int:
    found = fake.model.resources.event_types.by_slug(user.id, slug)
    assert found is not None
    return found.id


async def test_the_default_conferencing_app_is_what_was_set(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    assert (await http.get("/v2/conferencing/default", headers=h)).json() == {"status": "success"}
    zoom = await http.post("/v2/conferencing/zoom/default", headers=h)
    assert (zoom.status_code, envelope_error(zoom)["message"]) == (400, "zoom not connected.")
    assert (await http.post("/v2/conferencing/google-meet/default", headers=h)).status_code == 200
    chosen = (await http.get("/v2/conferencing/default", headers=h)).json()["data"]
    assert chosen == {"appSlug": "google-meet"}
    await http.delete("/v2/conferencing/google-meet/disconnect", headers=h)
    assert (await http.get("/v2/conferencing/default", headers=h)).json() == {"status": "success"}
    assert (await http.get("/v2/conferencing", headers=h)).json()["data"] == []
    unknown = await http.post("/v2/conferencing/skype/default", headers=h)
    assert envelope_error(unknown)["details"]["error"] == "google-meet, zoom, office365-video, cal-video"


async def test_only_google_meet_connects_without_oauth(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.post("/v2/conferencing/zoom/connect", headers=_auth(mint(alice)))
    assert (response.status_code, envelope_error(response)["message"]) == (
        400, "Invalid conferencing app. Available apps: GOOGLE_MEET.")


async def test_the_oauth_callback_sends_the_browser_to_its_error_page(http: httpx.AsyncClient) -> None:
    response = await http.get('/v2/conferencing/zoom/oauth/callback?code=c&state={"onErrorReturnTo":'
                              '"https://app.example/failed"}')
    assert response.status_code == 301
    assert response.headers["location"] == "https://app.example/failed"
    garbage = await http.get("/v2/conferencing/zoom/oauth/callback?state=nope")
    assert garbage.status_code == 400


async def test_a_reservation_holds_its_slot_until_it_lapses_or_is_released(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User) -> None:
    body = {"eventTypeId": _event_type(fake, alice), "slotStart": _slot(fake)}
    first = await http.post("/v2/slots/reservations", json=body, headers=SLOTS)
    assert first.status_code == 201
    uid = first.json()["data"]["reservationUid"]
    again = await http.post("/v2/slots/reservations", json=body, headers=SLOTS)
    assert again.status_code == 422
    assert again.json()["error"]["message"] == (
        "This time slot is already reserved by another user. Please choose a different time.")
    assert (await http.get(f"/v2/slots/reservations/{uid}", headers=SLOTS)).json()["data"]["slotStart"] == (
        body["slotStart"])
    fake.advance(301)
    assert (await http.get(f"/v2/slots/reservations/{uid}", headers=SLOTS)).json() == {
        "status": "success", "data": None}
    second = await http.post("/v2/slots/reservations", json=body, headers=SLOTS)
    assert second.status_code == 201
    released = await http.delete(f"/v2/slots/reservations/{second.json()['data']['reservationUid']}",
                                 headers=SLOTS)
    assert released.status_code == 200
    assert (await http.post("/v2/slots/reservations", json=body, headers=SLOTS)).status_code == 201


async def test_a_custom_reservation_length_needs_authentication(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    body = {"eventTypeId": _event_type(fake, alice), "slotStart": _slot(fake), "reservationDuration": 10}
    anonymous = await http.post("/v2/slots/reservations", json=body, headers=SLOTS)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"] == (
        "reservationDuration can only be used for authenticated requests - use access token, api key or "
        "OAuth credentials")
    signed = await http.post("/v2/slots/reservations", json=body, headers=_auth(mint(alice), **SLOTS))
    assert signed.json()["data"]["reservationDuration"] == 10


async def test_a_reservation_of_a_booked_slot_or_a_missing_event_type_is_refused(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User) -> None:
    missing = await http.post("/v2/slots/reservations", headers=SLOTS,
                              json={"eventTypeId": 424242, "slotStart": _slot(fake)})
    assert missing.status_code == 404
    bad = await http.post("/v2/slots/reservations", headers=SLOTS, json={"eventTypeId": "x"})
    assert bad.status_code == 400
    without_version = await http.post("/v2/slots/reservations", json={})
    assert without_version.status_code == 404


async def test_private_links_count_and_expire(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    event_type = _event_type(fake, alice)
    h = _auth(mint(alice))
    created = (await http.post(f"/v2/event-types/{event_type}/private-links", json={"maxUsageCount": 2},
                               headers=h)).json()["data"]
    assert (created["maxUsageCount"], created["usageCount"]) == (2, 0)
    assert created["bookingUrl"].endswith(f"/{created['linkId']}/30min")
    moved = await http.patch(f"/v2/event-types/{event_type}/private-links/{created['linkId']}",
                             json={"expiresAt": "2020-01-01T00:00:00.000Z"}, headers=h)
    assert moved.json()["data"]["isExpired"] is True
    other = await http.get(f"/v2/event-types/{event_type}/private-links", headers=_auth(mint(bob)))
    assert other.status_code == 403
    await http.delete(f"/v2/event-types/{event_type}/private-links/{created['linkId']}", headers=h)
    assert (await http.get(f"/v2/event-types/{event_type}/private-links", headers=h)).json()["data"] == []


async def test_an_email_is_verified_only_with_its_code(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    await http.post("/v2/verified-resources/emails/verification-code/request", json={"email": "a@x.org"},
                    headers=h)
    wrong = await http.post("/v2/verified-resources/emails/verification-code/verify",
                            json={"email": "a@x.org", "code": "WRONG1"}, headers=h)
    assert wrong.status_code == 400
    code = fake.model.resources.verified.pending_code(alice.id, "email", "a@x.org")
    assert code is not None
    proven = await http.post("/v2/verified-resources/emails/verification-code/verify",
                             json={"email": "a@x.org", "code": code}, headers=h)
    assert proven.json()["data"]["email"] == "a@x.org"
    listed = (await http.get("/v2/verified-resources/emails", headers=h)).json()["data"]
    assert [e["email"] for e in listed] == ["a@x.org"]
    none = await http.get("/v2/verified-resources/emails/1", headers=h)
    assert none.status_code == 404


async def test_stripe_is_never_connected(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/stripe/check", headers=_auth(mint(alice)))
    assert (response.status_code, envelope_error(response)["message"]) == (
        404, "Credentials for stripe not found.")


async def test_a_reserved_slot_leaves_the_slot_list_until_released(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User) -> None:
    event_type = _event_type(fake, alice)
    start = _slot(fake, days=3, hour=10)
    listing = f"/v2/slots?eventTypeId={event_type}&start={start[:10]}&end={start[:10]}"

    async def offered() -> list[str]:
        days = (await http.get(listing, headers=SLOTS)).json()["data"]
        return [slot["start"] for slots in days.values() for slot in slots]

    assert start in await offered()
    held = await http.post("/v2/slots/reservations", json={"eventTypeId": event_type, "slotStart": start},
                           headers=SLOTS)
    assert start not in await offered()
    await http.delete(f"/v2/slots/reservations/{held.json()['data']['reservationUid']}", headers=SLOTS)
    assert start in await offered()
