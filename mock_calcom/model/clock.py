"""Time for the whole fake: every lifetime, expiry and rate-limit window reads this clock.

Nothing in ``mock_calcom`` calls ``time.time()`` except :class:`WallClock`, so a test can
freeze time, jump 31 minutes to expire an access token, or 31 days to kill a refresh token.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

from mock_calcom.inputs import MAX_CLOCK

#: 2026-01-05T09:00:00Z, a Monday: frozen clocks start here unless told otherwise, so
#: seeded resources (bookings next week, schedules) are the same on every run.
DEFAULT_EPOCH = 1_767_603_600.0


@runtime_checkable
class Clock(Protocol):
    """A source of the current time in POSIX seconds that tests can move forward."""

    def now(self) -> float: ...

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backward) and return the new now."""
        ...

    @property
    def frozen(self) -> bool: ...


#: The latest time a clock may show (9000-01-01): past it, dates the fake derives from now
#: would leave what :mod:`datetime` can represent (year 9999) and every answer would fail.
MAX_TIME = MAX_CLOCK


def _check_step(now: float, seconds: float) -> None:
    if not seconds >= 0:  # also refuses NaN
        raise ValueError(f"the clock only moves forward; got {seconds!r} seconds")
    if now + seconds > MAX_TIME:
        raise ValueError(f"the clock cannot go past 9000-01-01 (MAX_TIME {MAX_TIME:.0f})")


class FrozenClock:
    """A clock that stands still until advanced: the default for in-process fakes."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        return True

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            _check_step(self._now, seconds)
            self._now += seconds
            return self._now


class WallClock:
    """Real time plus an offset: the standalone server runs on it so a browser flow feels
    real, while ``advance`` still lets a developer expire tokens without waiting."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        return False

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            _check_step(self.now(), seconds)
            self._offset += seconds
        return self.now()
