"""Every secret value a fake issued or received, so redaction can work by value.

Field names catch a code in ``code=...``; they miss the same code in a custom header, a path
segment, an unknown parameter, prose, or Cal.com's 404 message that echoes the URL. The fake
therefore remembers each secret *value* it hands out (client secrets, authorization codes) or
receives in a secret field (code verifiers, codes, client secrets, refresh tokens), and the
journal and log lines replace that value wherever it appears.

Bounded: the newest :data:`MAX_VALUES` are kept (a value older than that is also older than
any journal entry that could hold it, in all but contrived cases; JWTs and client secrets are
recognised by shape and hash anyway).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

MAX_VALUES = 20_000
#: Shorter values are not remembered: redacting them would hit ordinary words.
MIN_LENGTH = 16
#: Runs of characters secrets are made of (urlsafe base64, hex, PKCE's unreserved set).
CANDIDATE = re.compile(r"[A-Za-z0-9\-._~]{16,}")


class SecretValues:
    """A bounded, thread-safe map from secret value to its kind (``code``, ...)."""

    def __init__(self, limit: int = MAX_VALUES) -> None:
        #: Values kept (the newest); may be lowered on a live registry.
        self.limit = limit
        self._values: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, value: object, kind: str) -> None:
        self.add_many(((value, kind),))

    def add_many(self, items: Iterable[tuple[object, str]]) -> None:
        """:meth:`add` each ``(value, kind)``, under one lock. A value already known as that
        kind is left where it is (a client presents the same secret with every request:
        moving it would cost a lock per request, and a client secret is recognised by its
        hash anyway once it is no longer among the newest)."""
        values = self._values
        kept = []
        for value, kind in items:  # a loop, not a comprehension: one frame less per call
            if (isinstance(value, str) and MIN_LENGTH <= len(value) <= 4096
                    and values.get(value) != kind):
                kept.append((value, kind))
        if not kept:
            return
        lock = self._lock
        lock.acquire()  # ``with``, written out: half the instructions (see oauth.token)
        try:
            for value, kind in kept:
                values[value] = kind
                values.move_to_end(value)
            while len(values) > self.limit:
                values.popitem(last=False)
        finally:
            lock.release()

    def kind_of(self, value: str) -> str | None:
        return self._values.get(value)

    def __len__(self) -> int:
        return len(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def replace(self, text: str, marker: Callable[[str], str]) -> str:
        """``text`` with every remembered value replaced by ``marker(kind)``."""
        if not self._values or len(text) < MIN_LENGTH:
            return text

        def sub(match: re.Match[str]) -> str:
            found = match.group(0)
            kind = self._values.get(found)
            if kind is not None:
                return marker(kind)
            # A secret followed or preceded by punctuation of its own alphabet (". " ending
            # a sentence): try it trimmed.
            trimmed = found.strip(".-~_")
            kind = self._values.get(trimmed) if trimmed != found else None
            if kind is None:
                return found
            start = found.index(trimmed)
            return found[:start] + marker(kind) + found[start + len(trimmed):]

        return CANDIDATE.sub(sub, text)
