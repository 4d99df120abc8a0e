"""The clause registry: every rule a Cal.com provider must follow, with its source and check.

A clause is an id (``ROTATION``), a one-line rule, the fact it rests on
(``docs/calcom-behaviour.md#refresh-rotation;
RFC 6749 §6``: a section of the behaviour document, then the standard) and a check: a function of a
:class:`~mock_calcom_contracts.harness.Suite` that drives the provider
against fresh fakes and raises :class:`~mock_calcom_contracts.errors.ContractViolation` when the rule is
broken. Each check looks at its own rule only, so a provider that breaks one rule fails one
clause (``STATEFUL`` is the exception: it mixes everything and names the rule it caught).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mock_calcom_contracts.harness import Suite

Check = Callable[["Suite"], None]


@dataclass(frozen=True)
class Clause:
    id: str
    rule: str
    basis: str
    check: Check


_REGISTRY: dict[str, Clause] = {}

#: Modules that define clauses, in report order.
_MODULES = (
    "mock_calcom_contracts.clauses.authorization",
    "mock_calcom_contracts.clauses.exchange",
    "mock_calcom_contracts.clauses.refresh",
    "mock_calcom_contracts.clauses.api",
    "mock_calcom_contracts.clauses.identity",
    "mock_calcom_contracts.clauses.writes",
    "mock_calcom_contracts.clauses.hygiene",
    "mock_calcom_contracts.clauses.stateful",
)


def clause(clause_id: str, rule: str, basis: str) -> Callable[[Check], Check]:
    """Register ``check`` as the clause ``clause_id``."""

    def register(check: Check) -> Check:
        if clause_id in _REGISTRY and _REGISTRY[clause_id].check is not check:
            raise ValueError(f"clause {clause_id} is defined twice")
        _REGISTRY[clause_id] = Clause(clause_id, rule, basis, check)
        return check

    return register


def all_clauses() -> tuple[Clause, ...]:
    for module in _MODULES:
        importlib.import_module(module)
    return tuple(_REGISTRY.values())


def select(ids: list[str] | tuple[str, ...] | None) -> tuple[Clause, ...]:
    """The clauses named by ``ids`` (case-insensitive), in report order; all when ``None``."""
    clauses = all_clauses()
    if not ids:
        return clauses
    wanted = {i.upper() for i in ids}
    unknown = sorted(wanted - {c.id for c in clauses})
    if unknown:
        raise KeyError(f"unknown clause id(s): {', '.join(unknown)}")
    return tuple(c for c in clauses if c.id in wanted)
