"""A booking made through an event type's private link uses the link up (BookingEventHandlerService
``updatePrivateLinkUsage`` -> HashedLinkService.validateAndIncrementUsage, calcom/cal.com): the
legacy booking request names it in ``hashedLink``; the 2024-08-13 create has no such field
(input.service.ts sends ``hasHashedBookingLink: false``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory


def _start(fake: MockCalcom, days: int) -> str:
    day = dt.datetime.fromtimestamp(fake.model.clock.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T13:00:00.000Z"


def _booking(fake: MockCalcom, event_type_id: int, days: int, link: str) -> dict[str, Any]:
    return {"start": _start(fake, days), "eventTypeId": event_type_id, "timeZone": "Europe/Rome",
            "language": "en", "metadata": {}, "hasHashedBookingLink": True, "hashedLink": link,
            "responses": {"name": "Link User", "email": "link@example.com"}}


async def test_each_booking_through_a_limited_link_counts_until_it_expires(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    headers = {"Authorization": f"Bearer {mint(alice, ['EVENT_TYPE_READ', 'EVENT_TYPE_WRITE'])}"}
    links = f"/v2/event-types/{event_type.id}/private-links"
    link = (await http.post(links, json={"maxUsageCount": 2}, headers=headers)).json()["data"]["linkId"]

    async def listed() -> dict[str, Any]:
        found: dict[str, Any] = (await http.get(links, headers=headers)).json()["data"][0]
        return found

    for days, (count, expired) in zip((2, 3, 4), ((1, False), (2, True), (2, True)), strict=True):
        response = await http.post("/v2/bookings", json=_booking(fake, event_type.id, days, link))
        # An expired link does not refuse the booking: the hook only logs "Link has expired".
        assert response.status_code == 201, response.text
        shown = await listed()
        assert (shown["usageCount"], shown["isExpired"]) == (count, expired)


async def test_a_link_that_expires_at_a_time_or_an_unknown_link_counts_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    with fake.model.lock:
        dated = fake.model.resources.private_links.create(event_type.id, fake.model.clock.now() + 86400, None)
    for days, link in ((2, dated.link_id), (3, "not-a-link")):
        response = await http.post("/v2/bookings", json=_booking(fake, event_type.id, days, link))
        assert response.status_code == 201, response.text
    assert dated.usage_count == 0
