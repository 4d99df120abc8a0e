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

* send every HTTP request through ``env.transport`` (sync code) or ``env.async_transport``
  (async code) when it is not ``None`` (in-process runs); when it is ``None`` (``--live``),
  use ordinary sockets to the URLs given;
* read the time from ``env.now()`` and wait with ``env.sleep()``, from any thread: the fake's
  clock is frozen and jumps forward, and ``env.sleep`` advances it instead of blocking;
* choose ``state`` yourself; add the ``cal-api-version`` header yourself.

**URLs.** ``env.api_base_url`` is API v2's base URL as Cal.com's documentation gives it,
``https://api.cal.com/v2`` (no trailing slash); the ``serve`` banner's "API base URL" and the
pytest plugin's ``calcom_server.urls.api_base_url`` are the same value. ``request`` gets a
``path`` *relative to it* (``"/me"``, ``"/bookings/{uid}/cancel"``), so the URL to call is
always ``env.api_base_url + path`` (not ``urljoin``, which drops the ``/v2``).

**Connection ids.** ``complete()`` returns an opaque string naming the grant it stored; every
later ``request`` names it and must act as the Cal.com user who authorized *that* grant.
Re-connecting an account that is already connected (same Cal.com user, same client) may be
handled in either of two ways, and the suites judge both correctly:

* *a connection per authorization*: ``complete()`` returns a new id; the earlier connection
  keeps its own tokens. (Cal.com's rotation deletes every other refresh token of the user and
  client on each refresh, so the older connection typically ends in
  ``ReauthorizationRequired`` at its next refresh: that is correct.)
* *one connection per account*: ``complete()`` returns the id it returned before for that
  account, which now holds the new grant's tokens (the old ones are forgotten).

Returning a *new* id while the old id silently switches to the new tokens (an alias) is not
one of the two; neither is returning an id that belongs to another user.

**Async providers.** Any of the three methods may be a coroutine function (``async def``), e.g.
around httpx-oauth or Authlib's ``AsyncOAuth2Client``: in-process runs await it on one event
loop kept for the scenario (so bursts of concurrent calls really interleave), with
``env.async_transport`` into the fake. An optional ``close``/``aclose`` is called at the end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
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
    #: API v2's base URL, ``https://api.cal.com/v2`` in-process (the live server's ``.../v2``
    #: otherwise). A call's URL is ``api_base_url + path``.
    api_base_url: str
    #: The fake's clock (POSIX seconds). Compute token expiry from this, never ``time.time()``.
    now: Callable[[], float]
    #: Wait this long. Advances the fake's clock; never blocks for real. Callable from any
    #: thread (waits on threads the provider starts itself count against the call that is
    #: running, or against the calls running together).
    sleep: Callable[[float], None]
    #: An httpx transport into the in-process fake, or ``None`` for ``--live`` runs.
    transport: httpx.BaseTransport | None = None
    #: Free-form extras for adapters (e.g. ``{"public_client": True}``).
    extras: Mapping[str, Any] = field(default_factory=dict)
    #: The same for ``httpx.AsyncClient`` (async providers), or ``None`` for ``--live`` runs.
    async_transport: httpx.AsyncBaseTransport | None = None


@dataclass(frozen=True)
class ApiResponse:
    """An API v2 answer the provider passes back unchanged (status, headers, decoded JSON)."""

    status: int
    headers: Mapping[str, str]
    json: Any


@runtime_checkable
class Provider(Protocol):
    """The three calls the suites make (each may also be ``async def``).

    ``request`` returns an :class:`ApiResponse` for every answer it does not turn into an
    outcome, with Cal.com's own status (``201`` for a created or rescheduled booking, ``200``
    for a cancel); it raises :class:`~mock_calcom_contracts.errors.InsufficientScope` on a 403
    insufficient_scope, :class:`~mock_calcom_contracts.errors.ReauthorizationRequired` when the
    refresh token is dead, :class:`~mock_calcom_contracts.errors.InvalidClient` when Cal.com
    refuses the client's credentials, :class:`~mock_calcom_contracts.errors.RateLimited` when
    429s outlast its bounded backoff and :class:`~mock_calcom_contracts.errors.UpstreamError` on
    5xx or a broken connection. A write (``POST``, ``PATCH``, ``DELETE``) whose answer was a 5xx
    or never came is raised as ``UpstreamError``, not re-sent: Cal.com may have done it. The
    full table is ``docs/adapter.md``.
    """

    #: Optional. Set ``supports_public_clients = True`` on a provider that can run a PUBLIC
    #: client (PKCE, no secret); without it the PUBLIC-CLIENT clause reports ``n/a``, since most
    #: server-side integrations only ever hold a confidential client.

    def authorization_url(self, scopes: Sequence[str]) -> str | Awaitable[str]:
        """The URL to send the user's browser to, with a fresh ``state``."""
        ...

    def complete(self, callback_url: str) -> str | Awaitable[str]:
        """Handle the redirect back from Cal.com; return a connection id (opaque string; see
        the module docstring for what re-connecting an account may return)."""
        ...

    def request(
        self,
        connection: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> ApiResponse | Awaitable[ApiResponse]:
        """Call ``env.api_base_url + path`` on behalf of ``connection``, refreshing tokens as
        needed. ``path`` starts with ``/`` and is relative to the base URL (``"/me"``)."""
        ...


#: What ``--provider module:factory`` names.
ProviderFactory = Callable[[ProviderEnvironment], Provider]
