"""The provider-under-test interface: what an integrator's adapter implements.

A *provider* is the integrator's client-side Cal.com code: it builds the authorize URL, handles
the callback, exchanges the code, stores and refreshes tokens, and calls API v2. The suites
drive it through three calls and judge it by what reaches the fake Cal.com (the journal) and by
what it returns or raises. Everything in and out is plain data (strings, dicts, error kinds), so
the same interface can be spoken over HTTP by providers written in other languages.

Write an adapter::

    def make_provider(env: ProviderEnvironment) -> Provider:
        return MyCalcomAdapter(env)   # wraps your own code

and run ``mock-calcom verify --provider mypackage.adapter:make_provider``.

Rules the environment imposes (so the fake can control time and the network):

* send every HTTP request through ``env.transport`` when it is not ``None`` (in-process runs);
  when it is ``None`` (``--live``), use ordinary sockets to the URLs given;
* read the time from ``env.now()`` and wait with ``env.sleep()``: the fake's clock is frozen and
  jumps forward, and ``env.sleep`` advances it instead of blocking;
* choose ``state`` yourself; add the ``cal-api-version`` header yourself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import httpx


@dataclass(frozen=True)
class ProviderEnvironment:
    """What a provider factory is given."""

    client_id: str
    #: ``None`` for a PUBLIC client (PKCE instead of a secret).
    client_secret: str | None
    redirect_uri: str
    #: ``https://app.cal.com/auth/oauth2/authorize`` in-process; the live server's otherwise.
    authorize_url: str
    #: ``https://api.cal.com/v2/auth/oauth2/token`` in-process; the live server's otherwise.
    token_url: str
    #: Where API v2 lives; request paths start with ``/v2/``.
    api_base_url: str
    #: The fake's clock (POSIX seconds). Compute token expiry from this, never ``time.time()``.
    now: Callable[[], float]
    #: Wait this long. Advances the fake's clock; never blocks for real.
    sleep: Callable[[float], None]
    #: An httpx transport into the in-process fake, or ``None`` for ``--live`` runs.
    transport: httpx.BaseTransport | None = None
    #: Free-form extras for adapters (e.g. ``{"public_client": True}``).
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiResponse:
    """An API v2 answer the provider passes back unchanged (status, headers, decoded JSON)."""

    status: int
    headers: Mapping[str, str]
    json: Any


@runtime_checkable
class Provider(Protocol):
    """The three calls the suites make.

    ``request`` returns an :class:`ApiResponse` for every answer it does not turn into an
    outcome; it raises :class:`~mock_calcom_contracts.errors.InsufficientScope` on a 403 insufficient_scope,
    :class:`~mock_calcom_contracts.errors.ReauthorizationRequired` when the refresh token is dead,
    :class:`~mock_calcom_contracts.errors.RateLimited` when 429s outlast its bounded backoff and
    :class:`~mock_calcom_contracts.errors.UpstreamError` on 5xx or a broken connection.
    """

    #: Optional. Set ``supports_public_clients = True`` on a provider that can run a PUBLIC
    #: client (PKCE, no secret); without it the PUBLIC-CLIENT clause reports ``n/a``, since most
    #: server-side integrations only ever hold a confidential client.

    def authorization_url(self, scopes: Sequence[str]) -> str:
        """The URL to send the user's browser to, with a fresh ``state``."""
        ...

    def complete(self, callback_url: str) -> str:
        """Handle the redirect back from Cal.com; return a connection id (opaque string)."""
        ...

    def request(
        self,
        connection: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> ApiResponse:
        """Call API v2 on behalf of ``connection``, refreshing tokens as needed."""
        ...


#: What ``--provider module:factory`` names.
ProviderFactory = Callable[[ProviderEnvironment], Provider]
