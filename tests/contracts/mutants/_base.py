"""What every mutant shares: the declaration of the clause it breaks, and small helpers.

A mutant is the reference provider with one rule broken, by overriding the smallest piece that
carries the rule. It declares:

* ``KILLS``: the clause whose rule it breaks; that clause must fail;
* ``COLLATERAL``: clauses that may fail *as consequences of the same bug* (e.g. a refresh that
  Cal.com answers with 400 also breaks every clause that needs a refresh to work), each group
  with its reason in the mutant's docstring. Any other failing clause is a precision bug of the
  suites (or of the mutant), and the meta-test says so. ``STATEFUL`` mixes every rule and may
  catch any mutant, so it is always allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx

from mock_calcom_contracts.reference import ReferenceProvider

#: Clauses that need a refresh to succeed somewhere in their scenario.
NEEDS_REFRESH: frozenset[str] = frozenset({
    "EXCHANGE-FIELDS", "EXCHANGE-EXPIRY", "EXPIRES-IN-MISSING", "EXPIRY-REFRESH",
    "EXPIRY-BOOKINGS-403", "ROTATION", "CONCURRENT-REFRESH", "REFRESH-5XX", "PENDING-CLIENT",
    "PENDING-OWNER", "REJECTED-CLIENT", "REFRESH-INVALID-GRANT", "PUBLIC-CLIENT", "IDENTITY",
    "WRITES",
})


#: ``COLLATERAL`` of a mutant that cannot connect at all: any clause may fail with it.
EVERY_OTHER_CLAUSE: frozenset[str] = frozenset({"*"})


class Mutant(ReferenceProvider):
    """The reference provider with exactly one rule broken (see the module docstring)."""

    KILLS: ClassVar[str]
    COLLATERAL: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0]


def query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def add_hook(client: httpx.Client, kind: str, hook: Callable[..., Any]) -> None:
    """Add an httpx ``request`` or ``response`` event hook to ``client``."""
    hooks = client.event_hooks
    hooks[kind].append(hook)
    client.event_hooks = hooks
