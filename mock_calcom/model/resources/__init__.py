"""API v2 resources of a fake (profile lives on :class:`~mock_calcom.model.users.User`)."""

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
