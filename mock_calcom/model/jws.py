"""Compact JWS with HS256 only: what the fake's tokens need, from the standard library.

Why not PyJWT: importing it imports ``cryptography`` whenever that is installed (a large
share of ``serve``'s start-up, for RSA and EC the fake never uses), and its per-call key and
base64 vetting was a quarter of an API request's cost. HS256 is one HMAC over two base64url
segments (RFC 7515 §3.1, RFC 7518 §3.2); the tests cross-check every token with PyJWT.

Verification is strict: three segments of the base64url alphabet without padding, a header
that is a JSON object whose ``alg`` is exactly ``HS256`` (so ``none`` and every other
algorithm are refused), and a signature equal to the HMAC (compared in constant time).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any, NamedTuple

#: The header jsonwebtoken and PyJWT write for HS256, keys sorted, compact.
_HEADER = b'{"alg":"HS256","typ":"JWT"}'
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_COMPACT = re.compile(r"([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)")


class InvalidToken(ValueError):
    """The token is not a compact HS256 JWS signed with this key."""


_URLSAFE = bytes.maketrans(b"+/", b"-_")


_b2a = binascii.b2a_base64


def _b64url(data: bytes) -> bytes:
    return _b2a(data, newline=False).translate(_URLSAFE).rstrip(b"=")


def b64url_encode(data: bytes) -> str:
    return _b64url(data).decode("ascii")


def b64url_decode(segment: str | bytes, *, padded: bool = False) -> bytes:
    """Decode unpadded base64url (``padded``: trailing ``=`` allowed too); raises
    ``ValueError`` on anything else."""
    text = segment.decode("ascii") if isinstance(segment, bytes) else segment
    if padded:
        text = text.rstrip("=")
    if not _SEGMENT.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:  # pragma: no cover - the pattern above rules this out
        raise ValueError("not base64url") from exc


_ENCODED_HEADER = b64url_encode(_HEADER)


#: HMAC's inner and outer pads (RFC 2104), as translation tables: ``key.translate(_IPAD)``
#: is every byte of the key XOR 0x36.
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
_SHA256_BLOCK = 64
_ENCODED_HEADER_DOT = _ENCODED_HEADER.encode("ascii") + b"."


class SignedPrefix(NamedTuple):
    """The fixed beginning of payloads, half-signed (:meth:`HS256.prefix`)."""

    #: The bytes of the beginning not yet encoded (fewer than 3).
    left: bytes
    #: ``header.`` and the encoding of the rest of the beginning.
    encoded: bytes
    #: The HMAC's inner hash after the key's pad and ``encoded``.
    state: Any


class HS256:
    """Signs and verifies with one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        # HMAC-SHA256 (RFC 2104) keyed once: the hashes of the padded key's inner and outer
        # blocks are kept, and each signature copies them. A MAC from two copied SHA-256
        # states takes about a third of the time of one from a copied OpenSSL HMAC context
        # (``hmac.new(...).copy()``), which in turn beats keying a one-shot HMAC per token.
        # Cross-checked against ``hmac`` in tests/model/test_jws.py.
        block = key if len(key) <= _SHA256_BLOCK else hashlib.sha256(key).digest()
        block = block.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(block.translate(_IPAD))
        self._outer = hashlib.sha256(block.translate(_OPAD))

    def mac(self, message: bytes) -> bytes:
        """``hmac.new(key, message, "sha256").digest()``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def _signature(self, signing_input: bytes) -> str:
        return b64url_encode(self.mac(signing_input))

    def sign(self, payload: bytes) -> str:
        """``header.payload.signature`` of ``payload`` (already-serialised JSON)."""
        signing_input = _ENCODED_HEADER_DOT + _b64url(payload)
        return (signing_input + b"." + _b64url(self.mac(signing_input))).decode("ascii")

    def prefix(self, start: bytes) -> SignedPrefix:
        """``start``, the fixed beginning of many payloads, made ready for
        :meth:`sign_after`: base64url encodes each 3 bytes on their own, so the encoding of
        the longest part whose length is a multiple of 3 begins the encoding of every payload
        that begins with it, and the HMAC's inner hash can absorb that much once."""
        whole = len(start) - len(start) % 3
        encoded = _ENCODED_HEADER_DOT + _b64url(start[:whole])
        state = self._inner.copy()
        state.update(encoded)
        return SignedPrefix(start[whole:], encoded, state)

    def sign_after(self, prefix: SignedPrefix, rest: bytes) -> str:
        """``sign(start + rest)`` for the ``start`` of :meth:`prefix`: only the last few
        bytes of the start and ``rest`` are encoded and hashed per token."""
        # (_b64url twice, in this frame.)
        tail = _b2a(prefix.left + rest, newline=False).translate(_URLSAFE).rstrip(b"=")
        inner = prefix.state.copy()
        inner.update(tail)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return (prefix.encoded + tail + b"."
                + _b2a(outer.digest(), newline=False).translate(_URLSAFE).rstrip(b"=")
                ).decode("ascii")

    def verify(self, token: str) -> bytes:
        """The payload bytes of a token this key signed; :class:`InvalidToken` otherwise."""
        # Exactly three segments, each of the base64url alphabet (one match, not four checks).
        parts = _COMPACT.fullmatch(token) if isinstance(token, str) else None
        if parts is None:
            raise InvalidToken("not a compact JWS of base64url segments")
        header_b64, payload_b64, signature = parts.groups()
        if header_b64 != _ENCODED_HEADER:
            # A header written differently (spacing, key order, other fields) may still
            # say HS256; anything else (alg none, RS256, no alg) is refused.
            try:
                header: Any = json.loads(b64url_decode(header_b64))
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                raise InvalidToken("bad header") from exc
            if not isinstance(header, dict) or header.get("alg") != "HS256":
                raise InvalidToken("algorithm not allowed")
        expected = self._signature(f"{header_b64}.{payload_b64}".encode("ascii"))
        if not hmac.compare_digest(expected, signature):
            raise InvalidToken("signature mismatch")
        if len(payload_b64) % 4 == 1:  # no base64 text has this length
            raise InvalidToken("bad payload")
        # The alphabet was checked above: only the padding is missing.
        return base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
