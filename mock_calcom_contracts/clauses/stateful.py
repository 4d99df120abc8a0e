"""The STATEFUL clause: random programs against the oracle (see :mod:`mock_calcom_contracts.machine`)."""

from __future__ import annotations

from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.harness import Suite


@clause("STATEFUL",
        "Random programs (two users connecting through two clients with random scopes, now "
        "and then after the code expired; reads, booking writes, concurrent bursts, clock jumps "
        "up to 40 days, client status changes, revocations, one-shot faults on the token "
        "endpoint, reads and writes: 5xx, lost answers, 429s with their reset) always get the "
        "outcome Cal.com's answers call for, acting as the connection's user, with the journal "
        "rules kept at every step; both connection-id designs are followed",
        "docs/calcom-behaviour.md#token-errors-and-check-order, docs/calcom-behaviour.md#client-status, "
        "docs/calcom-behaviour.md#scope-enforcement-on-api-v2 as modelled by "
        "mock_calcom_contracts/oracle.py; RFC 6749 §4.1, §5, §6; RFC 9110 §9.2.2")
def stateful(suite: Suite) -> None:
    from mock_calcom_contracts.machine import run_machine

    run_machine(suite)
