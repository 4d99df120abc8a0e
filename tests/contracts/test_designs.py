"""Correct providers of other designs than the reference pass every clause: one connection per
account, and retries that stay bounded (the async example is ``test_examples.py``'s)."""

from __future__ import annotations

import pytest

from mock_calcom_contracts.provider import ProviderFactory
from mock_calcom_contracts.verify import Report, run
from tests.contracts.providers import one_per_account, retries_once


def _failures(report: Report) -> str:
    return "\n".join(f"{r.id} [{r.status}]: {r.message}\n{r.reproducer}"
                     for r in report.results if r.status not in ("pass", "n/a"))


@pytest.mark.parametrize("factory", [one_per_account, retries_once],
                         ids=["one-connection-per-account", "retries-once"])
def test_a_correct_provider_of_another_design_passes_every_clause(factory: ProviderFactory) -> None:
    report = run(factory, profile="dev", shrink=False)
    assert report.ok, _failures(report)
    assert {r.id for r in report.results if r.status == "pass"} >= {
        "IDENTITY", "WRITES", "SECRET-BY-VALUE", "REFRESH-5XX", "STATEFUL"}

