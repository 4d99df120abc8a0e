"""API v2 resources of a fake (profile lives on :class:`~mock_calcom.model.users.User`).

The names below are imported on first use (PEP 562): a fake's tables are made when first
used (:class:`.store.ResourceStore`), and importing this package must not load them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_calcom.model.resources.bookings import (
        Attendee,
        Booking,
        BookingQuery,
        BookingStatus,
        NewBooking,
    )
    from mock_calcom.model.resources.event_types import EventType
    from mock_calcom.model.resources.schedules import Schedule
    from mock_calcom.model.resources.store import ResourceStore

#: Public name -> the module that defines it.
_HOMES = {
    "Attendee": "bookings",
    "Booking": "bookings",
    "BookingQuery": "bookings",
    "BookingStatus": "bookings",
    "EventType": "event_types",
    "NewBooking": "bookings",
    "ResourceStore": "store",
    "Schedule": "schedules",
}

__all__ = [
    "Attendee",
    "Booking",
    "BookingQuery",
    "BookingStatus",
    "EventType",
    "NewBooking",
    "ResourceStore",
    "Schedule",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
