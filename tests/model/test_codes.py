"""Authorization codes: 10 minutes, single use, scoped to a client (FACTS §3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


# -- a lookup sweeps only when there is something to sweep (a shortcut: same store) -----------

def _take_sweeping_always(codes: CodeStore, code: str, client_id: str) -> Any:
    """``take`` as written before: a sweep at every lookup."""
    codes._sweep(codes._clock.now())
    found = codes._codes.get(code)
    if found is None or found.client_id != client_id:
        return None
    del codes._codes[code]
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(
    st.tuples(st.just("issue"), st.integers(0, 2)),
    st.tuples(st.just("take"), st.integers(0, 40)),
    st.tuples(st.just("advance"), st.sampled_from([1, 300, 600])),
), max_size=60), st.sampled_from([3, 1000]))
@example([step for i in range(70) for step in (("issue", i % 3), ("take", i))], 1000)
def test_a_lookup_leaves_the_store_a_sweep_at_every_lookup_leaves(
        steps: list[tuple[str, int]], cap: int) -> None:
    sides = []
    for shortcut in (True, False):
        clock = FrozenClock()
        codes = CodeStore(clock, Randomness(4), ttl=600, max_pending=cap)
        issued: list[str] = []
        seen: list[Any] = []
        for name, number in steps:
            if name == "issue":
                issued.append(codes.issue(client_id=f"c{number}", user_id=number, scopes=()).code)
            elif name == "advance":
                clock.advance(number)
            elif issued:
                code = issued[number % len(issued)]
                seen.append(codes.take(code, f"c{number % 3}") if shortcut
                            else _take_sweeping_always(codes, code, f"c{number % 3}"))
            seen.append((len(codes), codes.index_size(), codes._issued_since_sweep,
                         sorted(codes._expiry), list(codes._codes)))
        sides.append(seen)
    assert sides[0] == sides[1]


def test_an_issued_code_is_an_immutable_record_of_its_fields(codes: CodeStore) -> None:
    """A named tuple now (it was a frozen dataclass): the same fields, read by name, and no
    field can be set."""
    code = codes.issue(client_id="c", user_id=7, scopes=("READ",), code_challenge="x",
                       code_challenge_method="S256", team_id=None)
    assert (code.client_id, code.user_id, code.team_id, code.scopes, code.code_challenge,
            code.code_challenge_method) == ("c", 7, None, ("READ",), "x", "S256")
    assert code._fields == ("code", "client_id", "user_id", "team_id", "scopes",
                            "code_challenge", "code_challenge_method", "expires_at")
    assert repr(code).startswith(f"AuthorizationCode(code={code.code!r}, client_id='c'")
    with pytest.raises(AttributeError):
        code.user_id = 8  # type: ignore[misc]
