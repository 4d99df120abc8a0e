"""Whatever a client sends to a 2024-04-15 legacy handler (no ``cal-api-version``), the answer is
a 2xx or a 4xx in Cal.com's envelope, never a 500, and a refused request changes nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.tokens import Grant
from tests.api.snapshots import resource_state, send

_FAKE = MockCalcom(Settings(seed=98, rate_limit_enabled=False))
_USER = _FAKE.model.create_user("fuzz")
# A legacy (scope-less) token: the one kind of OAuth token the legacy handlers serve by default.
_TOKEN = _FAKE.model.tokens.mint_pair(Grant("c", _USER.id, None, ())).access_token
_EVENT_TYPE = _FAKE.model.resources.event_types.of_user(_USER.id)[0].id
_UID = next(iter(_FAKE.model.resources.bookings._by_uid))
# A team the (scope-less) fuzz token's user owns, so its memberships' query is validated.
_TEAM = _FAKE.model.resources.teams.create("Fuzz Team")
_FAKE.model.resources.teams.add_member(_TEAM, _USER.id, "OWNER")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.sampled_from(["2030-01-07T13:00:00Z", "1970-01-01T09:00:00.000Z", "Europe/Paris",
                                     "a@b.co", "integrations:daily", "link", "upcoming"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
KEYS = ["start", "end", "eventTypeId", "timeZone", "language", "metadata", "responses", "rescheduleUid",
        "rescheduledBy", "user", "name", "email", "location", "guests", "length", "slug", "title",
        "locations", "bookingFields", "seatsPerTimeSlot", "availabilities", "days", "startTime", "endTime",
        "isDefault", "schedule", "dateOverrides", "cancellationReason", "allRemainingBookings", "attendees",
        "noShowHost", "slotUtcStartDate", "slotUtcEndDate", "reservedSlotUid", "hashedLink",
        "recurringEventId", "slotStart", "slotDuration", "reservationDuration"]
objects = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
# POST /v2/bookings/recurring takes an array of booking requests.
bodies = st.one_of(values, objects, st.lists(objects, max_size=3))
QUERY_KEYS = ["filters[status]", "filters[eventTypeIds][]", "filters[teamsIds]", "filters", "limit",
              "cursor", "startTime", "endTime", "eventTypeId", "eventTypeSlug", "usernameList[]", "duration",
              "timeZone", "slotFormat", "uid", "filters[status][x]", "take", "skip"]
queries = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), st.text(max_size=12)), max_size=5)

WRITES = [("POST", "/v2/bookings"), ("POST", f"/v2/bookings/{_UID}/cancel"),
          ("POST", f"/v2/bookings/{_UID}/mark-no-show"), ("POST", "/v2/event-types"),
          ("PATCH", f"/v2/event-types/{_EVENT_TYPE}"), ("POST", "/v2/schedules"),
          ("PATCH", f"/v2/schedules/{_USER.default_schedule_id}"), ("POST", "/v2/slots/reserve"),
          ("POST", "/v2/bookings/recurring")]


def _send(method: str, path: str, **options: Any) -> httpx.Response:
    return send(_FAKE, method, path, {"Authorization": f"Bearer {_TOKEN}"}, **options)


def _state() -> Any:
    return resource_state(_FAKE, _USER)


@settings(max_examples=60, deadline=None)
@given(target=st.sampled_from(WRITES), body=bodies)
def test_any_json_body_gets_a_non_5xx_answer_and_a_refusal_writes_nothing(
        target: tuple[str, str], body: Any) -> None:
    method, path = target
    before = _state()
    response = _send(method, path, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["status"] == "error"
        assert _state() == before


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from(["/v2/bookings", "/v2/slots/available", "/v2/slots/selected-slot",
                             "/v2/timezones", f"/v2/teams/{_TEAM.id}/memberships"]),
       query=queries)
def test_any_query_gets_a_non_5xx_answer(path: str, query: list[tuple[str, str]]) -> None:
    method = "DELETE" if path.endswith("selected-slot") else "GET"
    response = _send(method, path, params=query)
    assert response.status_code < 500, response.text
    assert response.json()["status"] in ("success", "error")


@settings(max_examples=30, deadline=None)
@given(segment=st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_any_path_id_gets_a_non_5xx_answer(segment: str) -> None:
    segment = quote(segment, safe="")
    for path in (f"/v2/bookings/{segment}", f"/v2/bookings/{segment}/reschedule",
                 f"/v2/event-types/{segment}", f"/v2/schedules/{segment}",
                 f"/v2/event-types/{segment}/public", f"/v2/event-types/{segment}/{segment}/public"):
        response = _send("GET", path)
        assert response.status_code < 500, response.text


@settings(max_examples=40, deadline=None)
@given(method=st.sampled_from(["POST", "PATCH"]), body=bodies)
def test_any_reservation_body_gets_a_non_5xx_answer_and_a_refusal_writes_nothing(
        method: str, body: Any) -> None:
    """The 2024-09-04 reservation routes (a scope-less token reaches them)."""
    path = "/v2/slots/reservations" + ("" if method == "POST" else "/unknown")
    before = _state()
    response = send(_FAKE, method, path, {"Authorization": f"Bearer {_TOKEN}",
                                          "cal-api-version": "2024-09-04"}, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert _state() == before
