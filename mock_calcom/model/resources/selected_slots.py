"""Slots a booker has selected (Cal.com's ``SelectedSlots`` table), reserved by the legacy
``POST /v2/slots/reserve`` and released by ``DELETE /v2/slots/selected-slot``
(slots.service.ts @03670679 of slots-2024-04-15)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mock_calcom.model.randomness import Randomness


@dataclass(frozen=True)
class SelectedSlot:
    uid: str
    user_id: int
    event_type_id: int
    start: float
    end: float


class SelectedSlotStore:
    def __init__(self, rng: Randomness) -> None:
        self._rng = rng
        self._slots: list[SelectedSlot] = []

    def new_uid(self) -> str:
        """A v4 UUID from the fake's seeded stream (``uuid()`` in Cal.com)."""
        return str(uuid.UUID(bytes=self._rng.token_bytes(16), version=4))

    def reserve(self, uid: str, user_ids: list[int], event_type_id: int, start: float, end: float) -> None:
        """``upsertSelectedSlot`` for each host: one row per (user, event type, time)."""
        for user_id in user_ids:
            self._slots = [s for s in self._slots if (s.user_id, s.event_type_id, s.start, s.end)
                           != (user_id, event_type_id, start, end)]
            self._slots.append(SelectedSlot(uid, user_id, event_type_id, start, end))

    def release(self, uid: str) -> None:
        self._slots = [s for s in self._slots if s.uid != uid]

    def by_uid(self, uid: str) -> list[SelectedSlot]:
        return [s for s in self._slots if s.uid == uid]
