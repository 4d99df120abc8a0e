"""Request ids (``X-Request-Id``): UUID v4 texts from the fake's seeded randomness.

Cal.com gives each request ``uuid()`` (request-id.middleware.ts @03144727); the fake draws
16 bytes per id from a stream of its own and formats them as ``uuid.UUID(bytes=...,
version=4)`` would. Ids are drawn and formatted 64 at a time, with no Python loop per id:
``Random.randbytes`` fills its result from 32-bit words, lowest first, so one draw of
``64 * 16`` bytes gives exactly the bytes of 64 draws of 16, in order; the version and
variant bits of all 64 are set by two ``translate`` passes over strided slices, and their
text is cut from one hex string by strided deletions.
"""

from __future__ import annotations

from mock_calcom.model.randomness import Draws, Randomness

#: Bytes per id, and ids drawn at once.
_SIZE = 16
_PER_DRAW = 64
#: Byte 6 of a UUID holds the version in its high nibble (4); byte 8 the variant in its two
#: high bits (``10``, RFC 4122): what ``uuid.UUID(version=4)`` sets.
_VERSION = bytes(0x40 | (b & 0x0F) for b in range(256))
_VARIANT = bytes(0x80 | (b & 0x3F) for b in range(256))
def uuid4_texts(batch: bytes) -> list[str]:
    """``str(uuid.UUID(bytes=b, version=4))`` for each 16 bytes ``b`` of ``batch``, in order
    (``len(batch)`` a multiple of 16)."""
    if len(batch) % _SIZE:
        raise ValueError("a batch of ids is a whole number of 16-byte draws")
    if not batch:
        return []
    raw = bytearray(batch)
    raw[6::_SIZE] = raw[6::_SIZE].translate(_VERSION)
    raw[8::_SIZE] = raw[8::_SIZE].translate(_VARIANT)
    # Every id as 8 groups of 4 hex digits, each followed by "-": 40 characters an id. Of
    # those dashes a UUID keeps the 2nd to the 5th, and the 8th becomes the line's end.
    # Each ``del`` takes one column out of every id at once.
    text = bytearray(raw.hex("-", 2), "ascii")
    text.append(0x2D)
    del text[4::40]  # aabbccdd-eeff-gghh-iijj-kkll-mmnn-oopp-  (39 an id)
    del text[28::39]  # aabbccdd-eeff-gghh-iijj-kkllmmnn-oopp-  (38)
    del text[32::38]  # aabbccdd-eeff-gghh-iijj-kkllmmnnoopp-  (37)
    text[36::37] = b"\n" * (len(raw) // _SIZE)
    return text.decode("ascii").splitlines()


class RequestIds(Draws[str]):
    """``uuid4_text(source.token_bytes(16))`` again and again, for a stream nothing else
    draws from: the same ids in the same order, drawn and formatted 64 at a time."""

    def __init__(self, source: Randomness, per_draw: int = _PER_DRAW) -> None:
        super().__init__(source, _SIZE, per_draw, uuid4_texts)
