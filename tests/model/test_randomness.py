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
