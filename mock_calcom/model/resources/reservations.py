"""Slot reservations (API v2 ``slots`` 2024-09-04 ``/v2/slots/reservations``): a slot held for a
few minutes so that nobody else books it meanwhile. A reservation lapses at ``until`` on the
fake's clock; a lapsed one is as absent as a released one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mock_calcom.errors import HttpExceptionError, NotFoundError
from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness

#: Minutes a slot stays reserved when the request does not say (the documented default).
DEFAULT_RESERVATION_MINUTES = 5
#: The English text of ``reserved_slot_not_first_in_line`` as the e2e tests of both booking
#: controllers assert it (reserved-slot bookings e2e specs, 2024-04-15 and 2024-08-13).
NOT_FIRST_IN_LINE = ("Someone else reserved this booking time slot before you. This time slot will be "
                     "freed up in {seconds} seconds.")


@dataclass
class Reservation:
    uid: str
    event_type_id: int
    start: float
    end: float
    minutes: int
    until: float
    user_id: int | None


class ReservationStore:
    def __init__(self, clock: Clock, rng: Randomness) -> None:
        self._clock = clock
        self._rng = rng
        self._by_uid: dict[str, Reservation] = {}

    def _live(self) -> list[Reservation]:
        now = self._clock.now()
        for uid in [u for u, r in self._by_uid.items() if r.until <= now]:
            del self._by_uid[uid]
        return list(self._by_uid.values())

    def get(self, uid: str) -> Reservation | None:
        self._live()
        return self._by_uid.get(uid)

    def require(self, uid: str) -> Reservation:
        found = self.get(uid)
        if found is None:
            raise NotFoundError(f"Reserved slot with uid={uid} not found")
        return found

    def held(self, event_type_id: int, start: float, end: float, *, except_uid: str | None = None) -> bool:
        """Whether a live reservation of the event type overlaps [start, end)."""
        return any(r.event_type_id == event_type_id and r.uid != except_uid
                   and r.start < end and start < r.end for r in self._live())

    def earliest(self, event_type_id: int, start: float, end: float) -> Reservation | None:
        """The live reservation of exactly this slot that lapses first (``findEarliestActiveSlot``:
        ``releaseAt`` ascending, then creation order)."""
        same = [r for r in self._live()
                if r.event_type_id == event_type_id and r.start == start and r.end == end]
        return min(same, key=lambda r: r.until, default=None)

    def check_first_in_line(self, uid: str, event_type_id: int, start: float, end: float) -> None:
        """A booking naming reservation ``uid`` may take the slot unless another live
        reservation of exactly this slot lapses before it does (createBookingWithReservedSlot,
        packages/features/bookings/lib/handleNewBooking/createBookingWithReservedSlot.ts): then
        409 with the seconds until that one lapses. A lapsed or unknown ``uid`` is let through
        when nobody else holds the slot."""
        first = self.earliest(event_type_id, start, end)
        if first is not None and first.uid != uid:
            seconds = max(0, int(first.until - self._clock.now()))
            raise HttpExceptionError(NOT_FIRST_IN_LINE.format(seconds=seconds), 409)

    def consume(self, uid: str, event_type_id: int, start: float, end: float) -> None:
        """A booking made with reservation ``uid`` ends it, if it holds exactly this slot."""
        found = self._by_uid.get(uid)
        if found is not None and (found.event_type_id, found.start, found.end) == (event_type_id, start, end):
            del self._by_uid[uid]

    def reserve(self, event_type_id: int, start: float, end: float, minutes: int,
                user_id: int | None) -> Reservation:
        reservation = Reservation(
            uid=str(uuid.UUID(bytes=self._rng.token_bytes(16), version=4)),
            event_type_id=event_type_id, start=start, end=end, minutes=minutes,
            until=self._clock.now() + minutes * 60, user_id=user_id)
        self._by_uid[reservation.uid] = reservation
        return reservation

    def move(self, reservation: Reservation, event_type_id: int, start: float, end: float,
             minutes: int) -> Reservation:
        reservation.event_type_id = event_type_id
        reservation.start, reservation.end, reservation.minutes = start, end, minutes
        reservation.until = self._clock.now() + minutes * 60
        return reservation

    def release(self, reservation: Reservation) -> None:
        self._by_uid.pop(reservation.uid, None)
