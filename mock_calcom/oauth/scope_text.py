"""What each scope means, in the words a consent screen uses."""

from __future__ import annotations

#: The user-level scopes an integrator asks for, plus the two legacy ones (FACTS §5).
_SCOPE_TEXT: dict[str, str] = {
    "EVENT_TYPE_READ": "View your event types",
    "EVENT_TYPE_WRITE": "Create, edit and delete your event types",
    "BOOKING_READ": "View your bookings",
    "BOOKING_WRITE": "Create, edit and cancel your bookings",
    "SCHEDULE_READ": "View your availability schedules",
    "SCHEDULE_WRITE": "Create, edit and delete your availability schedules",
    "APPS_READ": "View your connected apps and calendars",
    "APPS_WRITE": "Connect and manage your apps",
    "PROFILE_READ": "View your profile",
    "PROFILE_WRITE": "Edit your profile",
    "READ_BOOKING": "Read your bookings",
    "READ_PROFILE": "Read your profile",
}


def describe_scope(scope: str) -> str:
    """A sentence for ``scope``; scopes without one are shown by name."""
    return _SCOPE_TEXT.get(scope, scope)
