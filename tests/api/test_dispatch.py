"""Version routing: each route's version table is :func:`dispatch.pick`, entry for entry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.routing import Route

from mock_calcom import MockCalcom
from mock_calcom.api import bookings, dispatch, versions
from mock_calcom.api.routes import routes
from mock_calcom.errors import NotFoundError
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory

_VERSIONED = [route.endpoint for route in routes
              if isinstance(route, Route) and isinstance(route.endpoint, dispatch._Versioned)]
#: Every header a request can send, as far as routing goes: none, each known one, others.
_HEADERS = [None, "", "2024-13-01", "2024-08-13 ", *sorted(versions.KNOWN)]


def test_legacy_twins_make_versioned_routes() -> None:
    assert len(_VERSIONED) >= 4  # bookings, event types, schedules, slots at least


@pytest.mark.parametrize("header", _HEADERS)
def test_each_routes_table_gives_the_endpoint_pick_gives(header: str | None) -> None:
    for versioned in _VERSIONED:
        found = versioned.table[versions.requested(header)]
        chosen = dispatch.pick(versioned.group, header)
        assert (found[0] if found else None) is chosen
        if found is not None:
            endpoint, renamed = found
            # The endpoint serves the version it is chosen for, so run() need not check it.
            assert endpoint.versions is None or versions.requested(header) in endpoint.versions
            if endpoint.path == versioned.group[0].path:
                assert renamed is None
            else:
                assert renamed == dispatch.param_names(endpoint.path)


def test_the_bookings_listing_routes_by_version_to_two_controllers() -> None:
    bookings = next(v for v in _VERSIONED if v.group[0].path == "/v2/bookings" and v.group[0].method == "GET")
    assert bookings.table["2024-08-13"] is not None
    assert bookings.table["2024-08-13"][0].operation_id.startswith("BookingsController_2024_08_13")
    assert bookings.table["2024-04-15"] is not None
    assert bookings.table["2024-04-15"][0].legacy


async def test_a_version_routes_to_its_controller_and_the_fallback_to_legacy(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ"])
    current = await http.get("/v2/bookings", headers={"Authorization": f"Bearer {token}",
                                                      "cal-api-version": "2024-08-13"})
    legacy = await http.get("/v2/bookings", headers={"Authorization": f"Bearer {token}"})
    assert current.status_code == 200, current.text
    assert isinstance(current.json()["data"], list)
    # The legacy controller refuses a token with mapped scopes (FACTS §11.1).
    assert legacy.status_code == 403, legacy.text


def test_run_without_a_version_still_checks_it() -> None:
    # _EndpointApp passes no version: run() reads and checks it (ensure_served).
    endpoint = next(e for e in bookings.ENDPOINTS if e.method == "GET" and e.path == "/v2/bookings")
    assert versions.FALLBACK not in (endpoint.versions or ())
    scope = {"type": "http", "method": "GET", "path": "/v2/bookings", "query_string": b"",
             "headers": [(b"cal-api-version", b"1999-01-01")], "app": MockCalcom().app}
    with pytest.raises(NotFoundError, match="Cannot GET /v2/bookings"):
        endpoint.run(scope, None, body_parsed=False)


@pytest.mark.parametrize("header", _HEADERS)
@pytest.mark.parametrize("bearer", ["valid", "unscoped", "garbage", None])
async def test_a_versioned_route_answers_as_its_chosen_endpoint_does(
        fake: MockCalcom, alice: User, mint: TokenFactory, header: str | None, bearer: str | None) -> None:
    # _Versioned answers a body-less endpoint itself (Endpoint.answer without its coroutine):
    # the same messages, or the same error, as the chosen endpoint's own answer.
    tokens = {"valid": mint(alice, ["BOOKING_READ"]), "unscoped": mint(alice), "garbage": "x.y.z",
              None: None}
    headers = [] if header is None else [(b"cal-api-version", header.encode())]
    if tokens[bearer] is not None:
        headers.append((b"authorization", f"Bearer {tokens[bearer]}".encode()))

    async def outcome(answer: object, captured: bool = False) -> object:
        from mock_calcom.journal import Captured

        scope = {"type": "http", "method": "GET", "path": "/v2/bookings", "query_string": b"",
                 "headers": list(headers), "app": fake.app, "path_params": {}}
        sent: list[Any] = Captured() if captured else []

        async def send(message: object) -> None:
            sent.append(message)

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        try:
            # The edge's own send (the journal's Captured list), or any other.
            await answer(scope, receive, sent if captured else send)  # type: ignore[operator]
        except Exception as exc:  # the error is the outcome compared
            return (type(exc).__name__, str(exc))
        return list(sent)

    versioned = next(v for v in _VERSIONED
                     if v.group[0].path == "/v2/bookings" and v.group[0].method == "GET")
    found = versioned.table[versions.requested(header)]
    expected: object = ("NotFoundError", "Cannot GET /v2/bookings")
    if found is not None:
        expected = await outcome(lambda s, r, w: found[0].answer(s, r, w, versions.requested(header)))
    assert await outcome(versioned) == expected
    assert await outcome(versioned, captured=True) == expected
