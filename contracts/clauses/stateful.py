"""The STATEFUL clause: random programs against the oracle (see :mod:`contracts.machine`)."""

from __future__ import annotations

from contracts.clauses import clause
from contracts.harness import Suite


@clause("STATEFUL",
        "Random programs (connects with random scopes, calls, concurrent bursts, clock jumps "
        "up to 40 days, client status changes, revocations, one-shot faults) always get the "
        "outcome Cal.com's answers call for, with the journal rules kept at every step",
        "FACTS §2-§7 as modelled by contracts/oracle.py; RFC 6749 §4.1, §5, §6")
def stateful(suite: Suite) -> None:
    from contracts.machine import run_machine

    run_machine(suite)
