"""Correct providers of other designs than the reference pass every clause: one connection per
account, retries that stay bounded, async code run in-process."""

from __future__ import annotations

import pytest

from examples import async_provider
from mock_calcom_contracts.provider import ProviderFactory
from mock_calcom_contracts.verify import Report, run
from tests.contracts.providers import one_per_account, retries_once


def _failures(report: Report) -> str:
    return "\n".join(f"{r.id} [{r.status}]: {r.message}\n{r.reproducer}"
                     for r in report.results if r.status not in ("pass", "n/a"))


@pytest.mark.parametrize("factory", [one_per_account, retries_once, async_provider.make_provider],
                         ids=["one-connection-per-account", "retries-once", "async"])
def test_a_correct_provider_of_another_design_passes_every_clause(factory: ProviderFactory) -> None:
    report = run(factory, profile="dev", shrink=False)
    assert report.ok, _failures(report)
    assert {r.id for r in report.results if r.status == "pass"} >= {
        "IDENTITY", "WRITES", "SECRET-BY-VALUE", "REFRESH-5XX", "STATEFUL"}


def test_one_connection_per_account_passes_the_state_machine_derandomized() -> None:
    """``ci`` programs reconnect accounts many times: the oracle must follow the replaced
    connection under its old id."""
    report = run(one_per_account, profile="ci", clauses=["STATEFUL", "IDENTITY"], shrink=False)
    assert report.ok, _failures(report)
