"""The faults registered on one fake (:mod:`mock_calcom.faults` says what a fault is).

Apart from :mod:`.faults` so that a fake with no fault set never loads what describes one:
every fake holds a registry, and the middleware asks it on every request whether it is empty.
The entries it holds are made by :meth:`FaultRegistry.add` from a spec, which only exists
once :mod:`.faults` is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mock_calcom.errors import UnknownObjectError

if TYPE_CHECKING:
    from mock_calcom.faults import Fault, FaultSpec, Firing, _Entry
    from mock_calcom.model.randomness import Randomness

#: Paths under here are never faulted, so a test can always reach the control plane.
CONTROL_PREFIX = "/_mock"


class FaultRegistry:
    """The faults of one fake, in registration order."""

    def __init__(self, rng: Randomness) -> None:
        self._rng = rng
        self._entries: dict[str, _Entry] = {}
        #: The same dict, for reading only: the edge asks on every request whether it is
        #: empty, and ``bool(registry)`` costs a call of :meth:`__bool__`.
        self.entries: Mapping[str, _Entry] = self._entries
        self._next = 1
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        """Whether any fault is registered: the middleware's fast path reads only this."""
        return bool(self._entries)

    def add(self, spec: FaultSpec) -> Fault:
        from mock_calcom.faults import _Entry

        with self._lock:
            fault_id = f"fault_{self._next}"
            self._next += 1
            # A sub-stream per fault: adding or removing one never changes another's draws.
            entry = _Entry(fault_id, spec, self._rng.fork(fault_id))
            self._entries[fault_id] = entry
            return entry.snapshot()

    def get(self, fault_id: str) -> Fault:
        with self._lock:
            return self._entry(fault_id).snapshot()

    def list(self) -> list[Fault]:
        with self._lock:
            return [e.snapshot() for e in self._entries.values()]

    def remove(self, fault_id: str) -> Fault:
        with self._lock:
            entry = self._entry(fault_id)
            del self._entries[fault_id]
            return entry.snapshot()

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def _entry(self, fault_id: str) -> _Entry:
        try:
            return self._entries[fault_id]
        except KeyError:
            raise UnknownObjectError(f"no fault {fault_id!r}") from None

    # -- matching --------------------------------------------------------------------------

    def needs_client_id(self, method: str, path: str, token: str | None) -> bool:
        """Whether an active fault that matches so far also asks for a client id (finding
        the client id may mean reading the body, so the middleware asks first)."""
        if path.startswith(CONTROL_PREFIX):
            return False
        with self._lock:
            return any(e.active and e.spec.client_id is not None
                       and e.spec.matches(method, path, token)
                       for e in self._entries.values())

    def select(self, method: str, path: str, token: str | None,
               client_id: str | None = None) -> Firing | None:
        """The fault that fires for this request, counted as fired; ``None`` lets it through."""
        if path.startswith(CONTROL_PREFIX):
            return None
        with self._lock:
            for entry in self._entries.values():
                spec = entry.spec
                if not entry.active or not spec.matches(method, path, token):
                    continue
                if spec.client_id is not None and spec.client_id != client_id:
                    continue
                entry.matched += 1
                if spec.probability < 1 and entry.rng.random() >= spec.probability:
                    continue
                entry.hits += 1
                return entry.firing()
        return None
