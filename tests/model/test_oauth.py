"""OAuthService: Cal.com's check order, and the issue's properties of codes and refresh tokens.

Property (a): a code redeems at most once, whatever the interleaving of exchange attempts,
and each attempt gets exactly the answer Cal.com's check order gives.
Property (c): refresh rotation leaves one valid refresh token per (client, user). Cal.com's
exchange only *adds* a refresh row (OAuthService.exchangeCodeForTokens @027e9710), so a fresh
authorization makes a second valid one until the next refresh; the machine below checks the
exact rule: valid refresh tokens of a pair are the last rotation's plus those minted by
exchanges since, and right after a refresh only the new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from mock_calcom.errors import OAuthError
from mock_calcom.model.clients import OAuthClient
from mock_calcom.model.clock import FrozenClock
from mock_calcom.model.oauth import AuthorizeRequest, s256
from mock_calcom.model.scopes import KNOWN_SCOPES
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import TokenPair, TokenRejected
from mock_calcom.settings import Settings

REDIRECT = "https://app.example.com/callback"
OTHER_REDIRECT = "https://app.example.com/elsewhere"
VERIFIER = "correct-horse-battery-staple-correct-horse-battery-staple-0001"


def new_model() -> CalcomModel:
    return CalcomModel(Settings(seed=11), FrozenClock())


def make_client(model: CalcomModel, kind: str, owner: int) -> tuple[OAuthClient, str | None]:
    return model.clients.create(
        name=kind, redirect_uris=[REDIRECT, OTHER_REDIRECT], scopes=["BOOKING_READ"],
        client_type="PUBLIC" if kind == "public" else "CONFIDENTIAL", owner_user_id=owner)


def issue_code(model: CalcomModel, client: OAuthClient, user_id: int, *,
               pkce: bool = False) -> str:
    request = AuthorizeRequest(
        client_id=client.client_id, redirect_uri=REDIRECT, scope="BOOKING_READ",
        code_challenge=s256(VERIFIER) if pkce or client.is_public else None,
        code_challenge_method="S256" if pkce or client.is_public else None)
    return model.oauth.approve(model.oauth.validate_authorize(request, user_id), user_id)


def reason(call: object) -> str:
    assert callable(call)
    try:
        call()
    except OAuthError as exc:
        return exc.description
    return "ok"


# -- check order -----------------------------------------------------------------------------


def test_authorize_checks_the_client_then_the_redirect_then_access_then_scopes() -> None:
    model = new_model()
    owner = model.create_user("owner")
    client, _ = make_client(model, "confidential", owner.id)
    model.clients.update(client.client_id, status="REJECTED")

    def check(**changes: str | None) -> str:
        fields: dict[str, str | None] = {"client_id": client.client_id, "redirect_uri": REDIRECT,
                                         "scope": "NOT_A_SCOPE"}
        fields.update(changes)
        return reason(lambda: model.oauth.validate_authorize(AuthorizeRequest(**fields), owner.id))

    assert check(client_id="nope", redirect_uri="https://x.example") == "client_not_found"
    assert check(redirect_uri="https://x.example") == "redirect_uri_mismatch"
    assert check() == "client_rejected"
    model.clients.update(client.client_id, status="APPROVED")
    assert check() == "unknown_scope"


def test_redirectable_errors_are_exactly_the_ones_cal_com_redirects() -> None:
    model = new_model()
    owner = model.create_user("owner")
    bob = model.create_user("bob")
    client, _ = make_client(model, "public", owner.id)
    pending, _ = make_client(model, "confidential", owner.id)
    model.clients.update(pending.client_id, status="PENDING")
    cases = {
        ("nope", REDIRECT, "BOOKING_READ", bob.id): ("client_not_found", False),
        (client.client_id, "https://x.example", "BOOKING_READ", bob.id):
            ("redirect_uri_mismatch", False),
        (client.client_id, REDIRECT, None, bob.id): ("scope_required", False),
        (pending.client_id, REDIRECT, "BOOKING_READ", bob.id): ("client_not_approved", False),
        (client.client_id, REDIRECT, "NOPE", bob.id): ("unknown_scope", True),
        (client.client_id, REDIRECT, "PROFILE_READ", bob.id):
            ("scope_exceeds_client_registration", True),
    }
    for (client_id, redirect_uri, scope, user_id), (expected, redirectable) in cases.items():
        with pytest.raises(OAuthError) as caught:
            model.oauth.validate_authorize(
                AuthorizeRequest(client_id=client_id, redirect_uri=redirect_uri, scope=scope),
                user_id)
        assert (caught.value.description, caught.value.redirectable) == (expected, redirectable)


def test_a_rejected_client_is_not_redirectable_at_authorize() -> None:
    model = new_model()
    owner = model.create_user("owner")
    client, _ = make_client(model, "confidential", owner.id)
    model.clients.update(client.client_id, status="REJECTED")
    with pytest.raises(OAuthError) as caught:
        model.oauth.validate_authorize(
            AuthorizeRequest(client_id=client.client_id, redirect_uri=REDIRECT,
                             scope="BOOKING_READ"), owner.id)
    assert (caught.value.description, caught.value.redirectable) == ("client_rejected", False)


def test_pkce_is_checked_when_approving_not_when_validating() -> None:
    model = new_model()
    owner = model.create_user("owner")
    client, _ = make_client(model, "public", owner.id)
    valid = model.oauth.validate_authorize(
        AuthorizeRequest(client_id=client.client_id, redirect_uri=REDIRECT, scope="BOOKING_READ"),
        owner.id)
    with pytest.raises(OAuthError) as caught:
        model.oauth.approve(valid, owner.id)
    assert (caught.value.description, caught.value.redirectable) == ("pkce_required", True)


def test_an_empty_redirect_uri_skips_the_token_endpoint_check() -> None:
    # ``if (redirectUri && ...)`` in exchangeCodeForTokens: "" is falsy in JavaScript.
    model = new_model()
    owner = model.create_user("owner")
    client, secret = make_client(model, "confidential", owner.id)
    code = issue_code(model, client, owner.id)
    pair = model.oauth.exchange(client_id=client.client_id, code=code, redirect_uri="",
                                client_secret=secret, code_verifier=None)
    assert pair.scopes == ("BOOKING_READ",)


def test_a_revoked_refresh_token_of_a_rejected_client_answers_client_rejected() -> None:
    model = new_model()
    owner = model.create_user("owner")
    client, secret = make_client(model, "confidential", owner.id)
    first = model.oauth.exchange(client_id=client.client_id,
                                 code=issue_code(model, client, owner.id), redirect_uri=REDIRECT,
                                 client_secret=secret, code_verifier=None)
    model.oauth.refresh(client_id=client.client_id, refresh_token=first.refresh_token,
                        client_secret=secret)
    model.clients.update(client.client_id, status="REJECTED")
    assert reason(lambda: model.oauth.refresh(
        client_id=client.client_id, refresh_token=first.refresh_token,
        client_secret=secret)) == "client_rejected"


# -- property (a): a code redeems at most once -----------------------------------------------


@dataclass(frozen=True)
class Attempt:
    secret_ok: bool
    redirect_ok: bool
    verifier: str  # "right", "wrong" or "none"


_ATTEMPTS = st.lists(
    st.one_of(
        st.builds(Attempt, st.booleans(), st.booleans(), st.sampled_from(["right", "wrong", "none"])),
        st.floats(min_value=0, max_value=400, allow_nan=False),
    ),
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(["confidential", "confidential_pkce", "public"]), steps=_ATTEMPTS)
def test_a_code_redeems_at_most_once_in_any_interleaving(
    kind: str, steps: list[Attempt | float],
) -> None:
    model = new_model()
    owner = model.create_user("owner")
    client, secret = make_client(model, "public" if kind == "public" else "confidential", owner.id)
    code = issue_code(model, client, owner.id, pkce=kind == "confidential_pkce")
    expires_at = model.clock.now() + model.settings.code_ttl
    needs_pkce = kind != "confidential"
    burned = False
    successes = 0
    for step in steps:
        if isinstance(step, float):
            model.clock.advance(step)
            continue
        verifier = {"right": VERIFIER, "wrong": "not-it", "none": None}[step.verifier]
        presented = (secret if step.secret_ok else "wrong") if not client.is_public else (
            None if step.secret_ok else "ignored-for-public-clients")
        got = reason(lambda s=step, p=presented, v=verifier: model.oauth.exchange(
            client_id=client.client_id, code=code,
            redirect_uri=REDIRECT if s.redirect_ok else "https://x.example/cb",
            client_secret=p, code_verifier=v))
        # Cal.com's order: redirect_uri, client secret, code lookup (which burns), PKCE.
        if not step.redirect_ok:
            expected = "redirect_uri_mismatch"
        elif not client.is_public and not step.secret_ok:
            expected = "invalid_client_credentials"
        elif burned or model.clock.now() >= expires_at:
            expected, burned = "code_invalid_or_expired", True
        else:
            burned = True
            if needs_pkce and verifier is None:
                expected = "pkce_missing_parameters_or_invalid_method"
            elif needs_pkce and verifier != VERIFIER:
                expected = "pkce_verification_failed"
            else:
                expected = "ok"
        assert got == expected
        successes += got == "ok"
    assert successes <= 1


# -- property (c): one valid refresh token per (client, user) after rotation -----------------


class RefreshRotation(RuleBasedStateMachine):
    tokens = Bundle("refresh_tokens")

    def __init__(self) -> None:
        super().__init__()
        self.model = new_model()
        users = [self.model.create_user("ann"), self.model.create_user("bob")]
        self.user_ids = [u.id for u in users]
        self.clients = [make_client(self.model, "confidential", users[0].id),
                        make_client(self.model, "public", users[0].id)]
        #: Per (client index, user id): the refresh tokens Cal.com would still accept.
        self.allowed: dict[tuple[int, int], set[str]] = {}
        self.issued: dict[tuple[int, int], list[str]] = {}

    def _accepts(self, token: str) -> bool:
        try:
            claims = self.model.tokens.verify_refresh(token)
        except TokenRejected:
            return False
        return self.model.tokens.refresh_row_exists(claims)

    @rule(target=tokens, client=st.integers(0, 1), user=st.integers(0, 1))
    def authorize(self, client: int, user: int) -> tuple[int, int, str]:
        oauth_client, secret = self.clients[client]
        user_id = self.user_ids[user]
        pair = self.model.oauth.exchange(
            client_id=oauth_client.client_id,
            code=issue_code(self.model, oauth_client, user_id), redirect_uri=REDIRECT,
            client_secret=secret, code_verifier=VERIFIER if oauth_client.is_public else None)
        self.allowed.setdefault((client, user_id), set()).add(pair.refresh_token)
        self.issued.setdefault((client, user_id), []).append(pair.refresh_token)
        return client, user_id, pair.refresh_token

    @rule(target=tokens, held=tokens)
    def refresh(self, held: tuple[int, int, str]) -> tuple[int, int, str]:
        client, user_id, token = held
        oauth_client, secret = self.clients[client]
        was_allowed = token in self.allowed.get((client, user_id), set())
        outcome: TokenPair | str
        try:
            outcome = self.model.oauth.refresh(client_id=oauth_client.client_id,
                                               refresh_token=token, client_secret=secret)
        except OAuthError as exc:
            outcome = exc.description
        if isinstance(outcome, str):
            assert not was_allowed, outcome
            assert outcome in ("refresh_token_revoked", "invalid_refresh_token")
            return held
        pair = outcome
        assert was_allowed
        self.allowed[(client, user_id)] = {pair.refresh_token}
        self.issued[(client, user_id)].append(pair.refresh_token)
        valid = [t for t in self.issued[(client, user_id)] if self._accepts(t)]
        assert valid == [pair.refresh_token]
        return client, user_id, pair.refresh_token

    @rule(client=st.integers(0, 1), user=st.integers(0, 1))
    def revoke(self, client: int, user: int) -> None:
        user_id = self.user_ids[user]
        self.model.tokens.revoke_refresh_tokens(self.clients[client][0].client_id, user_id)
        self.allowed[(client, user_id)] = set()

    @rule(days=st.integers(0, 20))
    def wait(self, days: int) -> None:
        self.model.clock.advance(days * 24 * 3600)
        for allowed in self.allowed.values():
            allowed.intersection_update({t for t in allowed if self._accepts(t)})

    @invariant()
    def only_rotation_and_later_exchanges_are_valid(self) -> None:
        for pair, issued in self.issued.items():
            valid = {t for t in issued if self._accepts(t)}
            assert valid <= self.allowed.get(pair, set())


RefreshRotation.TestCase.settings = settings(max_examples=40, stateful_step_count=20,
                                             deadline=None)
TestRefreshRotation = RefreshRotation.TestCase


# -- the remembered scope verdict (a shortcut: it must judge as the checks written out do) ----

def _reference_scopes(registered: list[str], raw: str | None) -> tuple[str, ...] | tuple[str, bool]:
    """``_authorize_scopes`` as it read before its verdicts were remembered."""
    requested = [part for part in re.split(r"[, ]+", raw) if part] if raw else []
    legacy = all(s in {"READ_BOOKING", "READ_PROFILE"} for s in registered)
    if not requested and not legacy:
        return ("scope_required", False)
    if any(s not in KNOWN_SCOPES for s in requested):
        return ("unknown_scope", True)
    if not legacy and any(s not in registered for s in requested):
        return ("scope_exceeds_client_registration", True)
    return tuple(requested) if requested else tuple(registered)


_SOME_SCOPES = ["BOOKING_READ", "BOOKING_WRITE", "READ_BOOKING", "READ_PROFILE", "NOT_A_SCOPE"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_SOME_SCOPES[:4]), unique=True, max_size=3),
       st.one_of(st.none(), st.lists(st.sampled_from([*_SOME_SCOPES, ",", " ", ""]), max_size=4)
                 .map(" ".join)),
       st.booleans())
def test_an_authorize_gets_the_scope_verdict_the_checks_give_every_time(
        registered: list[str], raw: str | None, long: bool) -> None:
    model = new_model()
    client, _ = model.clients.create(name="c", redirect_uris=[REDIRECT], scopes=registered,
                                     client_type="CONFIDENTIAL", owner_user_id=1)
    if long and raw is not None:
        raw = raw + " " * 1100  # past the remembered length: judged every time
    expected = _reference_scopes(registered, raw)
    for _ in range(2):  # the second is answered from memory
        request = AuthorizeRequest(client_id=client.client_id, redirect_uri=REDIRECT, scope=raw)
        try:
            got: tuple[str, ...] | tuple[str, bool] = model.oauth.validate_authorize(request, 1).scopes
        except OAuthError as exc:
            got = (exc.description, exc.redirectable)
        assert got == expected


def test_a_remembered_scope_verdict_follows_a_change_of_the_clients_scopes() -> None:
    model = new_model()
    client, _ = model.clients.create(name="c", redirect_uris=[REDIRECT], scopes=["BOOKING_READ"],
                                     client_type="CONFIDENTIAL", owner_user_id=1)
    request = AuthorizeRequest(client_id=client.client_id, redirect_uri=REDIRECT,
                               scope="BOOKING_WRITE")
    assert reason(lambda: model.oauth.validate_authorize(request, 1)) == (
        "scope_exceeds_client_registration")
    client.scopes = ["BOOKING_READ", "BOOKING_WRITE"]
    assert model.oauth.validate_authorize(request, 1).scopes == ("BOOKING_WRITE",)


@pytest.mark.parametrize("status", ["APPROVED", "PENDING", "REJECTED"])
@pytest.mark.parametrize("as_owner", [True, False])
def test_a_valid_authorization_holds_each_field_of_the_request_under_its_name(
        status: str, as_owner: bool) -> None:
    from mock_calcom.model.clients import ClientStatus
    from mock_calcom.model.oauth import ValidAuthorization

    model = new_model()
    owner, other = model.create_user("owner"), model.create_user("other")
    client, _ = make_client(model, "confidential", owner.id)
    client.status = ClientStatus(status)
    request = AuthorizeRequest(client_id=client.client_id, redirect_uri=OTHER_REDIRECT,
                               scope="BOOKING_READ", state="st", code_challenge="ch",
                               code_challenge_method="S256")
    user = owner if as_owner else other
    valid = reason(lambda: model.oauth.validate_authorize(request, user.id))
    if status == "REJECTED" or (status == "PENDING" and not as_owner):
        assert valid in ("client_rejected", "client_not_approved")
        return
    assert model.oauth.validate_authorize(request, user.id) == ValidAuthorization(
        client=client, redirect_uri=OTHER_REDIRECT, scopes=("BOOKING_READ",), state="st",
        code_challenge="ch", code_challenge_method="S256")
