"""Autoincrement ids, one sequence per table, and Cal.com-looking booking uids."""

from __future__ import annotations

from mock_calcom.model.randomness import Randomness

#: short-uuid's flickrBase58 alphabet: Cal.com booking uids are ``translator.fromUUID(uuid())``,
#: 22 characters of it (e.g. ``2NtaeaVcKfpmSZ4CthFdfk``).
_BASE58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


class IdSequence:
    """Postgres ``serial``: ids grow by one and are never reused within one fake."""

    def __init__(self, start: int) -> None:
        self._next = start

    def next(self) -> int:
        value = self._next
        self._next += 1
        return value


def booking_uid(rng: Randomness) -> str:
    number = int.from_bytes(rng.token_bytes(16), "big")
    chars = []
    for _ in range(22):
        number, digit = divmod(number, len(_BASE58))
        chars.append(_BASE58[digit])
    return "".join(reversed(chars))
