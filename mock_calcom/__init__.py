"""mock-calcom: a faithful fake of Cal.com's OAuth server and API v2.

The public surface is what this module exports; everything else is private.
"""

from mock_calcom.errors import (
    ApiError,
    CalcomError,
    ControlError,
    MockCalcomError,
    OAuthError,
)
from mock_calcom.fake import MockCalcom
from mock_calcom.model import (
    ClientStatus,
    ClientType,
    Clock,
    ConsentMode,
    FrozenClock,
    WallClock,
)
from mock_calcom.settings import Settings

__all__ = [
    "ApiError",
    "CalcomError",
    "ClientStatus",
    "ClientType",
    "Clock",
    "ConsentMode",
    "ControlError",
    "FrozenClock",
    "MockCalcom",
    "MockCalcomError",
    "OAuthError",
    "Settings",
    "WallClock",
]
