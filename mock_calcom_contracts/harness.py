"""The stage the clauses play on: a fake Cal.com, a provider under test, a simulated browser.

A :class:`Suite` lives for one run: it owns one fake (frozen clock, fixed seed) and, for
``--live``, one :class:`~mock_calcom.server.LiveServer`. Every scenario
(:meth:`Suite.scenario`) resets that fake, registers two users (the client's *owner* and a
*member*) and one client holding the user scopes (confidential unless a clause asks for a
PUBLIC one), builds the :class:`~mock_calcom_contracts.provider.ProviderEnvironment` and calls the provider
factory: each scenario meets a fresh provider and a fresh Cal.com.

The :class:`Harness` a scenario yields drives the provider (``authorization_url``,
``complete``, ``request``, bursts of concurrent requests) and the fake (clock, client status,
refresh-token revocation, faults), turns every provider answer into an :class:`Outcome`, and
reads the fake's journal for the clauses to judge.

Runaway providers (unbounded retries) are stopped, not waited for: in-process, a guard around
the transport raises :class:`Runaway` after too many requests in one call; ``env.sleep``
does the same after too much waiting. :class:`Runaway` derives from ``BaseException`` so a
provider's ``except Exception`` cannot swallow it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
from hypothesis import given

from mock_calcom.addresses import CalcomUrls
from mock_calcom.fake import MockCalcom
from mock_calcom.faults import Fault
from mock_calcom.journal import JournalEntry
from mock_calcom.model.clock import FrozenClock
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.server import LiveServer
from mock_calcom.settings import Settings
from mock_calcom_contracts.endpoints import Endpoint
from mock_calcom_contracts.errors import ContractViolation, ProviderLoadError, error_kind
from mock_calcom_contracts.profiles import Profile
from mock_calcom_contracts.provider import ApiResponse, Provider, ProviderEnvironment, ProviderFactory

T = TypeVar("T")

REDIRECT_URI = "https://integrator.example.com/calcom/callback"
#: The seed of every scenario's fake: ids and secrets repeat run to run.
SEED = 20_260_105
#: Requests one provider call may make before it is declared a runaway.
CALL_REQUEST_BUDGET = 40
#: ``env.sleep`` calls, and seconds slept, one provider call may use.
CALL_SLEEP_BUDGET = 25
CALL_SLEEP_SECONDS = 6 * 3600.0
#: Wall-clock seconds a provider call may take (``verify --timeout``). A correct provider's
#: call takes milliseconds against the fake; the bound only stops a deadlocked one.
CALL_TIMEOUT = 10.0
_POLL = 0.02
#: Access-token lifetime for scenarios that do not pick one (Cal.com's,
#: docs/calcom-behaviour.md#tokens-and-lifetimes).
ACCESS_TTL = 1800
REFRESH_TTL = 30 * 24 * 3600
#: How early before expiry a provider may refresh without being "refresh-happy".
EARLY_REFRESH_WINDOW = 300.0


class Runaway(BaseException):
    """A provider call exceeded its request or sleep budget (an unbounded retry loop)."""


class ProviderGone(BaseException):
    """The provider's process is gone (a driver that died or stopped answering): no clause can
    run any more. A ``BaseException``, so it passes through every clause and hypothesis to the
    runner, which reports it once."""


@dataclass(frozen=True)
class Outcome:
    """What one provider call came to: ``kind`` is ``"ok"``, an outcome name
    (:data:`mock_calcom_contracts.errors.OUTCOMES`), ``"crash"`` (another exception) or ``"runaway"``."""

    kind: str
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def response(self) -> ApiResponse:
        if not isinstance(self.value, ApiResponse):
            raise TypeError(f"no ApiResponse in outcome {self.describe()}")
        return self.value

    def describe(self) -> str:
        if self.kind == "ok":
            if isinstance(self.value, ApiResponse):
                return f"a response with status {self.value.status}"
            return "ok"
        if self.error is None:
            return self.kind
        text = str(self.error).strip().splitlines()
        detail = f": {text[0][:160]}" if text else ""
        if self.kind == "crash":
            return f"crash ({type(self.error).__name__}{detail})"
        return f"{self.kind}{detail}"


@dataclass(frozen=True)
class BrowserVisit:
    """What the simulated browser saw at the authorize URL."""

    url: str
    status: int
    #: The redirect back to the integration (code or error), or ``None`` if Cal.com showed a
    #: page instead (an error it does not redirect,
    #: docs/calcom-behaviour.md#authorize-page).
    callback_url: str | None
    page: str = ""

    @property
    def callback_query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.callback_url or "").query)


@dataclass
class _Counters:
    """Requests sent and waits made by one provider call (or by threads nobody can place)."""

    budget: _Budget
    requests: int = 0
    sleeps: int = 0
    slept: float = 0.0


#: The counters of the provider call the current thread or task works for. A worker thread
#: sets it when a call starts; an async call sets it in its own task (and the tasks it starts
#: inherit it).
_CALL: contextvars.ContextVar[_Counters | None] = contextvars.ContextVar(
    "mock_calcom_contracts_call", default=None)


class _Budget:
    """Request and sleep counters of the provider calls in progress.

    A request or ``env.sleep`` is charged to the call whose context it runs in. One made on a
    thread the provider started itself (a pool, a timer) carries no context: it is charged to
    a scenario-wide pool, reset whenever no call is running, whose limits grow with the
    number of calls running at once. Either way a runaway is reported (``violation``) even when
    the provider's own thread swallows the :class:`Runaway` raised in it."""

    def __init__(self) -> None:
        self.violation: str | None = None
        self._lock = threading.Lock()
        self._in_flight = 0
        self._orphans = _Counters(self)

    def start(self) -> None:
        """This thread (or task) now works for a new provider call."""
        _CALL.set(_Counters(self))

    def enter(self) -> None:
        with self._lock:
            if self._in_flight == 0:
                self._orphans = _Counters(self)
                self.violation = None
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def _counters(self) -> tuple[_Counters, int]:
        counters = _CALL.get()
        if counters is not None and counters.budget is self:
            return counters, 1
        return self._orphans, max(1, self._in_flight)

    def request(self) -> None:
        counters, scale = self._counters()
        with self._lock:
            counters.requests += 1
            over = counters.requests > CALL_REQUEST_BUDGET * scale
        if over:
            self.violation = (f"one provider call sent more than {CALL_REQUEST_BUDGET} requests "
                              "(an unbounded retry loop?)")
            raise Runaway(self.violation)

    def sleep(self, seconds: float) -> None:
        counters, scale = self._counters()
        with self._lock:
            counters.sleeps += 1
            counters.slept += seconds
            over = (counters.sleeps > CALL_SLEEP_BUDGET * scale
                    or counters.slept > CALL_SLEEP_SECONDS * scale)
        if over:
            self.violation = (f"one provider call waited more than {CALL_SLEEP_BUDGET} times or "
                              f"{CALL_SLEEP_SECONDS:.0f} s in total (unbounded backoff?)")
            raise Runaway(self.violation)


class _SharedTransport(httpx.BaseTransport):
    """The run's transport lent to one client: counted against the call budget (when given)
    and never closed by the client (the next scenario needs it)."""

    def __init__(self, inner: httpx.BaseTransport, budget: _Budget | None = None) -> None:
        self._inner = inner
        self._budget = budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._budget is not None:
            self._budget.request()
        return self._inner.handle_request(request)

    def close(self) -> None:
        pass


class _SharedAsyncTransport(httpx.AsyncBaseTransport):
    """:class:`_SharedTransport` for async clients."""

    def __init__(self, inner: httpx.AsyncBaseTransport, budget: _Budget) -> None:
        self._inner = inner
        self._budget = budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._budget.request()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


class _LoopThread:
    """One event loop on its own thread, for the async provider calls of one scenario (so
    that an async provider's locks and clients live on a single loop throughout)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever,
                                        name="contracts-provider-loop", daemon=True)
        self._thread.start()

    def run(self, awaitable: Awaitable[T], budget: _Budget, box: dict[str, Any]) -> T:
        async def call() -> T:
            budget.start()
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(call(), self.loop)
        box["future"] = future
        return future.result()

    def stop(self) -> None:
        def cancel_all() -> None:
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.stop()

        self.loop.call_soon_threadsafe(cancel_all)
        self._thread.join(5.0)
        if not self._thread.is_alive():
            self.loop.close()


# -- the run -------------------------------------------------------------------------------

class Suite:
    """One verification run: the provider factory, the profile, and the fake they share."""

    def __init__(self, factory: ProviderFactory, profile: Profile, *, live: bool = False,
                 call_timeout: float = CALL_TIMEOUT) -> None:
        self.factory = factory
        self.profile = profile
        self.live = live
        self.call_timeout = call_timeout
        #: Called with every scenario's harness when it ends (the runner reads the journal).
        self.observers: list[Callable[[Harness], None]] = []
        self._fake: MockCalcom | None = None
        self._server: LiveServer | None = None
        self._transport: httpx.BaseTransport | None = None
        self._async_transport: httpx.AsyncBaseTransport | None = None
        self._browser: httpx.Client | None = None
        self._base_settings = Settings(seed=SEED)

    def __enter__(self) -> Suite:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._fake is not None:
            self._fake.close()
            self._fake = None

    def _ensure_fake(self) -> MockCalcom:
        if self._fake is None:
            self._fake = MockCalcom(self._base_settings, clock=FrozenClock())
            if self.live:
                self._server = LiveServer(self._fake).start()
                if self._browser is None:
                    self._browser = httpx.Client(timeout=10.0)
            else:
                self._transport = self._fake.transport()
                self._async_transport = self._fake.async_transport()
                self._browser = httpx.Client(transport=_SharedTransport(self._transport),
                                             timeout=10.0)
        return self._fake

    def _retire_fake(self) -> None:
        """After a runaway in ``--live`` mode the provider may still be hammering the server
        from an abandoned thread: give the next scenario a new fake and server. The old ones
        are shut down in the background (a graceful stop waits for that thread's
        connection)."""
        server, fake = self._server, self._fake
        self._server = self._fake = None

        def stop() -> None:
            if server is not None:
                server.stop()
            if fake is not None:
                fake.close()

        threading.Thread(target=stop, name="contracts-retire-server", daemon=True).start()

    def given(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., None]], Callable[[], None]]:
        """``@suite.given(strategy, ...)``: hypothesis ``given`` under this run's profile."""

        def wrap(test: Callable[..., None]) -> Callable[[], None]:
            property_test: Callable[[], None] = given(*args, **kwargs)(test)  # type: ignore[no-untyped-call]
            return self.profile.settings()(property_test)

        return wrap

    @contextlib.contextmanager
    def scenario(
        self,
        *,
        client_status: str = "APPROVED",
        client_scopes: Sequence[str] = USER_SCOPES,
        client_type: str = "CONFIDENTIAL",
        settings: Mapping[str, Any] | None = None,
    ) -> Iterator[Harness]:
        """A fresh Cal.com (owner, member, one client: confidential unless ``client_type`` is
        ``"PUBLIC"``, which has no secret) and a fresh provider."""
        fake = self._ensure_fake()
        changes = {f.name: getattr(self._base_settings, f.name)
                   for f in fields(Settings) if f.name != "seed"}
        changes.update(settings or {})
        fake.update_settings(**changes)
        fake.reset()
        owner = fake.create_user("owner")
        member = fake.create_user("member")
        registered = fake.create_client("Contract suite", [REDIRECT_URI], list(client_scopes),
                                        status=client_status, client_type=client_type,
                                        owner_user_id=owner.id)
        budget = _Budget()
        assert self._browser is not None
        browser = self._browser
        if self._server is not None:
            urls = self._server.urls
            transport: httpx.BaseTransport | None = None
            async_transport: httpx.AsyncBaseTransport | None = None
        else:
            urls = CalcomUrls.production()
            assert self._transport is not None
            assert self._async_transport is not None
            transport = _SharedTransport(self._transport, budget)
            async_transport = _SharedAsyncTransport(self._async_transport, budget)
        harness = Harness(self, fake, budget, browser, owner_id=owner.id, member_id=member.id,
                          client_id=registered.client_id,
                          client_secret=registered.client_secret, urls=urls, transport=transport,
                          async_transport=async_transport)
        try:
            yield harness
        finally:
            harness.close()
            for observe in self.observers:
                observe(harness)
            if harness.runaway_in_live:
                self._retire_fake()


# -- one scenario --------------------------------------------------------------------------

class Harness:
    """One scenario: drive the provider and the fake, then judge through the journal."""

    def __init__(self, suite: Suite, fake: MockCalcom, budget: _Budget, browser: httpx.Client, *,
                 owner_id: int, member_id: int, client_id: str, client_secret: str | None,
                 urls: CalcomUrls, transport: httpx.BaseTransport | None,
                 async_transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.suite = suite
        self.fake = fake
        self.owner_id = owner_id
        self.member_id = member_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = REDIRECT_URI
        self.runaway_in_live = False
        self._urls = urls
        self._transport = transport
        self._async_transport = async_transport
        self._siblings: list[Harness] = []
        self._budget = budget
        self._browser = browser
        self._started_at = fake.now()
        self._first_entry = self._last_id()
        self._slept: list[float] = []
        #: Every authorization code Cal.com handed out in this scenario (for SECRET-BY-VALUE:
        #: unlike JWTs, a code cannot be recognised by its looks wherever it travels).
        self.codes: list[str] = []
        self._sleep_lock = threading.Lock()
        self._loop: _LoopThread | None = None
        self._loop_lock = threading.Lock()
        self.env = ProviderEnvironment(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=REDIRECT_URI,
            authorize_url=urls.authorize_url,
            token_url=urls.token_url,
            api_base_url=urls.api_base_url,
            now=fake.now,
            sleep=self._sleep,
            transport=transport,
            async_transport=async_transport,
        )
        try:
            provider = suite.factory(self.env)
        except Exception as exc:
            raise ProviderLoadError(f"the provider factory failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(provider, Provider):
            raise ProviderLoadError(
                f"the provider factory returned {_kind_of(provider)}, not a provider (an object "
                "with authorization_url, complete and request methods)")
        self.provider: Provider = provider

    def sibling(self, name: str = "Second app",
                scopes: Sequence[str] = USER_SCOPES) -> Harness:
        """A second client on the same Cal.com (APPROVED, owned by the owner, holding
        ``scopes``) with a provider of its own, built by the same factory: for clauses where
        several clients' connections interleave. Closed with this harness."""
        registered = self.fake.create_client(name, [REDIRECT_URI], list(scopes),
                                             status="APPROVED", owner_user_id=self.owner_id)
        other = Harness(self.suite, self.fake, self._budget, self._browser,
                        owner_id=self.owner_id, member_id=self.member_id,
                        client_id=registered.client_id, client_secret=registered.client_secret,
                        urls=self._urls, transport=self._transport,
                        async_transport=self._async_transport)
        other._first_entry = self._first_entry
        other._started_at = self._started_at
        self._siblings.append(other)
        return other

    def close(self) -> None:
        for sibling in self._siblings:
            sibling.close()
            self.runaway_in_live = self.runaway_in_live or sibling.runaway_in_live
        closer = getattr(self.provider, "aclose", None)
        if not callable(closer):
            closer = getattr(self.provider, "close", None)
        if callable(closer):
            with contextlib.suppress(Exception):
                result = closer()
                if inspect.isawaitable(result):
                    self._event_loop().run(result, self._budget, {})
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    def _event_loop(self) -> _LoopThread:
        with self._loop_lock:
            if self._loop is None:
                self._loop = _LoopThread()
            return self._loop

    @property
    def live(self) -> bool:
        return self.suite.live

    # -- time --------------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        if not isinstance(seconds, int | float) or seconds < 0 or seconds != seconds:
            raise ValueError(f"env.sleep wants a non-negative number of seconds, got {seconds!r}")
        self._budget.sleep(float(seconds))
        with self._sleep_lock:
            self._slept.append(float(seconds))
        self.fake.advance(float(seconds))

    @property
    def slept(self) -> list[float]:
        """Every ``env.sleep`` the provider made in this scenario, in order."""
        with self._sleep_lock:
            return list(self._slept)

    def now(self) -> float:
        return self.fake.now()

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)

    # -- the fake ----------------------------------------------------------------------------

    def user_id(self, who: str) -> int:
        return self.owner_id if who == "owner" else self.member_id

    def set_client_status(self, status: str) -> None:
        self.fake.update_client(self.client_id, status=status)

    def revoke_refresh_tokens(self, who: str = "owner") -> None:
        self.fake.revoke_refresh_tokens(self.client_id, self.user_id(who))

    def fault(self, path: str | None = None, **spec: Any) -> Fault:
        return self.fake.add_fault(path, **spec)

    def token_fault(self, **spec: Any) -> Fault:
        """A fault on the G2 token endpoint (the one ``env.token_url`` names)."""
        return self.fake.add_fault("/v2/auth/oauth2/token", method="POST", **spec)

    def api_fault(self, **spec: Any) -> Fault:
        """A fault on every API v2 resource the provider is asked to call (not the OAuth
        endpoints under ``/v2/auth``, nor the slots the harness reads for :meth:`bookable`)."""
        return self.fake.add_fault(path_regex=r"/v2/(?!auth/|slots).*", **spec)

    def remove_fault(self, fault: Fault) -> None:
        """Withdraw ``fault`` if it is still registered (it may have fired its last time)."""
        if any(f.id == fault.id for f in self.fake.faults):
            self.fake.remove_fault(fault.id)

    def mint_tokens(self, who: str, scopes: Sequence[str]) -> dict[str, Any]:
        """A token response for ``who`` minted straight from the model, as Cal.com's token
        endpoint would answer it (for faults that return a doctored token response)."""
        from mock_calcom.model.tokens import Grant

        model = self.fake.model
        with model.lock:
            pair = model.tokens.mint_pair(Grant(self.client_id, self.user_id(who), None, tuple(scopes)))
        return {"access_token": pair.access_token, "token_type": "bearer",
                "refresh_token": pair.refresh_token, "expires_in": pair.expires_in,
                "scope": " ".join(pair.scopes)}

    def bookable(self, who: str = "owner") -> tuple[int, list[str]]:
        """An event type of ``who`` anyone may book, and its free slots (UTC ISO starts) in
        the coming week, read from Cal.com's public slots endpoint (journaled: take a
        :meth:`mark` after it)."""
        model = self.fake.model
        with model.lock:
            event_type = next(e for e in model.resources.event_types.of_user(self.user_id(who))
                              if not e.booking_requires_authentication
                              and not any(f.get("required") for f in e.custom_booking_fields))
        day = dt.datetime.fromtimestamp(self.now(), dt.UTC).date() + dt.timedelta(days=1)
        answer = self._browser.get(
            self._urls.api_base_url + "/slots",
            params={"eventTypeId": str(event_type.id), "start": day.isoformat(),
                    "end": (day + dt.timedelta(days=7)).isoformat()},
            headers={"cal-api-version": "2024-09-04"})
        answer.raise_for_status()
        days = answer.json()["data"]
        return event_type.id, [slot["start"] for key in sorted(days) for slot in days[key]]

    # -- the browser -------------------------------------------------------------------------

    def visit(self, authorize_url: str, *, who: str = "owner", consent: str = "approve") -> BrowserVisit:
        """Open the provider's authorize URL as ``who``, who presses Allow (``consent=
        "approve"``) or Deny; no redirect is followed."""
        self.fake.set_consent(consent, self.user_id(who))
        response = self._browser.get(authorize_url, follow_redirects=False)
        location = response.headers.get("location")
        if response.is_redirect and location:
            visit = BrowserVisit(authorize_url, response.status_code, location)
            self.codes.extend(visit.callback_query.get("code", []))
            return visit
        return BrowserVisit(authorize_url, response.status_code, None, response.text[:2000])

    def authorize(self, scopes: Sequence[str], *, who: str = "owner",
                  consent: str = "approve") -> str:
        """The callback URL Cal.com sends the browser back with, for the provider's authorize
        URL; a page instead of a redirect means Cal.com refused the URL (wrong client,
        redirect_uri, missing scope): the provider's fault."""
        mark = self.mark()
        visit = self.visit(self.authorization_url(scopes), who=who, consent=consent)
        if visit.callback_url is None:
            raise ContractViolation(
                f"Cal.com did not redirect back from the provider's authorize URL "
                f"(HTTP {visit.status}): {_page_error(visit.page)}", self.excerpt(mark))
        return visit.callback_url

    # -- the provider ------------------------------------------------------------------------

    def _guarded(self, action: Callable[[], Any]) -> Outcome:
        try:
            value = self._with_deadline(action)
        except Runaway as exc:
            return Outcome("runaway", None, exc)
        except Exception as exc:
            return Outcome(error_kind(exc), None, exc)
        return Outcome("ok", value)

    def _with_deadline(self, action: Callable[[], T]) -> T:
        """Run ``action`` in a worker thread, bounded in wall-clock time (a deadlocked provider
        must not hang the suite) and, in ``--live`` mode where no transport can count, in
        requests seen by the server."""
        box: dict[str, Any] = {}

        def target() -> None:
            self._budget.start()
            try:
                value = action()
                if inspect.isawaitable(value):
                    # An async provider: awaited on the scenario's loop, in a task of its own.
                    value = self._event_loop().run(value, self._budget, box)
                box["value"] = value
            except BaseException as exc:
                box["error"] = exc

        self._budget.enter()
        first = self._last_id()
        worker = threading.Thread(target=target, name="contracts-provider-call", daemon=True)
        worker.start()
        timeout = self.suite.call_timeout
        deadline = time.monotonic() + timeout
        try:
            while worker.is_alive():
                worker.join(_POLL)
                # The server's journal stands in for the transport guard: too many requests
                # while this call (and its concurrent siblings) ran is a retry loop.
                sent = self._last_id() - first if self.live else 0
                if worker.is_alive() and sent > CALL_REQUEST_BUDGET * self._budget.in_flight:
                    self.runaway_in_live = True
                    self._cancel(box)
                    raise Runaway(f"one provider call sent more than {CALL_REQUEST_BUDGET} "
                                  "requests (an unbounded retry loop?)")
                if worker.is_alive() and self._budget.violation is not None:
                    # Charged on a thread of the provider's own, which may have swallowed it.
                    self._cancel(box)
                    raise Runaway(self._budget.violation)
                if worker.is_alive() and time.monotonic() > deadline:
                    self.runaway_in_live = self.live
                    self._cancel(box)
                    raise Runaway(f"a provider call did not return within {timeout:g} s "
                                  "(a deadlock, or an unbounded loop? --timeout sets the bound)")
        finally:
            self._budget.leave()
        if "error" in box:
            raise box["error"]
        if self._budget.violation is not None:
            raise Runaway(self._budget.violation)
        value: T = box["value"]
        return value

    @staticmethod
    def _cancel(box: Mapping[str, Any]) -> None:
        future = box.get("future")
        if future is not None:
            future.cancel()

    def authorization_url(self, scopes: Sequence[str]) -> str:
        outcome = self._guarded(lambda: self.provider.authorization_url(list(scopes)))
        if not outcome.ok or not isinstance(outcome.value, str):
            raise ContractViolation(
                f"authorization_url({list(scopes)}) did not return a URL: {outcome.describe()}")
        url: str = outcome.value
        return url

    def complete(self, callback_url: str) -> Outcome:
        return self._guarded(lambda: self.provider.complete(callback_url))

    def connect(self, scopes: Sequence[str] = USER_SCOPES, *, who: str = "owner") -> str:
        """Authorize (Allow) and complete; the connection id. Any other end is a violation of
        the basic flow, reported with the journal."""
        mark = self.mark()
        outcome = self.complete(self.authorize(scopes, who=who))
        if not outcome.ok or not isinstance(outcome.value, str):
            raise ContractViolation(f"connecting failed: complete() gave {outcome.describe()}",
                                    self.excerpt(mark))
        connection: str = outcome.value
        return connection

    def call(self, connection: str, endpoint: Endpoint) -> Outcome:
        return self._guarded(lambda: self.provider.request(
            connection, endpoint.method, endpoint.api_path,
            dict(endpoint.params) if endpoint.params else None, endpoint.json))

    def burst(self, connection: str, endpoints: Sequence[Endpoint]) -> list[Outcome]:
        """Call ``endpoints`` from as many threads at once (released together)."""
        outcomes: list[Outcome | None] = [None] * len(endpoints)
        barrier = threading.Barrier(len(endpoints))
        gone: list[ProviderGone] = []

        def worker(index: int, endpoint: Endpoint) -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10.0)
            try:
                outcomes[index] = self.call(connection, endpoint)
            except ProviderGone as exc:
                gone.append(exc)

        threads = [threading.Thread(target=worker, args=(i, e), name=f"contracts-burst-{i}",
                                    daemon=True) for i, e in enumerate(endpoints)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + self.suite.call_timeout + 15.0
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if gone:
            raise gone[0]
        return [o if o is not None else Outcome("runaway", None, Runaway("the call never returned"))
                for o in outcomes]

    # -- the journal -------------------------------------------------------------------------

    def _last_id(self) -> int:
        last = self.fake.journal.last()
        return last.id if last is not None else 0

    def mark(self) -> int:
        """A bookmark: :meth:`since` gives the entries recorded after it."""
        return self._last_id()

    def since(self, mark: int | None = None) -> list[JournalEntry]:
        start = self._first_entry if mark is None else mark
        return [e for e in self.fake.journal.entries() if e.id > start]

    def excerpt(self, mark: int | None = None, entries: Sequence[JournalEntry] | None = None) -> str:
        chosen = list(entries) if entries is not None else self.since(mark)
        if len(chosen) > 30:
            chosen = chosen[:5] + chosen[-25:]
        return "\n".join(describe_entry(e, self._started_at) for e in chosen) or "(no requests)"


def with_query(url: str, **changes: str | None) -> str:
    """``url`` with query parameters set (or removed, for ``None``), the others kept in order:
    how a clause forges a callback, and a mutant doctors a URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = [value]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


# -- reading the journal -------------------------------------------------------------------

def form(entry: JournalEntry) -> dict[str, Any]:
    """A request body's fields (form or JSON object), else empty."""
    return entry.request_body if isinstance(entry.request_body, dict) else {}


def grant_type(entry: JournalEntry) -> str | None:
    value = form(entry).get("grant_type")
    return value if isinstance(value, str) else None


def is_refresh(entry: JournalEntry) -> bool:
    return entry.is_token_request and grant_type(entry) == "refresh_token"


def is_exchange(entry: JournalEntry) -> bool:
    return entry.is_token_request and grant_type(entry) == "authorization_code"


def is_api(entry: JournalEntry) -> bool:
    return entry.path.startswith("/v2/") and not entry.path.startswith("/v2/auth/")


def error_message(entry: JournalEntry) -> str:
    body = entry.response_body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, str):
            return message
    return ""


def rejected_token(entry: JournalEntry) -> bool:
    """An API answer that means "this access token is no good" (expired or unknown): 401 from
    ``ApiAuthGuard``, or the 403 ``PermissionsGuard`` gives first on bookings and event types
    (docs/calcom-behaviour.md#api-v2-authentication, issue #24840)."""
    if not is_api(entry):
        return False
    return entry.status == 401 or (
        entry.status == 403 and error_message(entry).startswith("PermissionsGuard"))


def describe_entry(entry: JournalEntry, origin: float) -> str:
    when = f"t+{entry.time - origin:,.0f}s"
    target = f"{entry.method} {entry.host}{entry.path}"
    if entry.query_string:
        target += f"?{entry.query_string}"
    extras = []
    version = entry.request_headers.get("cal-api-version")
    if version:
        extras.append(f"cal-api-version={version}")
    auth = entry.request_headers.get("authorization")
    if auth:
        extras.append(f"Authorization: {auth}")
    if entry.request_body not in (None, "", {}):
        body = entry.request_body
        if isinstance(body, dict):
            body = " ".join(f"{k}={_short(v)}" for k, v in body.items())
        extras.append(f"body[{entry.request_body_kind}]: {str(body)[:300]}")
    answer = "no answer (dropped)" if entry.status is None else str(entry.status)
    detail = error_message(entry)
    if not detail and isinstance(entry.response_body, dict) and "error" in entry.response_body:
        detail = f"{entry.response_body.get('error')}: {entry.response_body.get('error_description', '')}"
    if detail:
        answer += f" {detail[:140]}"
    if entry.fault:
        answer += f" [fault {entry.fault}]"
    line = f"  #{entry.id} {when} {target}"
    if extras:
        line += "  " + "  ".join(extras)
    return f"{line}\n      -> {answer}"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 24 or text.startswith("<redacted") else text[:12] + "..."


def _kind_of(value: object) -> str:
    if value is None:
        return "None"
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def _page_error(page: str) -> str:
    text = " ".join(page.split())
    return text[:300] if text else "(empty page)"
