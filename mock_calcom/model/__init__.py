"""The fake's state: pure Python, no HTTP. Handlers parse, call this, and shape responses."""

from mock_calcom.model.clients import ClientStatus, ClientType, OAuthClient
from mock_calcom.model.clock import Clock, FrozenClock, WallClock
from mock_calcom.model.consent import Consent, ConsentMode
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import Grant, TokenPair
from mock_calcom.model.users import User

__all__ = [
    "CalcomModel",
    "ClientStatus",
    "ClientType",
    "Clock",
    "Consent",
    "ConsentMode",
    "FrozenClock",
    "Grant",
    "OAuthClient",
    "Randomness",
    "TokenPair",
    "User",
    "WallClock",
]
