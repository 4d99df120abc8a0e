"""Contract suites for Cal.com OAuth integrations.

An integrator implements :class:`~mock_calcom_contracts.provider.Provider` with a thin adapter around
their own client code and runs ``mock-calcom verify --provider package.module:factory``
(:mod:`mock_calcom_contracts.verify`), or ``pytest --calcom-provider package.module:factory``.
The adapter raises the outcomes of :mod:`mock_calcom_contracts.errors`.
:mod:`mock_calcom_contracts.reference` is a correct provider to read and copy.

The import name is ``mock_calcom_contracts`` (not ``contracts``) so it never shadows a user's
own ``contracts`` package or PyContracts.

Only the light interface modules are imported here, so an adapter importing
``mock_calcom_contracts.errors`` does not pull in hypothesis or the fake.
"""

from mock_calcom_contracts.errors import (
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
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment, ProviderFactory

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
