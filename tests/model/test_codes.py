"""Authorization codes: 10 minutes, single use, scoped to a client (FACTS §3)."""

from __future__ import annotations

import re

import pytest

from mock_calcom.model.clock import FrozenClock
from mock_calcom.model.codes import CodeStore
from mock_calcom.model.randomness import Randomness


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def codes(clock: FrozenClock) -> CodeStore:
    return CodeStore(clock, Randomness(3), ttl=600)


def issue(codes: CodeStore, client_id: str = "client") -> str:
    return codes.issue(client_id=client_id, user_id=1, scopes=("BOOKING_READ",)).code


def test_a_code_is_54_base64url_characters(codes: CodeStore) -> None:
    code = issue(codes)
    assert re.fullmatch(r"[A-Za-z0-9_-]{54}", code)


def test_a_code_redeems_once(codes: CodeStore) -> None:
    code = issue(codes)
    found = codes.take(code, "client")
    assert found is not None
    assert found.scopes == ("BOOKING_READ",)
    assert found.user_id == 1
    assert codes.take(code, "client") is None


def test_a_code_belongs_to_its_client(codes: CodeStore) -> None:
    code = issue(codes)
    assert codes.take(code, "other") is None
    assert codes.take(code, "client") is not None


def test_a_code_lives_just_under_ten_minutes(codes: CodeStore, clock: FrozenClock) -> None:
    early, late = issue(codes), issue(codes)
    clock.advance(599.999)
    assert codes.take(early, "client") is not None
    clock.advance(0.001)
    assert codes.take(late, "client") is None


def test_expired_codes_are_swept_on_every_lookup(codes: CodeStore, clock: FrozenClock) -> None:
    for _ in range(3):
        issue(codes)
    clock.advance(600)
    fresh = issue(codes)
    assert len(codes) == 4
    assert codes.take("unknown", "client") is None
    assert len(codes) == 1
    assert codes.take(fresh, "client") is not None


def test_codes_carry_the_pkce_challenge(codes: CodeStore) -> None:
    code = codes.issue(client_id="client", user_id=1, scopes=(), code_challenge="abc",
                       code_challenge_method="S256").code
    found = codes.take(code, "client")
    assert found is not None
    assert (found.code_challenge, found.code_challenge_method) == ("abc", "S256")
