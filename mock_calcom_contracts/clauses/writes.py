"""The WRITES clause: booking writes get Cal.com's real statuses, and a write whose answer was
lost or failed is surfaced, never blindly sent again (a GET may be)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import expect, expect_ok
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import ACCESS_TTL, Harness, Suite, is_api

SCOPES = ("PROFILE_READ", "BOOKING_READ", "BOOKING_WRITE")
#: GET requests one call may send while Cal.com answers 5xx: retrying a read is allowed
#: (RFC 9110 §9.2.2), a loop is not.
MAX_READ_ATTEMPTS = 3
_FAILURES = (500, 502, 503, "drop-before", "drop-after")
_SERVER_ERROR = {"status": "error", "timestamp": "", "path": "",
                 "error": {"code": "InternalServerErrorException",
                           "message": "Internal server error", "details": {}}}


def _data(h: Harness, mark: int, body: Any, what: str) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), str):
        raise ContractViolation(f"{what}: the provider did not pass Cal.com's booking back "
                                f"(got {str(body)[:200]})", h.excerpt(mark))
    return data


def write(h: Harness, connection: str, endpoint: endpoints.Endpoint, what: str) -> dict[str, Any]:
    """Send a booking write that must succeed with Cal.com's status; the booking it returns."""
    mark = h.mark()
    outcome = h.call(connection, endpoint)
    expect_ok(h, mark, outcome, what, status=endpoint.success)
    return _data(h, mark, outcome.response.json, what)


def sent(h: Harness, mark: int, method: str, path: str) -> int:
    return sum(1 for e in h.since(mark) if is_api(e) and e.method == method and e.path == path)


@clause("WRITES",
        "Booking writes return Cal.com's real statuses (create 201, reschedule 201, cancel 200); "
        "a write answered 5xx or not at all raises UpstreamError and is not sent again (Cal.com "
        "may have done it); a GET answered 5xx may be retried, a bounded number of times",
        "docs/calcom-behaviour.md#bookings (201 on create and reschedule, 200 on cancel); RFC 9110 §9.2.2 "
        "(only idempotent requests may be retried automatically), §15.3.2")
def writes(suite: Suite) -> None:
    @suite.given(st.sampled_from(["create", "reschedule", "cancel"]), st.sampled_from(_FAILURES),
                 st.sampled_from([0, ACCESS_TTL + 1]), st.sampled_from([500, 503, "drop-before"]))
    def prop(broken: str, failure: int | str, wait: int, read_failure: int | str) -> None:
        with suite.scenario() as h:
            event_type, slots = h.bookable()
            connection = h.connect(list(SCOPES))
            h.advance(wait)
            booking = write(h, connection, endpoints.create_booking(event_type, slots[0]),
                            "creating a booking")
            moved = write(h, connection, endpoints.reschedule_booking(booking["uid"], slots[2]),
                          "rescheduling it")
            cancelled = write(h, connection, endpoints.cancel_booking(moved["uid"]),
                              "cancelling the rescheduled booking")
            if cancelled.get("status") != "cancelled":
                raise ContractViolation(f"the cancel returned a booking with status "
                                        f"{cancelled.get('status')!r}", h.excerpt())

            # A write that fails or whose answer is lost.
            target = write(h, connection, endpoints.create_booking(event_type, slots[4]),
                           "creating a second booking")
            endpoint = {"create": endpoints.create_booking(event_type, slots[6]),
                        "reschedule": endpoints.reschedule_booking(target["uid"], slots[8]),
                        "cancel": endpoints.cancel_booking(target["uid"])}[broken]
            _fault(h, endpoint.method, endpoint.path, failure)
            mark = h.mark()
            outcome = h.call(connection, endpoint)
            what = f"{endpoint} answered {failure}"
            count = sent(h, mark, endpoint.method, endpoint.path)
            if count != 1:
                raise ContractViolation(
                    f"{what}: the write was sent {count} times; a write whose answer failed or "
                    "never came must be surfaced as UpstreamError, not repeated (Cal.com may "
                    "have done it: a second booking, or a cancel of a cancel)", h.excerpt(mark))
            expect(h, mark, outcome, "UpstreamError", what)

            # A read may be retried, within bounds.
            _fault(h, "GET", endpoints.BOOKINGS.path, read_failure)
            mark = h.mark()
            outcome = h.call(connection, endpoints.BOOKINGS)
            count = sent(h, mark, "GET", endpoints.BOOKINGS.path)
            if count > MAX_READ_ATTEMPTS or outcome.kind == "runaway":
                raise ContractViolation(f"GET {endpoints.BOOKINGS.path} answered {read_failure} "
                                        f"once was sent {count} times (at most "
                                        f"{MAX_READ_ATTEMPTS})", h.excerpt(mark))
            if outcome.kind != "UpstreamError":
                expect_ok(h, mark, outcome, f"{endpoints.BOOKINGS} retried after {read_failure}")

    prop()


def _fault(h: Harness, method: str, path: str, failure: int | str) -> None:
    if failure == "drop-before":
        h.fault(path, method=method, drop="before", times=1)
    elif failure == "drop-after":
        h.fault(path, method=method, drop="after", times=1)
    else:
        h.fault(path, method=method, status=failure, times=1, body=_SERVER_ERROR)
