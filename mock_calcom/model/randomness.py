"""The fake's only source of randomness, seedable so that ids and tokens repeat run to run.

A fake made with ``seed=7`` mints the same client ids, codes and seed data every time; an
unseeded fake draws its seed from the OS and exposes it (``Randomness.seed``) so a failing run
can be replayed.
"""

from __future__ import annotations

import binascii
import collections
import hashlib
import random
import secrets
import struct
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

_T = TypeVar("_T")

#: base64 -> base64url (what ``base64.urlsafe_b64encode`` does, without its layers).
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def urlsafe_text(raw: bytes) -> str:
    """``raw`` as base64url without padding (what :meth:`Randomness.token_urlsafe` returns
    for the bytes it drew)."""
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def urlsafe_texts(raws: list[bytes], size: int) -> list[str]:
    """:func:`urlsafe_text` of each of ``raws`` (each ``size`` bytes long): base64
    encodes each 3 bytes on their own, so each draw padded with zero bytes to a multiple of
    3 encodes to its own text followed by characters of zero bits only (the text without
    padding ends in the same zero bits), and all of them are encoded in one call."""
    if not raws:
        return []
    pad = b"\0" * (-size % 3)
    text = binascii.b2a_base64(pad.join(raws) + pad, newline=False).translate(_URLSAFE).decode("ascii")
    step, keep = (size + len(pad)) // 3 * 4, (4 * size + 2) // 3
    return [text[start:start + keep] for start in range(0, len(text), step)]


class Randomness:
    """A seeded stream of bytes, with named sub-streams that do not disturb each other."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed: int = secrets.randbits(63) if seed is None else seed
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def fork(self, label: str) -> Randomness:
        """An independent stream derived from this seed and ``label``.

        Seed data per user uses ``fork(f"user:{id}")`` so that creating a client first, or
        not at all, never changes the ids of a user's bookings.
        """
        digest = hashlib.sha256(f"{self.seed}:{label}".encode()).digest()
        return Randomness(int.from_bytes(digest[:8], "big") >> 1)

    def token_bytes(self, n: int) -> bytes:
        with self._lock:
            return self._random.randbytes(n)

    def blocks(self, size: int, per_draw: int = 64) -> BlockStream:
        """A stream of ``size``-byte draws from this stream, fetched ``per_draw`` at a time."""
        return BlockStream(self, size, per_draw)

    def token_hex(self, n: int) -> str:
        return self.token_bytes(n).hex()

    def token_urlsafe(self, n: int) -> str:
        """``n`` random bytes as base64url without padding (Cal.com's code and secret form)."""
        return urlsafe_text(self.token_bytes(n))

    def random(self) -> float:
        with self._lock:
            return self._random.random()

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            return self._random.randint(low, high)

    def choice(self, options: list[str] | tuple[str, ...]) -> str:
        with self._lock:
            return self._random.choice(options)


class Draws(Generic[_T]):
    """``cut(randomness.token_bytes(size))`` again and again, drawn in batches: the same bytes
    in the same order, for a stream nothing else draws from. ``Random.randbytes`` fills its
    result from 32-bit words, lowest first, so one draw of ``k * size`` bytes is ``k`` draws
    of ``size`` end to end when ``size`` is a multiple of 4. ``cut`` turns a batch of
    ``per_draw`` draws into their ``per_draw`` values, in order."""

    def __init__(self, source: Randomness, size: int, per_draw: int,
                 cut: Callable[[bytes], Iterable[_T]]) -> None:
        if size % 4:
            raise ValueError("block size must be a multiple of 4 bytes")
        self._source = source
        self._size = size
        self._per_draw = per_draw
        self._cut = cut
        # Draws ready to hand out, oldest first: ``popleft`` is atomic, so only a refill
        # takes the lock.
        self._ready: collections.deque[_T] = collections.deque()
        self._lock = threading.Lock()

    def batch(self) -> list[_T]:
        """The next draws, one or more: what is left of a batch :meth:`next` began, else a
        whole new batch (the same values, in the same order, as calling :meth:`next` that
        many times)."""
        ready = self._ready
        while True:
            out = []
            while ready:
                try:
                    out.append(ready.popleft())
                except IndexError:  # another thread took the last one
                    break
            if out:
                return out
            with self._lock:
                if not ready:
                    return list(self._cut(self._source.token_bytes(self._size * self._per_draw)))

    def next(self) -> _T:
        ready = self._ready
        while True:
            try:
                return ready.popleft()
            except IndexError:
                with self._lock:
                    if not ready:
                        ready.extend(self._cut(self._source.token_bytes(self._size * self._per_draw)))


class BlockStream(Draws[bytes]):
    """``randomness.token_bytes(size)`` again and again, drawn in batches (:class:`Draws`)."""

    def __init__(self, source: Randomness, size: int, per_draw: int) -> None:
        # One batch cut into its draws in C (a struct of ``per_draw`` byte strings).
        super().__init__(source, size, per_draw, struct.Struct(f"{size}s" * per_draw).unpack)
