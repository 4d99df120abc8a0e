"""Personal event types (API v2 ``event-types`` 2024-06-14), owned by one user each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.clock import Clock
from mock_calcom.model.resources.ids import IdSequence

#: Cal.com's default ``minimumBookingNotice`` for a new event type: 120 minutes.
DEFAULT_MINIMUM_BOOKING_NOTICE = 120
#: A personal event type with no location gets Cal Video (Cal.com's default conferencing app).
CAL_VIDEO_LOCATION: dict[str, Any] = {"type": "integration", "integration": "cal-video"}


@dataclass
class EventType:
    id: int
    owner_id: int
    title: str
    slug: str
    length: int
    created_at: float
    updated_at: float
    description: str = ""
    length_options: list[int] | None = None
    hidden: bool = False
    #: Output-shaped locations (``OutputIntegrationLocation_2024_06_14`` and friends).
    locations: list[dict[str, Any]] = field(default_factory=lambda: [dict(CAL_VIDEO_LOCATION)])
    #: Custom (non-default) booking fields as given at create/update, output-shaped.
    custom_booking_fields: list[dict[str, Any]] = field(default_factory=list)
    schedule_id: int | None = None
    minimum_booking_notice: int = DEFAULT_MINIMUM_BOOKING_NOTICE
    before_event_buffer: int = 0
    after_event_buffer: int = 0
    slot_interval: int | None = None
    requires_confirmation: bool = False
    disable_guests: bool = False
    price: int = 0
    currency: str = "usd"
    lock_time_zone_toggle: bool = False
    booking_requires_authentication: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


#: Fields a create or update may set, with the attribute each lands in.
EVENT_TYPE_FIELDS: dict[str, str] = {
    "title": "title",
    "slug": "slug",
    "lengthInMinutes": "length",
    "lengthInMinutesOptions": "length_options",
    "description": "description",
    "hidden": "hidden",
    "locations": "locations",
    "bookingFields": "custom_booking_fields",
    "scheduleId": "schedule_id",
    "minimumBookingNotice": "minimum_booking_notice",
    "beforeEventBuffer": "before_event_buffer",
    "afterEventBuffer": "after_event_buffer",
    "slotInterval": "slot_interval",
    "disableGuests": "disable_guests",
    "lockTimeZoneToggleOnBookingPage": "lock_time_zone_toggle",
    "bookingRequiresAuthentication": "booking_requires_authentication",
    "metadata": "metadata",
}


class EventTypeStore:
    def __init__(self, clock: Clock, ids: IdSequence) -> None:
        self._clock = clock
        self._ids = ids
        self._by_id: dict[int, EventType] = {}
        # Each owner's event types (id -> event type, in creation order): a user's listing and
        # slug lookups never look at other users'.
        self._by_owner: dict[int, dict[int, EventType]] = {}

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._by_id.values())

    def get(self, event_type_id: int) -> EventType | None:
        return self._by_id.get(event_type_id)

    def of_user(self, user_id: int) -> list[EventType]:
        return list(self._by_owner.get(user_id, {}).values())

    def by_slug(self, user_id: int, slug: str) -> EventType | None:
        return next((e for e in self.of_user(user_id) if e.slug == slug), None)

    def owned(self, user_id: int, event_type_id: int) -> EventType:
        """The user's event type, else 404 as ``getUserEventType`` answers (event-types
        controller @f65f2d39): another user's event type is as absent as a missing one."""
        found = self._by_id.get(event_type_id)
        if found is None or found.owner_id != user_id:
            raise NotFoundError(f"Event type with id {event_type_id} not found")
        return found

    def changeable(self, user_id: int, event_type_id: int) -> EventType:
        """The event type a PATCH or DELETE may touch: missing is 404, another user's is 403
        (``deleteEventType`` / ``checkUserOwnsEventType``, event-types.service.ts)."""
        found = self._by_id.get(event_type_id)
        if found is None:
            raise NotFoundError(f"Event type with ID={event_type_id} does not exist.")
        if found.owner_id != user_id:
            raise ForbiddenError(
                f"User with ID={user_id} does not own event type with ID={event_type_id}")
        return found

    def create(self, owner_id: int, values: dict[str, Any]) -> EventType:
        """``values`` are validated API fields (camelCase keys of :data:`EVENT_TYPE_FIELDS`)."""
        self._check_slug_free(owner_id, values["slug"], None)
        now = self._clock.now()
        event_type = EventType(id=self._ids.next(), owner_id=owner_id, title=values["title"],
                               slug=values["slug"], length=values["lengthInMinutes"],
                               created_at=now, updated_at=now)
        self._apply(event_type, values)
        self.add(event_type)
        return event_type

    def update(self, event_type: EventType, values: dict[str, Any]) -> EventType:
        if "slug" in values:
            self._check_slug_free(event_type.owner_id, values["slug"], event_type.id)
        self._apply(event_type, values)
        event_type.updated_at = self._clock.now()
        return event_type

    def delete(self, event_type: EventType) -> None:
        del self._by_id[event_type.id]
        self._by_owner.get(event_type.owner_id, {}).pop(event_type.id, None)

    def add(self, event_type: EventType) -> None:
        """Insert a fully built event type (seed data)."""
        self._by_id[event_type.id] = event_type
        self._by_owner.setdefault(event_type.owner_id, {})[event_type.id] = event_type

    def new_id(self) -> int:
        return self._ids.next()

    def _check_slug_free(self, owner_id: int, slug: str, own_id: int | None) -> None:
        # checkCanCreateEventType (event-types.service.ts): one slug per user.
        clash = self.by_slug(owner_id, slug)
        if clash is not None and clash.id != own_id:
            raise BadRequestError("User already has an event type with this slug.")

    @staticmethod
    def _apply(event_type: EventType, values: dict[str, Any]) -> None:
        for key, attribute in EVENT_TYPE_FIELDS.items():
            if key in values:
                setattr(event_type, attribute, values[key])
        if not event_type.locations:
            event_type.locations = [dict(CAL_VIDEO_LOCATION)]
