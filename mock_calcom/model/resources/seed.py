"""What a new account comes with: a default schedule, three event types, a few bookings around
the fake's "now", a connected Google calendar and Google Meet.

Everything random comes from the user's own stream (``rng.fork(f"user:{id}")``), so a fake with
the same seed gives the same user the same attendees and booking uids whatever else happened.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.resources.bookings import Attendee, Booking, BookingStatus
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.ids import booking_uid
from mock_calcom.model.resources.schedules import Availability, Schedule
from mock_calcom.model.resources.timeutil import WEEKDAYS, at_local, local
from mock_calcom.model.users import User

if TYPE_CHECKING:
    from mock_calcom.model.resources.store import ResourceStore

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Radia",
          "Ken", "Frances", "John", "Katherine", "Tim", "Hedy", "Dennis")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds",
         "Perlman", "Thompson", "Allen", "McCarthy", "Johnson", "Berners-Lee", "Lamarr", "Ritchie")
_ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "Europe/London",
          "Australia/Sydney")
_DAY = 86_400

#: (event type slug, weekdays from today (negative: past), local start minute, status, reason)
_BOOKINGS: tuple[tuple[str, int, int, BookingStatus, str | None], ...] = (
    ("30min", -2, 10 * 60, BookingStatus.ACCEPTED, None),
    ("15min", -1, 14 * 60, BookingStatus.ACCEPTED, None),
    ("30min", 1, 10 * 60, BookingStatus.ACCEPTED, None),
    ("30min", 2, 11 * 60, BookingStatus.PENDING, None),
    ("15min", 3, 15 * 60, BookingStatus.CANCELLED, "Conflict with another meeting"),
)


def _weekday(today: dt.date, offset: int) -> dt.date:
    """The ``offset``-th weekday after (or, negative, before) ``today``."""
    day, step, left = today, (1 if offset > 0 else -1), abs(offset)
    while left:
        day += dt.timedelta(days=step)
        if day.weekday() < 5:
            left -= 1
    return day


def seed_user(store: ResourceStore, user: User, rng: Randomness, clock: Clock) -> None:
    now = clock.now()
    schedule = Schedule(id=store.schedules.new_id(), owner_id=user.id, name="Working Hours",
                        time_zone=user.time_zone,
                        availability=[Availability(list(WEEKDAYS[:5]), "09:00", "17:00")])
    store.schedules.add(schedule)
    user.default_schedule_id = schedule.id

    event_types: dict[str, EventType] = {}
    for title, slug, length, hidden in (("15 min meeting", "15min", 15, False),
                                        ("30 min meeting", "30min", 30, False),
                                        ("Secret meeting", "secret", 15, True)):
        created = now - 30 * _DAY
        event_types[slug] = EventType(id=store.event_types.new_id(), owner_id=user.id, title=title,
                                      slug=slug, length=length, hidden=hidden,
                                      created_at=created, updated_at=created)
        store.event_types.add(event_types[slug])

    today = local(now, user.time_zone).date()
    for index, (slug, offset, minute, status, reason) in enumerate(_BOOKINGS):
        event_type = event_types[slug]
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        attendee = Attendee(name=f"{first} {last}", time_zone=rng.choice(_ZONES),
                            email=f"{first}.{last}@example.net".lower().replace("-", ""))
        start = at_local(_weekday(today, offset), minute, user.time_zone)
        uid = booking_uid(rng)
        created = min(start, now) - (7 - index) * _DAY
        booking = Booking(
            id=store.bookings.new_id(), uid=uid,
            title=f"{event_type.title} between {user.name or user.username} and {attendee.name}",
            host_id=user.id, event_type_id=event_type.id, event_type_slug=event_type.slug, start=start,
            end=start + event_type.length * 60, status=status, attendees=[attendee],
            location="integrations:daily", created_at=created,
            updated_at=created if status is not BookingStatus.CANCELLED else created + _DAY,
            responses={"name": attendee.name, "email": attendee.email},
            metadata={"videoCallUrl": f"https://app.cal.com/video/{uid}"},
            cancellation_reason=reason,
            cancelled_by_email=attendee.email if status is BookingStatus.CANCELLED else None,
            ics_uid=f"{uid}@Cal.com",
        )
        store.bookings.add(booking)

    store.apps.connect_calendar(user.id, "google", user.email, destination=True)
    store.apps.install_conferencing(user.id, "google_video")
