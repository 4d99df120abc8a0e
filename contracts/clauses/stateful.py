"""The STATEFUL clause: random programs against the oracle (see contracts.machine)."""

from __future__ import annotations
