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
import threading

#: base64 -> base64url (what ``base64.urlsafe_b64encode`` does, without its layers).
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def urlsafe_text(raw: bytes) -> str:
    """``raw`` as base64url without padding (what :meth:`Randomness.token_urlsafe` returns
    for the bytes it drew)."""
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


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


class BlockStream:
    """``randomness.token_bytes(size)`` again and again, drawn in batches: the same bytes in
    the same order, for a stream nothing else draws from. ``Random.randbytes`` fills its
    result from 32-bit words, lowest first, so one draw of ``k * size`` bytes is ``k`` draws
    of ``size`` end to end when ``size`` is a multiple of 4."""

    def __init__(self, source: Randomness, size: int, per_draw: int) -> None:
        if size % 4:
            raise ValueError("block size must be a multiple of 4 bytes")
        self._source = source
        self._size = size
        self._per_draw = per_draw
        # Draws ready to hand out, oldest first: ``popleft`` is atomic, so only a refill
        # takes the lock.
        self._ready: collections.deque[bytes] = collections.deque()
        self._lock = threading.Lock()

    def next(self) -> bytes:
        ready = self._ready
        while True:
            try:
                return ready.popleft()
            except IndexError:
                with self._lock:
                    if not ready:
                        size = self._size
                        batch = self._source.token_bytes(size * self._per_draw)
                        ready.extend(batch[i:i + size] for i in range(0, len(batch), size))
