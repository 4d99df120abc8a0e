"""``ResourceStore``: every API v2 resource of one fake, per user, with no HTTP in it."""

from __future__ import annotations

from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.resources.apps import AppStore
from mock_calcom.model.resources.bookings import BookingStore
from mock_calcom.model.resources.event_types import EventType, EventTypeStore
from mock_calcom.model.resources.ids import IdSequence
from mock_calcom.model.resources.private_links import PrivateLinkStore, VerifiedResourceStore
from mock_calcom.model.resources.reservations import ReservationStore
from mock_calcom.model.resources.schedules import Schedule, ScheduleStore
from mock_calcom.model.resources.seed import seed_user
from mock_calcom.model.resources.teams import TeamStore
from mock_calcom.model.resources.webhooks import WebhookStore
from mock_calcom.model.users import User


class ResourceStore:
    """Event types, schedules, bookings and apps. Each table has its own id sequence, in ranges
    far apart so that an event type id is never mistaken for a schedule id by luck."""

    def __init__(self, clock: Clock, rng: Randomness) -> None:
        self._clock = clock
        self.event_types = EventTypeStore(clock, IdSequence(1_001))
        self.schedules = ScheduleStore(IdSequence(200_001))
        self.bookings = BookingStore(clock, rng.fork("bookings"), IdSequence(3_000_001))
        self.apps = AppStore(IdSequence(40_001))
        self.webhooks = WebhookStore(clock, rng.fork("webhooks"))
        self.reservations = ReservationStore(clock, rng.fork("reservations"))
        self.private_links = PrivateLinkStore(clock, rng.fork("private-links"))
        self.verified = VerifiedResourceStore(rng.fork("verified"), IdSequence(60_001))
        self.teams = TeamStore(IdSequence(7_001), IdSequence(80_001))

    def seed_user(self, user: User, rng: Randomness) -> None:
        """Give a new user what Cal.com gives a new account (see :mod:`.seed`)."""
        seed_user(self, user, rng, self._clock)

    def schedule_for(self, event_type: EventType, host: User) -> Schedule | None:
        """The schedule a booking is checked against: the event type's, else the host's default."""
        schedule_id = event_type.schedule_id or host.default_schedule_id
        return self.schedules.get(schedule_id) if schedule_id is not None else None
