"""Clauses of the token requests: what is sent, and what is made of the answer."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from hypothesis import strategies as st

from mock_calcom.journal import JournalEntry, marker
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import expect_ok, refreshes
from mock_calcom_contracts.errors import ContractViolation, NotApplicable
from mock_calcom_contracts.harness import Harness, Suite, form, grant_type, is_exchange, is_refresh
from mock_calcom_contracts.strategies import scope_sets

#: Cal.com's token pipe: exactly these fields, anything else is 400 (docs/calcom-behaviour.md#token-endpoint).
CONFIDENTIAL_FIELDS = {
    "authorization_code": frozenset({"client_id", "grant_type", "code", "redirect_uri",
                                     "client_secret"}),
    "refresh_token": frozenset({"client_id", "grant_type", "refresh_token", "client_secret"}),
}
#: A PUBLIC client proves possession with the PKCE verifier; refresh needs no proof
#: (docs/calcom-behaviour.md#pkce-and-state).
PUBLIC_FIELDS = {
    "authorization_code": frozenset({"client_id", "grant_type", "code", "redirect_uri",
                                     "code_verifier"}),
    "refresh_token": frozenset({"client_id", "grant_type", "refresh_token"}),
}
#: base64url (no padding) of a SHA-256 digest: what an S256 ``code_challenge`` looks like.
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def _check_fields(h: Harness, entry: JournalEntry, mark: int) -> None:
    kind = grant_type(entry)
    if entry.request_body_kind not in ("form", "json"):
        raise ContractViolation(f"the token request body must be a form or JSON, got "
                                f"{entry.request_body_kind}", h.excerpt(mark))
    sent = frozenset(form(entry))
    public = h.client_secret is None
    expected = (PUBLIC_FIELDS if public else CONFIDENTIAL_FIELDS).get(kind or "")
    if expected is None:
        raise ContractViolation(f"unexpected grant_type {kind!r}", h.excerpt(mark))
    if sent != expected:
        extra, missing = sorted(sent - expected), sorted(expected - sent)
        wrong = "; ".join(part for part in (
            f"extra fields {extra} sent to the token endpoint" if extra else "",
            f"fields {missing} missing" if missing else "") if part)
        client = "a PUBLIC client's" if public else "the"
        raise ContractViolation(
            f"{wrong} in {client} {kind} request: Cal.com accepts exactly {sorted(expected)} "
            "and answers 400 to anything else (docs/calcom-behaviour.md#token-endpoint: whitelist, "
            "forbidNonWhitelisted)",
            h.excerpt(mark))
    fields = form(entry)
    if fields.get("client_id") != h.client_id:
        raise ContractViolation("client_id in the token request is not the client's", h.excerpt(mark))
    if kind == "authorization_code" and fields.get("redirect_uri") != h.redirect_uri:
        raise ContractViolation("redirect_uri in the code exchange is not the registered one",
                                h.excerpt(mark))
    if not public and fields.get("client_secret") != marker("client_secret"):
        raise ContractViolation("client_secret in the token request is not the client's secret",
                                h.excerpt(mark))
    if "authorization" in entry.request_headers:
        raise ContractViolation(
            "the token request carries an Authorization header: Cal.com reads the client "
            "credentials from the body only (docs/calcom-behaviour.md#token-endpoint, issue #24964)",
            h.excerpt(mark))


def _connect_and_refresh(h: Harness, scopes: frozenset[str]) -> None:
    """Connect, let the access token expire, call: every token request on the way carries
    exactly the whitelist of the client's kind, and the call after expiry works."""
    mark = h.mark()
    connection = h.connect(sorted(scopes))
    exchanges = [e for e in h.since(mark) if is_exchange(e)]
    if len(exchanges) != 1:
        raise ContractViolation(f"connecting sent {len(exchanges)} code exchanges, not one",
                                h.excerpt(mark))
    _check_fields(h, exchanges[0], mark)
    h.advance(h.fake.settings.access_token_ttl + 1)
    mark = h.mark()
    outcome = h.call(connection, endpoints.ME)
    # The fields first: a refresh Cal.com refused for an extra field must be reported as that
    # rule, not as the failed call it caused.
    for entry in h.since(mark):
        if entry.is_token_request:
            _check_fields(h, entry, mark)
    expect_ok(h, mark, outcome, "a call after expiry")
    if not any(is_refresh(e) for e in h.since(mark)):
        raise ContractViolation("no refresh request after the access token expired",
                                h.excerpt(mark))


@clause("EXCHANGE-FIELDS",
        "Token requests carry exactly Cal.com's whitelist (code: client_id, grant_type, code, "
        "redirect_uri, client_secret; refresh: client_id, grant_type, refresh_token, "
        "client_secret), the secret in the body only",
        "docs/calcom-behaviour.md#token-endpoint (whitelist + forbidNonWhitelisted, no Basic auth); RFC "
        "6749 §4.1.3, §6")
def exchange_fields(suite: Suite) -> None:
    @suite.given(scope_sets(required="PROFILE_READ"))
    def prop(scopes: frozenset[str]) -> None:
        with suite.scenario() as h:
            _connect_and_refresh(h, scopes)

    prop()


@clause("PUBLIC-CLIENT",
        "A PUBLIC client (no secret) uses S256 PKCE: a fresh code_challenge at authorize, the "
        "code_verifier instead of a secret at the exchange, and refreshes with client_id, "
        "grant_type and refresh_token only",
        "docs/calcom-behaviour.md#token-endpoint (public schemas), "
        "docs/calcom-behaviour.md#pkce-and-state (PKCE required for PUBLIC "
        "clients, S256 only); "
        "RFC 7636 §4")
def public_client(suite: Suite) -> None:
    @suite.given(scope_sets(required="PROFILE_READ"))
    def prop(scopes: frozenset[str]) -> None:
        with suite.scenario(client_type="PUBLIC") as h:
            if getattr(h.provider, "supports_public_clients", False) is not True:
                raise NotApplicable("the provider does not declare supports_public_clients = True")
            challenges = []
            for _ in range(2):
                url = h.authorization_url(sorted(scopes))
                query = parse_qs(urlsplit(url).query)
                challenge = query.get("code_challenge", [""])
                if query.get("code_challenge_method") != ["S256"] or len(challenge) != 1 \
                        or not _S256_CHALLENGE.fullmatch(challenge[0]):
                    raise ContractViolation(
                        "a PUBLIC client's authorize URL must carry code_challenge (S256 of a "
                        "verifier) and code_challenge_method=S256; Cal.com refuses it with "
                        f"pkce_required otherwise (docs/calcom-behaviour.md#pkce-and-state): {url}")
                challenges.append(challenge[0])
            if challenges[0] == challenges[1]:
                raise ContractViolation("two authorizations sent the same code_challenge: each "
                                        "needs a fresh verifier (RFC 7636 §4.1)")
            _connect_and_refresh(h, scopes)

    prop()


@clause("EXCHANGE-EXPIRY",
        "Token expiry is computed from expires_in on the injected clock: no refresh while the "
        "token is fresh, a refresh (before use) once it is due",
        "docs/calcom-behaviour.md#token-endpoint, docs/calcom-behaviour.md#tokens-and-lifetimes "
        "(expires_in:1800); RFC 6749 §5.1")
def exchange_expiry(suite: Suite) -> None:
    @suite.given(st.integers(min_value=700, max_value=4 * 3600), st.floats(0.0, 0.5))
    def prop(ttl: int, fresh_fraction: float) -> None:
        with suite.scenario(settings={"access_token_ttl": ttl}) as h:
            connection = h.connect(["PROFILE_READ"])
            issued = h.now()
            h.advance(ttl * fresh_fraction)
            mark = h.mark()
            expect_ok(h, mark, h.call(connection, endpoints.ME), "a call with a fresh token")
            if refreshes(h, mark):
                raise ContractViolation(
                    f"refreshed a token with {ttl - (h.now() - issued):.0f} s of its {ttl} s left "
                    "(expires_in was ignored, or every call refreshes)", h.excerpt(mark))
            h.advance(issued + ttl + 1 - h.now())
            mark = h.mark()
            expect_ok(h, mark, h.call(connection, endpoints.ME), "a call after expiry")
            if refreshes(h, mark) != 1:
                raise ContractViolation(
                    f"expected one refresh once the {ttl} s token (expires_in={ttl}) expired, "
                    f"got {refreshes(h, mark)}", h.excerpt(mark))

    prop()


@clause("EXPIRES-IN-MISSING",
        "A token response without expires_in is not taken as 'never expires': once Cal.com's "
        "30 minutes are over, calls still succeed",
        "docs/calcom-behaviour.md#tokens-and-lifetimes, issue #24840 (apps kept expired tokens); "
        "RFC 6749 §5.1 (expires_in only RECOMMENDED)")
def expires_in_missing(suite: Suite) -> None:
    @suite.given(st.integers(min_value=1801, max_value=20 * 24 * 3600))
    def prop(wait: int) -> None:
        with suite.scenario() as h:
            scopes = ["PROFILE_READ", "BOOKING_READ"]
            callback = h.authorize(scopes)
            body = h.mint_tokens("owner", scopes)
            del body["expires_in"]
            h.token_fault(status=200, body=body, times=1,
                          headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
            mark = h.mark()
            outcome = h.complete(callback)
            if not outcome.ok:
                raise ContractViolation(f"a token response without expires_in broke the exchange: "
                                        f"{outcome.describe()}", h.excerpt(mark))
            connection = outcome.value
            h.advance(wait)
            # Bookings first: an expired token gets 403 there, not 401 (issue #24840), so a
            # provider that only reacts to 401 keeps failing.
            for endpoint in (endpoints.BOOKINGS, endpoints.ME):
                mark = h.mark()
                expect_ok(h, mark, h.call(connection, endpoint),
                          f"{endpoint} {wait} s after a token response without expires_in")

    prop()
