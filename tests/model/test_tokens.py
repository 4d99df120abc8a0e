"""Access and refresh tokens: Cal.com's JWT shapes, lifetimes, rotation rows (FACTS §3)."""

from __future__ import annotations

import math
import re
from typing import Any

import jwt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_calcom.model.clock import DEFAULT_EPOCH, FrozenClock
from mock_calcom.model.jws import SignedPrefix
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.tokens import Grant, TokenRejected, TokenService

THIRTY_DAYS = 30 * 24 * 3600
GRANT = Grant("client-1", 5, None, ("BOOKING_READ", "PROFILE_READ"))


def service(clock: FrozenClock, seed: int = 1) -> TokenService:
    return TokenService(clock, Randomness(seed), access_ttl=1800, refresh_ttl=THIRTY_DAYS)


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def accepts_access(tokens: TokenService, token: str) -> bool:
    try:
        tokens.verify_access(token)
    except TokenRejected:
        return False
    return True


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


# -- shapes ----------------------------------------------------------------------------------


def test_the_access_token_payload_is_cal_coms(clock: FrozenClock) -> None:
    pair = service(clock).mint_pair(GRANT)
    assert jwt.get_unverified_header(pair.access_token)["alg"] == "HS256"
    now = int(clock.now())
    # A user's grant carries "teamId": null, the database's value, not a missing key (FACTS
    # §11.12); key order as mintTokens writes them.
    claims = claims_of(pair.access_token)
    assert claims == {
        "userId": 5, "teamId": None, "scope": ["BOOKING_READ", "PROFILE_READ"],
        "token_type": "Access Token", "clientId": "client-1", "iat": now, "exp": now + 1800,
    }
    assert list(claims)[:3] == ["userId", "teamId", "scope"]
    assert pair.expires_in == 1800
    assert pair.access_expires_at == now + 1800


def test_the_refresh_token_adds_a_secret_and_lives_thirty_days(clock: FrozenClock) -> None:
    pair = service(clock).mint_pair(GRANT)
    claims = claims_of(pair.refresh_token)
    secret = claims.pop("secret")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 bytes, base64url
    now = int(clock.now())
    assert claims == {
        "userId": 5, "teamId": None, "scope": ["BOOKING_READ", "PROFILE_READ"],
        "token_type": "Refresh Token", "clientId": "client-1", "iat": now, "exp": now + THIRTY_DAYS,
    }


def test_a_pkce_grant_puts_the_challenge_in_the_refresh_token(clock: FrozenClock) -> None:
    pair = service(clock).mint_pair(GRANT, code_challenge="abc", code_challenge_method="S256")
    claims = claims_of(pair.refresh_token)
    assert (claims["codeChallenge"], claims["codeChallengeMethod"]) == ("abc", "S256")
    assert "codeChallenge" not in claims_of(pair.access_token)


def test_team_grants_carry_team_id_instead_of_user_id(clock: FrozenClock) -> None:
    pair = service(clock).mint_pair(Grant("client-1", None, 9, ()))
    claims = claims_of(pair.access_token)
    assert claims["teamId"] == 9
    assert claims["userId"] is None
    assert claims["scope"] == []


def test_the_iat_is_whole_seconds(clock: FrozenClock) -> None:
    clock.advance(0.75)
    pair = service(clock).mint_pair(GRANT)
    assert claims_of(pair.access_token)["iat"] == math.floor(clock.now())


# -- verification ----------------------------------------------------------------------------


def test_each_kind_verifies_only_as_itself(clock: FrozenClock) -> None:
    tokens = service(clock)
    pair = tokens.mint_pair(GRANT)
    assert tokens.verify_access(pair.access_token).grant == GRANT
    assert tokens.verify_refresh(pair.refresh_token).grant == GRANT
    with pytest.raises(TokenRejected) as wrong:
        tokens.verify_access(pair.refresh_token)
    assert wrong.value.reason == "wrong_type"
    with pytest.raises(TokenRejected):
        tokens.verify_refresh(pair.access_token)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),   # bad signature
    lambda t: "",
    lambda t: "not-a-jwt",
    lambda t: jwt.encode(claims_of(t), "another-key-" + "k" * 32, algorithm="HS256"),
    lambda t: jwt.encode(claims_of(t), key=None, algorithm="none"),  # type: ignore[arg-type]
])
def test_forged_or_broken_tokens_are_invalid(clock: FrozenClock, mangle: Any) -> None:
    tokens = service(clock)
    pair = tokens.mint_pair(GRANT)
    with pytest.raises(TokenRejected) as rejected:
        tokens.verify_access(mangle(pair.access_token))
    assert rejected.value.reason == "invalid"


def test_tokens_of_another_fake_are_invalid(clock: FrozenClock) -> None:
    foreign = service(clock, seed=2).mint_pair(GRANT)
    assert not accepts_access(service(clock, seed=1), foreign.access_token)


def test_a_refresh_token_expires_after_thirty_days(clock: FrozenClock) -> None:
    tokens = service(clock)
    pair = tokens.mint_pair(GRANT)
    clock.advance(THIRTY_DAYS - 1)
    tokens.verify_refresh(pair.refresh_token)
    clock.advance(1)
    with pytest.raises(TokenRejected) as expired:
        tokens.verify_refresh(pair.refresh_token)
    assert expired.value.reason == "expired"


def test_force_expire_ends_one_token_only(clock: FrozenClock) -> None:
    tokens = service(clock)
    one = tokens.mint_pair(GRANT)
    # Same grant, same second: the same JWT, as jsonwebtoken would sign it. A second later
    # the iat differs, and so does the token.
    assert tokens.mint_pair(GRANT).access_token == one.access_token
    clock.advance(1)
    two = tokens.mint_pair(GRANT)
    tokens.force_expire(one.access_token)
    assert not accepts_access(tokens, one.access_token)
    assert accepts_access(tokens, two.access_token)


def _counting_decodes(tokens: TokenService) -> list[str]:
    decoded: list[str] = []
    full = tokens._verify_signature

    def counted(token: str) -> dict[str, Any]:
        decoded.append(token)
        return full(token)

    tokens._verify_signature = counted  # type: ignore[method-assign]
    return decoded


def test_a_live_refresh_token_verifies_from_its_row_exactly_as_a_full_decode(
        clock: FrozenClock) -> None:
    minter = service(clock)
    pair = minter.mint_pair(GRANT, code_challenge="c" * 43, code_challenge_method="S256")
    decoded = _counting_decodes(minter)
    # Same seed, same key, but it minted nothing: it can only decode.
    stranger = service(clock)
    assert minter.verify_refresh(pair.refresh_token) == stranger.verify_refresh(pair.refresh_token)
    assert decoded == []


def test_a_rotated_refresh_token_is_decoded_again_and_finds_no_row(clock: FrozenClock) -> None:
    tokens = service(clock)
    old = tokens.mint_pair(GRANT)
    tokens.revoke_refresh_tokens(GRANT.client_id, GRANT.user_id)
    tokens.mint_pair(GRANT)
    decoded = _counting_decodes(tokens)
    claims = tokens.verify_refresh(old.refresh_token)
    assert decoded == [old.refresh_token]
    assert not tokens.refresh_row_exists(claims)


def test_a_remembered_refresh_token_still_expires_on_the_fake_clock_and_by_force(
        clock: FrozenClock) -> None:
    tokens = service(clock)
    forced, timed = tokens.mint_pair(GRANT), tokens.mint_pair(Grant("client-2", 6, None, ()))
    tokens.force_expire(forced.refresh_token)
    with pytest.raises(TokenRejected, match="expired"):
        tokens.verify_refresh(forced.refresh_token)
    tokens.verify_refresh(timed.refresh_token)
    clock.advance(THIRTY_DAYS)
    with pytest.raises(TokenRejected, match="expired"):
        tokens.verify_refresh(timed.refresh_token)


def test_an_access_token_minted_again_within_its_second_is_not_signed_again(
        clock: FrozenClock) -> None:
    tokens = service(clock)
    first = tokens.mint_pair(GRANT).access_token
    signed: list[str] = []
    sign_after = tokens._jws.sign_after

    def counted(prefix: SignedPrefix, rest: bytes) -> str:
        signed.append(sign_after(prefix, rest))
        return signed[-1]

    tokens._jws.sign_after = counted  # type: ignore[method-assign]
    again = tokens.mint_pair(GRANT)
    assert again.access_token == first
    assert [claims_of(token)["token_type"] for token in signed] == ["Refresh Token"]
    # The same string a fresh service signs for the same grant and second.
    assert first == service(clock).mint_pair(GRANT).access_token
    tokens.access_ttl = 60
    shorter = tokens.mint_pair(GRANT).access_token
    assert claims_of(shorter)["exp"] == int(clock.now()) + 60
    clock.advance(1)
    assert tokens.mint_pair(GRANT).access_token not in (first, shorter)


# -- refresh rows ----------------------------------------------------------------------------


def test_revoking_deletes_every_row_of_the_client_and_user_only(clock: FrozenClock) -> None:
    tokens = service(clock)
    mine = [tokens.mint_pair(GRANT) for _ in range(3)]
    other_user = tokens.mint_pair(Grant("client-1", 6, None, ()))
    other_client = tokens.mint_pair(Grant("client-2", 5, None, ()))
    assert tokens.valid_refresh_count("client-1", 5) == 3
    assert tokens.revoke_refresh_tokens("client-1", 5) == 3
    assert tokens.valid_refresh_count("client-1", 5) == 0
    for pair in mine:
        assert not tokens.refresh_row_exists(tokens.verify_refresh(pair.refresh_token))
    for pair in (other_user, other_client):
        assert tokens.refresh_row_exists(tokens.verify_refresh(pair.refresh_token))


# -- property (b): an access token is valid exactly while now < exp --------------------------

_STEPS = st.one_of(
    st.floats(min_value=0, max_value=2500, allow_nan=False, allow_infinity=False),
    st.sampled_from(["to_exp", "just_before_exp"]),
)


@settings(max_examples=80, deadline=None)
@given(start=st.floats(min_value=0, max_value=10_000, allow_nan=False), steps=st.lists(_STEPS, max_size=10))
def test_an_access_token_is_valid_exactly_while_now_is_before_exp(
    start: float, steps: list[float | str],
) -> None:
    clock = FrozenClock(DEFAULT_EPOCH + start)
    tokens = service(clock)
    pair = tokens.mint_pair(GRANT)
    exp = pair.access_expires_at
    assert exp == math.floor(clock.now()) + 1800
    assert accepts_access(tokens, pair.access_token)
    for step in steps:
        if step == "to_exp":
            clock.advance(max(0.0, exp - clock.now()))
        elif step == "just_before_exp":
            clock.advance(max(0.0, math.nextafter(exp, 0) - clock.now()))
        else:
            assert isinstance(step, float)
            clock.advance(step)
        assert accepts_access(tokens, pair.access_token) is (clock.now() < exp)


# -- the kept payload heads (the minting fast path) -------------------------------------------

_TEXT = st.text(min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(client_id=_TEXT, user_id=st.none() | st.integers(-5, 10**12), team_id=st.none() | st.integers(0, 99),
       scopes=st.lists(_TEXT, max_size=4), challenge=st.none() | _TEXT)
def test_every_payload_is_the_compact_json_of_its_claims_in_mint_order(
        client_id: str, user_id: int | None, team_id: int | None, scopes: list[str],
        challenge: str | None) -> None:
    clock = FrozenClock()
    tokens = service(clock)
    grant = Grant(client_id, user_id, team_id, tuple(scopes))
    for _ in range(2):  # the second mint reuses the kept head
        pair = tokens.mint_pair(grant, code_challenge=challenge,
                                code_challenge_method="S256" if challenge else None)
        now = int(clock.now())
        base = {"userId": user_id, "teamId": team_id, "scope": scopes}
        access = {**base, "token_type": "Access Token", "clientId": client_id,
                  "iat": now, "exp": now + 1800}
        refresh = {**base, "token_type": "Refresh Token", "clientId": client_id,
                   "iat": now, "exp": now + THIRTY_DAYS, "secret": claims_of(pair.refresh_token)["secret"]}
        if challenge:
            refresh.update(codeChallenge=challenge, codeChallengeMethod="S256")
        # Byte for byte what PyJWT (like jsonwebtoken) writes for these claims.
        assert pair.access_token == jwt.encode(access, tokens._jws._key, algorithm="HS256")
        assert pair.refresh_token == jwt.encode(refresh, tokens._jws._key, algorithm="HS256")
        clock.advance(7)


def test_a_kept_head_writes_the_times_only_as_the_full_encoding_does(clock: FrozenClock) -> None:
    """The kept head writes the times without a format spec, which is ``{:d}`` only for an
    int: a lifetime that is no int (a Settings built by hand) fails as the full encoding
    does, at every mint, and not only at the first one."""
    tokens = TokenService(clock, Randomness(3), access_ttl=1800, refresh_ttl=3600.5)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(ValueError, match="format code 'd'"):
            tokens.mint_pair(GRANT)
        clock.advance(1)


def test_a_kept_head_never_serves_another_grant(clock: FrozenClock) -> None:
    tokens = service(clock)
    first = tokens.mint_pair(GRANT)
    other = tokens.mint_pair(Grant("client-1", 6, None, GRANT.scopes))
    team = tokens.mint_pair(Grant("client-1", None, 5, GRANT.scopes))
    assert claims_of(first.access_token)["userId"] == 5
    assert claims_of(other.access_token)["userId"] == 6
    assert (claims_of(team.refresh_token)["userId"], claims_of(team.refresh_token)["teamId"]) == (None, 5)
    assert claims_of(first.refresh_token)["token_type"] == "Refresh Token"


def test_refresh_secrets_are_the_seeded_draws_one_after_another(clock: FrozenClock) -> None:
    tokens = service(clock, seed=5)
    minted = [claims_of(tokens.mint_pair(GRANT).refresh_token)["secret"] for _ in range(70)]
    stream = Randomness(5)
    stream.token_hex(32)  # the signing key comes first
    assert minted == [stream.token_urlsafe(32) for _ in range(70)]


# -- rotation in one step (a shortcut: the same as the three steps one by one) ----------------

def _rotate_by_steps(tokens: TokenService, claims: Any) -> Any:
    """What a refresh did before ``rotate``: the row check, revoke, mint."""
    if claims.secret is not None and not tokens.refresh_row_exists(claims):
        return None
    tokens.revoke_refresh_tokens(claims.grant.client_id, claims.grant.user_id, claims.grant.team_id)
    return tokens.mint_pair(claims.grant)


_GRANTS = [Grant("c1", 1, None, ()), Grant("c1", 2, None, ("BOOKING_READ",)),
           Grant("c2", 1, None, ()), Grant("c1", None, 3, ()), Grant("c1", None, 4, ()),
           Grant("c1", 1, 9, ())]
_ROW_STEPS = st.lists(st.one_of(
    st.tuples(st.just("mint"), st.integers(0, len(_GRANTS) - 1)),
    st.tuples(st.just("advance"), st.sampled_from([1, 50, 100])),  # rows live 100 s
    st.tuples(st.just("revoke"), st.integers(0, len(_GRANTS) - 1)),
    st.tuples(st.just("rotate"), st.integers(0, 30)),
    st.tuples(st.just("rotate_legacy"), st.integers(0, 30)),
    st.tuples(st.just("verify"), st.integers(0, 30)),
    st.tuples(st.just("rotate_kept"), st.integers(0, 30)),
), max_size=30)


def _observed(tokens: TokenService, minted: list[str]) -> list[Any]:
    """Everything a later request could tell apart, and the sizes of the indexes."""
    seen: list[Any] = [tokens.sizes(), len(tokens._by_token), sorted(tokens._rows)]
    for token in minted:
        try:
            claims = tokens.verify_refresh(token)
        except TokenRejected as exc:
            seen.append(exc.reason)
            continue
        seen.append((claims, tokens.refresh_row_exists(claims)))
    seen.extend(tokens.valid_refresh_count(g.client_id, g.user_id) for g in _GRANTS)
    return seen


@settings(max_examples=150, deadline=None)
@given(_ROW_STEPS, st.integers(1, 3))
@example([("mint", 0), ("verify", 0), ("advance", 100), ("rotate_kept", 0)], 1)
@example([("mint", 0), ("mint", 0), ("rotate", 1), ("mint", 3), ("rotate", 3)], 2)
def test_a_rotation_in_one_step_leaves_what_the_three_steps_leave(
        steps: list[tuple[str, int]], cap: int) -> None:
    sides = []
    for rotate in (True, False):
        clock = FrozenClock()
        tokens = TokenService(clock, Randomness(3), access_ttl=30, refresh_ttl=100,
                              max_rows_per_user=cap)
        minted: list[str] = []
        kept: list[Any] = []  # claims verified earlier: their row may have expired since
        answers: list[Any] = []
        for name, number in steps:
            if name == "rotate_kept" and kept:
                pair = (tokens.rotate(kept[number % len(kept)]) if rotate
                        else _rotate_by_steps(tokens, kept[number % len(kept)]))
                answers.append(pair)
                if pair is not None:
                    minted.append(pair.refresh_token)
            elif name == "mint":
                minted.append(tokens.mint_pair(_GRANTS[number]).refresh_token)
            elif name == "advance":
                clock.advance(number)
            elif name == "revoke":
                grant = _GRANTS[number]
                answers.append(tokens.revoke_refresh_tokens(grant.client_id, grant.user_id,
                                                            grant.team_id))
            elif minted:
                try:
                    claims = tokens.verify_refresh(minted[number % len(minted)])
                except TokenRejected as exc:
                    answers.append(exc.reason)
                    continue
                if name == "verify":
                    kept.append(claims)
                    continue
                if name == "rotate_legacy":  # a token minted before rotation had no secret
                    claims = claims._replace(secret=None if number % 2 else "")
                pair = tokens.rotate(claims) if rotate else _rotate_by_steps(tokens, claims)
                answers.append(pair)
                if pair is not None:
                    minted.append(pair.refresh_token)
            answers.append(_observed(tokens, minted))
        sides.append(answers)
    assert sides[0] == sides[1]
