"""What installing mock-calcom brings, and what a plain script using it does at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import requires

from packaging.requirements import Requirement

#: What a fake that never closes may take to let its process go.
_EXIT_BOUND = 30


def _runtime_requirements() -> dict[str, Requirement]:
    """The installed distribution's Requires-Dist without an extra marker: what a plain
    ``pip install mock-calcom`` pulls in (the same metadata a wheel carries)."""
    found = {}
    for line in requires("mock-calcom") or []:
        requirement = Requirement(line)
        if requirement.marker is None or "extra" not in str(requirement.marker):
            found[requirement.name.lower()] = requirement
    return found


def test_installing_the_package_brings_no_pytest_and_no_pytest_asyncio() -> None:
    runtime = _runtime_requirements()
    assert "pytest-asyncio" not in runtime
    assert "pytest" not in runtime
    # What the server, the in-process transports and `verify` need is there.
    assert {"starlette", "uvicorn", "httpx", "respx", "hypothesis", "pyjwt", "jinja2"} <= set(runtime)


def test_pytest_comes_with_the_pytest_extra() -> None:
    extras = [Requirement(line) for line in requires("mock-calcom") or []
              if "extra == \"pytest\"" in line.replace("'", '"')]
    assert [r.name for r in extras] == ["pytest"]


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=_EXIT_BOUND, check=False)


def test_a_script_that_never_closes_its_fake_exits() -> None:
    result = _run("""
        from mock_calcom import MockCalcom
        fake = MockCalcom()
        fake.create_user("alice")
        client = fake.client()
        assert client.get("/v2/me").status_code == 401
        other = MockCalcom().client()
        other.get("/v2/me")
        print("done")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"


def test_a_fake_dropped_without_close_stops_its_loop_thread() -> None:
    result = _run("""
        import gc, threading, time
        from mock_calcom import MockCalcom
        def use():
            fake = MockCalcom()
            fake.client().get("/v2/me")
        use()
        deadline = time.monotonic() + 10
        while any(t.name == "mock-calcom-transport" for t in threading.enumerate()):
            assert time.monotonic() < deadline, "the loop thread outlived its fake"
            # Collected again each turn: the loop thread may still hold the finished request's
            # frame (and so the transport) for a moment after the answer reached this thread.
            gc.collect()
            time.sleep(0.01)
        print("stopped")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped"


def test_importing_the_package_does_not_import_pytest() -> None:
    result = _run("""
        import sys
        import mock_calcom, mock_calcom.cli
        print("pytest" in sys.modules, "pytest_asyncio" in sys.modules)
    """)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_version_and_python_dash_m() -> None:
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", "mock_calcom", "--version"], capture_output=True,
                            text=True, timeout=_EXIT_BOUND, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"mock-calcom {version('mock-calcom')}"
