"""HS256 compact JWS from the standard library, cross-checked against PyJWT."""

from __future__ import annotations

import json

import jwt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_calcom.model.jws import HS256, InvalidToken, b64url_decode, b64url_encode

KEY = b"k" * 64


def test_a_signed_token_is_what_pyjwt_writes_and_reads() -> None:
    payload = {"userId": 1, "scope": ["BOOKING_READ"], "exp": 2_000_000_000}
    token = HS256(KEY).sign(json.dumps(payload, separators=(",", ":")).encode())
    assert token == jwt.encode(payload, KEY, algorithm="HS256")
    assert jwt.decode(token, KEY, algorithms=["HS256"]) == payload


@settings(max_examples=30)
@given(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=12), max_size=5))
def test_what_pyjwt_signs_with_the_key_verifies(payload: dict[str, object]) -> None:
    token = jwt.encode(payload, KEY, algorithm="HS256")
    assert json.loads(HS256(KEY).verify(token)) == payload


def test_a_header_spelled_differently_still_verifies_when_it_says_hs256() -> None:
    token = jwt.encode({"a": 1}, KEY, algorithm="HS256", headers={"kid": "x"})
    assert json.loads(HS256(KEY).verify(token)) == {"a": 1}


def _signed_segments(payload: str) -> str:
    """``header.payload.signature`` with a correct signature over any payload text."""
    import base64
    import hashlib
    import hmac

    header = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    mac = hmac.digest(KEY, f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize("forge", [
    lambda: jwt.encode({"a": 1}, b"another-key" * 4, algorithm="HS256"),
    lambda: jwt.encode({"a": 1}, None, algorithm="none"),  # type: ignore[arg-type]
    lambda: jwt.encode({"a": 1}, KEY, algorithm="HS512"),
    lambda: HS256(KEY).sign(b'{"a":1}') + "=",
    lambda: HS256(KEY).sign(b'{"a":1}')[:-2],
    lambda: HS256(KEY).sign(b'{"a":1}').replace(".", "..", 1),
    lambda: "a.b",
    lambda: "",
    lambda: HS256(KEY).sign(b'{"a":1}') + "\n",
    lambda: HS256(KEY).sign(b'{"a":1}') + ".x",
    lambda: _signed_segments("AAAAA"),  # signed, but a payload no base64 text can be
    lambda: _signed_segments("AA+A"),
    lambda: None,
])
def test_forged_or_mangled_tokens_are_refused(forge: object) -> None:
    assert callable(forge)
    with pytest.raises(InvalidToken):
        HS256(KEY).verify(forge())


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = HS256(KEY).sign(b'{"userId":1}').split(".")
    other = b64url_encode(b'{"userId":2}')
    forged = f"{header}.{other}.{signature}"
    with pytest.raises(InvalidToken):
        HS256(KEY).verify(forged)


@given(st.binary(max_size=40))
def test_base64url_round_trips(data: bytes) -> None:
    assert b64url_decode(b64url_encode(data)) == data


@pytest.mark.parametrize("text", ["a", "ab=", "a+b/", "é"])
def test_base64url_refuses_padding_and_other_alphabets(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        b64url_decode(text)


@settings(max_examples=60)
@given(key=st.binary(max_size=130), message=st.binary(max_size=300))
@example(key=b"k" * 64, message=b"m").via("a key of one block")
@example(key=b"k" * 65, message=b"m").via("a key longer than a block is hashed first")
@example(key=b"", message=b"").via("nothing at all")
def test_the_kept_hmac_state_signs_as_hmac_does(key: bytes, message: bytes) -> None:
    import hashlib
    import hmac

    signer = HS256(key)
    assert signer.mac(message) == hmac.new(key, message, hashlib.sha256).digest()
    assert signer.mac(message) == hmac.new(key, message, hashlib.sha256).digest()  # again


@settings(max_examples=80)
@given(key=st.binary(min_size=1, max_size=70), start=st.binary(max_size=20), rest=st.binary(max_size=20))
def test_a_payload_signed_after_its_kept_start_is_the_payload_signed_whole(
        key: bytes, start: bytes, rest: bytes) -> None:
    signer = HS256(key)
    prefix = signer.prefix(start)
    assert signer.sign_after(prefix, rest) == signer.sign(start + rest)
    assert signer.sign_after(prefix, rest[::-1]) == signer.sign(start + rest[::-1])  # kept as it was
