"""The STATEFUL clause: random programs against the oracle (see :mod:`mock_calcom_contracts.machine`)."""

from __future__ import annotations

from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.harness import Suite


@clause("STATEFUL",
        "Random programs (connects with random scopes, calls, concurrent bursts, clock jumps "
        "up to 40 days, client status changes, revocations, one-shot faults) always get the "
        "outcome Cal.com's answers call for, with the journal rules kept at every step",
        "docs/calcom-behaviour.md#token-errors-and-check-order, docs/calcom-behaviour.md#client-status, "
        "docs/calcom-behaviour.md#scope-enforcement-on-api-v2 as modelled by "
        "mock_calcom_contracts/oracle.py; RFC 6749 §4.1, §5, §6")
def stateful(suite: Suite) -> None:
    from mock_calcom_contracts.machine import run_machine

    run_machine(suite)
