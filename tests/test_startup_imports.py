"""``serve`` starts without the modules it does not need before its first request."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mock_calcom

#: Imported only on demand: in-process transports, the consent page, RSA/EC crypto.
_LAZY = ("httpx", "respx", "jinja2", "cryptography", "jwt", "hypothesis", "pytest")

_PROBE = """
import json, sys
from mock_calcom.cli import _command_in, build_parser
assert _command_in(["serve", "--port", "0"]) == "serve"
from mock_calcom.fake import MockCalcom
from mock_calcom.model.clock import WallClock
from mock_calcom.settings import Settings
from mock_calcom.server import LiveServer
build_parser("serve").parse_args(["serve"])
fake = MockCalcom(Settings(seed=1), clock=WallClock())
fake.seed_demo()
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""

#: The probe, then a server started and stopped (the protocol is chosen at LiveServer()).
_SERVE = """
with LiveServer(fake):
    pass
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""


def test_serve_starts_without_transports_templates_or_crypto() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          timeout=60, check=True)
    loaded = set(json.loads(done.stdout))
    assert "mock_calcom" in loaded
    assert not loaded & set(_LAZY)


def test_serve_on_httptools_does_not_import_h11() -> None:
    """The h11 fallback (and its parser) is imported only when httptools is missing."""
    pytest.importorskip("httptools")
    done = subprocess.run([sys.executable, "-c", _PROBE + _SERVE], capture_output=True, text=True,
                          timeout=60, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "httptools" in loaded
    assert "h11" not in loaded


def test_the_package_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert mock_calcom.__version__ == version("mock-calcom")


def test_the_public_names_still_import_from_the_package() -> None:
    assert mock_calcom.MockCalcom.__name__ == "MockCalcom"
    assert callable(mock_calcom.respx_router)
    assert set(mock_calcom.__all__) <= set(dir(mock_calcom))


#: ``serve`` in a thread of a fresh interpreter: its first request, then an API request, with
#: the API modules loaded after each.
_SERVE_THEN_ASK = """
import http.client, io, json, re, sys, threading, time
from mock_calcom.cli import build_parser, serve

out, stop = io.StringIO(), threading.Event()
args = build_parser("serve").parse_args(["serve", "--port", "0", "--quiet"])
server = threading.Thread(target=serve, args=(args, out), kwargs={"stop": stop})
server.start()
deadline = time.monotonic() + 30
while "Press Ctrl+C" not in out.getvalue() and time.monotonic() < deadline:
    time.sleep(0.01)
host, port = re.search(r"at http://([0-9.]+):([0-9]+)", out.getvalue()).groups()

def get(path):
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status

def loaded():
    return sorted(m for m in sys.modules if m.startswith("mock_calcom"))

report = {"first": get("/_mock/clock"), "before": loaded(),
          "metadata": "importlib.metadata" in sys.modules, "zoneinfo": "zoneinfo" in sys.modules,
          "banner": out.getvalue().splitlines()[0]}
report["token"] = get("/v2/auth/oauth2/token")
report["after"] = loaded()
stop.set()
server.join(30)
print(json.dumps(report))
"""

#: The resource tables' modules (:class:`~mock_calcom.model.resources.store.ResourceStore`).
_TABLES = {f"mock_calcom.model.resources.{name}" for name in (
    "apps", "bookings", "event_types", "private_links", "reservations", "schedules", "seed",
    "teams", "webhooks")}


def test_serve_answers_its_first_request_without_importing_the_api_surface() -> None:
    """The API v2 routes (and the OpenAPI document) are imported on the first request that
    needs them: here ``GET /v2/auth/oauth2/token`` (405 for the token route, so every route
    under /v2 is asked). The resource tables are made when first used, what describes a fault
    with the first fault, the demo data when seeded, journal entries on the first read."""
    done = subprocess.run([sys.executable, "-c", _SERVE_THEN_ASK], capture_output=True,
                          text=True, timeout=90, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["first"] == 200
    before = set(report["before"])
    assert not {m for m in before if m.startswith("mock_calcom.api")}
    assert not before & {"mock_calcom.openapi", "mock_calcom.faults", "mock_calcom.demo",
                         "mock_calcom.model.resources.timeutil", "mock_calcom.journalentry"}
    assert not before & _TABLES
    # The banner's version is the package's own attribute (importlib.metadata is slow to load).
    assert not report["metadata"]
    assert not report["zoneinfo"]  # time zones come with the resources that have them
    assert report["banner"].startswith(f"mock-calcom {mock_calcom.__version__}: ")
    assert report["token"] == 404  # Nest's "Cannot GET": served by the routes it loaded
    assert {"mock_calcom.api.routes", "mock_calcom.api.bookings"} <= set(report["after"])
