"""Available slots of an event type (API v2 ``slots`` 2024-09-04): the schedule's windows cut
into slot-long steps, minus what the minimum notice and the host's bookings rule out."""

from __future__ import annotations

import datetime as dt

from mock_calcom.model.resources.bookings import BookingStore
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.schedules import Schedule
from mock_calcom.model.resources.timeutil import local
from mock_calcom.model.users import User

#: Never enumerate more than this many days in one request (the fake's own bound).
MAX_DAYS = 366


def available_starts(*, event_type: EventType, host: User, schedule: Schedule | None,
                     bookings: BookingStore, start: float, end: float, now: float,
                     duration: int, ignore_uid: str | None = None) -> list[float]:
    """Slot start times in [start, end], ascending. A slot is ``duration`` minutes long and
    starts every ``slotInterval`` (default: the duration) minutes from each window's start."""
    if schedule is None or end < start:
        return []
    length = duration * 60
    step = (event_type.slot_interval or duration) * 60
    earliest = max(start, now + event_type.minimum_booking_notice * 60)
    first = local(start, schedule.time_zone).date() - dt.timedelta(days=1)
    last = local(end, schedule.time_zone).date() + dt.timedelta(days=1)
    found: set[float] = set()
    day = first
    while day <= last and (day - first).days <= MAX_DAYS:
        for low, high in schedule.windows_on(day):
            moment = low
            while moment + length <= high:
                if earliest <= moment <= end and bookings.is_free(
                        event_type, host, moment, moment + length, ignore_uid=ignore_uid):
                    found.add(moment)
                moment += step
        day += dt.timedelta(days=1)
    return sorted(found)
