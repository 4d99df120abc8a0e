"""Mutants of the reference provider: proof that each clause bites.

Each mutant (a subclass of :class:`mock_calcom_contracts.reference.ReferenceProvider`) breaks one rule and
declares the clause that must catch it (see :mod:`tests.contracts.mutants._base`).
``tests/contracts/test_mutants.py`` runs them all and reports the mutation score; so does::

    python -m tests.contracts.mutants [--profile dev]
"""

from __future__ import annotations

from mock_calcom_contracts.provider import Provider, ProviderEnvironment, ProviderFactory
from mock_calcom_contracts.verify import Mutant as ScoredMutant
from tests.contracts.mutants import api, authorization, tokens, writes
from tests.contracts.mutants._base import EVERY_OTHER_CLAUSE, Mutant

MUTANTS: tuple[type[Mutant], ...] = (*authorization.MUTANTS, *tokens.MUTANTS, *api.MUTANTS,
                                     *writes.MUTANTS)


def factory(cls: type[Mutant]) -> ProviderFactory:
    def make_provider(env: ProviderEnvironment) -> Provider:
        return cls(env)

    make_provider.__qualname__ = f"{cls.__name__}.make_provider"
    return make_provider


def scored(cls: type[Mutant]) -> ScoredMutant:
    """The runner's view of a mutant: killed when the clause it breaks fails."""
    return ScoredMutant(cls.__name__, factory(cls), frozenset({cls.KILLS}))


__all__ = ["EVERY_OTHER_CLAUSE", "MUTANTS", "Mutant", "factory", "scored"]
