"""``EventTypesController_2024_04_15``: no ``cal-api-version`` (or 2024-06-11) gets the legacy
bodies over the same event types as the 2024-06-14 controller (FACTS §11.1). Shapes are checked
against the source DTOs (the legacy controller is left out of the published document)."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

CURRENT = {"cal-api-version": "2024-06-14"}

#: EventTypeOutput, apps/api/v2/src/ee/event-types/event-types_2024_04_15/outputs/event-type.output.ts
#: @0bad86ce.
EVENT_TYPE_FIELDS = {
    "id", "length", "slug", "title", "description", "hidden", "locations", "position", "offsetStart",
    "userId", "profileId", "teamId", "eventName", "parentId", "bookingFields", "timeZone", "periodType",
    "periodStartDate", "periodEndDate", "periodDays", "periodCountCalendarDays",
    "lockTimeZoneToggleOnBookingPage", "requiresConfirmation", "requiresBookerEmailVerification",
    "recurringEvent", "disableGuests", "hideCalendarNotes", "minimumBookingNotice", "beforeEventBuffer",
    "afterEventBuffer", "seatsPerTimeSlot", "onlyShowFirstAvailableSlot", "seatsShowAttendees",
    "seatsShowAvailabilityCount", "schedulingType", "scheduleId", "price", "currency", "slotInterval",
    "metadata", "successRedirectUrl", "bookingLimits", "durationLimits", "isInstantEvent",
    "assignAllTeamMembers", "useEventTypeDestinationCalendarEmail", "secondaryEmailId"}


def _auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.mark.parametrize("version", [None, "2024-06-11", "2024-04-15"])
async def test_the_legacy_list_is_event_type_groups_and_profiles(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory, version: str | None) -> None:
    headers = _auth(mint(alice)) if version is None else _auth(mint(alice), **{"cal-api-version": version})
    response = await http.get("/v2/event-types", headers=headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"eventTypeGroups", "profiles"}
    group = data["eventTypeGroups"][0]
    assert set(group) == {"teamId", "bookerUrl", "membershipRole", "profile", "metadata", "eventTypes"}
    assert group["profile"]["slug"] == alice.username
    assert [e["slug"] for e in group["eventTypes"]] == ["15min", "30min", "secret"]  # hidden ones too
    assert all(set(e) == EVENT_TYPE_FIELDS for e in group["eventTypes"])
    assert group["eventTypes"][0]["locations"] == [{"type": "integrations:daily"}]
    assert data["profiles"][0]["slug"] == alice.username


async def test_a_legacy_created_event_type_is_the_same_one_at_2024_06_14(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice)
    created = await http.post("/v2/event-types", headers=_auth(token), json={
        "title": "Intro", "slug": "intro", "length": 20, "lengthInMinutes": 99,
        "locations": [{"type": "inPerson", "address": "1 Main St", "displayLocationPublicly": True}]})
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert set(data) == EVENT_TYPE_FIELDS
    assert (data["length"], data["userId"]) == (20, alice.id)  # lengthInMinutes is not a legacy field
    assert data["locations"] == [
        {"type": "inPerson", "address": "1 Main St", "displayLocationPublicly": True}]
    current = await http.get(f"/v2/event-types/{data['id']}", headers=_auth(token, **CURRENT))
    assert current.status_code == 200
    seen = current.json()["data"]
    assert (seen["lengthInMinutes"], seen["slug"]) == (20, "intro")
    assert seen["locations"] == [{"type": "address", "address": "1 Main St", "public": True}]


async def test_get_update_and_delete_through_the_legacy_version(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    token = mint(alice)
    event_type = fake.model.resources.event_types.by_slug(alice.id, "15min")
    assert event_type is not None
    got = await http.get(f"/v2/event-types/{event_type.id}", headers=_auth(token))
    assert set(got.json()["data"]) == {"eventType"}
    assert set(got.json()["data"]["eventType"]) == EVENT_TYPE_FIELDS
    patched = await http.patch(f"/v2/event-types/{event_type.id}", headers=_auth(token),
                               json={"title": "Quick chat", "length": 25})
    assert patched.status_code == 200
    assert (patched.json()["data"]["title"], patched.json()["data"]["length"]) == ("Quick chat", 25)
    assert (event_type.title, event_type.length) == ("Quick chat", 25)
    deleted = await http.delete(f"/v2/event-types/{event_type.id}", headers=_auth(token))
    assert deleted.json()["data"] == {"id": event_type.id, "length": 25, "slug": "15min",
                                      "title": "Quick chat"}
    assert fake.model.resources.event_types.get(event_type.id) is None


async def test_another_users_event_type_is_404_on_update_and_403_on_delete(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    theirs = fake.model.resources.event_types.by_slug(bob.id, "15min")
    assert theirs is not None
    token = mint(alice)
    patched = await http.patch(f"/v2/event-types/{theirs.id}", headers=_auth(token), json={"title": "x"})
    assert patched.status_code == 404
    assert envelope_error(patched)["message"] == f"Event type with id {theirs.id} not found"
    deleted = await http.delete(f"/v2/event-types/{theirs.id}", headers=_auth(token))
    assert deleted.status_code == 403
    assert theirs.title == "15 min meeting"
    assert fake.model.resources.event_types.get(theirs.id) is not None


@pytest.mark.parametrize(("body", "property_"), [
    ({"title": "A", "slug": "a"}, "length"),
    ({"title": "A", "slug": "a", "length": 0}, "length"),
    ({"title": "A", "length": 10}, "slug"),
    ({"title": "A", "slug": "a", "length": 10, "locations": [{"link": "x"}]}, "locations"),
])
async def test_a_bad_legacy_create_is_a_400_and_creates_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory,
        body: dict[str, object], property_: str) -> None:
    before = len(fake.model.resources.event_types.of_user(alice.id))
    response = await http.post("/v2/event-types", headers=_auth(mint(alice)), json=body)
    assert response.status_code == 400
    assert [e["property"] for e in envelope_error(response)["details"]["errors"]] == [property_]
    assert len(fake.model.resources.event_types.of_user(alice.id)) == before


async def test_a_non_numeric_legacy_id_is_parse_int_pipes_400(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/event-types/abc", headers=_auth(mint(alice)))
    assert response.status_code == 400
    assert envelope_error(response)["message"] == "Validation failed (numeric string is expected)"


#: PublicEventTypeOutput, outputs/get-event-type-public.output.ts @0aa28831.
PUBLIC_EVENT_TYPE_FIELDS = {
    "id", "title", "description", "eventName", "slug", "isInstantEvent", "aiPhoneCallConfig",
    "schedulingType", "length", "locations", "customInputs", "disableGuests", "metadata",
    "lockTimeZoneToggleOnBookingPage",
    "requiresConfirmation", "requiresBookerEmailVerification", "recurringEvent", "price", "currency",
    "seatsPerTimeSlot", "seatsShowAvailabilityCount", "bookingFields", "team", "successRedirectUrl",
    "workflows", "hosts", "owner", "schedule", "hidden", "assignAllTeamMembers", "bookerLayouts", "users",
    "entity", "isDynamic"}


async def test_public_event_types_need_no_credentials_and_hide_hidden_ones(
        http: httpx.AsyncClient, alice: User) -> None:
    response = await http.get(f"/v2/event-types/{alice.username}/public")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [e["slug"] for e in data] == ["15min", "30min"]
    assert all(set(e) == {"id", "length", "slug", "title", "description"} for e in data)
    missing = await http.get("/v2/event-types/nobody/public")
    assert missing.status_code == 404
    assert envelope_error(missing)["message"] == 'User with username "nobody" not found'


async def test_one_public_event_type_has_the_dto_fields(http: httpx.AsyncClient, alice: User) -> None:
    response = await http.get(f"/v2/event-types/{alice.username}/30min/public")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == PUBLIC_EVENT_TYPE_FIELDS
    assert (data["slug"], data["length"], data["owner"]["username"]) == ("30min", 30, alice.username)
    assert data["schedule"]["id"] == alice.default_schedule_id
    assert (await http.get(f"/v2/event-types/{alice.username}/nope/public")).status_code == 404
    # The current controller has no such route.
    current = await http.get(f"/v2/event-types/{alice.username}/public", headers=CURRENT)
    assert current.status_code == 404
