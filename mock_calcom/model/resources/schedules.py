"""Availability schedules (API v2 ``schedules`` 2024-06-11): weekly hours plus date overrides.

Whether a schedule is the default is not stored on it: Cal.com keeps ``User.defaultScheduleId``
and computes ``isDefault`` from it (output-schedules.service.ts @9c477e49), so a user has at
most one default at any time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.resources.ids import IdSequence
from mock_calcom.model.resources.timeutil import WEEKDAYS, at_local, local, minutes_of
from mock_calcom.model.users import User

#: ``transformInputCreateSchedule``: no availability given means Monday to Friday, 09:00-17:00.
DEFAULT_AVAILABILITY: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (WEEKDAYS[:5], "09:00", "17:00"),
)


@dataclass
class Availability:
    days: list[str]
    start_time: str
    end_time: str


@dataclass
class Override:
    date: str
    start_time: str
    end_time: str


@dataclass
class Schedule:
    id: int
    owner_id: int
    name: str
    time_zone: str
    availability: list[Availability] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)

    def windows_on(self, day: dt.date) -> list[tuple[float, float]]:
        """The bookable [start, end) intervals of a local ``day``: its overrides if it has
        any, else the weekly hours of its weekday."""
        iso = day.isoformat()
        overrides = [o for o in self.overrides if o.date == iso]
        if overrides:
            spans = [(o.start_time, o.end_time) for o in overrides]
        else:
            weekday = WEEKDAYS[day.weekday()]
            spans = [(a.start_time, a.end_time) for a in self.availability if weekday in a.days]
        return [(at_local(day, minutes_of(s), self.time_zone),
                 at_local(day, minutes_of(e) or 24 * 60, self.time_zone)) for s, e in spans]

    def covers(self, start: float, end: float) -> bool:
        """Whether the whole of [start, end) lies inside one bookable window."""
        first = local(start, self.time_zone).date()
        for offset in (-1, 0, 1):
            for low, high in self.windows_on(first + dt.timedelta(days=offset)):
                if low <= start and end <= high:
                    return True
        return False


def availability_from(items: list[dict[str, Any]]) -> list[Availability]:
    return [Availability(list(i["days"]), i["startTime"], i["endTime"]) for i in items]


def overrides_from(items: list[dict[str, Any]]) -> list[Override]:
    return [Override(i["date"], i["startTime"], i["endTime"]) for i in items]


class ScheduleStore:
    def __init__(self, ids: IdSequence) -> None:
        self._ids = ids
        self._by_id: dict[int, Schedule] = {}
        # Each owner's schedules (id -> schedule, in creation order).
        self._by_owner: dict[int, dict[int, Schedule]] = {}

    def get(self, schedule_id: int) -> Schedule | None:
        return self._by_id.get(schedule_id)

    def default_of(self, user: User) -> Schedule | None:
        """The user's default schedule, or None when they have none (both API versions answer null)."""
        return self._by_id.get(user.default_schedule_id) if user.default_schedule_id is not None else None

    def of_user(self, user_id: int) -> list[Schedule]:
        return list(self._by_owner.get(user_id, {}).values())

    def owned(self, user_id: int, schedule_id: int, *, missing_is_bad_request: bool = False) -> Schedule:
        """``getUserSchedule`` / ``deleteUserSchedule``'s checks (schedules.service.ts
        @4a2b3abf): missing is 404 (400 on delete), another user's is 403."""
        found = self._by_id.get(schedule_id)
        if found is None:
            message = f"Schedule with ID={schedule_id} does not exist."
            raise BadRequestError(message) if missing_is_bad_request else NotFoundError(message)
        if found.owner_id != user_id:
            raise ForbiddenError(f"User with ID={user_id} does not own schedule with ID={schedule_id}")
        return found

    def create(self, user: User, values: dict[str, Any]) -> Schedule:
        availability = (availability_from(values["availability"]) if "availability" in values
                        else [Availability(list(d), s, e) for d, s, e in DEFAULT_AVAILABILITY])
        schedule = Schedule(id=self._ids.next(), owner_id=user.id, name=values["name"],
                            time_zone=values["timeZone"], availability=availability,
                            overrides=overrides_from(values.get("overrides", [])))
        self.add(schedule)
        if values.get("isDefault"):
            user.default_schedule_id = schedule.id
        return schedule

    def update(self, user: User, schedule: Schedule, values: dict[str, Any]) -> Schedule:
        if "name" in values:
            schedule.name = values["name"]
        if "timeZone" in values:
            schedule.time_zone = values["timeZone"]
        if "availability" in values:
            schedule.availability = availability_from(values["availability"])
        if "overrides" in values:
            schedule.overrides = overrides_from(values["overrides"])
        # Only ``isDefault: true`` does anything: it moves the user's default here. Sending
        # false for the current default leaves it the default (updateUserSchedule).
        if values.get("isDefault"):
            user.default_schedule_id = schedule.id
        return schedule

    def delete(self, user: User, schedule: Schedule) -> None:
        del self._by_id[schedule.id]
        self._by_owner.get(schedule.owner_id, {}).pop(schedule.id, None)
        if user.default_schedule_id == schedule.id:
            user.default_schedule_id = None

    def add(self, schedule: Schedule) -> None:
        self._by_id[schedule.id] = schedule
        self._by_owner.setdefault(schedule.owner_id, {})[schedule.id] = schedule

    def new_id(self) -> int:
        return self._ids.next()
