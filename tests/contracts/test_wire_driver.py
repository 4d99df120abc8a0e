"""Providers in another language: the driver protocol, its Python adapter, and the JavaScript
example (``examples/typescript-provider/``) with its deliberately broken variants.

These tests start ``node`` (on CI's machine; skipped where it is missing). They use a small
profile so that ``make test`` stays affordable; ``verify --profile dev`` over the driver is the
full-size run.

The adapter module is imported inside the tests, and this file sorts after test_mutants.py, on
purpose: importing it at collection time changes the programs the derandomized ``ci`` state
machine of test_mutants.py draws (the verdict of that meta-test depends on the process's
memory layout; see the notes of issue 8), which is that test's fragility, not this module's.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

from mock_calcom_contracts.clauses import all_clauses
from mock_calcom_contracts.errors import OUTCOMES, ProviderLoadError
from mock_calcom_contracts.profiles import profile
from mock_calcom_contracts.verify import Report, main, run

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on the PATH")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "typescript-provider"
DRIVER = f"node {EXAMPLE / 'driver.mjs'}"
FIXTURES = Path(__file__).parent / "drivers"
#: One example per clause, short programs: enough to tell pass from fail over the wire.
SMALL = replace(profile("dev"), name="small", max_examples=1, machine_examples=4,
                machine_steps=12, shrink_seconds=5)


def driver_factory(**kwargs: Any) -> Any:
    from mock_calcom_contracts.driver import driver_factory as factory

    return factory(**kwargs)


def _driver(provider: str | Path | None = None) -> str:
    return DRIVER if provider is None else f"{DRIVER} --provider {provider}"


def _failures(report: Report) -> str:
    return "\n".join(f"{r.id} [{r.status}]: {r.message}\n{r.reproducer}"
                     for r in report.results if r.status != "pass") or report.aborted


# -- the correct provider ------------------------------------------------------------------

def test_the_javascript_provider_passes_every_clause_over_the_driver() -> None:
    with driver_factory(command=_driver()) as factory:
        report = run(factory, profile=SMALL, live=True, provider_name="typescript-provider")
    assert report.ok, _failures(report)
    assert [r.id for r in report.results] == [c.id for c in all_clauses()]
    # It declares public-client support, so PUBLIC-CLIENT is judged, not n/a.
    assert report.result("PUBLIC-CLIENT").status == "pass"


def test_verify_starts_the_driver_command_and_stops_it_afterwards(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["--driver-cmd", _driver(), "--clause", "DENIAL", "--clause", "EXPIRY-REFRESH"],
                out=out)
    assert code == 0, out.getvalue() + capsys.readouterr().err
    assert "driver calcom.mjs" in out.getvalue()
    assert "OK: 2 passed" in out.getvalue()
    assert not _driver_processes(), "the driver process outlived the run"


def _driver_processes() -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True,
                             check=False).stdout
    return [line for line in listing.splitlines()
            if str(EXAMPLE / "driver.mjs") in line and "ps -eo" not in line]


# -- the broken variants -------------------------------------------------------------------

@pytest.mark.parametrize(("variant", "clause"), [
    ("no-single-flight", "CONCURRENT-REFRESH"),
    ("keeps-old-refresh-token", "ROTATION"),
    ("scope-on-refresh", "EXCHANGE-FIELDS"),
    ("wall-clock-expiry", "EXPIRY-REFRESH"),
    ("no-state-check", "STATE-CSRF"),
    ("secret-in-basic-auth", "HYGIENE-SECRET"),
    ("ignores-rate-limit-reset", "RATE-LIMIT"),
])
def test_each_broken_variant_fails_its_clause_with_a_readable_reproducer(
        variant: str, clause: str) -> None:
    """no-single-flight failing also shows that concurrent calls stay concurrent across the
    wire: sent one after the other, they would cause a single refresh and pass."""
    with driver_factory(command=_driver(EXAMPLE / "broken" / f"{variant}.mjs")) as factory:
        # Unshrunk: one example per clause is short already, and shrinking is replaying.
        report = run(factory, profile=SMALL, live=True, clauses=[clause], shrink=False)
    result = report.result(clause)
    assert result.status == "fail", _failures(report)
    text = result.reproducer
    # The driver calls, then the journal excerpt of what reached Cal.com.
    assert "driver calls:" in text
    assert "journal:" in text
    assert text.index("driver calls:") < text.index("journal:")
    assert "POST /providers/" in text
    # Speaks to a verify user: no Python internals.
    for internal in ("Traceback", "prop(", "@reproduce_failure", "mock_calcom_contracts"):
        assert internal not in text, internal


def test_scope_re_sent_on_refresh_is_one_diagnosis_over_the_wire_too() -> None:
    clauses = ["EXCHANGE-FIELDS", "EXPIRY-REFRESH", "ROTATION", "REFRESH-5XX"]
    with driver_factory(command=_driver(EXAMPLE / "broken" / "scope-on-refresh.mjs")) as factory:
        report = run(factory, profile=SMALL, live=True, clauses=clauses, shrink=False)
    assert sorted(report.failed) == sorted(clauses)
    (diagnosis,) = report.diagnoses()
    assert diagnosis.summary == "extra field `scope` in refresh requests"
    assert diagnosis.lead == "EXCHANGE-FIELDS"


def test_an_error_that_is_no_outcome_is_a_crash_with_the_driver_message() -> None:
    with driver_factory(command=_driver(FIXTURES / "throws.mjs")) as factory:
        report = run(factory, profile=SMALL, live=True, clauses=["EXPIRY-REFRESH"], shrink=False)
    result = report.result("EXPIRY-REFRESH")
    assert result.status == "fail"
    assert "crash (DriverCrash: TypeError: Cannot read properties of undefined" in result.message


# -- a driver that dies or hangs -----------------------------------------------------------

def test_a_driver_that_dies_is_reported_once_with_its_stderr_and_the_run_stops() -> None:
    clauses = ["DENIAL", "EXPIRY-REFRESH", "ROTATION", "RATE-LIMIT"]
    with driver_factory(command=_driver(FIXTURES / "crashes.mjs")) as factory:
        report = run(factory, profile=SMALL, live=True, clauses=clauses)
    assert [r.id for r in report.results] == ["DENIAL", "EXPIRY-REFRESH"]
    assert report.result("DENIAL").status == "pass"
    assert report.result("EXPIRY-REFRESH").status == "error"
    assert "exited with code 3" in report.aborted
    assert "boom: the provider's process died in request()" in report.aborted
    assert not report.ok
    table = report.table()
    assert table.count("boom: the provider's process died") == 1, table
    assert "the provider is gone" in table


def test_a_driver_that_stops_answering_is_reported_once() -> None:
    with driver_factory(command=_driver(FIXTURES / "hangs.mjs"), timeout=1.5) as factory:
        report = run(factory, profile=SMALL, live=True, timeout=1.5,
                     clauses=["DENIAL", "EXPIRY-REFRESH", "ROTATION"])
    assert [r.id for r in report.results] == ["DENIAL", "EXPIRY-REFRESH"]
    assert "stopped answering" in report.aborted
    assert "about to hang" in report.aborted


def test_a_driver_command_without_a_handshake_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    command = f"{NODE} -e \"console.error('cannot start: no such module'); process.exit(4)\""
    code = main(["--driver-cmd", command], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2
    assert "exited with code 4 before its handshake" in err
    assert "cannot start: no such module" in err


def test_the_driver_is_stopped_when_the_run_is_interrupted() -> None:
    with pytest.raises(KeyboardInterrupt), driver_factory(command=_driver()) as factory:  # noqa: PT012
        assert factory.process is not None
        process = factory.process
        raise KeyboardInterrupt
    assert process.exited is not None


def test_ctrl_c_on_a_driver_run_still_reports_and_stops_the_driver(tmp_path: Path) -> None:
    import signal
    import time

    report_file = tmp_path / "report.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "mock_calcom.cli", "verify", "--driver-cmd", _driver(),
         "--clause", "DENIAL", "--clause", "STATEFUL", "--profile", "ci",
         "--report", str(report_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    try:
        for line in child.stderr:
            if "DENIAL" in line:
                break
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, out + err
    assert [c["id"] for c in json.loads(report_file.read_text())["clauses"]] == ["DENIAL"]
    assert not _driver_processes()


# -- the protocol's description ------------------------------------------------------------

_OPENAPI = json.loads((ROOT / "docs" / "driver-protocol.openapi.json").read_text())


def _schema(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}", "components": _OPENAPI["components"]}


def _answer_schema(path: str) -> dict[str, Any]:
    body = _OPENAPI["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
    return {**body["schema"], "components": _OPENAPI["components"]}


def test_the_openapi_description_is_valid_and_names_every_outcome() -> None:
    validate_openapi(_OPENAPI)
    assert set(_OPENAPI["components"]["schemas"]["OutcomeKind"]["enum"]) == set(OUTCOMES)
    prose = (ROOT / "docs" / "driver-protocol.md").read_text()
    for kind in OUTCOMES:
        assert f"`{kind}`" in prose, kind


def test_the_example_driver_answers_as_the_openapi_describes(tmp_path: Path) -> None:
    """The JavaScript driver was written from the protocol document alone; its answers are
    checked here against the OpenAPI schemas, call by call."""
    with driver_factory(command=_driver()) as factory:
        http = httpx.Client(base_url=factory.url, timeout=10)
        handshake = http.get("/handshake").json()
        jsonschema.validate(handshake, _schema("Handshake"))
        env = {"client_id": "c", "client_secret": None, "redirect_uri": "https://a.example/cb",
               "authorize_url": "http://127.0.0.1:1/auth/oauth2/authorize",
               "token_url": "http://127.0.0.1:1/v2/auth/oauth2/token",
               "api_base_url": "http://127.0.0.1:1/v2",
               "clock": {"now_url": "http://127.0.0.1:1/now", "sleep_url": "http://127.0.0.1:1/s"}}
        jsonschema.validate(env, _schema("Environment"))
        created = http.post("/providers", json=env)
        assert created.status_code == 201
        jsonschema.validate(created.json(), _schema("ProviderCreated"))
        pid = created.json()["provider"]
        url = http.post(f"/providers/{pid}/authorization-url", json={"scopes": ["PROFILE_READ"]})
        jsonschema.validate(url.json(), _answer_schema("/providers/{id}/authorization-url"))
        assert "code_challenge=" in url.json()["result"]  # a public client: PKCE
        forged = http.post(f"/providers/{pid}/complete",
                           json={"callback_url": "https://a.example/cb?code=x&state=forged"})
        jsonschema.validate(forged.json(), _answer_schema("/providers/{id}/complete"))
        assert forged.json()["error"]["kind"] == "StateMismatch"
        unknown = http.post(f"/providers/{pid}/request",
                            json={"connection": "nope", "method": "GET", "path": "/me"})
        jsonschema.validate(unknown.json(), _answer_schema("/providers/{id}/request"))
        assert unknown.json()["error"]["kind"] == "ReauthorizationRequired"
        assert http.delete(f"/providers/{pid}").status_code == 204
        http.close()


def test_a_driver_speaking_another_version_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "v2.mjs"
    script.write_text(
        "import { createServer } from 'node:http';\n"
        "createServer((q, r) => { r.writeHead(200, {'content-type': 'application/json'});"
        " r.end(JSON.stringify({protocol: 'mock-calcom-driver', version: 2})); })"
        ".listen(Number(process.env.MOCK_CALCOM_DRIVER_PORT), '127.0.0.1');\n")
    with pytest.raises(ProviderLoadError, match="speaks version 2"), \
            driver_factory(command=f"{NODE} {script}"):
        pass


def test_a_url_that_is_no_driver_is_a_usage_error() -> None:
    from mock_calcom_contracts.driver import DriverFactory

    with pytest.raises(ProviderLoadError, match="did not answer GET /handshake"):
        DriverFactory("http://127.0.0.1:9")
