"""``/v2/event-types``: the owner's CRUD, the public list, validation and Cal.com's messages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error, headers_for

PATH = "/v2/event-types"


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http, self.token = http, token

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, path, json=body, headers=headers_for(path, self.token))


@pytest.fixture
def api(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> Api:
    return Api(http, mint(alice, ["EVENT_TYPE_READ", "EVENT_TYPE_WRITE"]))


async def test_the_owner_lists_all_of_their_event_types_hidden_included(api: Api) -> None:
    data = (await api.send("GET", PATH)).json()["data"]
    assert [e["slug"] for e in data] == ["15min", "30min", "secret"]
    assert data[0]["bookingUrl"] == "https://cal.com/alice/15min"
    assert data[0]["users"][0]["username"] == "alice"


async def test_the_public_list_by_username_hides_hidden_event_types(
        http: httpx.AsyncClient, alice: User) -> None:
    data = (await Api(http, None).send("GET", f"{PATH}?username=alice")).json()["data"]
    assert [e["slug"] for e in data] == ["15min", "30min"]
    one = (await Api(http, None).send("GET", f"{PATH}?username=alice&eventSlug=30min")).json()["data"]
    assert [e["slug"] for e in one] == ["30min"]
    assert (await Api(http, None).send("GET", PATH)).json()["data"] == []


async def test_the_list_drops_hidden_booking_fields_but_the_single_read_keeps_them(api: Api) -> None:
    listed = (await api.send("GET", PATH)).json()["data"][0]
    single = (await api.send("GET", f"{PATH}/{listed['id']}")).json()["data"]
    assert "title" not in {f["slug"] for f in listed["bookingFields"]}
    assert "title" in {f["slug"] for f in single["bookingFields"]}


async def test_create_update_delete_round_trip(api: Api, fake: MockCalcom, alice: User) -> None:
    created = await api.send("POST", PATH, {"title": "Deep dive", "slug": "deep-dive", "lengthInMinutes": 90,
                                            "description": "Long one", "hidden": False, "surplus": 1})
    assert created.status_code == 201, created.text
    event_type = created.json()["data"]
    assert (event_type["ownerId"], event_type["lengthInMinutes"], event_type["scheduleId"]) == (
        alice.id, 90, None)
    assert event_type["locations"] == [{"type": "integration", "integration": "cal-video"}]
    patched = await api.send("PATCH", f"{PATH}/{event_type['id']}",
                             {"title": "Deeper", "lengthInMinutes": 60})
    assert patched.status_code == 200
    assert (patched.json()["data"]["title"], patched.json()["data"]["lengthInMinutes"]) == ("Deeper", 60)
    deleted = await api.send("DELETE", f"{PATH}/{event_type['id']}")
    assert deleted.json() == {"status": "success", "data": {
        "id": event_type["id"], "lengthInMinutes": 60, "title": "Deeper", "slug": "deep-dive"}}
    assert fake.model.resources.event_types.get(event_type["id"]) is None
    gone = await api.send("DELETE", f"{PATH}/{event_type['id']}")
    assert gone.status_code == 404
    assert envelope_error(gone)["message"] == f"Event type with ID={event_type['id']} does not exist."


async def test_a_slug_is_unique_per_user(api: Api) -> None:
    response = await api.send("POST", PATH, {"title": "Again", "slug": "30min", "lengthInMinutes": 30})
    assert response.status_code == 400
    assert envelope_error(response)["message"] == "User already has an event type with this slug."


async def test_an_event_type_may_only_point_at_its_owners_schedule(api: Api, alice: User, bob: User) -> None:
    response = await api.send("POST", PATH, {"title": "X", "slug": "x", "lengthInMinutes": 30,
                                             "scheduleId": bob.default_schedule_id})
    assert response.status_code == 404
    assert envelope_error(response)["message"] == (
        f"User with ID={alice.id} does not own schedule with ID={bob.default_schedule_id}")
    ok = await api.send("POST", PATH, {"title": "X", "slug": "x", "lengthInMinutes": 30,
                                       "scheduleId": alice.default_schedule_id})
    assert ok.json()["data"]["scheduleId"] == alice.default_schedule_id


@pytest.mark.parametrize(("body", "props"), [
    ({}, ["lengthInMinutes", "title", "slug"]),
    ({"title": "T", "slug": "s", "lengthInMinutes": 0}, ["lengthInMinutes"]),
    ({"title": "T", "slug": "s", "lengthInMinutes": 30, "locations": [{"type": "teleport"}]}, ["locations"]),
    ({"title": 3, "slug": "s", "lengthInMinutes": "30"}, ["lengthInMinutes", "title"]),
])
async def test_invalid_event_type_bodies_are_400(api: Api, body: dict[str, Any], props: list[str]) -> None:
    response = await api.send("POST", PATH, body)
    assert response.status_code == 400
    assert [e["property"] for e in envelope_error(response)["details"]["errors"]] == props


async def test_a_non_numeric_id_is_a_400_on_update(api: Api) -> None:
    response = await api.send("PATCH", f"{PATH}/abc", {"title": "x"})
    assert response.status_code == 400
    assert envelope_error(response)["message"] == "Validation failed (numeric string is expected)"


async def test_length_options_must_include_the_length(api: Api) -> None:
    response = await api.send("POST", PATH, {"title": "T", "slug": "t", "lengthInMinutes": 30,
                                             "lengthInMinutesOptions": [15, 45]})
    assert response.status_code == 400
    ok = await api.send("POST", PATH, {"title": "T", "slug": "t", "lengthInMinutes": 30,
                                       "lengthInMinutesOptions": [15, 30]})
    assert ok.json()["data"]["lengthInMinutesOptions"] == [15, 30]
