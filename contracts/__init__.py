"""Contract suites for Cal.com OAuth integrations.

An integrator implements :class:`~contracts.provider.Provider` with a thin adapter around
their own client code and runs ``mock-calcom verify --provider package.module:factory``
(:mod:`contracts.verify`), or ``pytest --calcom-provider package.module:factory``. The
adapter raises the outcomes of :mod:`contracts.errors`. :mod:`contracts.reference` is a
correct provider to read and copy.

Only the light interface modules are imported here, so an adapter importing
``contracts.errors`` does not pull in hypothesis or the fake.
"""

from contracts.errors import (
    AccessDenied,
    ClientNotApproved,
    ClientRejected,
    InsufficientScope,
    InvalidScope,
    ProviderError,
    RateLimited,
    ReauthorizationRequired,
    StateMismatch,
    UpstreamError,
)
from contracts.provider import ApiResponse, Provider, ProviderEnvironment, ProviderFactory

__all__ = [
    "AccessDenied",
    "ApiResponse",
    "ClientNotApproved",
    "ClientRejected",
    "InsufficientScope",
    "InvalidScope",
    "Provider",
    "ProviderEnvironment",
    "ProviderError",
    "ProviderFactory",
    "RateLimited",
    "ReauthorizationRequired",
    "StateMismatch",
    "UpstreamError",
]
