"""Proof that the suites bite: every mutant of the reference fails the clause it breaks, and no
clause its bug has nothing to do with.

All mutants run once (``dev`` profile, unshrunk: only verdicts count) in one module-scoped
fixture; the per-mutant tests read that report. That the reference itself passes every clause
(without which "the mutant fails X" would prove nothing) is ``test_reference.py``'s job, in
process and live; the two examples in ``examples/`` are run by ``test_examples.py``.
"""

from __future__ import annotations

import pytest

from mock_calcom_contracts.clauses import all_clauses
from mock_calcom_contracts.verify import MutationReport, Report, run, run_mutants
from tests.contracts.mutants import EVERY_OTHER_CLAUSE, MUTANTS, Mutant, factory, scored
from tests.contracts.mutants.api import (
    SecretInPlatformHeader,
    SwallowsInsufficientScope,
    TokenInQuery,
)
from tests.contracts.mutants.authorization import RejectedAsNotApproved
from tests.contracts.mutants.tokens import KeepsOldRefreshToken
from tests.contracts.mutants.writes import LatestGrantForEveryone, OnlyOkIs200

#: Mixes every rule in random programs, so it may catch any mutant.
_CATCH_ALL = "STATEFUL"
_CLAUSE_IDS = frozenset(c.id for c in all_clauses())


@pytest.fixture(scope="module")
def mutation_report() -> MutationReport:
    return run_mutants([scored(m) for m in MUTANTS], profile="dev")


def _failures(report: Report) -> str:
    return "\n".join(f"  {r.id} [{r.status}]: {r.message}" for r in report.results
                     if r.status != "pass") or "  (none)"


def test_there_are_at_least_fifteen_mutants_each_naming_a_real_clause() -> None:
    assert len(MUTANTS) >= 15
    assert len({m.__name__ for m in MUTANTS}) == len(MUTANTS)
    for mutant in MUTANTS:
        assert mutant.KILLS in _CLAUSE_IDS, f"{mutant.__name__} names unknown clause {mutant.KILLS}"
        unknown = mutant.COLLATERAL - _CLAUSE_IDS - EVERY_OTHER_CLAUSE
        assert not unknown, f"{mutant.__name__} names unknown clauses {sorted(unknown)}"


def test_every_clause_is_aimed_at_by_a_mutant() -> None:
    """A clause counts only when a broken provider fails it: each single-rule clause has a
    mutant of its own (whose failure the next test checks); the state machine is proven below."""
    aimed = {m.KILLS for m in MUTANTS}
    missing = sorted(_CLAUSE_IDS - aimed - {_CATCH_ALL})
    assert not missing, f"no mutant breaks {missing}"


@pytest.mark.parametrize("mutant", [RejectedAsNotApproved, KeepsOldRefreshToken, TokenInQuery,
                                    SwallowsInsufficientScope, LatestGrantForEveryone,
                                    OnlyOkIs200, SecretInPlatformHeader], ids=lambda m: m.__name__)
def test_the_state_machine_alone_rejects_broken_providers(mutant: type[Mutant]) -> None:
    """Derandomized (``ci``), so the verdict is the same every run: the random programs reach
    client status changes, rotation, hygiene, scopes, identity across users and clients,
    write statuses and secrets by value without being aimed at them."""
    report = run(factory(mutant), profile="ci", clauses=[_CATCH_ALL], shrink=False)
    assert report.result(_CATCH_ALL).status == "fail", report.table()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.__name__)
def test_the_mutant_fails_the_clause_it_breaks(mutant: type[Mutant],
                                               mutation_report: MutationReport) -> None:
    report = mutation_report.reports[mutant.__name__]
    result = report.result(mutant.KILLS)
    assert result.status == "fail", (
        f"{mutant.__name__} ({mutant.summary()}) should fail {mutant.KILLS}, got {result.status}"
        f"\n{_failures(report)}")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.__name__)
def test_the_mutant_fails_no_unrelated_clause(mutant: type[Mutant],
                                              mutation_report: MutationReport) -> None:
    report = mutation_report.reports[mutant.__name__]
    errors = [r.id for r in report.results if r.status == "error"]
    assert not errors, f"the harness broke on {mutant.__name__}:\n{_failures(report)}"
    if mutant.COLLATERAL == EVERY_OTHER_CLAUSE:
        return
    allowed = {mutant.KILLS, _CATCH_ALL, *mutant.COLLATERAL}
    unrelated = sorted(set(report.failed) - allowed)
    assert not unrelated, (f"{mutant.__name__} ({mutant.summary()}) also failed {unrelated}, "
                           f"which its bug does not touch:\n{_failures(report)}")


def test_a_refresh_with_an_extra_scope_is_reported_as_the_whitelist_rule(
        mutation_report: MutationReport) -> None:
    """Not as the failed call it causes: the message names the field and the rule."""
    message = mutation_report.reports["ExtraScopeOnRefresh"].result("EXCHANGE-FIELDS").message
    assert "extra fields ['scope'] sent to the token endpoint" in message
    assert "docs/calcom-behaviour.md#token-endpoint" in message


def test_the_mutation_score_is_stated_and_complete(mutation_report: MutationReport,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    survivors = [m.name for m in mutation_report.mutants if not mutation_report.is_killed(m)]
    with capsys.disabled():
        print(f"\n{mutation_report.line()} (dev profile)")
    assert mutation_report.line() == f"mutation score: {len(MUTANTS)}/{len(MUTANTS)}", (
        f"survivors: {survivors}\n{mutation_report.table()}")
