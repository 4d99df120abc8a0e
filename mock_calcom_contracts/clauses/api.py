"""Clauses of API v2 calls: scopes, rate limits, versions."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import expect, expect_ok
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import Harness, Suite, is_api
from mock_calcom_contracts.strategies import scope_sets

#: How many times one call may be sent while Cal.com keeps answering 429.
MAX_RATE_LIMITED_ATTEMPTS = 10
_RESET_HEADER = "x-ratelimit-reset-default"
_THROTTLED_MESSAGE = "CustomThrottlerGuard - Too many requests. Please try again later."


@clause("INSUFFICIENT-SCOPE",
        "A 403 insufficient_scope raises InsufficientScope after one API request: no refresh "
        "(refresh keeps the scopes), no retry",
        "docs/calcom-behaviour.md#scope-enforcement-on-api-v2 (OAuthPermissionsGuard; refresh keeps the "
        "original scopes); "
        "RFC 6750 §3.1")
def insufficient_scope(suite: Suite) -> None:
    # Unversioned endpoints only: this clause is about the 403, and a wrong cal-api-version
    # would turn it into a 404 (API-VERSION's business).
    unversioned = [e for e in endpoints.ALL if e.versions is None]

    @suite.given(scope_sets(proper=True), st.data())
    def prop(scopes: frozenset[str], data: st.DataObject) -> None:
        endpoint = data.draw(st.sampled_from([e for e in unversioned
                                              if not endpoints.allowed(e, scopes)]),
                             label="endpoint")
        with suite.scenario() as h:
            connection = h.connect(sorted(scopes))
            mark = h.mark()
            outcome = h.call(connection, endpoint)
            expect(h, mark, outcome, "InsufficientScope",
                   f"{endpoint} with scopes {sorted(scopes)}")
            sent = [e for e in h.since(mark) if is_api(e)]
            after = [e for e in h.since(sent[0].id - 1 if sent else mark) if e.is_token_request]
            if after:
                raise ContractViolation("the provider refreshed after a 403 insufficient_scope; "
                                        "a refreshed token has the same scopes", h.excerpt(mark))
            if len(sent) != 1:
                raise ContractViolation(f"{endpoint} was sent {len(sent)} times; a 403 "
                                        "insufficient_scope must not be retried", h.excerpt(mark))

    prop()


@clause("RATE-LIMIT",
        "On 429 the provider waits X-RateLimit-Reset-Default seconds (env.sleep) before "
        "retrying, and gives up with RateLimited after a bounded number of attempts",
        "docs/calcom-behaviour.md#rate-limiting (CustomThrottlerGuard, X-RateLimit-*-Default, no "
        "Retry-After); "
        "RFC 6585 §4")
def rate_limit(suite: Suite) -> None:
    @suite.given(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=3),
                 st.integers(min_value=1, max_value=60))
    def prop(limit: int, over: int, stuck_reset: int) -> None:
        settings = {"rate_limit": limit, "rate_limit_window": 60, "rate_limit_block": 60}
        with suite.scenario(settings=settings) as h:
            connection = h.connect(["PROFILE_READ"])
            mark = h.mark()
            for number in range(limit + over):
                expect_ok(h, mark, h.call(connection, endpoints.ME),
                          f"call {number + 1} with a limit of {limit} per minute")
            _waited_for_reset(h, mark)
            # A limiter that never lets go: the provider must stop by itself.
            h.fault(endpoints.ME.path, method="GET", status=429, body=_throttled_body(),
                    headers={"X-RateLimit-Limit-Default": str(limit),
                             "X-RateLimit-Remaining-Default": "0",
                             "X-RateLimit-Reset-Default": str(stuck_reset)})
            mark = h.mark()
            outcome = h.call(connection, endpoints.ME)
            expect(h, mark, outcome, "RateLimited", "a call that is answered 429 every time")
            attempts = sum(1 for e in h.since(mark) if is_api(e))
            if attempts > MAX_RATE_LIMITED_ATTEMPTS:
                raise ContractViolation(f"sent the call {attempts} times under 429; at most "
                                        f"{MAX_RATE_LIMITED_ATTEMPTS} attempts", h.excerpt(mark))
            _waited_for_reset(h, mark)

    prop()


def _throttled_body() -> dict[str, object]:
    return {"status": "error", "timestamp": "", "path": "",
            "error": {"code": "ThrottlerException", "message": _THROTTLED_MESSAGE,
                      "details": {"message": _THROTTLED_MESSAGE, "error": "Too Many Requests",
                                  "statusCode": 429}}}


def _waited_for_reset(h: Harness, mark: int) -> None:
    sent = [e for e in h.since(mark) if is_api(e)]
    for before, after in itertools.pairwise(sent):
        if before.status != 429:
            continue
        try:
            reset = float(before.response_headers.get(_RESET_HEADER, "0"))
        except ValueError:
            reset = 0.0
        waited = after.time - before.time
        if waited + 1e-6 < reset:
            raise ContractViolation(
                f"retried {waited:.1f} s after a 429 whose X-RateLimit-Reset-Default said "
                f"{reset:.0f} s (wait with env.sleep for the reset)", h.excerpt(mark))


@clause("API-VERSION",
        "Each call carries the cal-api-version its endpoint is served at (bookings 2024-08-13, "
        "event types 2024-06-14, schedules 2024-06-11); unversioned endpoints need none",
        "docs/calcom-behaviour.md#api-versions (a missing or unknown version falls back to 2024-04-15)")
def api_version(suite: Suite) -> None:
    @suite.given(st.permutations([*endpoints.VERSIONED, endpoints.DEFAULT_SCHEDULE]))
    def prop(order: list[endpoints.Endpoint]) -> None:
        with suite.scenario() as h:
            connection = h.connect(list(USER_SCOPES))
            for endpoint in order:
                mark = h.mark()
                outcome = h.call(connection, endpoint)
                for entry in h.since(mark):
                    if not is_api(entry) or endpoint.versions is None:
                        continue
                    sent = entry.request_headers.get("cal-api-version")
                    if sent not in endpoint.versions:
                        raise ContractViolation(
                            f"{endpoint} was sent with cal-api-version {sent!r}; it is served "
                            f"at {' or '.join(sorted(endpoint.versions))}", h.excerpt(mark))
                expect_ok(h, mark, outcome, str(endpoint))

    prop()
