"""The runner: verdicts, the ratcheting ledger, JUnit/JSON output, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from mock_calcom import cli
from mock_calcom_contracts.clauses import all_clauses, select
from mock_calcom_contracts.errors import LedgerError, ProviderLoadError
from mock_calcom_contracts.harness import Suite
from mock_calcom_contracts.profiles import profile, shrink_budget
from mock_calcom_contracts.reference import make_provider
from mock_calcom_contracts.verify import (
    ClauseResult,
    Mutant,
    Report,
    junit_xml,
    load_factory,
    load_ledger,
    load_mutants,
    main,
    run,
    run_clause,
    run_mutants,
)
from tests.contracts import providers
from tests.contracts.mutants import api as api_mutants
from tests.contracts.mutants import factory as mutant_factory

BROKEN = "tests.contracts.providers:no_state_check"
REFERENCE = "mock_calcom_contracts.reference:make_provider"


def _report(*statuses: tuple[str, str]) -> Report:
    return Report("p", "dev", False, tuple(ClauseResult(i, "rule", "basis", s)  # type: ignore[arg-type]
                                           for i, s in statuses))


@pytest.fixture(scope="module")
def broken_report() -> Report:
    return run(providers.no_state_check, clauses=["STATE-CSRF", "DENIAL"])


def _ledger(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "known-failures.txt"
    path.write_text("# known failures\n" + "".join(f"{i}  # why\n" for i in ids) + "\n")
    return path


# -- verdicts ------------------------------------------------------------------------------

def test_a_clause_that_does_not_concern_the_provider_is_not_applicable_not_failed() -> None:
    report = run(providers.confidential_only, clauses=["PUBLIC-CLIENT", "DENIAL"])
    assert report.result("PUBLIC-CLIENT").status == "n/a"
    assert report.result("DENIAL").status == "pass"
    assert report.ok
    assert report.failed == ()
    assert "not applicable" in report.table()
    suite = ET.fromstring(junit_xml(report))
    skipped = [c for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name", "").split(":")[0] for c in skipped] == ["PUBLIC-CLIENT"]


def test_a_listed_failure_that_is_now_not_applicable_is_stale() -> None:
    report = run(providers.confidential_only, clauses=["PUBLIC-CLIENT"]).with_ledger(["PUBLIC-CLIENT"])
    assert report.stale == ("PUBLIC-CLIENT",)
    assert not report.ok


def test_a_provider_that_declares_public_clients_is_judged_on_them() -> None:
    report = run(make_provider, clauses=["PUBLIC-CLIENT"])
    assert report.result("PUBLIC-CLIENT").status == "pass"


def test_a_broken_rule_fails_its_clause_with_a_reproducer(broken_report: Report) -> None:
    result = broken_report.result("STATE-CSRF")
    assert result.status == "fail"
    assert "StateMismatch" in result.message
    assert "journal:" in result.reproducer
    assert "/v2/auth/oauth2/token" in result.reproducer
    assert broken_report.result("DENIAL").status == "pass"
    assert not broken_report.ok


@pytest.mark.parametrize("live", [False, True], ids=["in-process", "live"])
def test_a_runaway_provider_is_stopped_and_failed(live: bool) -> None:
    report = run(providers.looping, clauses=["REFRESH-INVALID-GRANT", "DENIAL"], live=live)
    assert report.result("DENIAL").status == "pass"
    result = report.result("REFRESH-INVALID-GRANT")
    assert result.status == "fail"
    assert "runaway" in result.message


def test_a_factory_that_raises_is_an_error_not_a_failure() -> None:
    report = run(providers.broken_factory, clauses=["DENIAL"])
    assert report.result("DENIAL").status == "error"
    assert "factory" in report.result("DENIAL").message


def test_clauses_can_be_picked_case_insensitively() -> None:
    report = run(make_provider, clauses=["denial", "Api-Version"])
    assert [r.id for r in report.results] == ["DENIAL", "API-VERSION"]


def test_every_clause_states_its_rule_and_its_basis() -> None:
    clauses = all_clauses()
    assert len({c.id for c in clauses}) == len(clauses) >= 22
    for c in clauses:
        assert c.rule, c.id
        assert c.basis, c.id
        assert any(word in c.basis for word in ("calcom-behaviour.md#", "RFC", "issue")), c.id


def test_a_shrink_cut_short_by_the_profile_budget_says_so_not_five_minutes() -> None:
    """Hypothesis's own notes claim five minutes of shrinking and ask for a bug report."""
    no_budget = replace(profile("dev"), shrink_seconds=0)
    stateful = select(["STATEFUL"])[0]
    with shrink_budget(no_budget), Suite(mutant_factory(api_mutants.TokenInQuery),
                                         no_budget) as suite:
        result = run_clause(stateful, suite)
    assert result.status == "fail", result.message
    assert "five minutes" not in result.reproducer
    assert "PLEASE REPORT" not in result.reproducer
    assert "@seed(" not in result.reproducer  # "add it to this test": there is no such test
    assert "the dev profile's shrink budget (0 s) ran out" in result.reproducer
    assert "--profile ci or thorough shrinks longer" in result.reproducer


# -- the ledger ----------------------------------------------------------------------------

def test_a_listed_failure_is_tolerated(broken_report: Report) -> None:
    judged = broken_report.with_ledger({"STATE-CSRF"})
    assert judged.ok
    assert judged.result("STATE-CSRF").tolerated


def test_a_new_failure_fails_the_run(broken_report: Report) -> None:
    judged = broken_report.with_ledger(set())
    assert not judged.ok
    assert judged.new_failures == ("STATE-CSRF",)


def test_a_listed_failure_that_now_passes_fails_the_run(broken_report: Report) -> None:
    judged = broken_report.with_ledger({"STATE-CSRF", "DENIAL"})
    assert not judged.ok
    assert judged.stale == ("DENIAL",)


def test_a_listed_clause_that_was_not_run_is_ignored(broken_report: Report) -> None:
    assert broken_report.with_ledger({"STATE-CSRF", "ROTATION"}).ok


def test_a_harness_error_is_never_tolerated() -> None:
    assert not _report(("ROTATION", "error")).with_ledger({"ROTATION"}).ok


def test_the_ledger_file_allows_comments_and_refuses_unknown_ids(tmp_path: Path) -> None:
    assert load_ledger(_ledger(tmp_path, "state-csrf", "ROTATION")) == {"STATE-CSRF", "ROTATION"}
    with pytest.raises(LedgerError, match="NOT-A-CLAUSE"):
        load_ledger(_ledger(tmp_path, "NOT-A-CLAUSE"))
    bad = tmp_path / "bad.txt"
    bad.write_text("ROTATION STATE-CSRF\n")
    with pytest.raises(LedgerError, match="one clause id per line"):
        load_ledger(bad)
    with pytest.raises(LedgerError, match="cannot read"):
        load_ledger(tmp_path / "missing.txt")


# -- output formats ------------------------------------------------------------------------

def test_the_junit_report_has_one_case_per_clause_and_marks_each_verdict(broken_report: Report) -> None:
    judged = broken_report.with_ledger(set())
    suite = ET.fromstring(judged.to_junit_xml())
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"
    cases = {c.get("name", "").split(":")[0]: c for c in suite.iter("testcase")}
    assert cases["STATE-CSRF"].find("failure") is not None
    assert cases["DENIAL"].find("failure") is None
    tolerated = ET.fromstring(broken_report.with_ledger({"STATE-CSRF"}).to_junit_xml())
    assert tolerated.get("failures") == "0"
    assert tolerated.get("skipped") == "1"


def test_the_junit_report_flags_a_stale_ledger_entry(broken_report: Report) -> None:
    suite = ET.fromstring(broken_report.with_ledger({"STATE-CSRF", "DENIAL"}).to_junit_xml())
    denial = next(c for c in suite.iter("testcase") if c.get("name", "").startswith("DENIAL"))
    failure = denial.find("failure")
    assert failure is not None
    assert failure.get("type") == "StaleLedger"


def test_the_json_report_carries_verdicts_and_the_ledger(broken_report: Report) -> None:
    data = broken_report.with_ledger({"STATE-CSRF"}).to_json()
    json.dumps(data)
    assert data["ok"] is True
    assert data["ledger"] == {"applied": True, "new_failures": [], "stale": [],
                              "tolerated": ["STATE-CSRF"]}
    by_id = {c["id"]: c for c in data["clauses"]}
    assert by_id["STATE-CSRF"]["status"] == "fail"
    assert by_id["STATE-CSRF"]["reproducer"]
    assert data["summary"]["pass"] == 1


def test_the_table_lists_every_clause_and_explains_failures(broken_report: Report) -> None:
    table = broken_report.table()
    assert "STATE-CSRF" in table
    assert "FAIL" in table
    assert "FAILED: 1 passed, 1 failed" in table


def test_the_mutation_score_counts_mutants_that_fail_their_clause() -> None:
    mutation = run_mutants([Mutant("no_state_check", providers.no_state_check,
                                   frozenset({"STATE-CSRF"})),
                            Mutant("reference", make_provider, frozenset({"DENIAL"}))],
                           clauses=["STATE-CSRF", "DENIAL"])
    assert (mutation.killed, mutation.total) == (1, 2)
    assert mutation.line() == "mutation score: 1/2"
    assert "reference" in mutation.table()


# -- command line --------------------------------------------------------------------------

def _main(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_verify_exits_0_when_every_clause_passes() -> None:
    code, out = _main("--provider", REFERENCE, "--clause", "DENIAL")
    assert code == 0
    assert "OK: 1 passed" in out


def test_verify_exits_1_on_a_failure_and_writes_both_reports(tmp_path: Path) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    code, out = _main("--provider", BROKEN, "--clause", "STATE-CSRF", "--clause", "DENIAL",
                      "--junit-xml", str(junit), "--report", str(report))
    assert code == 1
    assert "STATE-CSRF" in out
    assert ET.parse(junit).getroot().get("failures") == "1"
    assert json.loads(report.read_text())["ok"] is False


def test_verify_exits_0_when_the_ledger_lists_the_failure(tmp_path: Path) -> None:
    code, _ = _main("--provider", BROKEN, "--clause", "STATE-CSRF",
                    "--expect-failures", str(_ledger(tmp_path, "STATE-CSRF")))
    assert code == 0


def test_verify_exits_1_when_a_listed_failure_passes(tmp_path: Path) -> None:
    code, out = _main("--provider", REFERENCE, "--clause", "DENIAL",
                      "--expect-failures", str(_ledger(tmp_path, "DENIAL")))
    assert code == 1
    assert "remove it from the ledger" in out


@pytest.mark.parametrize("args", [
    ("--provider", "no.such.module:factory"),
    ("--provider", "mock_calcom_contracts.reference"),
    ("--provider", "mock_calcom_contracts.reference:no_such_factory"),
    ("--provider", REFERENCE, "--clause", "NOT-A-CLAUSE"),
])
def test_verify_exits_2_when_the_run_cannot_start(args: tuple[str, ...]) -> None:
    code, out = _main(*args)
    assert code == 2
    assert out == ""


def test_verify_exits_2_on_a_malformed_ledger(tmp_path: Path) -> None:
    code, _ = _main("--provider", REFERENCE, "--expect-failures", str(_ledger(tmp_path, "NOPE")))
    assert code == 2


def test_verify_lists_the_clauses() -> None:
    code, out = _main("--list")
    assert code == 0
    assert out.count("\n") == len(all_clauses())


def test_verify_without_a_provider_is_a_usage_error() -> None:
    code, _ = _main()
    assert code == 2


def test_the_mock_calcom_command_delegates_verify() -> None:
    out = io.StringIO()
    assert cli.main(["verify", "--provider", REFERENCE, "--clause", "DENIAL"], out=out) == 0
    assert "DENIAL" in out.getvalue()


def test_load_factory_names_what_is_wrong() -> None:
    assert load_factory(REFERENCE) is make_provider
    with pytest.raises(ProviderLoadError, match=r"package\.module:factory"):
        load_factory("mock_calcom_contracts.reference")
    with pytest.raises(ProviderLoadError, match="not callable"):
        load_factory("mock_calcom_contracts.reference:EXPIRY_MARGIN")


def test_load_factory_imports_an_adapter_from_the_working_directory_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cwd_adapter_for_load_factory.py").write_text(
        "from mock_calcom_contracts.reference import make_provider\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    try:
        assert load_factory("cwd_adapter_for_load_factory:make_provider") is make_provider
    finally:
        sys.modules.pop("cwd_adapter_for_load_factory", None)
    assert sys.path[0] == str(tmp_path)


def test_the_console_script_verifies_an_adapter_in_the_working_directory(tmp_path: Path) -> None:
    """``mock-calcom verify`` run where the adapter lives, nothing installed, no PYTHONPATH."""
    package = tmp_path / "ourco"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "adapter.py").write_text("from mock_calcom_contracts.reference import make_provider\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("mock-calcom")), "verify",
         "--provider", "ourco.adapter:make_provider", "--clause", "DENIAL"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(line.split()[:2] == ["DENIAL", "pass"] for line in result.stdout.splitlines())


def test_verify_states_the_mutation_score_and_fails_when_a_mutant_survives(tmp_path: Path) -> None:
    code, out = _main("--provider", REFERENCE, "--clause", "STATE-CSRF",
                      "--mutants", "tests.contracts.providers:KILLED")
    assert code == 0
    assert "mutation score: 1/1" in out
    report = tmp_path / "report.json"
    code, out = _main("--provider", REFERENCE, "--clause", "STATE-CSRF", "--report", str(report),
                      "--mutants", "tests.contracts.providers:WITH_SURVIVOR")
    assert code == 1
    assert "mutation score: 1/2" in out
    mutation = json.loads(report.read_text())["mutation"]
    assert (mutation["killed"], mutation["total"]) == (1, 2)


def test_load_mutants_refuses_what_is_not_a_mutant() -> None:
    with pytest.raises(ProviderLoadError, match="not a collection"):
        load_mutants("mock_calcom_contracts.reference:EXPIRY_MARGIN")
    with pytest.raises(ProviderLoadError, match="no mutants"):
        load_mutants("tests.contracts.providers:NO_MUTANTS")
