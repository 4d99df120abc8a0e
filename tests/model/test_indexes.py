"""Per-request cost does not grow with state: each hot lookup goes through an index.

Each test fills a store with many rows that the lookup must *not* touch, then makes the table
of all rows refuse to be scanned (``_NoScan``) or counts the rows examined, and checks the
lookup still gives the right answer. No timing: a scan fails the test outright.
"""

from __future__ import annotations

from typing import Any

import pytest

from mock_calcom.model.clock import FrozenClock
from mock_calcom.model.codes import CodeStore
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.ratelimit import RateLimiter, RateLimitRule, token_tracker
from mock_calcom.model.resources import BookingQuery
from mock_calcom.model.resources.bookings import Booking
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import Grant, TokenRejected, TokenService
from mock_calcom.settings import Settings

THIRTY_DAYS = 30 * 24 * 3600


class _NoScan(dict[Any, Any]):
    """A table whose rows may be looked up by key but never enumerated."""

    def _refuse(self, *args: object) -> Any:
        raise AssertionError("the lookup scanned the whole table")

    __iter__ = values = items = keys = _refuse


def _no_scan(table: dict[Any, Any]) -> _NoScan:
    return _NoScan(table)


# -- codes -----------------------------------------------------------------------------------


def test_taking_a_code_with_ten_thousand_outstanding_touches_no_other_code() -> None:
    clock = FrozenClock()
    codes = CodeStore(clock, Randomness(1), ttl=600)
    issued = [codes.issue(client_id="c", user_id=i, scopes=()).code for i in range(10_000)]
    codes._codes = _no_scan(codes._codes)
    found = codes.take(issued[1234], "c")
    assert found is not None
    assert found.user_id == 1234
    assert codes.take(issued[1234], "c") is None
    assert len(codes) == 9_999


def test_expired_codes_are_purged_even_if_nobody_exchanges_a_code() -> None:
    clock = FrozenClock()
    codes = CodeStore(clock, Randomness(1), ttl=600)
    for i in range(1_000):
        codes.issue(client_id="c", user_id=i, scopes=())
    clock.advance(600)
    # Only issues from here on (never-exchanged codes): the store still sheds the dead ones.
    fresh = [codes.issue(client_id="c", user_id=i, scopes=()).code for i in range(300)]
    assert len(codes) <= 300
    assert all(codes.take(code, "c") is not None for code in fresh)


def test_the_expiry_queue_of_codes_stays_proportional_to_live_codes() -> None:
    clock = FrozenClock()
    codes = CodeStore(clock, Randomness(1), ttl=600)
    for i in range(5_000):
        codes.take(codes.issue(client_id="c", user_id=i, scopes=()).code, "c")
    assert len(codes) == 0
    assert len(codes._expiry) <= 64


# -- refresh rows ----------------------------------------------------------------------------


def _tokens(clock: FrozenClock) -> TokenService:
    return TokenService(clock, Randomness(1), access_ttl=1800, refresh_ttl=THIRTY_DAYS)


def test_rotation_with_thirty_thousand_rows_touches_only_the_users_rows() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    for user in range(30_000):
        tokens.mint_pair(Grant("client", user, None, ()))
    mine = tokens.mint_pair(Grant("client", 7, None, ()))
    tokens._rows = _no_scan(tokens._rows)
    claims = tokens.verify_refresh(mine.refresh_token)
    assert tokens.refresh_row_exists(claims)
    assert tokens.valid_refresh_count("client", 7) == 2
    assert tokens.revoke_refresh_tokens("client", 7) == 2
    assert not tokens.refresh_row_exists(claims)
    assert tokens.valid_refresh_count("client", 8) == 1
    assert len(tokens) == 29_999


def test_revoking_a_team_grant_leaves_the_user_grant_of_the_same_client() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    user_pair = tokens.mint_pair(Grant("client", None, None, ()))
    team_pair = tokens.mint_pair(Grant("client", None, 3, ()))
    assert tokens.revoke_refresh_tokens("client", None, 3) == 1
    assert tokens.refresh_row_exists(tokens.verify_refresh(user_pair.refresh_token))
    assert not tokens.refresh_row_exists(tokens.verify_refresh(team_pair.refresh_token))


def test_expired_refresh_rows_are_purged_by_expiry() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    for user in range(500):
        tokens.mint_pair(Grant("client", user, None, ()))
    clock.advance(THIRTY_DAYS)
    tokens.mint_pair(Grant("client", 1, None, ()))
    assert len(tokens) == 1
    assert tokens.valid_refresh_count("client", 1) == 1


def test_rotation_keeps_the_expiry_queue_proportional_to_live_rows() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    grant = Grant("client", 1, None, ())
    pair = tokens.mint_pair(grant)
    for _ in range(2_000):
        tokens.revoke_refresh_tokens("client", 1)
        clock.advance(1)
        pair = tokens.mint_pair(grant)
    assert len(tokens) == 1
    assert len(tokens._row_expiry) <= 2 * len(tokens) + 65
    assert tokens.refresh_row_exists(tokens.verify_refresh(pair.refresh_token))


# -- verified bearers ------------------------------------------------------------------------


class _CountingJWS:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.decodes = 0

    def verify(self, token: str) -> bytes:
        self.decodes += 1
        result: bytes = self.inner.verify(token)
        return result

    def sign(self, payload: bytes) -> str:
        result: str = self.inner.sign(payload)
        return result

    def prefix(self, start: bytes) -> Any:
        return self.inner.prefix(start)

    def sign_after(self, prefix: Any, rest: bytes) -> str:
        result: str = self.inner.sign_after(prefix, rest)
        return result


def test_a_bearer_is_verified_once_and_its_expiry_judged_at_every_use() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    counting = _CountingJWS(tokens._jws)
    tokens._jws = counting  # type: ignore[assignment]
    pair = tokens.mint_pair(Grant("client", 1, None, ("BOOKING_READ",)))
    for _ in range(5):
        assert tokens.verify_access(pair.access_token).grant.user_id == 1
    assert counting.decodes == 1
    clock.advance(1799)
    tokens.verify_access(pair.access_token)
    clock.advance(1)
    with pytest.raises(TokenRejected) as expired:
        tokens.verify_access(pair.access_token)
    assert expired.value.reason == "expired"
    assert counting.decodes == 1


def test_a_cached_bearer_still_answers_to_force_expire_and_its_type() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    pair = tokens.mint_pair(Grant("client", 1, None, ()))
    tokens.verify_access(pair.access_token)
    tokens.verify_refresh(pair.refresh_token)
    with pytest.raises(TokenRejected) as wrong:
        tokens.verify_access(pair.refresh_token)
    assert wrong.value.reason == "wrong_type"
    tokens.force_expire(pair.access_token)
    with pytest.raises(TokenRejected) as expired:
        tokens.verify_access(pair.access_token)
    assert expired.value.reason == "expired"


def test_a_reset_forgets_every_verified_bearer() -> None:
    model = CalcomModel(Settings(seed=5))
    user = model.create_user("alice")
    pair = model.tokens.mint_pair(Grant("client", user.id, None, ()))
    model.tokens.verify_access(pair.access_token)
    assert model.tokens._verified
    model.reset()
    assert not model.tokens._verified


def test_garbage_bearers_are_not_remembered() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    for i in range(50):
        with pytest.raises(TokenRejected):
            tokens.verify_access(f"not.a.token{i}")
    assert not tokens._verified


# -- bookings --------------------------------------------------------------------------------


def _crowded_model(users: int) -> CalcomModel:
    model = CalcomModel(Settings(seed=2))
    for i in range(users):
        model.create_user(f"user{i}")
    return model


def test_listing_bookings_with_many_users_looks_only_at_the_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _crowded_model(200)
    store = model.resources.bookings
    user = model.users.require(100)
    expected = sorted(b.uid for b in store._by_uid.values() if b.involves(user))
    store._by_uid = _no_scan(store._by_uid)
    looked_at: list[str] = []
    matches = store._matches

    def counting(booking: Booking, query: BookingQuery, now: float) -> bool:
        looked_at.append(booking.uid)
        return matches(booking, query, now)

    monkeypatch.setattr(store, "_matches", counting)
    # A filter that keeps everything, so each candidate is examined (and counted).
    page, total = store.list_for(user, BookingQuery(after_start=0.0))
    assert sorted(b.uid for b in page) == expected
    assert total == len(expected)
    assert sorted(looked_at) == expected


def test_a_booking_is_listed_for_its_attendee_too() -> None:
    model = _crowded_model(3)
    host = model.users.require(1)
    booking = next(b for b in model.resources.bookings._by_uid.values() if b.host_id == host.id)
    guest = model.users.require(3)
    booking.attendees[0].email = guest.email.upper()
    model.resources.bookings.add(booking)  # re-index after changing who attends
    listed = {b.uid for b in model.resources.bookings.list_for(guest, BookingQuery())[0]}
    assert booking.uid in listed


def test_the_free_busy_check_reads_only_the_hosts_bookings() -> None:
    model = _crowded_model(50)
    store = model.resources.bookings
    host = model.users.require(20)
    event_type = next(e for e in model.resources.event_types.of_user(host.id))
    busy = next(b for b in store._by_uid.values() if b.host_id == host.id and b.status.value == "accepted")
    store._by_uid = _no_scan(store._by_uid)
    assert not store.is_free(event_type, host, busy.start, busy.end)
    assert store.is_free(event_type, host, busy.start, busy.end, ignore_uid=busy.uid)


# -- rate-limit trackers ---------------------------------------------------------------------


def test_counting_a_request_with_many_trackers_touches_only_its_counter() -> None:
    limiter = RateLimiter()
    rule = RateLimitRule(limit=5, ttl=60, block=60)
    for i in range(3_000):
        limiter.hit(token_tracker(f"token-{i}"), rule, 1000.0)
    limiter._counters = _no_scan(limiter._counters)
    mine = token_tracker("token-42")
    outcome = limiter.hit(mine, rule, 1001.0)
    assert outcome.total_hits == 2
    assert limiter.peek(mine, rule, 1001.0) == (2, False)
