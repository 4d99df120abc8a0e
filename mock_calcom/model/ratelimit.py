"""API v2's rate limiter, with no HTTP: trackers, rules and fixed windows on the fake's clock.

Cal.com runs a global ``CustomThrottlerGuard`` (apps/api/v2/src/lib/throttler-guard.ts
@42e7dc49) over ``@nest-lab/throttler-storage-redis``. Per request it picks a *tracker*
(who is counted), a *rule* (limit / ttl / blockDuration) and increments a Redis counter whose
semantics this module reproduces:

* the counter's window is fixed and starts at the first hit (``INCR`` then ``PEXPIRE`` when the
  key has no TTL); it is not sliding;
* every request increments, even while blocked;
* the hit that takes the count above the limit starts a block of ``blockDuration``; while the
  block lasts every request is refused; a request after the block that still finds the count
  above the limit (possible only when the block is shorter than the window) is blocked again;
* the storage reports ``timeToExpire`` / ``timeToBlockExpire`` in whole seconds, rounded up
  from Redis's milliseconds.

Counters are keyed ``<tracker>:<limit>:<ttl>`` as Cal.com keys them, so giving a token a new
limit starts it on a fresh counter.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from typing import Literal

from mock_calcom.errors import InvalidControlInput
from mock_calcom.settings import Settings

TrackerKind = Literal["access_token", "api_key", "oauth_client", "ip"]
ResetUnit = Literal["seconds", "timestamp"]

#: Cal.com names its only global limit ``default``; headers carry the capitalised name.
DEFAULT_RULE_NAME = "default"

#: How many counters may pile up before expired ones are swept (bounded memory under load).
_SWEEP_EVERY = 4096
#: Counters kept after a sweep, expired or not. Cal.com's Redis keys expire with their
#: window; on a frozen fake clock no window ever ends, so every new token would add a
#: counter for good. Beyond this the oldest trackers lose their count (they start afresh):
#: a bound of the fake, far above what one test's tokens reach.
MAX_COUNTERS = 65_536


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tracker:
    """Who a request is counted against: ``key`` as Cal.com spells it, and its kind."""

    key: str
    kind: TrackerKind


def token_tracker(token: str) -> Tracker:
    """The tracker of a bearer token that is not an API key: ``access_token_<sha256>``."""
    return Tracker(f"access_token_{sha256_hex(token)}", "access_token")


def tracker_for(authorization: str | None, *, client_id_header: str | None = None,
                ip: str | None = None, api_key_prefix: str = "cal_") -> Tracker | None:
    """Cal.com's ``getTracker``, in its order: bearer, then ``x-cal-client-id``, then IP.

    The guard strips the first ``"Bearer "`` (JavaScript ``replace``), so any other scheme is
    hashed whole; an empty remainder counts as no header. API keys are hashed without their
    ``cal_`` / ``cal_live_`` prefix.
    """
    credential = authorization.replace("Bearer ", "", 1) if authorization else ""
    if credential:
        if credential.startswith(api_key_prefix):
            return Tracker(f"api_key_{sha256_hex(_strip_api_key(credential, api_key_prefix))}",
                           "api_key")
        return token_tracker(credential)
    if client_id_header:
        return Tracker(f"oauth_client_{sha256_hex(client_id_header)}", "oauth_client")
    if ip:
        return Tracker(f"ip_{sha256_hex(ip)}", "ip")
    return None


def _strip_api_key(key: str, prefix: str) -> str:
    live_prefix = f"{prefix}live_"
    if key.startswith(live_prefix):
        return key[len(live_prefix):]
    return key[len(prefix):]


@dataclass(frozen=True)
class RateLimitRule:
    """One named limit: ``limit`` requests per ``ttl`` seconds, then ``block`` seconds refused."""

    limit: int
    ttl: float
    block: float
    name: str = DEFAULT_RULE_NAME

    def __post_init__(self) -> None:
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or self.limit <= 0:
            raise InvalidControlInput("a rate limit must be a positive integer")
        for label, value in (("window", self.ttl), ("block", self.block)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    0 < value < math.inf):
                raise InvalidControlInput(f"a rate-limit {label} must be a positive number of seconds")

    @property
    def header_suffix(self) -> str:
        return self.name[:1].upper() + self.name[1:]


def default_rule(kind: TrackerKind, settings: Settings) -> RateLimitRule:
    """The rule Cal.com applies to a tracker that has no rule of its own (getDefaultLimit):
    access tokens and Platform clients 500, API keys and IPs 120, all per 60 s."""
    limit = {"access_token": settings.rate_limit, "oauth_client": settings.rate_limit,
             "api_key": settings.rate_limit_api_key, "ip": settings.rate_limit_ip}[kind]
    return RateLimitRule(limit, settings.rate_limit_window, settings.rate_limit_block)


@dataclass(frozen=True)
class Outcome:
    """What one counted request learned: the storage record plus the rule it was counted by."""

    rule: RateLimitRule
    total_hits: int
    #: Seconds until the window ends / the block ends (0 when not blocked), rounded up.
    time_to_expire: int
    time_to_block_expire: int
    blocked: bool
    #: The clock reading the request was counted at (for the ``timestamp`` reset form).
    at: float

    @property
    def remaining(self) -> int:
        # throttler-guard.ts: a running block reports 0 left, whatever the count says.
        if self.time_to_block_expire:
            return 0
        return max(0, self.rule.limit - self.total_hits)

    @property
    def reset(self) -> int:
        """``X-RateLimit-Reset``'s seconds: ``timeToBlockExpire || timeToExpire``."""
        return self.time_to_block_expire or self.time_to_expire

    def headers(self, unit: ResetUnit = "seconds") -> list[tuple[str, str]]:
        suffix = self.rule.header_suffix
        reset = self.reset if unit == "seconds" else math.ceil(self.at) + self.reset
        return [
            (f"X-RateLimit-Limit-{suffix}", str(self.rule.limit)),
            (f"X-RateLimit-Remaining-{suffix}", str(self.remaining)),
            (f"X-RateLimit-Reset-{suffix}", str(reset)),
        ]


@dataclass
class _Counter:
    hits: int
    window_ends_ms: int
    block_ends_ms: int | None


def _ceil_seconds(ms: int) -> int:
    return -(-ms // 1000)


def _ms(seconds: float) -> int:
    return math.floor(seconds * 1000)


class RateLimiter:
    """Counters of one fake plus the per-tracker rules a test has set.

    Each count is one step under a lock, as the Redis script is one atomic evaluation.
    """

    def __init__(self) -> None:
        self._counters: dict[str, _Counter] = {}
        self._overrides: dict[str, RateLimitRule] = {}
        self._lock = threading.Lock()
        self._created_since_sweep = 0

    # -- rules -----------------------------------------------------------------------------

    def set_rule(self, tracker: Tracker, rule: RateLimitRule) -> None:
        """Give one tracker its own rule (Cal.com keeps such rows per API key)."""
        with self._lock:
            self._overrides[tracker.key] = rule

    def clear_rule(self, tracker: Tracker) -> bool:
        return self.remove_override(tracker.key) is not None

    def remove_override(self, tracker_key: str) -> RateLimitRule | None:
        """Drop the rule set for a tracker (by its key); the removed rule, if there was one."""
        with self._lock:
            return self._overrides.pop(tracker_key, None)

    def rule_override(self, tracker: Tracker) -> RateLimitRule | None:
        return self._overrides.get(tracker.key)

    def overrides(self) -> dict[str, RateLimitRule]:
        with self._lock:
            return dict(self._overrides)

    # -- counting --------------------------------------------------------------------------

    def hit(self, tracker: Tracker, rule: RateLimitRule, now: float) -> Outcome:
        """Count one request, exactly as the storage's increment script does."""
        now_ms = _ms(now)
        key = f"{tracker.key}:{rule.limit}:{rule.ttl}"
        with self._lock:
            counter = self._counters.get(key)
            if counter is None or now_ms >= counter.window_ends_ms:
                # The hit key expired (or never was): INCR starts at 1 with a fresh TTL. The
                # block key lives on its own clock, so a running block survives the window.
                block = counter.block_ends_ms if counter is not None else None
                counter = _Counter(0, now_ms + _ms(rule.ttl), block)
                self._remember(key, counter, now_ms)
            counter.hits += 1
            time_to_block_ms = 0
            if counter.block_ends_ms is not None and now_ms < counter.block_ends_ms:
                time_to_block_ms = counter.block_ends_ms - now_ms
            elif counter.hits > rule.limit:
                counter.block_ends_ms = now_ms + _ms(rule.block)
                time_to_block_ms = _ms(rule.block)
            else:
                counter.block_ends_ms = None
            return Outcome(
                rule=rule,
                total_hits=counter.hits,
                time_to_expire=_ceil_seconds(counter.window_ends_ms - now_ms),
                time_to_block_expire=_ceil_seconds(time_to_block_ms),
                blocked=time_to_block_ms > 0,
                at=now,
            )

    def peek(self, tracker: Tracker, rule: RateLimitRule, now: float) -> tuple[int, bool]:
        """(hits in the current window, blocked now) without counting a request."""
        now_ms = _ms(now)
        with self._lock:
            counter = self._counters.get(f"{tracker.key}:{rule.limit}:{rule.ttl}")
            if counter is None:
                return 0, False
            hits = counter.hits if now_ms < counter.window_ends_ms else 0
            blocked = counter.block_ends_ms is not None and now_ms < counter.block_ends_ms
            return hits, blocked

    def __len__(self) -> int:
        """Counters held (live, or expired and not yet swept)."""
        return len(self._counters)

    def reset_counters(self) -> None:
        """Forget every count and block (rules set for trackers stay)."""
        with self._lock:
            self._counters.clear()

    def _remember(self, key: str, counter: _Counter, now_ms: int) -> None:
        self._counters[key] = counter
        self._created_since_sweep += 1
        if self._created_since_sweep >= _SWEEP_EVERY:
            self._created_since_sweep = 0
            stale = [k for k, c in self._counters.items()
                     if now_ms >= c.window_ends_ms
                     and (c.block_ends_ms is None or now_ms >= c.block_ends_ms)]
            for k in stale:
                del self._counters[k]
            counters = self._counters
            while len(counters) > MAX_COUNTERS:
                del counters[next(iter(counters))]  # the oldest tracker (dict order)
