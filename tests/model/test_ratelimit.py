"""The throttler's counting rules (throttler-guard.ts @42e7dc49 over the Redis storage)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom.errors import InvalidControlInput
from mock_calcom.model.ratelimit import (
    RateLimiter,
    RateLimitRule,
    Tracker,
    default_rule,
    token_tracker,
    tracker_for,
)
from mock_calcom.settings import Settings

T0 = 1_767_603_600.0
TOKEN = token_tracker("eyJ.some.jwt")


def _hits(limiter: RateLimiter, rule: RateLimitRule, n: int, at: float = T0) -> list[bool]:
    return [limiter.hit(TOKEN, rule, at).blocked for _ in range(n)]


def test_the_access_token_tracker_is_the_sha256_of_the_bearer() -> None:
    digest = hashlib.sha256(b"abc.def.ghi").hexdigest()
    assert tracker_for("Bearer abc.def.ghi") == Tracker(f"access_token_{digest}", "access_token")


def test_only_the_first_bearer_word_is_stripped_like_javascript_replace() -> None:
    digest = hashlib.sha256(b"Basic xyz").hexdigest()
    assert tracker_for("Basic xyz") == Tracker(f"access_token_{digest}", "access_token")


def test_api_keys_are_hashed_without_their_prefix() -> None:
    plain = hashlib.sha256(b"abc123").hexdigest()
    assert tracker_for("Bearer cal_abc123") == Tracker(f"api_key_{plain}", "api_key")
    assert tracker_for("Bearer cal_live_abc123") == Tracker(f"api_key_{plain}", "api_key")


def test_without_a_bearer_the_client_id_header_then_the_ip_is_tracked() -> None:
    assert tracker_for("Bearer ", client_id_header="cid", ip="1.2.3.4") == Tracker(
        f"oauth_client_{hashlib.sha256(b'cid').hexdigest()}", "oauth_client")
    assert tracker_for(None, ip="1.2.3.4") == Tracker(
        f"ip_{hashlib.sha256(b'1.2.3.4').hexdigest()}", "ip")
    assert tracker_for(None) is None


def test_default_rules_follow_the_tracker_kind() -> None:
    s = Settings()
    assert default_rule("access_token", s).limit == 500
    assert default_rule("oauth_client", s).limit == 500
    assert default_rule("api_key", s).limit == 120
    assert default_rule("ip", s).limit == 120
    assert default_rule("access_token", s).ttl == 60
    assert default_rule("access_token", s).block == 60


def test_the_request_over_the_limit_is_the_first_refused() -> None:
    rule = RateLimitRule(limit=3, ttl=60, block=60)
    assert _hits(RateLimiter(), rule, 5) == [False, False, False, True, True]


def test_remaining_counts_down_and_is_zero_while_blocked() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=3, ttl=60, block=60)
    remaining = [limiter.hit(TOKEN, rule, T0).remaining for _ in range(5)]
    assert remaining == [2, 1, 0, 0, 0]


def test_the_window_is_fixed_from_the_first_hit_not_sliding() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=2, ttl=60, block=60)
    limiter.hit(TOKEN, rule, T0)
    limiter.hit(TOKEN, rule, T0 + 59)
    # A sliding window would still hold the hit at T0+59; the fixed one started afresh at T0+60.
    outcome = limiter.hit(TOKEN, rule, T0 + 60)
    assert (outcome.total_hits, outcome.blocked, outcome.time_to_expire) == (1, False, 60)


def test_reset_reports_the_seconds_left_in_the_window_rounded_up() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=5, ttl=60, block=60)
    limiter.hit(TOKEN, rule, T0)
    assert limiter.hit(TOKEN, rule, T0 + 10.5).reset == 50
    assert limiter.hit(TOKEN, rule, T0 + 10.0).reset == 50


def test_a_block_lasts_its_duration_even_past_the_window() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=1, ttl=10, block=60)
    limiter.hit(TOKEN, rule, T0)
    refused = limiter.hit(TOKEN, rule, T0 + 5)
    assert refused.blocked
    assert refused.reset == 60
    later = limiter.hit(TOKEN, rule, T0 + 30)
    assert later.blocked
    assert later.reset == 35
    assert not limiter.hit(TOKEN, rule, T0 + 65).blocked


def test_a_block_shorter_than_the_window_reblocks_while_the_count_is_over() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=1, ttl=60, block=5)
    limiter.hit(TOKEN, rule, T0)
    assert limiter.hit(TOKEN, rule, T0 + 1).blocked
    # The block key expired at T0+6, but the window still counts 3 hits > 1.
    again = limiter.hit(TOKEN, rule, T0 + 7)
    assert again.blocked
    assert again.reset == 5


def test_requests_during_a_block_still_count() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=2, ttl=60, block=60)
    outcomes = [limiter.hit(TOKEN, rule, T0) for _ in range(6)]
    assert [o.total_hits for o in outcomes] == [1, 2, 3, 4, 5, 6]


def test_trackers_are_counted_apart() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=1, ttl=60, block=60)
    other = token_tracker("another")
    assert not limiter.hit(TOKEN, rule, T0).blocked
    assert not limiter.hit(other, rule, T0).blocked
    assert limiter.hit(TOKEN, rule, T0).blocked


def test_a_new_limit_starts_a_fresh_counter_as_cal_com_keys_it() -> None:
    limiter = RateLimiter()
    _hits(limiter, RateLimitRule(limit=2, ttl=60, block=60), 3)
    assert not limiter.hit(TOKEN, RateLimitRule(limit=3, ttl=60, block=60), T0).blocked


def test_headers_carry_the_capitalised_rule_name() -> None:
    outcome = RateLimiter().hit(TOKEN, RateLimitRule(limit=500, ttl=60, block=60), T0)
    assert outcome.headers() == [
        ("X-RateLimit-Limit-Default", "500"),
        ("X-RateLimit-Remaining-Default", "499"),
        ("X-RateLimit-Reset-Default", "60"),
    ]


def test_the_timestamp_reset_form_is_an_epoch_second() -> None:
    outcome = RateLimiter().hit(TOKEN, RateLimitRule(limit=5, ttl=60, block=60), T0)
    assert dict(outcome.headers("timestamp"))["X-RateLimit-Reset-Default"] == str(int(T0) + 60)


def test_peek_does_not_count() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=2, ttl=60, block=60)
    limiter.hit(TOKEN, rule, T0)
    assert limiter.peek(TOKEN, rule, T0) == (1, False)
    assert limiter.peek(TOKEN, rule, T0) == (1, False)
    assert limiter.peek(TOKEN, rule, T0 + 60) == (0, False)


def test_reset_counters_forgets_blocks_but_keeps_rules() -> None:
    limiter, rule = RateLimiter(), RateLimitRule(limit=1, ttl=60, block=60)
    limiter.set_rule(TOKEN, rule)
    _hits(limiter, rule, 2)
    limiter.reset_counters()
    assert not limiter.hit(TOKEN, rule, T0).blocked
    assert limiter.rule_override(TOKEN) == rule


@pytest.mark.parametrize(("limit", "ttl", "block"), [
    (0, 60, 60), (-1, 60, 60), (True, 60, 60), (5, 0, 60), (5, 60, -1), (5, float("nan"), 60),
])
def test_nonsense_rules_are_refused(limit: int, ttl: float, block: float) -> None:
    with pytest.raises(InvalidControlInput):
        RateLimitRule(limit=limit, ttl=ttl, block=block)


@settings(max_examples=60, deadline=None)
@given(limit=st.integers(1, 8), steps=st.lists(st.floats(0, 30), min_size=1, max_size=40))
def test_never_more_than_limit_requests_pass_in_one_window(limit: int, steps: list[float]) -> None:
    """Whatever the spacing, a window (opened by the first hit at or after the previous one's
    end) lets at most ``limit`` requests through."""
    limiter, rule = RateLimiter(), RateLimitRule(limit=limit, ttl=60, block=60)
    now, window_start, passed_in_window = T0, None, 0
    for step in steps:
        now += step
        if window_start is None or now >= window_start + 60:
            window_start, passed_in_window = now, 0
        if not limiter.hit(TOKEN, rule, now).blocked:
            passed_in_window += 1
        assert passed_in_window <= limit
