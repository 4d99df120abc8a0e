"""Hypothesis strategies shared by the clauses and the stateful machine."""

from __future__ import annotations

from hypothesis import strategies as st

from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.endpoints import Endpoint


def scope_sets(*, required: str | None = None, min_size: int = 1,
               proper: bool = False) -> st.SearchStrategy[frozenset[str]]:
    """Non-empty sets of user scopes (``RESOURCE_ACTION``), always holding ``required``;
    ``proper``: never all of them (so some endpoint stays out of reach)."""
    max_size = len(USER_SCOPES) - 1 if proper else len(USER_SCOPES)
    base = st.frozensets(st.sampled_from(USER_SCOPES), min_size=min_size, max_size=max_size)
    if required is None:
        return base
    # filter, not map: the reproducer then prints the set itself, not an expression.
    return base.filter(lambda s: required in s)


def scoped_endpoints(scopes: frozenset[str]) -> st.SearchStrategy[Endpoint]:
    """Endpoints a connection holding ``scopes`` may call."""
    usable = [e for e in endpoints.SCOPED if endpoints.allowed(e, scopes)]
    return st.sampled_from(usable)
