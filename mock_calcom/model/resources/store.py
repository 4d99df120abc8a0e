"""``ResourceStore``: every API v2 resource of one fake, per user, with no HTTP in it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.resources.ids import IdSequence
from mock_calcom.model.users import User

if TYPE_CHECKING:
    from mock_calcom.model.resources.apps import AppStore
    from mock_calcom.model.resources.bookings import BookingStore
    from mock_calcom.model.resources.event_types import EventType, EventTypeStore
    from mock_calcom.model.resources.private_links import PrivateLinkStore, VerifiedResourceStore
    from mock_calcom.model.resources.reservations import ReservationStore
    from mock_calcom.model.resources.schedules import Schedule, ScheduleStore
    from mock_calcom.model.resources.teams import TeamStore
    from mock_calcom.model.resources.webhooks import WebhookStore


class ResourceStore:
    """Event types, schedules, bookings and apps. Each table has its own id sequence, in ranges
    far apart so that an event type id is never mistaken for a schedule id by luck.

    A table is made, and its module imported, when it is first used: ``serve`` answers its
    first request without them. Each starts empty, with its own id range and its own random
    stream (``fork`` by name), so the order they are made in changes nothing.
    """

    def __init__(self, clock: Clock, rng: Randomness) -> None:
        self._clock = clock
        self._rng = rng

    @cached_property
    def event_types(self) -> EventTypeStore:
        from mock_calcom.model.resources.event_types import EventTypeStore

        return EventTypeStore(self._clock, IdSequence(1_001))

    @cached_property
    def schedules(self) -> ScheduleStore:
        from mock_calcom.model.resources.schedules import ScheduleStore

        return ScheduleStore(IdSequence(200_001))

    @cached_property
    def bookings(self) -> BookingStore:
        from mock_calcom.model.resources.bookings import BookingStore

        return BookingStore(self._clock, self._rng.fork("bookings"), IdSequence(3_000_001))

    @cached_property
    def apps(self) -> AppStore:
        from mock_calcom.model.resources.apps import AppStore

        return AppStore(IdSequence(40_001))

    @cached_property
    def webhooks(self) -> WebhookStore:
        from mock_calcom.model.resources.webhooks import WebhookStore

        return WebhookStore(self._clock, self._rng.fork("webhooks"))

    @cached_property
    def reservations(self) -> ReservationStore:
        from mock_calcom.model.resources.reservations import ReservationStore

        return ReservationStore(self._clock, self._rng.fork("reservations"))

    @cached_property
    def private_links(self) -> PrivateLinkStore:
        from mock_calcom.model.resources.private_links import PrivateLinkStore

        return PrivateLinkStore(self._clock, self._rng.fork("private-links"))

    @cached_property
    def verified(self) -> VerifiedResourceStore:
        from mock_calcom.model.resources.private_links import VerifiedResourceStore

        return VerifiedResourceStore(self._rng.fork("verified"), IdSequence(60_001))

    @cached_property
    def teams(self) -> TeamStore:
        from mock_calcom.model.resources.teams import TeamStore

        return TeamStore(IdSequence(7_001), IdSequence(80_001))

    def seed_user(self, user: User, rng: Randomness) -> None:
        """Give a new user what Cal.com gives a new account (see :mod:`.seed`)."""
        from mock_calcom.model.resources.seed import seed_user

        seed_user(self, user, rng, self._clock)

    def schedule_for(self, event_type: EventType, host: User) -> Schedule | None:
        """The schedule a booking is checked against: the event type's, else the host's default."""
        schedule_id = event_type.schedule_id or host.default_schedule_id
        return self.schedules.get(schedule_id) if schedule_id is not None else None
