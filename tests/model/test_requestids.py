"""Request ids: drawn and formatted in blocks, they are the ids drawn one at a time."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom.middleware import uuid4_text
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.requestids import RequestIds, uuid4_texts


@settings(max_examples=40)
@given(st.binary(min_size=0, max_size=20).map(lambda b: b * 16))
def test_a_batch_of_ids_is_the_uuid4_of_each_16_bytes(batch: bytes) -> None:
    expected = [str(uuid.UUID(bytes=batch[i:i + 16], version=4))
                for i in range(0, len(batch), 16)]
    assert uuid4_texts(batch) == expected


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x0F, 0xF0, 0x3F, 0xC0])
def test_the_version_and_variant_bits_are_set_whatever_the_drawn_bits(byte: int) -> None:
    batch = bytes([byte]) * 32
    assert uuid4_texts(batch) == [str(uuid.UUID(bytes=batch[:16], version=4))] * 2


def test_a_batch_that_is_not_whole_ids_is_refused() -> None:
    with pytest.raises(ValueError, match="16-byte"):
        uuid4_texts(b"x" * 20)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**63 - 1), per_draw=st.integers(1, 70), draws=st.integers(1, 150))
def test_request_ids_in_blocks_are_the_ids_drawn_one_at_a_time(seed: int, per_draw: int,
                                                               draws: int) -> None:
    one_by_one = Randomness(seed)
    stream = RequestIds(Randomness(seed), per_draw)
    assert [stream.next() for _ in range(draws)] == [uuid4_text(one_by_one.token_bytes(16))
                                                     for _ in range(draws)]


def test_a_fakes_request_ids_come_from_its_own_stream_in_order() -> None:
    """The fake's stream gives what the edge gave before it drew in blocks:
    ``uuid4_text(token_bytes(16))`` of the seed's ``request-id`` fork, 130 times (three
    blocks)."""
    from mock_calcom import MockCalcom, Settings

    fake = MockCalcom(Settings(seed=11))
    reference = Randomness(11).fork("request-id")
    assert [fake.model.request_ids.next() for _ in range(130)] == [
        uuid4_text(reference.token_bytes(16)) for _ in range(130)]
