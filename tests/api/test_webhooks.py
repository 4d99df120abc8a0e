"""User and event-type webhooks: state, ownership guards, validation, conflicts."""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

HOOK = {"subscriberUrl": "https://hooks.example/a", "triggers": ["BOOKING_CREATED"], "active": True}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_created_webhook_is_listed_read_updated_and_deleted(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    created = await http.post("/v2/webhooks", json=HOOK, headers=h)
    assert created.status_code == 201
    hook = created.json()["data"]
    assert hook["userId"] == alice.id
    assert hook["payloadTemplate"] is None
    assert hook["secret"] is None
    listed = (await http.get("/v2/webhooks", headers=h)).json()["data"]
    assert [w["id"] for w in listed] == [hook["id"]]
    one = (await http.get(f"/v2/webhooks/{hook['id']}", headers=h)).json()["data"]
    assert one["subscriberUrl"] == HOOK["subscriberUrl"]
    assert one["eventTypeId"] is None
    patched = await http.patch(f"/v2/webhooks/{hook['id']}", json={"active": False}, headers=h)
    assert patched.json()["data"]["active"] is False
    deleted = await http.delete(f"/v2/webhooks/{hook['id']}", headers=h)
    assert deleted.status_code == 200
    assert (await http.get("/v2/webhooks", headers=h)).json()["data"] == []
    gone = await http.get(f"/v2/webhooks/{hook['id']}", headers=h)
    assert gone.status_code == 404
    assert envelope_error(gone)["message"] == f"Webhook ({hook['id']}) not found"


async def test_the_same_subscriber_url_twice_is_a_409(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    await http.post("/v2/webhooks", json=HOOK, headers=h)
    again = await http.post("/v2/webhooks", json=HOOK, headers=h)
    assert again.status_code == 409
    assert envelope_error(again)["message"] == "Webhook with this subscriber url already exists for this user"
    assert len((await http.get("/v2/webhooks", headers=h)).json()["data"]) == 1


async def test_another_user_s_webhook_is_forbidden_resource_and_left_alone(
        http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    hook = (await http.post("/v2/webhooks", json=HOOK, headers=_auth(mint(alice)))).json()["data"]
    for method in ("GET", "PATCH", "DELETE"):
        response = await http.request(method, f"/v2/webhooks/{hook['id']}", headers=_auth(mint(bob)),
                                      json={"active": False} if method == "PATCH" else None)
        assert response.status_code == 403
        assert envelope_error(response)["message"] == "Forbidden resource"
    mine = (await http.get(f"/v2/webhooks/{hook['id']}", headers=_auth(mint(alice)))).json()["data"]
    assert mine["active"] is True


@pytest.mark.parametrize(("body", "prop"), [
    ({**HOOK, "triggers": ["NOPE"]}, "triggers"),
    ({**HOOK, "active": "yes"}, "active"),
    ({"triggers": ["BOOKING_CREATED"], "active": True}, "subscriberUrl"),
    ({**HOOK, "version": "2020-01-01"}, "version"),
])
async def test_a_bad_webhook_body_is_a_400_and_creates_nothing(
        body: dict[str, object], prop: str, http: httpx.AsyncClient, alice: User,
        mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    response = await http.post("/v2/webhooks", json=body, headers=h)
    assert response.status_code == 400
    assert [e["property"] for e in envelope_error(response)["details"]["errors"]] == [prop]
    assert (await http.get("/v2/webhooks", headers=h)).json()["data"] == []


async def test_event_type_webhooks_belong_to_their_event_type(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, bob: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    mine = fake.model.resources.event_types.by_slug(alice.id, "30min")
    other = fake.model.resources.event_types.by_slug(alice.id, "15min")
    assert mine is not None
    assert other is not None
    created = await http.post(f"/v2/event-types/{mine.id}/webhooks", json=HOOK, headers=h)
    assert created.status_code == 201
    hook = created.json()["data"]
    assert hook["eventTypeId"] == mine.id
    wrong = await http.get(f"/v2/event-types/{other.id}/webhooks/{hook['id']}", headers=h)
    assert wrong.status_code == 403
    assert envelope_error(wrong)["message"] == (
        f"IsUserEventTypeWebhookGuard - Webhook ({hook['id']}) is not associated with event type "
        f"({other.id})")
    bobs = await http.get(f"/v2/event-types/{mine.id}/webhooks", headers=_auth(mint(bob)))
    assert bobs.status_code == 403
    assert envelope_error(bobs)["message"] == (
        f"IsUserEventTypeWebhookGuard - User ({bob.id}) is not the owner of event type ({mine.id})")
    missing = await http.get("/v2/event-types/999999/webhooks", headers=h)
    assert missing.status_code == 404
    removed = await http.delete(f"/v2/event-types/{mine.id}/webhooks", headers=h)
    assert removed.json()["data"] == "1 webhooks deleted"
    assert (await http.get(f"/v2/event-types/{mine.id}/webhooks", headers=h)).json()["data"] == []


async def test_a_user_webhook_is_not_an_event_type_webhook(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice))
    hook = (await http.post("/v2/webhooks", json=HOOK, headers=h)).json()["data"]
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    response = await http.get(f"/v2/event-types/{event_type.id}/webhooks/{hook['id']}", headers=h)
    assert response.status_code == 400
    assert envelope_error(response)["message"] == (
        f"IsUserEventTypeWebhookGuard - Webhook ({hook['id']}) is not associated with an event type")


async def test_delegation_trigger_is_for_organizations_only(
        fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    event_type = fake.model.resources.event_types.by_slug(alice.id, "30min")
    assert event_type is not None
    response = await http.post(f"/v2/event-types/{event_type.id}/webhooks", headers=_auth(mint(alice)),
                               json={**HOOK, "triggers": ["DELEGATION_CREDENTIAL_ERROR"]})
    assert response.status_code == 400
    assert envelope_error(response)["message"] == (
        "DELEGATION_CREDENTIAL_ERROR trigger is only available for organization webhooks")
