"""pytest plugin (entry point ``mock_calcom``): fixtures that hand each test its own fake.

* ``calcom``: a fresh in-process :class:`~mock_calcom.MockCalcom`, frozen clock, consent
  ``approve`` (the authorize GET redirects straight back with a code).
* ``calcom_server``: the same fake served on a free loopback port
  (:class:`~mock_calcom.server.LiveServer`), for clients not built on httpx.
  With ``--calcom-url URL`` it is instead a :class:`~mock_calcom.remote.RemoteServer`: a
  tenant of the server at URL (one per xdist worker, reset before each test, configured by
  the marker's ``consent`` and settings).
* ``calcom_respx``: the same fake with ``https://app.cal.com`` and ``https://api.cal.com``
  routed to it for every httpx client; other hosts fail instead of going out.

Configure with a marker, on a test, class or module (the nearest wins, key by key)::

    @pytest.mark.calcom(consent="deny", seed=7, access_token_ttl=60)
    @pytest.mark.calcom(settings={"legacy_endpoints": False}, demo=True)

``consent`` (approve/deny/interactive), ``seed``, ``clock_start`` (POSIX seconds),
``demo`` (seed the demo user and client) and ``settings`` (a dict or a
:class:`~mock_calcom.Settings`); any other keyword is a setting name.

Imports are deferred: this module loads in every pytest run of an environment where
mock-calcom is installed, and must cost nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom
    from mock_calcom.remote import RemoteServer
    from mock_calcom.server import LiveServer

MARKER = "calcom"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(settings=None, *, consent='approve', seed=None, clock_start=None, demo=False, "
        "**settings): configure the fake of the calcom, calcom_server and calcom_respx fixtures",
    )


@dataclass
class _Options:
    settings: dict[str, Any] = field(default_factory=dict)
    consent: str = "approve"
    clock_start: float | None = None
    demo: bool = False


def _options(node: pytest.Item | pytest.Collector) -> _Options:
    """Merge every ``calcom`` marker, farthest (module) first so the nearest (test) wins."""
    from mock_calcom.settings import Settings

    options = _Options()
    for mark in reversed(list(node.iter_markers(MARKER))):
        if len(mark.args) > 1:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes at most one positional "
                                    "argument (the settings)")
        kwargs = dict(mark.kwargs)
        given = mark.args[0] if mark.args else kwargs.pop("settings", None)
        if isinstance(given, Settings):
            options.settings.update(
                {f: getattr(given, f) for f in given.__dataclass_fields__})
        elif isinstance(given, dict):
            options.settings.update(given)
        elif given is not None:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}: settings must be a dict or Settings")
        if "consent" in kwargs:
            options.consent = kwargs.pop("consent")
        if "clock_start" in kwargs:
            options.clock_start = kwargs.pop("clock_start")
        if "demo" in kwargs:
            options.demo = bool(kwargs.pop("demo"))
        if "seed" in kwargs:
            options.settings["seed"] = kwargs.pop("seed")
        options.settings.update(kwargs)
    return options


def make_fake(node: pytest.Item | pytest.Collector) -> MockCalcom:
    """The fake the fixtures hand out, configured from the node's ``calcom`` markers."""
    from mock_calcom.fake import MockCalcom
    from mock_calcom.model.clock import DEFAULT_EPOCH, FrozenClock
    from mock_calcom.settings import Settings

    options = _options(node)
    settings = Settings().replace(**options.settings)
    clock = FrozenClock(options.clock_start if options.clock_start is not None else DEFAULT_EPOCH)
    fake = MockCalcom(settings, clock=clock)
    fake.set_consent(options.consent)
    if options.demo:
        fake.seed_demo()
    return fake


@pytest.fixture
def calcom(request: pytest.FixtureRequest) -> Iterator[MockCalcom]:
    """A fresh in-process fake Cal.com (frozen clock, consent approve)."""
    fake = make_fake(request.node)
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def calcom_server(request: pytest.FixtureRequest) -> Iterator[LiveServer | RemoteServer]:
    """The ``calcom`` fake on a free loopback port: ``calcom_server.url``,
    ``calcom_server.urls.token_url``; ``calcom_server.fake`` is ``calcom``.

    With ``--calcom-url``: this worker's tenant of that server (a
    :class:`~mock_calcom.remote.RemoteServer`; send ``calcom_server.headers``)."""
    url = request.config.getoption("calcom_url", None)
    if url:
        yield from _remote_server(request, url)
        return
    from mock_calcom.server import LiveServer

    calcom: MockCalcom = request.getfixturevalue("calcom")
    with LiveServer(calcom) as server:
        yield server


def _remote_server(request: pytest.FixtureRequest, url: str) -> Iterator[RemoteServer]:
    import os

    from mock_calcom.remote import RemoteServer

    # One tenant per xdist worker (gw0, gw1, ...): workers run tests at the same time, and a
    # tenant is reset before each test, so two workers must never share one.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = request.config.getoption("calcom_tenant_prefix", None) or "pytest"
    options = _options(request.node)
    with RemoteServer(url, f"{prefix}-{worker}") as server:
        server.renew()
        settings = dict(options.settings)
        if settings:
            server.control("PATCH", "/settings", settings)
        server.control("PUT", "/consent", {"mode": options.consent})
        if options.demo:
            server.control("POST", "/demo")
        yield server


@pytest.fixture
def calcom_respx(calcom: MockCalcom) -> Iterator[MockCalcom]:
    """The ``calcom`` fake, with app.cal.com and api.cal.com routed to it (https) for every
    httpx client during the test."""
    with calcom.mock_cal_com():
        yield calcom


# -- contract suites (owner: contracts; the tests are built in mock_calcom_contracts.pytest_support) ------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-calcom", "Cal.com contract suites")
    group.addoption("--calcom-provider", metavar="MODULE:FACTORY", default=None,
                    help="run the Cal.com contract suites against this provider factory, "
                         "one test per clause (calcom-contracts::<CLAUSE>)")
    group.addoption("--calcom-profile", default="dev", choices=("dev", "ci", "thorough"),
                    help="hypothesis effort of the contract suites (default dev)")
    group.addoption("--calcom-live", action="store_true", default=False,
                    help="run the contract suites against a live HTTP server")
    group.addoption("--calcom-url", metavar="URL", default=None,
                    help="calcom_server is a tenant of the mock-calcom server at URL "
                         "(one per xdist worker) instead of an in-process one")
    group.addoption("--calcom-tenant-prefix", metavar="NAME", default=None,
                    help="tenant names are NAME-<worker> (default pytest); give parallel CI "
                         "jobs sharing one server different prefixes")
    group.addoption("--calcom-clause", action="append", default=None, metavar="ID",
                    help="run only this contract clause (repeatable)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    spec = config.getoption("calcom_provider", None)
    if not spec:
        return
    from mock_calcom_contracts.pytest_support import contract_items

    items.extend(contract_items(session, spec, profile_name=config.getoption("calcom_profile"),
                                live=config.getoption("calcom_live"),
                                clauses=config.getoption("calcom_clause")))
