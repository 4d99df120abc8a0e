"""``MockCalcom``: one fake Cal.com, its app, and the typed Python control API."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import operator
import re
import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from starlette.applications import Starlette

from mock_calcom.addresses import API_URL, CalcomUrls
from mock_calcom.app import create_app
from mock_calcom.control.security import ControlSecurity
from mock_calcom.errors import InvalidControlInput, UnknownObjectError
from mock_calcom.journal import Journal
from mock_calcom.model.clients import ClientStatus, ClientType, OAuthClient
from mock_calcom.model.clock import Clock, FrozenClock, WallClock
from mock_calcom.model.consent import Consent, ConsentMode
from mock_calcom.model.ratelimit import RateLimitRule, token_tracker
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import TokenRejected
from mock_calcom.model.users import User
from mock_calcom.settings import Settings
from mock_calcom.tenancy import DEFAULT_TENANT, MAX_TENANTS, TENANT_HEADER, TENANT_NAME

if TYPE_CHECKING:
    # httpx and respx are imported by the in-process transports, on first use: a live
    # server (``serve``) never needs them.
    import httpx
    import respx

    from mock_calcom.demo import DemoData
    from mock_calcom.faults import Fault
    from mock_calcom.transports import AsyncCalcomTransport, SyncCalcomTransport

_CLIENT_CHANGES = frozenset({"name", "redirect_uris", "scopes", "status", "is_trusted", "logo",
                             "rejection_reason"})
#: What ``quote(text, safe="")`` leaves unescaped (Python's unreserved URL characters).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@dataclass(frozen=True)
class RegisteredClient:
    """A newly registered client. ``client_secret`` is the plain secret, shown only here
    (Cal.com keeps its sha256); ``None`` for a PUBLIC client."""

    client_id: str
    client_secret: str | None
    client: OAuthClient


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _quote(text: str) -> str:
    """``quote(text, safe="")``, skipping the work for text it would leave as is (ids)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def _check_id(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidControlInput(f"{label} must be an integer")
    return value


def _check_optional_str(value: object, label: str) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidControlInput(f"{label} must be a string")


def _as_list(value: object, label: str) -> list[str]:
    """A list of strings from any sequence but a bare string (a classic ``scopes="A B"``
    slip that would otherwise become a list of letters)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidControlInput(f"{label} must be a list of strings")
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidControlInput(f"{label} must be a list of strings")
    return items


#: A model's journal bounds, ``(limit, budget)``, from its settings of the moment.
_JOURNAL_BOUNDS = operator.attrgetter("settings.journal_limit", "settings.journal_max_bytes")

class MockCalcom:
    """A fake Cal.com. Create as many as you like: nothing is shared between two of them.

    ``fake.app`` is the ASGI app (authorize page, token endpoints, API v2, ``/_mock``);
    the methods below are the control plane as Python.
    """

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None) -> None:
        self.model = CalcomModel(settings, clock)
        #: Every request the fake answered, secrets redacted (see :mod:`mock_calcom.journal`).
        # The model's clock is fixed for the fake's life: its ``now`` is the journal's.
        self.journal = Journal(clock=self.model.clock.now,
                               limit=lambda: self.model.settings.journal_limit,
                               budget=lambda: self.model.settings.journal_max_bytes,
                               secret_hashes=self._secret_hashes,
                               known_secrets=self.model.secret_values,
                               # (limit, budget) from the settings of the moment: read
                               # by a C getter, at every recording, with no frame.
                               bounds=functools.partial(_JOURNAL_BOUNDS, self.model))
        #: sha256 of every client secret this fake handed out, deleted ones included: the
        #: journal redacts on read, and a rotated-away secret is still a secret.
        self._issued_secrets: set[str] = set()
        #: Rules for ``/_mock`` on a socket (Origin, Host, JSON only, admin token); ``None``
        #: in process. :class:`~mock_calcom.server.LiveServer` sets it when asked to.
        self.control_security: ControlSecurity | None = None
        self.app: Starlette = create_app(self)
        self._sync_transports: list[SyncCalcomTransport] = []
        self._demo: DemoData | None = None
        #: Tenants by name (``X-Mock-Tenant``); a tenant's own parent is this fake.
        self._tenants: dict[str, MockCalcom] = {}
        self._tenants_lock = threading.Lock()
        self.parent: MockCalcom | None = None
        #: Plain secrets the fake was *given* (a config file's fixed ones, the demo's): the
        #: callback debugger may exchange a code with them. Random secrets are never kept.
        self._known_secrets: dict[str, str] = {}

    def redact_text(self, text: str) -> str:
        """``text`` with every secret this fake knows replaced by its marker (for log lines
        and error messages)."""
        return self.journal.redact_text(text)

    @property
    def settings(self) -> Settings:
        return self.model.settings

    # -- users -------------------------------------------------------------------------------

    def create_user(self, username: str, email: str | None = None, *, name: str | None = None,
                    time_zone: str = "Europe/London") -> User:
        """A Cal.com user, with everything a new account gets. The first user is the one the
        consent page signs in as, unless :meth:`set_consent` picks another."""
        with self.model.lock:
            return self.model.create_user(username, email, name=name, time_zone=time_zone)

    def users(self) -> list[User]:
        with self.model.lock:
            return self.model.users.all()

    def get_user(self, user_id: int) -> User:
        with self.model.lock:
            return self.model.users.require(user_id)

    # -- OAuth clients -----------------------------------------------------------------------

    def create_client(
        self,
        name: str,
        redirect_uris: Sequence[str],
        scopes: Sequence[str] | None = None,
        *,
        status: ClientStatus | str = ClientStatus.APPROVED,
        client_type: ClientType | str = ClientType.CONFIDENTIAL,
        owner_user_id: int | None = None,
        is_trusted: bool = False,
        logo: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> RegisteredClient:
        """Register an OAuth client under Cal.com's rules (1-10 https redirect URIs, known
        scopes). ``status`` defaults to APPROVED so a test can start the dance at once; real
        self-serve clients start PENDING. The plain secret is only in the returned value.
        ``client_id`` and ``client_secret`` fix the credentials (a config file's, so an app's
        settings survive a restart); by default both are random, as Cal.com makes them."""
        _check_optional_str(logo, "logo")
        _check_optional_str(client_id, "client_id")
        _check_optional_str(client_secret, "client_secret")
        if (client_id is not None and not _UNRESERVED.fullmatch(client_id)) or client_id == "":
            raise InvalidControlInput("client_id must be letters, digits or -._~")
        if client_secret is not None and not 8 <= len(client_secret) <= 256:
            raise InvalidControlInput("client_secret must be 8 to 256 characters")
        with self.model.lock:
            if owner_user_id is not None:
                self.model.users.require(_check_id(owner_user_id, "owner_user_id"))
            client, secret = self.model.clients.create(
                name=name,
                redirect_uris=_as_list(redirect_uris, "redirect_uris"),
                scopes=_as_list(scopes, "scopes") if scopes is not None else None,
                client_type=client_type, status=status, owner_user_id=owner_user_id,
                is_trusted=is_trusted, logo=logo, client_id=client_id,
                client_secret=client_secret)
            if secret is not None:
                self._issued_secrets.add(_sha256(secret))
                self.model.secret_values.add(secret, "client_secret")
            if client_secret is not None:
                self._known_secrets[client.client_id] = client_secret
            return RegisteredClient(client.client_id, secret, client)

    def get_client(self, client_id: str) -> OAuthClient:
        with self.model.lock:
            return self.model.clients.require(client_id)

    def clients(self) -> list[OAuthClient]:
        with self.model.lock:
            return self.model.clients.all()

    def update_client(self, client_id: str, *, as_owner: bool = False, **changes: Any) -> OAuthClient:
        """Change ``name``, ``redirect_uris``, ``scopes``, ``status``, ``is_trusted``, ``logo``
        or ``rejection_reason``. As admin (default) changes apply as given; ``as_owner=True``
        applies Cal.com's owner-edit rule (name, logo, redirect URIs, broader scopes, or any
        edit of a REJECTED client sends it back to PENDING). All or nothing."""
        unknown = sorted(set(changes) - _CLIENT_CHANGES)
        if unknown:
            raise InvalidControlInput(f"unknown client fields: {', '.join(unknown)}")
        if not isinstance(as_owner, bool):
            raise InvalidControlInput("as_owner must be a boolean")
        for key in ("name", "logo", "rejection_reason"):
            _check_optional_str(changes.get(key), key)
        for key in ("redirect_uris", "scopes"):
            if changes.get(key) is not None:
                changes[key] = _as_list(changes[key], key)
        with self.model.lock:
            return self.model.clients.update(client_id, as_owner=as_owner, **changes)

    def add_client_secret(self, client_id: str) -> tuple[int, str]:
        """Rotate: add a secret (at most ``max_active_secrets``); returns its id and the plain
        secret, which is never shown again."""
        with self.model.lock:
            secret, plain = self.model.clients.add_secret(client_id)
            self._issued_secrets.add(_sha256(plain))
            self.model.secret_values.add(plain, "client_secret")
            return secret.id, plain

    def delete_client_secret(self, client_id: str, secret_id: int) -> None:
        """Delete a secret; the last one of a client cannot be deleted (as in Cal.com)."""
        with self.model.lock:
            self.model.clients.delete_secret(client_id, _check_id(secret_id, "secret_id"))

    # -- consent -----------------------------------------------------------------------------

    def set_consent(self, mode: ConsentMode | str, user_id: int | None = None) -> Consent:
        """How the authorize page answers (approve, deny, interactive) and as whom
        (``None``: the first user)."""
        try:
            consent_mode = ConsentMode(mode)
        except ValueError:
            options = ", ".join(m.value for m in ConsentMode)
            raise InvalidControlInput(f"consent mode must be one of {options}") from None
        with self.model.lock:
            if user_id is not None:
                self.model.users.require(_check_id(user_id, "user_id"))
            self.model.consent.mode = consent_mode
            self.model.consent.user_id = user_id
            return self.consent

    @property
    def consent(self) -> Consent:
        with self.model.lock:
            return dataclasses.replace(self.model.consent)

    # -- clock -------------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's time, POSIX seconds."""
        return self.model.clock.now()

    def state_sizes(self) -> dict[str, int]:
        """Entries held by everything that grows with traffic (see
        :meth:`CalcomModel.sizes`), plus the journal's entries and bytes and the tenants.
        Each is bounded: by expiry on the fake clock and a cap (settings
        ``max_pending_codes``, ``max_refresh_tokens_per_user``, ``journal_limit``,
        ``journal_max_bytes``), or by a fixed cache size."""
        sizes = self.model.sizes()
        sizes.update(journal_entries=len(self.journal), journal_bytes=self.journal.size_bytes,
                     tenants=len(self.tenants()))
        return sizes

    def advance(self, seconds: float) -> float:
        """Move the fake's clock forward (expire codes after 600 s, access tokens after
        1800 s, refresh tokens after 30 days); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not (
                math.isfinite(seconds) and seconds >= 0):
            raise InvalidControlInput("seconds must be a finite number >= 0")
        with self.model.lock:
            try:
                return self.model.clock.advance(seconds)
            except ValueError as exc:  # past MAX_TIME: refused, the clock is unchanged
                raise InvalidControlInput(str(exc)) from None

    # -- settings, reset, demo ---------------------------------------------------------------

    def update_settings(self, **changes: Any) -> Settings:
        """Change settings in place (``Settings.replace`` rules: unknown names and wrong types
        are refused). State is kept; a new ``seed`` applies from the next :meth:`reset`."""
        with self.model.lock:
            updated = self.model.settings.replace(**changes)
            self.model.apply_settings(updated)
            return updated

    def reset(self) -> None:
        """Forget users, clients, tokens, resources, faults and the journal. Settings, seed,
        clock and the consent mode stay: a reset fake mints the same ids again."""
        with self.model.lock:
            mode = self.model.consent.mode
            self.model.reset()
            self.model.consent.mode = mode
            self._demo = None
            self._known_secrets.clear()
        self.journal.clear()

    def seed_demo(self, *, extra_redirect_uris: Sequence[str] = ()) -> DemoData:
        """The demo user and client (what ``mock-calcom serve --demo`` prints); seeded once,
        later calls return the same data until :meth:`reset`."""
        with self.model.lock:
            if self._demo is None:
                from mock_calcom.demo import seed_demo

                self._demo = seed_demo(self, extra_redirect_uris=extra_redirect_uris)
                if self._demo.client.client_secret is not None:
                    self._known_secrets[self._demo.client.client_id] = self._demo.client.client_secret
            return self._demo

    def known_secret(self, client_id: str) -> str | None:
        """The plain secret of a client whose secret this fake was given or seeded (config
        file, demo), for the callback debugger; ``None`` for any other client."""
        with self.model.lock:
            return self._known_secrets.get(client_id)

    # -- URLs --------------------------------------------------------------------------------

    @property
    def urls(self) -> CalcomUrls:
        """Production URLs: what in-process clients and respx mode use."""
        return CalcomUrls.production()

    def authorize_url(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: Sequence[str] | str | None = None,
        state: str | None = None,
        code_challenge: str | None = None,
        *,
        base_url: str | None = None,
    ) -> str:
        """The URL an integration sends the browser to, as Cal.com's own client builds it
        (space-separated scopes, ``response_type=code``, S256 when a challenge is given).
        ``base_url`` replaces ``https://app.cal.com`` (e.g. a :class:`LiveServer`'s URL)."""
        params: list[tuple[str, str]] = [("client_id", client_id), ("redirect_uri", redirect_uri),
                                         ("response_type", "code")]
        if scopes is not None:
            params.append(("scope", scopes if isinstance(scopes, str) else " ".join(scopes)))
        if state is not None:
            params.append(("state", state))
        if code_challenge is not None:
            params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
        urls = CalcomUrls.single_origin(base_url.rstrip("/")) if base_url else self.urls
        query = "&".join(f"{_quote(key)}={_quote(value)}" for key, value in params)
        return f"{urls.authorize_url}?{query}"

    # -- transports --------------------------------------------------------------------------

    def transport(self) -> SyncCalcomTransport:
        """An httpx transport into this fake for sync clients (closed by :meth:`close`)."""
        from mock_calcom.transports import SyncCalcomTransport

        transport = SyncCalcomTransport(self.app)
        # Strong references, so close() reaches transports whose clients were dropped
        # unclosed (each started one holds a thread).
        self._sync_transports = [t for t in self._sync_transports if not t.closed]
        self._sync_transports.append(transport)
        return transport

    def async_transport(self) -> AsyncCalcomTransport:
        """An httpx transport into this fake for async clients."""
        from mock_calcom.transports import AsyncCalcomTransport

        return AsyncCalcomTransport(self.app)

    def client(self, base_url: str = API_URL, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` wired to this fake (any host reaches it; the Host header is
        journaled). Close it, or the fake, when done."""
        import httpx

        return httpx.Client(transport=self.transport(), base_url=base_url, **kwargs)

    def async_client(self, base_url: str = API_URL, **kwargs: Any) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(transport=self.async_transport(), base_url=base_url, **kwargs)

    def mock_cal_com(self) -> AbstractContextManager[respx.MockRouter]:
        """``with fake.mock_cal_com():`` sends every httpx request for https://app.cal.com and
        https://api.cal.com to this fake; any other request fails instead of going out."""
        from mock_calcom.transports import respx_router

        return respx_router(self.app)

    def close(self) -> None:
        """Stop the background event loops of the sync transports handed out (this fake's
        and its tenants')."""
        transports, self._sync_transports = self._sync_transports, []
        for transport in transports:
            transport.close()
        for tenant in self._tenant_fakes():
            tenant.close()

    # -- tenants -----------------------------------------------------------------------------

    def tenant(self, name: str) -> MockCalcom:
        """The fake that requests carrying ``X-Mock-Tenant: <name>`` reach, created empty on
        first use: its own users, clients, tokens (another signing key), resources, clock,
        faults, settings and journal. ``"default"`` is this fake. At most
        :data:`MAX_TENANTS`; :meth:`drop_tenant` frees one."""
        if not isinstance(name, str) or not TENANT_NAME.fullmatch(name):
            raise InvalidControlInput(
                f"{TENANT_HEADER} must be 1-64 letters, digits, '.', '_' or '-'")
        if name == DEFAULT_TENANT:
            return self
        if self.parent is not None:
            raise InvalidControlInput("a tenant has no tenants of its own")
        with self._tenants_lock:
            found = self._tenants.get(name)
            if found is None:
                if len(self._tenants) >= MAX_TENANTS:
                    raise InvalidControlInput(
                        f"at most {MAX_TENANTS} tenants; DELETE /_mock/tenants/<name> one first")
                found = self._new_tenant(name)
                self._tenants[name] = found
            return found

    def _new_tenant(self, name: str) -> MockCalcom:
        # The parent's settings, but its own seed: another signing key, other ids, so nothing
        # minted in one tenant means anything in another.
        seed = self.model.rng.fork(f"tenant:{name}").seed
        clock = self.model.clock
        own_clock: Clock = FrozenClock(clock.now()) if clock.frozen else WallClock()
        tenant = MockCalcom(self.settings.replace(seed=seed), clock=own_clock)
        tenant.parent = self
        tenant.set_consent(self.consent.mode)
        return tenant

    def tenants(self) -> list[str]:
        """Names of the tenants created so far (not ``"default"``)."""
        with self._tenants_lock:
            return sorted(self._tenants)

    def redact_text_everywhere(self, text: str) -> str:
        """:meth:`redact_text` by this fake and by each of its tenants: a server's log line
        may quote a request sent to any of them."""
        text = self.redact_text(text)
        for tenant in self._tenant_fakes():
            text = tenant.redact_text(text)
        return text

    def drop_tenant(self, name: str) -> None:
        """Forget a tenant entirely (its next request starts a fresh one)."""
        with self._tenants_lock:
            tenant = self._tenants.pop(name, None)
        if tenant is None:
            raise UnknownObjectError(f"no tenant {name!r}")
        tenant.close()

    def __enter__(self) -> MockCalcom:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _secret_hashes(self) -> frozenset[str]:
        """Secrets the journal must recognise: every one issued through this API, and every
        live one (also those created on the model directly)."""
        with self.model.lock:
            live = {s.hashed for c in self.model.clients.all() for s in c.secrets}
            return frozenset(live | self._issued_secrets)

    def _secret_hashes_everywhere(self) -> frozenset[str]:
        """:meth:`_secret_hashes` of this fake and of its tenants (for a server's log)."""
        hashes = self._secret_hashes()
        for tenant in self._tenant_fakes():
            hashes |= tenant._secret_hashes()
        return hashes

    def _tenant_fakes(self) -> list[MockCalcom]:
        with self._tenants_lock:
            return list(self._tenants.values())

    # -- faults, rate limits, token controls (owner: faults/rate-limit; mirrors /_mock/faults,
    # -- /_mock/rate-limits and /_mock/tokens; see mock_calcom/faults.py, model/ratelimit.py) --

    def add_fault(self, path: str | None = None, *, method: str | Sequence[str] | None = None,
                  path_regex: str | None = None, token: str | None = None,
                  client_id: str | None = None, status: int | None = None, body: Any = None,
                  text: str | None = None, headers: Mapping[str, str] | None = None,
                  latency: float = 0.0, advance_clock: float = 0.0,
                  drop: Literal["before", "after"] | None = None, times: int | None = None,
                  probability: float = 1.0) -> Fault:
        """Make matching requests go wrong; see :mod:`mock_calcom.faults` for the rules.

        ``fake.add_fault("/v2/bookings*", method="GET", status=503, times=1)`` answers the next
        booking read with a bare 503; ``drop="after"`` lets the fake do the work but loses the
        answer; ``latency=0.2`` sleeps first; ``probability=0.3`` fires on a seeded draw.
        """
        from mock_calcom.faults import build_spec  # loaded with the first fault

        spec = build_spec(method=method, path=path, path_regex=path_regex, token=token,
                          client_id=client_id, status=status, body=body, text=text,
                          headers=headers, latency=latency, advance_clock=advance_clock,
                          drop=drop, times=times, probability=probability)
        return self.model.faults.add(spec)

    @property
    def faults(self) -> list[Fault]:
        """Every registered fault with its ``hits`` and ``remaining`` count, oldest first."""
        return self.model.faults.list()

    def remove_fault(self, fault_id: str) -> Fault:
        return self.model.faults.remove(fault_id)

    def clear_faults(self) -> int:
        """Remove every fault; returns how many there were."""
        return self.model.faults.clear()

    def set_rate_limit(self, token: str, limit: int, *, window: float | None = None,
                       block: float | None = None) -> RateLimitRule:
        """Give one bearer token its own API v2 limit (window and block default to the
        settings'). Like Cal.com's per-key limits, a new limit starts a fresh counter."""
        settings = self.settings
        rule = RateLimitRule(limit, settings.rate_limit_window if window is None else window,
                             settings.rate_limit_block if block is None else block)
        self.model.ratelimits.set_rule(token_tracker(token), rule)
        return rule

    def clear_rate_limit(self, token: str) -> bool:
        """Put a token back on the default limit; ``False`` if it had none of its own."""
        return self.model.ratelimits.clear_rule(token_tracker(token))

    def reset_rate_limits(self) -> None:
        """Forget every request count and block (per-token limits stay)."""
        self.model.ratelimits.reset_counters()

    def revoke_refresh_tokens(self, client_id: str, user_id: int | None = None, *,
                              team_id: int | None = None) -> int:
        """Delete every refresh token of (client, user) or (client, team), as a rotation
        does; returns how many were valid rows. Access tokens live on (they are stateless)."""
        with self.model.lock:
            self.model.clients.require(client_id)
            return self.model.tokens.revoke_refresh_tokens(client_id, user_id, team_id)

    def expire_token(self, token: str) -> None:
        """Make one access or refresh token answer as expired from now on. A token that has
        already expired is left as it is; a token this fake never minted is refused."""
        with self.model.lock:
            try:
                self.model.tokens.force_expire(token)
            except TokenRejected as exc:
                if exc.reason != "expired":
                    raise InvalidControlInput("not a token minted by this fake") from exc
