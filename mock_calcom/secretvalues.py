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
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from itertools import chain, compress, repeat
from operator import itemgetter, ne
from typing import cast

MAX_VALUES = 20_000
#: Shorter values are not remembered: redacting them would hit ordinary words.
MIN_LENGTH = 16
#: Runs of characters secrets are made of (urlsafe base64, hex, PKCE's unreserved set).
CANDIDATE = re.compile(r"[A-Za-z0-9\-._~]{16,}")


_STR_ONLY = {str}

#: Batches :meth:`SecretValues.add_many` keeps before it settles them itself (every read
#: settles them first).
_PENDING_BATCHES = 64


class SecretValues:
    """A bounded, thread-safe map from secret value to its kind (``code``, ...).

    Additions are queued and settled in order, each batch exactly as :meth:`_add_batch`
    would have added it on its own, before anything reads the registry (a lookup, a
    replacement, its size, a change of :attr:`limit`), and at the latest every
    :data:`_PENDING_BATCHES` batches. So every read sees what adding at once would have
    left, and a token request pays only for a queue append (``tests/test_secretvalues.py``
    compares it with adding at once)."""

    def __init__(self, limit: int = MAX_VALUES) -> None:
        self._limit = limit
        self._values: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        # Batches not yet settled, oldest first (``append`` and ``popleft`` are atomic).
        self._pending: deque[tuple[tuple[object, str], ...]] = deque()

    @property
    def limit(self) -> int:
        """Values kept (the newest); may be lowered on a live registry."""
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._settle()  # batches added under the old limit were trimmed to it
        self._limit = value

    def add(self, value: object, kind: str) -> None:
        self.add_many(((value, kind),))

    def add_many(self, items: Iterable[tuple[object, str]]) -> None:
        """:meth:`add` each ``(value, kind)``, as one batch. A value already known as that
        kind is left where it is (a client presents the same secret with every request:
        moving it would cost a lock per request, and a client secret is recognised by its
        hash anyway once it is no longer among the newest)."""
        pending = self._pending
        pending.append(tuple(items))
        if len(pending) >= _PENDING_BATCHES:
            self._settle()

    def _settle(self) -> None:
        """Add the queued batches, oldest first, each as adding it at once did: its values
        judged against the registry as it was before the batch, then the new ones added
        and the oldest trimmed past the limit (:meth:`_add_batch`)."""
        pending = self._pending
        if not pending:
            return
        with self._lock:
            # Appends only add on the right and settling holds the lock: these pops succeed.
            batches = list(map(deque.popleft, repeat(pending, len(pending))))
            if not self._add_at_once(batches):
                for batch in batches:
                    self._add_batch(batch)

    def _add_batch(self, batch: tuple[tuple[object, str], ...]) -> None:
        values = self._values
        kept = []
        for value, kind in batch:
            if (isinstance(value, str) and MIN_LENGTH <= len(value) <= 4096
                    and values.get(value) != kind):
                kept.append((value, kind))
        if kept:
            for value, kind in kept:
                values[value] = kind
                values.move_to_end(value)
            while len(values) > self._limit:
                values.popitem(last=False)

    def _add_at_once(self, batches: list[tuple[tuple[object, str], ...]]) -> bool:
        """:meth:`_add_batch` of each batch in turn, all at once in C, where that is the
        same; ``False`` (nothing done) where it may not be. It is the same when:

        - no batch holds a pair twice, so judging a batch's values against the registry
          as it was before the batch is judging each against the one before it;
        - every value left after dropping the empty ones (``None``, ``""``) is a ``str`` of
          a length that is remembered, and has one kind in all the batches: then a value is
          added (or moved to the end) at its first pair if the registry did not know it as
          that kind, and never again;
        - the registry cannot outgrow its limit, so nothing is trimmed in between.

        Then the values to add are the distinct ones, in order of first appearance, that
        the registry does not know as their kind: each is taken out and put back at the
        end."""
        try:
            if sum(map(len, map(set, batches))) != sum(map(len, batches)):
                return False  # a pair twice in one batch
        except TypeError:  # a value that cannot be hashed
            return False
        pairs = list(filter(itemgetter(0), chain.from_iterable(batches)))
        texts = list(map(itemgetter(0), pairs))
        if texts and (not set(map(type, texts)) <= _STR_ONLY or min(map(len, texts)) < MIN_LENGTH
                      or max(map(len, texts)) > 4096):
            return False
        # value -> its (last) kind, in order of first appearance (every value is a str now)
        kinds = cast("dict[str, str]", dict(pairs))
        values = self._values
        if len(set(pairs)) != len(kinds) or len(values) + len(kinds) > self._limit:
            return False
        changed: list[str] = list(compress(kinds, map(ne, map(values.get, kinds), kinds.values())))
        deque(map(values.pop, filter(values.__contains__, changed)), maxlen=0)
        values.update(zip(changed, map(kinds.__getitem__, changed), strict=True))
        return True

    def kind_of(self, value: str) -> str | None:
        if self._pending:
            self._settle()
        return self._values.get(value)

    def __len__(self) -> int:
        if self._pending:
            self._settle()
        return len(self._values)

    def __bool__(self) -> bool:
        if self._pending:
            self._settle()
        return bool(self._values)

    def replace(self, text: str, marker: Callable[[str], str]) -> str:
        """``text`` with every remembered value replaced by ``marker(kind)``."""
        if self._pending:
            self._settle()
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
