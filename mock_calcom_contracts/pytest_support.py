"""The contract suites as pytest tests: ``pytest --calcom-provider package.module:factory``.

The ``mock_calcom`` pytest plugin adds the options and calls :func:`contract_items`, which
returns one test per clause (``calcom-contracts::ROTATION``), so ``-k``, ``--junitxml`` and CI
reporting work as for any test. A failing clause shows its rule, its basis, and the reproducer
(hypothesis's shrunk steps and the journal excerpt).

Options: ``--calcom-provider MODULE:FACTORY`` (required to collect anything),
``--calcom-profile dev|ci|thorough``, ``--calcom-live``, ``--calcom-clause ID`` (repeatable).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mock_calcom_contracts.clauses import Clause, select
from mock_calcom_contracts.harness import Suite
from mock_calcom_contracts.profiles import Profile, profile, shrink_budget
from mock_calcom_contracts.verify import ClauseResult, load_factory, run_clause

COLLECTOR_NAME = "calcom-contracts"


class ContractFailure(Exception):
    """A clause did not pass; carries its result for the report."""

    def __init__(self, result: ClauseResult) -> None:
        super().__init__(result.message)
        self.result = result


@dataclasses.dataclass
class _Run:
    """One suite (one fake, one server) shared by every clause test of the session."""

    spec: str
    profile: Profile
    live: bool
    suite: Suite | None = None

    def get(self) -> Suite:
        if self.suite is None:
            self.suite = Suite(load_factory(self.spec), self.profile, live=self.live)
        return self.suite

    def close(self) -> None:
        if self.suite is not None:
            self.suite.close()
            self.suite = None


class ContractSuite(pytest.Collector):
    """The parent of the clause tests (its items are made up front, not collected)."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:  # pragma: no cover - unused
        return []


class ContractItem(pytest.Item):
    def __init__(self, *, clause: Clause, run: _Run, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clause = clause
        self._run = run

    def runtest(self) -> None:
        with shrink_budget(self._run.profile):
            result = run_clause(self.clause, self._run.get())
        if result.status == "n/a":
            pytest.skip(f"not applicable: {result.message}")
        if result.status != "pass":
            raise ContractFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ContractFailure):
            r = excinfo.value.result
            parts = [f"{r.id} ({r.status}): {r.rule}", f"basis: {r.basis}", r.message]
            if r.reproducer:
                parts.append(r.reproducer)
            return "\n".join(parts)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"contract clause {self.clause.id}"


def contract_items(session: pytest.Session, spec: str, *, profile_name: str = "dev",
                   live: bool = False, clauses: list[str] | None = None) -> list[pytest.Item]:
    """One test per clause for the provider ``spec`` (``package.module:factory``)."""
    try:
        chosen = select(clauses)
    except KeyError as exc:
        raise pytest.UsageError(f"--calcom-clause: {exc.args[0]}") from None
    run = _Run(spec, profile(profile_name), live)
    session.config.add_cleanup(run.close)
    parent = ContractSuite.from_parent(session, name=COLLECTOR_NAME)
    return [ContractItem.from_parent(parent, name=c.id, clause=c, run=run) for c in chosen]
