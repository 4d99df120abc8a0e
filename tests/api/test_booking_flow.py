"""An integration's day: authorize, exchange the code, then list, create, reschedule and cancel
a booking through API v2 with the token, every answer checked against Cal.com's document."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.openapi_schema import OpenApiDocument

REDIRECT = "https://integration.example/callback"
VERSION = {"cal-api-version": "2024-08-13"}


async def _token(fake: MockCalcom, http: httpx.AsyncClient, user: User) -> str:
    client, secret = fake.model.clients.create(name="Integration", redirect_uris=[REDIRECT],
                                               scopes=["BOOKING_READ", "BOOKING_WRITE"])
    fake.model.consent.user_id = user.id
    authorize = await http.get("https://app.cal.com/auth/oauth2/authorize", params={
        "client_id": client.client_id, "redirect_uri": REDIRECT, "state": "xyz",
        "scope": "BOOKING_READ BOOKING_WRITE"})
    assert authorize.status_code in (302, 303), authorize.text
    code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
    token = await http.post("/v2/auth/oauth2/token", data={
        "client_id": client.client_id, "client_secret": secret, "grant_type": "authorization_code",
        "code": code, "redirect_uri": REDIRECT})
    assert token.status_code == 200, token.text
    access: str = token.json()["access_token"]
    return access


def _check(spec: OpenApiDocument | None, method: str, path: str, response: httpx.Response,
           status: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    if spec is not None:
        assert spec.errors(method, path, status, body) == []
    return body["data"]


async def test_list_create_reschedule_and_cancel_with_an_oauth_token(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, spec: OpenApiDocument | None) -> None:
    headers = {"Authorization": f"Bearer {await _token(fake, http, alice)}", **VERSION}

    before = _check(spec, "GET", "/v2/bookings",
                    await http.get("/v2/bookings?status=upcoming", headers=headers), 200)

    created = _check(spec, "POST", "/v2/bookings", await http.post("/v2/bookings", headers=headers, json={
        "start": "2026-01-07T14:00:00Z", "eventTypeSlug": "30min", "username": "alice",
        "attendee": {"name": "Jo Client", "email": "jo@client.example", "timeZone": "America/Chicago"},
    }), 201)
    uid = created["uid"]
    fake.model.clock.advance(60)

    listed = _check(spec, "GET", "/v2/bookings",
                    await http.get("/v2/bookings?status=upcoming", headers=headers), 200)
    assert {b["uid"] for b in listed} == {b["uid"] for b in before} | {uid}

    moved = _check(spec, "POST", "/v2/bookings/{bookingUid}/reschedule",
                   await http.post(f"/v2/bookings/{uid}/reschedule", headers=headers,
                                   json={"start": "2026-01-08T09:30:00Z", "reschedulingReason": "Flight"}),
                   201)
    assert moved["rescheduledFromUid"] == uid
    assert moved["attendees"][0]["email"] == "jo@client.example"

    # By uid the booking is public, but closed to a scoped token (FACTS §11.9): read it as
    # anyone holding the uid does, without the token.
    closed = await http.get(f"/v2/bookings/{uid}", headers=headers)
    assert closed.status_code == 403
    old = _check(spec, "GET", "/v2/bookings/{bookingUid}",
                 await http.get(f"/v2/bookings/{uid}", headers=VERSION), 200)
    assert (old["status"], old["rescheduledToUid"]) == ("cancelled", moved["uid"])
    fake.model.clock.advance(60)

    cancelled = _check(spec, "POST", "/v2/bookings/{bookingUid}/cancel",
                       await http.post(f"/v2/bookings/{moved['uid']}/cancel", headers=headers,
                                       json={"cancellationReason": "Plans changed"}), 200)
    assert (cancelled["status"], cancelled["cancellationReason"]) == ("cancelled", "Plans changed")

    after = _check(spec, "GET", "/v2/bookings",
                   await http.get("/v2/bookings?status=cancelled&sortUpdatedAt=desc", headers=headers), 200)
    assert [b["uid"] for b in after[:2]] == [moved["uid"], uid]
