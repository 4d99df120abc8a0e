"""Clauses of the refresh: when, how often, with which token, and what its failures mean."""

from __future__ import annotations

from hypothesis import strategies as st

from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import (
    expect,
    expect_ok,
    no_rejected_token,
    refreshes,
    token_request_count,
    token_requests,
)
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import ACCESS_TTL, REFRESH_TTL, Suite, is_refresh
from mock_calcom_contracts.strategies import scope_sets

#: Real seconds the refresh answer is held back in CONCURRENT-REFRESH, so that every racing
#: thread has looked at the expired token before the first refresh returns.
RACE_LATENCY = 0.15


@clause("EXPIRY-REFRESH",
        "An expired access token is replaced: a call made any time after expiry (within the "
        "refresh token's 30 days) succeeds",
        "docs/calcom-behaviour.md#tokens-and-lifetimes (30-minute access tokens), "
        "docs/calcom-behaviour.md#refresh-rotation; RFC 6749 §6")
def expiry_refresh(suite: Suite) -> None:
    @suite.given(st.integers(min_value=ACCESS_TTL, max_value=REFRESH_TTL - 3600))
    def prop(wait: int) -> None:
        with suite.scenario() as h:
            connection = h.connect(["PROFILE_READ"])
            h.advance(wait)
            mark = h.mark()
            expect_ok(h, mark, h.call(connection, endpoints.ME),
                      f"{endpoints.ME} {wait} s after connecting")

    prop()


@clause("EXPIRY-BOOKINGS-403",
        "Tokens are refreshed BEFORE use: /v2/bookings answers an expired token with 403 "
        "PermissionsGuard, not 401, so waiting for a 401 is not enough",
        "docs/calcom-behaviour.md#api-v2-authentication (PermissionsGuard runs before ApiAuthGuard, issue "
        "#24840)")
def expiry_bookings_403(suite: Suite) -> None:
    @suite.given(st.integers(min_value=ACCESS_TTL, max_value=REFRESH_TTL - 3600),
                 st.sampled_from([endpoints.BOOKINGS, endpoints.EVENT_TYPES]))
    def prop(wait: int, endpoint: endpoints.Endpoint) -> None:
        with suite.scenario() as h:
            connection = h.connect(["BOOKING_READ", "EVENT_TYPE_READ"])
            h.advance(wait)
            mark = h.mark()
            outcome = h.call(connection, endpoint)
            no_rejected_token(h, mark, f"{endpoint} {wait} s after connecting")
            expect_ok(h, mark, outcome, f"{endpoint} {wait} s after connecting")

    prop()


@clause("ROTATION",
        "Every refresh keeps the rotated refresh token; an old one is never sent again",
        "docs/calcom-behaviour.md#refresh-rotation (every other refresh token of the user is deleted); "
        "RFC 6749 §6, §10.4")
def rotation(suite: Suite) -> None:
    @suite.given(st.integers(min_value=2, max_value=4),
                 st.lists(st.integers(min_value=ACCESS_TTL, max_value=10 * 24 * 3600),
                          min_size=4, max_size=4))
    def prop(rounds: int, waits: list[int]) -> None:
        with suite.scenario() as h:
            connection = h.connect(["PROFILE_READ"])
            for number, wait in enumerate(waits[:rounds], start=1):
                h.advance(wait)
                mark = h.mark()
                outcome = h.call(connection, endpoints.ME)
                failed = [e for e in h.since(mark) if is_refresh(e) and e.status != 200]
                if failed or not outcome.ok:
                    raise ContractViolation(
                        f"refresh number {number} failed ({outcome.describe()}): the refresh "
                        "token of the previous refresh must be used, the old one is revoked",
                        h.excerpt(mark))
                if refreshes(h, mark) != 1:
                    raise ContractViolation(f"expected one refresh in round {number}, got "
                                            f"{refreshes(h, mark)}", h.excerpt(mark))

    prop()


@clause("CONCURRENT-REFRESH",
        "Concurrent calls on an expired token cause exactly one refresh (single flight), and "
        "all of them succeed",
        "docs/calcom-behaviour.md#refresh-rotation (rotation revokes the other refresh tokens: a second "
        "refresh with the old "
        "token fails), issue #12377")
def concurrent_refresh(suite: Suite) -> None:
    @suite.given(st.integers(min_value=3, max_value=6), st.data())
    def prop(threads: int, data: st.DataObject) -> None:
        scopes = frozenset({"PROFILE_READ", "SCHEDULE_READ", "BOOKING_READ", "EVENT_TYPE_READ"})
        calls = data.draw(st.lists(st.sampled_from([e for e in endpoints.SCOPED
                                                    if endpoints.allowed(e, scopes)]),
                                   min_size=threads, max_size=threads), label="calls")
        with suite.scenario() as h:
            connection = h.connect(sorted(scopes))
            h.advance(ACCESS_TTL + 1)
            h.token_fault(latency=RACE_LATENCY, times=1)
            mark = h.mark()
            outcomes = h.burst(connection, calls)
            count = refreshes(h, mark)
            if count != 1:
                raise ContractViolation(
                    f"{threads} concurrent calls on an expired token sent {count} refresh "
                    "requests; exactly one may be sent (hold a lock per connection)",
                    h.excerpt(mark))
            bad = [f"{c}: {o.describe()}" for c, o in zip(calls, outcomes, strict=True) if not o.ok]
            if bad:
                raise ContractViolation("concurrent calls failed: " + "; ".join(bad), h.excerpt(mark))

    prop()


@clause("REFRESH-INVALID-GRANT",
        "A dead refresh token (invalid_grant) raises ReauthorizationRequired after one token "
        "request, with no retry, and the connection stays dead",
        "docs/calcom-behaviour.md#token-errors-and-check-order (invalid_refresh_token, "
        "refresh_token_revoked), docs/calcom-behaviour.md#refresh-rotation; RFC 6749 §5.2")
def refresh_invalid_grant(suite: Suite) -> None:
    @suite.given(st.sampled_from(["revoked", "expired"]), scope_sets(required="PROFILE_READ"))
    def prop(cause: str, scopes: frozenset[str]) -> None:
        with suite.scenario() as h:
            connection = h.connect(sorted(scopes))
            if cause == "revoked":
                h.revoke_refresh_tokens("owner")
                h.advance(ACCESS_TTL + 1)
            else:
                h.advance(REFRESH_TTL + 1)
            mark = h.mark()
            outcome = h.call(connection, endpoints.ME)
            expect(h, mark, outcome, "ReauthorizationRequired",
                   f"a refresh with a {cause} refresh token")
            token_request_count(h, mark, 1, "invalid_grant is final: retrying cannot revive a "
                                "refresh token")
            mark = h.mark()
            again = h.call(connection, endpoints.ME)
            expect(h, mark, again, "ReauthorizationRequired",
                   "the next call on a connection whose refresh token is dead")
            if token_requests(h, mark) > 1:
                raise ContractViolation("the dead connection kept trying to refresh", h.excerpt(mark))

    prop()


#: Token requests one call may send while the token endpoint keeps failing with 5xx: the
#: refresh and at most three retries (e.g. a refresh retried once inside a GET retried once).
#: RFC 9110 §9.2.2 lets a client retry, and Cal.com's refresh token stays valid until a refresh
#: succeeds, so a retry is harmless; a loop hammers a failing server and holds the caller.
MAX_REFRESH_ATTEMPTS = 4


@clause("REFRESH-5XX",
        "A 5xx (or a dropped connection) on refresh keeps the old tokens: the call either "
        f"retries (at most {MAX_REFRESH_ATTEMPTS} token requests in all) and succeeds, or "
        "raises UpstreamError; a refresh that keeps failing ends in UpstreamError, not a retry "
        "loop; either way the next call refreshes with the kept token and succeeds",
        "docs/calcom-behaviour.md#token-errors-and-check-order (server_error), "
        "docs/calcom-behaviour.md#refresh-rotation (the refresh token stays valid until a "
        "refresh succeeds); RFC 6749 §6; RFC 9110 §9.2.2 (retrying is allowed)")
def refresh_5xx(suite: Suite) -> None:
    @suite.given(st.sampled_from([500, 502, 503, 504, "drop"]))
    def prop(failure: int | str) -> None:
        with suite.scenario() as h:
            connection = h.connect(["PROFILE_READ"])
            # Once (a retry may succeed), then for good (only UpstreamError will do); after
            # each, the kept refresh token must still work.
            for times in (1, None):
                h.advance(ACCESS_TTL + 1)
                if failure == "drop":
                    fault = h.token_fault(drop="before", times=times)
                else:
                    fault = h.token_fault(status=failure, times=times,
                                          body={"error": "server_error",
                                                "error_description": "An unexpected error occurred"})
                what = (f"a refresh answered with {failure} once" if times == 1 else
                        f"a refresh answered with {failure} every time")
                mark = h.mark()
                outcome = h.call(connection, endpoints.ME)
                sent = token_requests(h, mark)
                if sent > MAX_REFRESH_ATTEMPTS or outcome.kind == "runaway":
                    raise ContractViolation(
                        f"{what}: the call sent {sent} token requests; retry a failed refresh "
                        f"at most {MAX_REFRESH_ATTEMPTS - 1} times, then raise UpstreamError",
                        h.excerpt(mark))
                if times is None or outcome.kind != "ok":
                    # A retry succeeds only once the fault is gone.
                    expect(h, mark, outcome, "UpstreamError", what)
                else:
                    expect_ok(h, mark, outcome, f"{what}, retried")
                h.remove_fault(fault)
                mark = h.mark()
                outcome = h.call(connection, endpoints.ME)
                expect_ok(h, mark, outcome, f"the call after {what} (the old refresh token was "
                          "never used up)")

    prop()
