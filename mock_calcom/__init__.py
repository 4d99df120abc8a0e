"""mock-calcom: a faithful fake of Cal.com's OAuth server and API v2.

The public surface is what this module exports; everything else is private. Names are
imported on first use (PEP 562), so ``mock-calcom serve`` starts without loading the
in-process transports (httpx, respx) it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: The package's version (pyproject.toml reads it from here).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from mock_calcom.addresses import CalcomUrls
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
        SyncCalcomTransport,
        respx_router,
    )

#: Public name -> the module that defines it.
_HOMES = {
    "ApiError": "mock_calcom.errors",
    "AsyncCalcomTransport": "mock_calcom.transports",
    "CalcomError": "mock_calcom.errors",
    "CalcomUrls": "mock_calcom.addresses",
    "ClientStatus": "mock_calcom.model",
    "ClientType": "mock_calcom.model",
    "Clock": "mock_calcom.model",
    "ConnectionDropped": "mock_calcom.errors",
    "ConsentMode": "mock_calcom.model",
    "ControlError": "mock_calcom.errors",
    "DemoData": "mock_calcom.demo",
    "FrozenClock": "mock_calcom.model",
    "Journal": "mock_calcom.journal",
    "JournalEntry": "mock_calcom.journal",
    "LiveServer": "mock_calcom.server",
    "MockCalcom": "mock_calcom.fake",
    "MockCalcomError": "mock_calcom.errors",
    "OAuthError": "mock_calcom.errors",
    "RegisteredClient": "mock_calcom.fake",
    "Settings": "mock_calcom.settings",
    "SyncCalcomTransport": "mock_calcom.transports",
    "WallClock": "mock_calcom.model",
    "respx_router": "mock_calcom.transports",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mock_calcom' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
