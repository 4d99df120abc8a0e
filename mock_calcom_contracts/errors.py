"""Outcomes a provider must tell apart, and the harness's own errors.

Hierarchy::

    ContractsError                    root: anything raised by ``mock_calcom_contracts``
    ├── ProviderError                 an outcome a provider reports (raised BY provider adapters)
    │   ├── AuthorizationError        the connection could not be made
    │   │   ├── AccessDenied          the user pressed Deny (callback ``error=access_denied``)
    │   │   ├── StateMismatch         the callback's ``state`` is missing or not one we issued
    │   │   ├── InvalidScope          Cal.com refused the requested scopes at authorize
    │   │   ├── ClientNotApproved     the OAuth client is PENDING (``client_not_approved``)
    │   │   └── ClientRejected        the OAuth client is REJECTED (``client_rejected``)
    │   ├── ReauthorizationRequired   the refresh token is dead (``invalid_grant``): connect again
    │   ├── InsufficientScope         403 ``insufficient_scope``: the grant lacks a scope
    │   ├── RateLimited               429s persisted past the provider's bounded, reset-aware retries
    │   └── UpstreamError             Cal.com failed (5xx, dropped connection); tokens are kept
    ├── ContractViolation             a clause caught the provider breaking its rule (raised by suites)
    ├── NotApplicable                 a clause does not concern this provider (it declares no support)
    └── HarnessError                  the suite itself was misused
        ├── ProviderLoadError         ``--provider module:factory`` could not be imported or called
        └── LedgerError               an ``--expect-failures`` file is malformed

Providers raise these by name only; they carry a message and nothing else, so the same
interface can be spoken over HTTP by providers in other languages (the error's class name is
its wire form: see :func:`error_kind`).
"""

from __future__ import annotations


class ContractsError(Exception):
    """Root of everything ``mock_calcom_contracts`` raises."""


class ProviderError(ContractsError):
    """An outcome reported by the provider under test."""


class AuthorizationError(ProviderError):
    pass


class AccessDenied(AuthorizationError):
    pass


class StateMismatch(AuthorizationError):
    pass


class InvalidScope(AuthorizationError):
    pass


class ClientNotApproved(AuthorizationError):
    pass


class ClientRejected(AuthorizationError):
    pass


class ReauthorizationRequired(ProviderError):
    pass


class InsufficientScope(ProviderError):
    pass


class RateLimited(ProviderError):
    pass


class UpstreamError(ProviderError):
    pass


class HarnessError(ContractsError):
    pass


class ProviderLoadError(HarnessError):
    pass


class LedgerError(HarnessError):
    pass


#: Wire names of the outcomes, for reports and for providers spoken to over HTTP.
OUTCOMES: dict[str, type[ProviderError]] = {
    cls.__name__: cls
    for cls in (AccessDenied, StateMismatch, InvalidScope, ClientNotApproved, ClientRejected,
                ReauthorizationRequired, InsufficientScope, RateLimited, UpstreamError)
}


def error_kind(exc: BaseException | None) -> str:
    """``"ok"`` for no error, the outcome name for a :class:`ProviderError`, else ``"crash"``."""
    if exc is None:
        return "ok"
    for name, cls in OUTCOMES.items():
        if type(exc) is cls:
            return name
    return "crash"


class NotApplicable(ContractsError):
    """A clause does not concern this provider: e.g. PUBLIC-CLIENT for an integration that only
    ever uses a confidential client. Reported as ``n/a``, which neither passes nor fails."""


class ContractViolation(ContractsError):
    """A clause found the provider breaking its rule (raised by the suites, not by providers).

    ``excerpt`` is the part of the fake's journal that shows it, as text.
    """

    def __init__(self, message: str, excerpt: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.excerpt = excerpt
