"""Outcomes a provider must tell apart, and the harness's own errors.

Hierarchy::

    ContractsError                    root: anything raised by ``mock_calcom_contracts``
    ├── ProviderError                 an outcome a provider reports (raised BY provider adapters)
    │   ├── AuthorizationError        the connection could not be made
    │   │   ├── AccessDenied          the user pressed Deny (callback ``error=access_denied``)
    │   │   ├── StateMismatch         the callback's ``state`` is missing or not one we issued
    │   │   ├── InvalidScope          Cal.com refused the requested scopes at authorize
    │   │   ├── ClientNotApproved     the OAuth client is PENDING (``client_not_approved``)
    │   │   ├── ClientRejected        the OAuth client is REJECTED (``client_rejected``)
    │   │   └── CodeExchangeFailed    Cal.com refused the code at the exchange (``invalid_grant``:
    │   │                             expired, already used, redirect_uri or PKCE mismatch)
    │   ├── ReauthorizationRequired   the refresh token is dead (``invalid_grant``): connect again
    │   ├── InvalidClient             Cal.com refused the client's credentials (``invalid_client``:
    │   │                             unknown client, wrong or deleted secret) at exchange or refresh
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
its wire form: see :func:`error_kind`). A subclass of an outcome (an integrator's own
``class CalcomDown(UpstreamError)``) counts as that outcome.

Which Cal.com answer calls for which outcome is the table in ``docs/adapter.md``; every answer
a correct integration can meet has one, so no correct provider needs to raise the bare
:class:`ProviderError` (which is reported as ``crash``).
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


class CodeExchangeFailed(AuthorizationError):
    """The code exchange was refused with ``invalid_grant``
    (docs/calcom-behaviour.md#token-errors-and-check-order: ``code_invalid_or_expired`` after
    Cal.com's 10 minutes or a second use, ``redirect_uri_mismatch``,
    ``pkce_verification_failed``): the user must authorize again."""


class ReauthorizationRequired(ProviderError):
    pass


class InvalidClient(ProviderError):
    """``401 invalid_client`` from the token endpoint
    (docs/calcom-behaviour.md#token-errors-and-check-order: ``client_not_found``,
    ``invalid_client_credentials``): the integration's client id or secret is wrong (deleted,
    rotated away). The user's tokens stay as they are; the operator must fix the credentials."""


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
                CodeExchangeFailed, ReauthorizationRequired, InvalidClient, InsufficientScope,
                RateLimited, UpstreamError)
}


def error_kind(exc: BaseException | None) -> str:
    """``"ok"`` for no error; the outcome name for an outcome or a subclass of one (the nearest
    outcome in its class hierarchy); else ``"crash"`` (the bare :class:`ProviderError` and
    :class:`AuthorizationError` included: they do not say what happened)."""
    if exc is None:
        return "ok"
    for cls in type(exc).__mro__:
        if OUTCOMES.get(cls.__name__) is cls:
            return cls.__name__
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
