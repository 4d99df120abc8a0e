"""``serve`` starts without the modules it does not need before its first request."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def test_the_public_names_still_import_from_the_package() -> None:
    import mock_calcom

    assert mock_calcom.MockCalcom.__name__ == "MockCalcom"
    assert callable(mock_calcom.respx_router)
    assert set(mock_calcom.__all__) <= set(dir(mock_calcom))
