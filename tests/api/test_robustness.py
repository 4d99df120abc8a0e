"""Whatever a client sends, API v2 answers with a 2xx or a 4xx in Cal.com's envelope, never a
500, and a refused request changes nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.model.tokens import Grant
from tests.api.conftest import headers_for
from tests.api.snapshots import resource_state, send

_FAKE = MockCalcom(Settings(seed=99, rate_limit_enabled=False))
_USER = _FAKE.model.create_user("fuzz")
_TEAM_SCOPES = ("TEAM_PROFILE_READ", "TEAM_MEMBERSHIP_READ", "TEAM_MEMBERSHIP_WRITE")
_TOKEN = _FAKE.model.tokens.mint_pair(Grant("c", _USER.id, None, USER_SCOPES + _TEAM_SCOPES)).access_token
_EVENT_TYPE = _FAKE.model.resources.event_types.of_user(_USER.id)[0].id
_UID = next(iter(_FAKE.model.resources.bookings._by_uid))
# A team the fuzz user owns, with a second member whose membership the writes may change.
_TEAM = _FAKE.model.resources.teams.create("Fuzz Team")
_FAKE.model.resources.teams.add_member(_TEAM, _USER.id, "OWNER")
_MEMBER = _FAKE.model.resources.teams.add_member(_TEAM, _FAKE.model.create_user("fuzz-member").id).id
_M = f"/v2/teams/{_TEAM.id}/memberships"

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.sampled_from(["2026-01-06T13:00:00Z", "Europe/Paris", "fuzz", "a@b.co", "Monday",
                                     "09:00"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
KEYS = ["start", "attendee", "eventTypeId", "eventTypeSlug", "username", "guests", "location", "metadata",
        "lengthInMinutes", "name", "timeZone", "email", "phoneNumber", "title", "slug", "availability",
        "overrides", "isDefault", "days", "startTime", "endTime", "bookingFields", "locations", "host",
        "attendees", "absent", "reason", "cancellationReason", "rescheduledBy", "timeFormat", "weekStart",
        "defaultScheduleId", "hidden", "scheduleId", "seatUid", "bio", "avatarUrl", "recurrenceCount",
        "reservedSlotUid", "cancelSubsequentBookings", "userId", "role", "accepted", "disableImpersonation"]
bodies = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
QUERY_KEYS = ["take", "skip", "status", "sortStart", "sortEnd", "sortCreated", "sortUpdatedAt",
              "afterStart", "beforeEnd", "eventTypeId", "eventTypeIds", "teamId", "teamsIds",
              "attendeeEmail", "attendeeName", "bookingUid", "afterCreatedAt", "username", "eventSlug",
              "orgId", "sortCreatedAt"]
queries = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), st.text(max_size=12)), max_size=5)

WRITES = [("POST", "/v2/bookings"), ("POST", f"/v2/bookings/{_UID}/cancel"),
          ("POST", f"/v2/bookings/{_UID}/reschedule"), ("POST", f"/v2/bookings/{_UID}/decline"),
          ("POST", f"/v2/bookings/{_UID}/mark-absent"), ("PATCH", "/v2/me"), ("POST", "/v2/event-types"),
          ("PATCH", f"/v2/event-types/{_EVENT_TYPE}"), ("POST", "/v2/schedules"),
          ("PATCH", f"/v2/schedules/{_USER.default_schedule_id}"), ("POST", _M), ("PATCH", f"{_M}/{_MEMBER}")]


def _send(method: str, path: str, **options: Any) -> httpx.Response:
    return send(_FAKE, method, path, headers_for(path, _TOKEN), **options)


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
@given(path=st.sampled_from(["/v2/bookings", "/v2/event-types"]), query=queries)
def test_any_query_gets_a_non_5xx_answer(path: str, query: list[tuple[str, str]]) -> None:
    response = _send("GET", path, params=query)
    assert response.status_code in (200, 400), response.text


@settings(max_examples=30, deadline=None)
@given(segment=st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_any_path_id_gets_a_non_5xx_answer(segment: str) -> None:
    segment = quote(segment, safe="")
    for path in (f"/v2/bookings/{segment}", f"/v2/event-types/{segment}", f"/v2/schedules/{segment}",
                 f"/v2/calendars/{segment}/check", f"/v2/teams/{segment}",
                 f"/v2/teams/{segment}/memberships", f"{_M}/{segment}"):
        response = _send("GET", path)
        assert response.status_code < 500, response.text
    before = _state()
    removed = _send("DELETE", f"{_M}/{segment}")
    assert removed.status_code < 500, removed.text
    if removed.status_code >= 400:
        assert _state() == before
