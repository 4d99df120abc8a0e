"""The seeded randomness: batched draws are the draws one at a time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom.model.randomness import Randomness


@settings(max_examples=40)
@given(seed=st.integers(0, 2**63 - 1), words=st.integers(1, 8), per_draw=st.integers(1, 9),
       draws=st.integers(1, 40))
def test_a_block_stream_gives_the_bytes_of_draws_one_at_a_time(seed: int, words: int,
                                                                per_draw: int, draws: int) -> None:
    size = 4 * words
    one_by_one = Randomness(seed)
    stream = Randomness(seed).blocks(size, per_draw)
    assert [stream.next() for _ in range(draws)] == [one_by_one.token_bytes(size)
                                                     for _ in range(draws)]


def test_a_block_size_that_is_not_whole_words_is_refused() -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        Randomness(1).blocks(6)


@settings(max_examples=40)
@given(seed=st.integers(0, 2**63 - 1), n=st.integers(0, 64))
def test_url_safe_tokens_are_the_standard_librarys_base64url_of_the_same_bytes(seed: int,
                                                                             n: int) -> None:
    import base64

    expected = base64.urlsafe_b64encode(Randomness(seed).token_bytes(n)).rstrip(b"=").decode()
    assert Randomness(seed).token_urlsafe(n) == expected


@settings(max_examples=40)
@given(seed=st.integers(0, 2**63 - 1), per_draw=st.integers(1, 9),
       calls=st.lists(st.booleans(), max_size=20))
def test_batches_and_single_draws_mixed_give_the_draws_one_at_a_time(
        seed: int, per_draw: int, calls: list[bool]) -> None:
    stream = Randomness(seed).blocks(8, per_draw)
    got: list[bytes] = []
    for whole in calls:
        if whole:
            batch = stream.batch()
            assert batch
            got.extend(batch)
        else:
            got.append(stream.next())
    one_by_one = Randomness(seed)
    assert got == [one_by_one.token_bytes(8) for _ in got]


@settings(max_examples=60)
@given(size=st.integers(0, 40), count=st.integers(0, 5), data=st.data())
def test_texts_encoded_together_are_each_encoded_alone(size: int, count: int,
                                                       data: st.DataObject) -> None:
    from mock_calcom.model.randomness import urlsafe_text, urlsafe_texts

    raws = [data.draw(st.binary(min_size=size, max_size=size)) for _ in range(count)]
    if size == 0:
        return  # nothing to tell apart: no draw has zero bytes
    assert urlsafe_texts(raws, size) == [urlsafe_text(raw) for raw in raws]
