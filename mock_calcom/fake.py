"""``MockCalcom``: one fake Cal.com, its app, and the typed Python control API."""

from __future__ import annotations

from starlette.applications import Starlette

from mock_calcom.app import create_app
from mock_calcom.model.clock import Clock
from mock_calcom.model.state import CalcomModel
from mock_calcom.settings import Settings


class MockCalcom:
    """A fake Cal.com. Create as many as you like: nothing is shared between two of them.

    ``fake.app`` is the ASGI app (authorize page, token endpoints, API v2, ``/_mock``);
    the methods below are the control plane as Python.
    """

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None) -> None:
        self.model = CalcomModel(settings, clock)
        self.app: Starlette = create_app(self)

    @property
    def settings(self) -> Settings:
        return self.model.settings
