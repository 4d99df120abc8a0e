"""Bookings (API v2 ``bookings`` 2024-08-13): create, list, cancel, reschedule, confirm, decline,
mark absent. Messages and checks follow bookings.service.ts @cd764fd8 and errors.service.ts."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mock_calcom.errors import BadRequestError, NotFoundError
from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.ids import IdSequence, booking_uid
from mock_calcom.model.resources.schedules import Schedule
from mock_calcom.model.users import User

UNAVAILABLE = "User either already has booking at this time or is not available"
IN_THE_PAST = "Attempting to book a meeting in the past."
OUT_OF_BOUNDS = (
    "The event type can't be booked at the \"start\" time provided. This could be because it's too "
    "soon (violating the minimum booking notice) or too far in the future (outside the event's "
    "scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and "
    "then make a booking with \"start\" time equal to one of the available slots: "
    "https://cal.com/docs/api-reference/v2/slots"
)


class BookingStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    PENDING = "pending"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


#: A last check of a slot (event type id, start, end) before a booking is written.
SlotCheck = Callable[[int, float, float], None]

#: Statuses that hold a slot in the host's calendar.
_BLOCKING = (BookingStatus.ACCEPTED, BookingStatus.PENDING)


@dataclass
class Attendee:
    name: str
    email: str
    time_zone: str
    language: str = "en"
    absent: bool = False
    phone_number: str | None = None
    #: The Attendee row's id, given when the booking is stored.
    id: int | None = None


class Changes:
    """A count of the changes to one store's bookings: its indexes and every assignment to a
    booking it holds. A plain counter object (not the store), so a booking still copies and
    compares as data."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


@dataclass
class Booking:
    id: int
    uid: str
    title: str
    host_id: int
    event_type_id: int
    start: float
    end: float
    status: BookingStatus
    attendees: list[Attendee]
    location: str
    created_at: float
    updated_at: float
    description: str = ""
    #: The event type's slug when booked, kept so the booking still names it later.
    event_type_slug: str = ""
    guests: list[str] = field(default_factory=list)
    responses: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    cancellation_reason: str | None = None
    cancelled_by_email: str | None = None
    rejection_reason: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by_email: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    absent_host: bool = False
    ics_uid: str = ""
    #: The series a recurring booking belongs to (Prisma ``recurringEventId``): every
    #: occurrence of one recurring booking carries the same value.
    recurring_event_id: str | None = None
    #: Bumped by every attribute assignment: what a cached serialised form is checked against.
    revision: int = field(default=0, init=False, compare=False, repr=False)
    #: The API layer's serialised form and the state it was made from (see api/bookings.py):
    #: a booking that has not changed is not serialised again.
    #: (booking revision, host object, host revision, bytes).
    rendered: tuple[int, object, int, bytes] | None = field(default=None, init=False, compare=False,
                                                            repr=False)

    #: The change counter of the store holding this booking (set by :meth:`BookingStore.add`):
    #: every assignment moves it too.
    changes: Changes | None = field(default=None, init=False, compare=False, repr=False)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name != "rendered" and name != "revision" and name != "changes":
            state = self.__dict__
            object.__setattr__(self, "revision", state.get("revision", 0) + 1)
            changes = state.get("changes")
            if changes is not None:
                changes.count += 1

    @property
    def duration(self) -> int:
        return round((self.end - self.start) / 60)

    def involves(self, user: User) -> bool:
        """Bookings a user lists: the ones they host or attend (getAllUserBookings)."""
        email = user.email.lower()
        return self.host_id == user.id or any(a.email.lower() == email for a in self.attendees)


@dataclass(frozen=True)
class BookingQuery:
    """A validated ``GET /v2/bookings`` query (GetBookingsInput_2024_08_13 @1b6cab4f)."""

    statuses: tuple[str, ...] = ()
    attendee_email: str | None = None
    attendee_name: str | None = None
    booking_uid: str | None = None
    event_type_ids: tuple[int, ...] | None = None
    team_ids: tuple[int, ...] | None = None
    after_start: float | None = None
    before_end: float | None = None
    after_created_at: float | None = None
    before_created_at: float | None = None
    after_updated_at: float | None = None
    before_updated_at: float | None = None
    #: (``start`` | ``end`` | ``created`` | ``updated``, ``asc`` | ``desc``)
    sort: tuple[str, str] | None = None
    take: int = 100
    skip: int = 0

    @functools.cached_property
    def filters(self) -> bool:
        """Whether anything but paging and sorting narrows the listing."""
        return bool(self.statuses) or any(value is not None for value in (
            self.attendee_email, self.attendee_name, self.booking_uid, self.event_type_ids,
            self.team_ids, self.after_start, self.before_end, self.after_created_at,
            self.before_created_at, self.after_updated_at, self.before_updated_at))


@dataclass(frozen=True)
class NewBooking:
    """What ``POST /v2/bookings`` asks for, validated; the event type is already resolved."""

    event_type: EventType
    start: float
    attendee: Attendee
    length: int | None = None
    guests: tuple[str, ...] = ()
    location: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    responses: dict[str, Any] = field(default_factory=dict)


def _status_matches(booking: Booking, status: str, now: float) -> bool:
    # bookingListingFilters of getAllUserBookings (packages/lib/bookings/getAllUserBookings.ts):
    # upcoming, recurring and unconfirmed look at endTime; an occurrence of a recurring booking
    # counts as upcoming only once accepted.
    if status == "upcoming":
        if booking.recurring_event_id is not None:
            return booking.end >= now and booking.status is BookingStatus.ACCEPTED
        return booking.end >= now and booking.status in _BLOCKING
    if status == "recurring":
        return booking.end >= now and booking.recurring_event_id is not None and booking.status in _BLOCKING
    if status == "unconfirmed":
        return booking.end >= now and booking.status is BookingStatus.PENDING
    if status == "past":
        return booking.end <= now and booking.status in _BLOCKING
    if status == "cancelled":
        return booking.status in (BookingStatus.CANCELLED, BookingStatus.REJECTED)
    return False


#: Without a sort parameter, one status sorts as Cal.com's listing does; otherwise by start.
_STATUS_ORDER = {"upcoming": "asc", "recurring": "asc", "unconfirmed": "asc",
                 "past": "desc", "cancelled": "desc"}
_SORT_KEYS = {"start": "start", "end": "end", "created": "created_at", "updated": "updated_at"}
_SORT_GETTERS = {name: operator.attrgetter(attribute) for name, attribute in _SORT_KEYS.items()}
_BY_ID = operator.attrgetter("id")


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


class BookingStore:
    def __init__(self, clock: Clock, rng: Randomness, ids: IdSequence) -> None:
        self._clock = clock
        self._rng = rng
        self._ids = ids
        self._by_uid: dict[str, Booking] = {}
        #: Moved by every change to the indexes and every assignment to a stored booking: a
        #: form serialised from this store's bookings is current while it has not moved.
        self.changes = Changes()
        #: The API layer's serialised listings (api/bookings.py ``_listing``), by user id: one
        #: per user at most, dropped with the store.
        self.listings: dict[int, tuple[Any, ...]] = {}
        self._attendee_ids = IdSequence(5_000_001)
        # Who a booking involves (getAllUserBookings): its host, and every attendee by e-mail
        # (lower-cased). Listing and the free/busy check read these, never every booking.
        # Values are uid -> booking dicts, in insertion order like ``_by_uid``.
        self._by_host: dict[int, dict[str, Booking]] = {}
        self._by_attendee: dict[str, dict[str, Booking]] = {}
        #: recurringEventId -> uid -> occurrence.
        self._by_series: dict[str, dict[str, Booking]] = {}

    def __len__(self) -> int:
        return len(self._by_uid)

    def get(self, uid: str) -> Booking | None:
        return self._by_uid.get(uid)

    def hosted_by(self, host_id: int) -> list[Booking]:
        """The bookings ``host_id`` hosts, in creation order."""
        return list(self._by_host.get(host_id, {}).values())

    def require(self, uid: str) -> Booking:
        found = self._by_uid.get(uid)
        if found is None:
            raise NotFoundError(f"Booking with uid={uid} was not found in the database")
        return found

    def hosted(self, user: User, uid: str, *,
               missing: str = "Booking with uid={uid} was not found in the database") -> Booking:
        """A booking the user may confirm, decline or mark: theirs as host. Another host's
        booking answers as a missing one, so its existence does not leak. ``missing`` is the
        404's message, ``{uid}`` filled in (each Cal.com service words it its own way)."""
        found = self._by_uid.get(uid)
        if found is None or found.host_id != user.id:
            raise NotFoundError(missing.format(uid=uid))
        return found

    def add(self, booking: Booking) -> None:
        """Store a booking (or re-index one whose host or attendees changed)."""
        old = self._by_uid.get(booking.uid)
        if old is not None:
            self._unindex(old)
        self.changes.count += 1
        object.__setattr__(booking, "changes", self.changes)
        self._by_uid[booking.uid] = booking
        self._by_host.setdefault(booking.host_id, {})[booking.uid] = booking
        for attendee in booking.attendees:
            if attendee.id is None:
                attendee.id = self._attendee_ids.next()
            self._by_attendee.setdefault(attendee.email.lower(), {})[booking.uid] = booking
        if booking.recurring_event_id is not None:
            self._by_series.setdefault(booking.recurring_event_id, {})[booking.uid] = booking

    def _unindex(self, booking: Booking) -> None:
        self._by_host.get(booking.host_id, {}).pop(booking.uid, None)
        for attendee in booking.attendees:
            self._by_attendee.get(attendee.email.lower(), {}).pop(booking.uid, None)
        if booking.recurring_event_id is not None:
            self._by_series.get(booking.recurring_event_id, {}).pop(booking.uid, None)

    def involving(self, user: User) -> list[Booking]:
        """The bookings ``user`` hosts or attends, each once (in no particular order)."""
        hosted = self._by_host.get(user.id, {})
        attended = self._by_attendee.get(user.email.lower())
        if not attended:
            return list(hosted.values())
        return list({**hosted, **attended}.values())

    def new_id(self) -> int:
        return self._ids.next()

    def new_series_id(self) -> str:
        """A fresh ``recurringEventId`` (the controller's ``uuidv4()``)."""
        return str(uuid.UUID(bytes=self._rng.token_bytes(16), version=4))

    # -- listing ---------------------------------------------------------------------------

    def list_for(self, user: User, query: BookingQuery) -> tuple[list[Booking], int]:
        """The page of ``user``'s bookings matching ``query`` and the total match count."""
        candidates = self.involving(user)
        if query.filters:
            now = self._clock.now()
            matching = [b for b in candidates if self._matches(b, query, now)]
        else:
            matching = candidates
        field_name, direction = query.sort or (
            "start", _STATUS_ORDER.get(query.statuses[0], "asc") if len(query.statuses) == 1 else "asc")
        # By id, then (stable) by the field: equal values keep id order either way.
        matching.sort(key=_BY_ID)
        matching.sort(key=_SORT_GETTERS[field_name], reverse=direction == "desc")
        return matching[query.skip:query.skip + query.take], len(matching)

    @staticmethod
    def _matches(booking: Booking, query: BookingQuery, now: float) -> bool:
        if query.statuses and not any(_status_matches(booking, s, now) for s in query.statuses):
            return False
        if query.attendee_email is not None and not any(
                a.email.lower() == query.attendee_email.lower() for a in booking.attendees):
            return False
        if query.attendee_name is not None and not any(
                a.name.lower() == query.attendee_name.lower() for a in booking.attendees):
            return False
        if query.booking_uid is not None and booking.uid != query.booking_uid:
            return False
        if query.event_type_ids is not None and booking.event_type_id not in query.event_type_ids:
            return False
        if query.team_ids is not None:
            return False  # personal event types only: no booking belongs to a team
        return (_within(booking.start, query.after_start, None)
                and _within(booking.end, None, query.before_end)
                and _within(booking.created_at, query.after_created_at, query.before_created_at)
                and _within(booking.updated_at, query.after_updated_at, query.before_updated_at))

    # -- creating --------------------------------------------------------------------------

    def create(self, new: NewBooking, host: User, schedule: Schedule | None, *,
               before_write: SlotCheck | None = None) -> Booking:
        """A new booking; ``before_write(event_type_id, start, end)`` runs after every check of
        the model and may still refuse (the reserved-slot check runs at the write in Cal.com)."""
        start, end = self._span(new)
        self._check_bookable(new.event_type, host, schedule, start, end, ignore_uid=None)
        if before_write is not None:
            before_write(new.event_type.id, start, end)
        booking = self._build(new, host, start, end, recurring_event_id=None)
        self.add(booking)
        return booking

    def create_series(self, news: list[NewBooking], host: User, schedule: Schedule | None,
                      recurring_event_ids: list[str], *,
                      before_write: SlotCheck | None = None) -> list[Booking]:
        """The occurrences of a recurring booking, each carrying its ``recurring_event_ids``
        entry, in the order given. As ``handleNewRecurringBooking`` (RecurringBookingService.ts)
        with ``numSlotsToCheckForAvailability = 1``: only the first occurrence is checked
        against the host's schedule and bookings (handleNewBooking checks availability for
        ``isFirstRecurringSlot`` only), every occurrence against the booking window. Cal.com
        creates them one by one and keeps those made before a failure; the fake checks them
        all first and creates none when one is refused."""
        spans = [self._span(new) for new in news]
        for index, (new, (start, end)) in enumerate(zip(news, spans, strict=True)):
            if index == 0:
                self._check_bookable(new.event_type, host, schedule, start, end, ignore_uid=None)
            else:
                self._check_window(new.event_type, start)
            if before_write is not None:
                before_write(new.event_type.id, start, end)
        made = [self._build(new, host, start, end, recurring_event_id=series)
                for new, (start, end), series in zip(news, spans, recurring_event_ids, strict=True)]
        for booking in made:
            self.add(booking)
        return made

    def series(self, recurring_event_id: str) -> list[Booking]:
        """Every occurrence of a recurring booking, earliest first."""
        return sorted(self._by_series.get(recurring_event_id, {}).values(), key=lambda b: (b.start, b.id))

    def recurring_info(self, host_id: int) -> list[dict[str, Any]]:
        """``recurringInfo`` of getBookings (get.handler.ts): per series the host has, its
        occurrence count, first start and the starts by upper-case status."""
        groups: dict[str, list[Booking]] = {}
        for booking in self._by_host.get(host_id, {}).values():
            if booking.recurring_event_id is not None:
                groups.setdefault(booking.recurring_event_id, []).append(booking)
        info = []
        for series_id, members in groups.items():
            by_status: dict[str, list[float]] = {"ACCEPTED": [], "CANCELLED": [], "REJECTED": [],
                                                 "PENDING": [], "AWAITING_HOST": []}
            for member in sorted(members, key=lambda b: b.start):
                by_status[member.status.value.upper()].append(member.start)
            info.append({"recurringEventId": series_id, "count": len(members),
                         "firstDate": min(b.start for b in members), "bookings": by_status})
        return info

    @staticmethod
    def _span(new: NewBooking) -> tuple[float, float]:
        length = new.length or new.event_type.length
        return new.start, new.start + length * 60

    def _build(self, new: NewBooking, host: User, start: float, end: float, *,
               recurring_event_id: str | None) -> Booking:
        event_type = new.event_type
        uid = booking_uid(self._rng)
        location, video_url = location_for(event_type, new.location, uid)
        now = self._clock.now()
        attendee = new.attendee
        responses = {"name": attendee.name, "email": attendee.email, **new.responses}
        if new.guests:
            responses["guests"] = list(new.guests)
        metadata = dict(new.metadata)
        if video_url:
            metadata["videoCallUrl"] = video_url
        return Booking(
            id=self._ids.next(), uid=uid,
            title=f"{event_type.title} between {host.name or host.username} and {attendee.name}",
            description=str(new.responses.get("notes", "")),
            host_id=host.id, event_type_id=event_type.id, event_type_slug=event_type.slug,
            start=start, end=end,
            status=BookingStatus.PENDING if event_type.requires_confirmation else BookingStatus.ACCEPTED,
            attendees=[Attendee(attendee.name, attendee.email, attendee.time_zone, attendee.language,
                                attendee.absent, attendee.phone_number)],
            guests=list(new.guests), location=location,
            created_at=now, updated_at=now, responses=responses, metadata=metadata,
            ics_uid=f"{uid}@Cal.com", recurring_event_id=recurring_event_id,
        )

    def _check_window(self, event_type: EventType, start: float) -> None:
        now = self._clock.now()
        if start < now:
            raise BadRequestError(IN_THE_PAST)
        if start < now + event_type.minimum_booking_notice * 60:
            raise BadRequestError(OUT_OF_BOUNDS)

    def _check_bookable(self, event_type: EventType, host: User, schedule: Schedule | None,
                        start: float, end: float, *, ignore_uid: str | None) -> None:
        self._check_window(event_type, start)
        if schedule is None or not schedule.covers(start, end):
            raise BadRequestError(UNAVAILABLE)
        if not self.is_free(event_type, host, start, end, ignore_uid=ignore_uid):
            raise BadRequestError(UNAVAILABLE)

    def booked(self, event_type_id: int, host_id: int, start: float, end: float) -> bool:
        """Whether a booking of the event type that holds its slot overlaps [start, end)
        (``findActiveOverlappingBooking`` of the reservation service: no buffers)."""
        return any(b.event_type_id == event_type_id and b.status in _BLOCKING
                   and b.start < end and start < b.end for b in self._by_host.get(host_id, {}).values())

    def is_free(self, event_type: EventType, host: User, start: float, end: float, *,
                ignore_uid: str | None = None) -> bool:
        """Whether [start, end) plus the event type's buffers misses every booking that holds
        a slot in ``host``'s calendar (``ignore_uid``: the booking being rescheduled)."""
        before = event_type.before_event_buffer * 60
        after = event_type.after_event_buffer * 60
        return not any(
            other.host_id == host.id and other.status in _BLOCKING and other.uid != ignore_uid
            and other.start - before < end and start < other.end + after
            for other in self._by_host.get(host.id, {}).values())

    # -- changing --------------------------------------------------------------------------

    def cancel(self, booking: Booking, reason: str | None, by_email: str | None) -> Booking:
        if booking.status is BookingStatus.CANCELLED:
            raise BadRequestError("This booking has already been cancelled.")
        booking.status = BookingStatus.CANCELLED
        booking.cancellation_reason = reason
        booking.cancelled_by_email = by_email
        booking.updated_at = self._clock.now()
        return booking

    def cancel_series(self, booking: Booking, *, starting: float, reason: str | None,
                      by_email: str | None) -> list[Booking]:
        """Cancel ``booking`` and every occurrence of its series that starts at ``starting`` or
        later and still holds its slot (handleCancelBooking with ``cancelSubsequentBookings``:
        from the booking's start; with ``allRemainingBookings``: from now)."""
        if booking.status is BookingStatus.CANCELLED:
            raise BadRequestError("This booking has already been cancelled.")
        series = self.series(booking.recurring_event_id) if booking.recurring_event_id else [booking]
        now = self._clock.now()
        cancelled = []
        for occurrence in series:
            if occurrence is booking or (occurrence.start >= starting and occurrence.status in _BLOCKING):
                occurrence.status = BookingStatus.CANCELLED
                occurrence.cancellation_reason = reason
                occurrence.cancelled_by_email = by_email
                occurrence.updated_at = now
                cancelled.append(occurrence)
        return cancelled

    def reschedule(self, booking: Booking, event_type: EventType, host: User,
                   schedule: Schedule | None, start: float, *, reason: str | None,
                   rescheduled_by: str | None, before_write: SlotCheck | None = None) -> Booking:
        """A new booking at ``start``; the old one is cancelled and points at it
        (canRescheduleBooking, bookings.service.ts @cd764fd8)."""
        if booking.status is BookingStatus.CANCELLED and booking.rescheduled_to_uid is None:
            raise BadRequestError(
                f"Can't reschedule booking with uid={booking.uid} because it has been cancelled. "
                "Please provide uid of a booking that is not cancelled.")
        if booking.status is BookingStatus.CANCELLED:
            new_uid = booking.rescheduled_to_uid
            raise BadRequestError(
                f"Can't reschedule booking with uid={booking.uid} because it has been cancelled and "
                f"rescheduled already to booking with uid={new_uid}. You probably want to reschedule "
                f"{new_uid} instead by passing it within the request URL.")
        end = start + (booking.end - booking.start)
        self._check_bookable(event_type, host, schedule, start, end, ignore_uid=booking.uid)
        if before_write is not None:
            before_write(event_type.id, start, end)
        uid = booking_uid(self._rng)
        now = self._clock.now()
        metadata = dict(booking.metadata)
        if "videoCallUrl" in metadata:
            integration = next((str(loc.get("integration")) for loc in event_type.locations
                                if loc.get("type") == "integration"), "cal-video")
            metadata["videoCallUrl"] = _video_url(integration, uid)
        # An owner-initiated reschedule stays confirmed; otherwise a booking that needs
        # confirmation needs it again (RescheduleBookingInput_2024_08_13.rescheduledBy).
        needs_confirmation = event_type.requires_confirmation and (
            rescheduled_by is None or rescheduled_by.lower() != host.email.lower())
        new = Booking(
            id=self._ids.next(), uid=uid, title=booking.title, description=booking.description,
            host_id=booking.host_id, event_type_id=booking.event_type_id,
            event_type_slug=booking.event_type_slug, start=start, end=end,
            status=BookingStatus.PENDING if needs_confirmation else BookingStatus.ACCEPTED,
            attendees=[_fresh_attendee(a) for a in booking.attendees], guests=list(booking.guests),
            location=booking.location, created_at=now, updated_at=now,
            responses=dict(booking.responses), metadata=metadata, ics_uid=f"{uid}@Cal.com",
            rescheduling_reason=reason, rescheduled_by_email=rescheduled_by,
            rescheduled_from_uid=booking.uid,
        )
        booking.status = BookingStatus.CANCELLED
        booking.rescheduled_to_uid = uid
        booking.rescheduling_reason = reason
        booking.rescheduled_by_email = rescheduled_by
        booking.updated_at = now
        self.add(new)
        return new

    def confirm(self, booking: Booking) -> Booking:
        self._require_pending(booking)
        booking.status = BookingStatus.ACCEPTED
        booking.updated_at = self._clock.now()
        return booking

    def decline(self, booking: Booking, reason: str | None) -> Booking:
        self._require_pending(booking)
        booking.status = BookingStatus.REJECTED
        booking.rejection_reason = reason
        booking.updated_at = self._clock.now()
        return booking

    @staticmethod
    def _require_pending(booking: Booking) -> None:
        # confirm.handler.ts answers these with tRPC BAD_REQUEST.
        if booking.status is BookingStatus.ACCEPTED:
            raise BadRequestError("Booking already confirmed")
        if booking.status is not BookingStatus.PENDING:
            raise BadRequestError(f"Booking already {booking.status.value}")

    def mark_absent(self, booking: Booking, host: bool | None,
                    attendees: Iterable[tuple[str, bool]]) -> Booking:
        now = self._clock.now()
        if now < booking.start:
            raise BadRequestError(
                "Bookings can only be marked as absent after their scheduled start time. "
                f"Current time in UTC+0: {_luxon_iso(now)}, "
                f"Booking start time in UTC+0: {_luxon_iso(booking.start)}")
        if host is not None:
            booking.absent_host = host
        marks = {email.lower(): absent for email, absent in attendees}
        for attendee in booking.attendees:
            if attendee.email.lower() in marks:
                attendee.absent = marks[attendee.email.lower()]
        booking.updated_at = now
        return booking

    # -- attendees, guests, location ---------------------------------------------------------
    # Messages: booking-attendees.service.ts and bookings.service.ts (2024-08-13), calcom/cal.com.

    @staticmethod
    def attendee(booking: Booking, attendee_id: int) -> Attendee:
        found = next((a for a in booking.attendees if a.id == attendee_id), None)
        if found is None:
            raise NotFoundError(f"Attendee with id {attendee_id} not found in booking {booking.uid}")
        return found

    def add_attendees(self, booking: Booking, attendees: Iterable[Attendee], *,
                      as_guests: bool = False) -> list[Attendee]:
        """New attendee rows (guests are attendees too; ``as_guests`` also lists them in the
        booking's ``guests`` response, as addGuests does)."""
        added = list(attendees)
        self._unindex(booking)
        booking.attendees.extend(added)
        if as_guests:
            booking.guests.extend(a.email for a in added)
            booking.responses["guests"] = list(booking.guests)
        booking.updated_at = self._clock.now()
        self.add(booking)
        return added

    def remove_attendee(self, booking: Booking, attendee_id: int) -> Attendee:
        found = self.attendee(booking, attendee_id)
        if len(booking.attendees) == 1:
            raise BadRequestError("Cannot remove the last attendee from a booking")
        self._unindex(booking)
        booking.attendees.remove(found)
        if found.email in booking.guests:
            booking.guests.remove(found.email)
        booking.updated_at = self._clock.now()
        self.add(booking)
        return found

    def relocate(self, booking: Booking, location: str, video_url: str | None) -> Booking:
        booking.location = location
        if video_url:
            booking.metadata["videoCallUrl"] = video_url
        else:
            booking.metadata.pop("videoCallUrl", None)
        booking.updated_at = self._clock.now()
        return booking



def _fresh_attendee(attendee: Attendee) -> Attendee:
    return Attendee(attendee.name, attendee.email, attendee.time_zone, attendee.language,
                    False, attendee.phone_number)


def _luxon_iso(seconds: float) -> str:
    # luxon's DateTime.utc().toISO(): milliseconds and a "Z".
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


#: The stored ``location`` of each conferencing integration (Cal.com app location types).
_INTEGRATION_LOCATIONS = {
    "cal-video": "integrations:daily",
    "google-meet": "integrations:google:meet",
    "zoom": "integrations:zoom",
    "office365-video": "integrations:office365_video",
}


def _video_url(integration: str, uid: str) -> str:
    if integration == "google-meet":
        return f"https://meet.google.com/{uid[:3].lower()}-{uid[3:7].lower()}-{uid[7:10].lower()}"
    if integration == "zoom":
        return f"https://zoom.us/j/{int.from_bytes(uid.encode()[:5], 'big') % 10**10:010d}"
    return f"https://app.cal.com/video/{uid}"


def location_for(event_type: EventType, chosen: dict[str, Any] | None,
                 uid: str) -> tuple[str, str | None]:
    """(stored location, video call URL or None) of a new booking: the booker's choice, else
    the event type's first location."""
    location = chosen or (event_type.locations[0] if event_type.locations
                          else {"type": "integration", "integration": "cal-video"})
    kind = location.get("type")
    if kind in ("integration", "organizersDefaultApp"):
        integration = str(location.get("integration", "cal-video"))
        stored = _INTEGRATION_LOCATIONS.get(integration, f"integrations:{integration}")
        return stored, _video_url(integration, uid)
    if kind == "link":
        link = location.get("link") or _event_type_value(event_type, "link", "link")
        return str(link), None
    if kind == "address":
        return str(location.get("address") or _event_type_value(event_type, "address", "address")), None
    if kind == "phone":
        return str(location.get("phone") or _event_type_value(event_type, "phone", "phone")), None
    if kind in ("attendeeAddress", "attendeeDefined"):
        return str(location.get("address") or location.get("location") or ""), None
    if kind == "attendeePhone":
        return str(location.get("phone", "")), None
    return "integrations:daily", _video_url("cal-video", uid)


def _event_type_value(event_type: EventType, kind: str, key: str) -> str:
    for loc in event_type.locations:
        if loc.get("type") == kind and loc.get(key):
            return str(loc[key])
    return ""
