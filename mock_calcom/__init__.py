"""mock-calcom: a faithful fake of Cal.com's OAuth server and API v2.

The public surface is what this module exports; everything else is private.
"""

from mock_calcom.demo import DemoData
from mock_calcom.errors import (
    ApiError,
    CalcomError,
    ConnectionDropped,
    ControlError,
    MockCalcomError,
    OAuthError,
)
from mock_calcom.fake import MockCalcom, RegisteredClient
from mock_calcom.journal import Journal, JournalEntry
from mock_calcom.model import (
    ClientStatus,
    ClientType,
    Clock,
    ConsentMode,
    FrozenClock,
    WallClock,
)
from mock_calcom.server import LiveServer
from mock_calcom.settings import Settings
from mock_calcom.transports import (
    AsyncCalcomTransport,
    CalcomUrls,
    SyncCalcomTransport,
    respx_router,
)

__all__ = [
    "ApiError",
    "AsyncCalcomTransport",
    "CalcomError",
    "CalcomUrls",
    "ClientStatus",
    "ClientType",
    "Clock",
    "ConnectionDropped",
    "ConsentMode",
    "ControlError",
    "DemoData",
    "FrozenClock",
    "Journal",
    "JournalEntry",
    "LiveServer",
    "MockCalcom",
    "MockCalcomError",
    "OAuthError",
    "RegisteredClient",
    "Settings",
    "SyncCalcomTransport",
    "WallClock",
    "respx_router",
]
