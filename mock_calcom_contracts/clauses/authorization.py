"""Clauses of the browser leg: the authorize URL, the callback, and what Cal.com refuses there."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from hypothesis import strategies as st

from mock_calcom.model.scopes import KNOWN_SCOPES, USER_SCOPES
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import expect, no_token_request, token_request_count
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import BrowserVisit, Harness, Suite, is_exchange, with_query
from mock_calcom_contracts.strategies import scope_sets

#: ``split(/[, ]+/)``: how Cal.com reads the scope parameter (constants.ts @e29cf559).
_SCOPE_SPLIT = re.compile(r"[, ]+")
#: A state shorter than this, or with fewer distinct characters, is guessable.
MIN_STATE_LENGTH = 16
MIN_STATE_DISTINCT = 10


def _one(query: dict[str, list[str]], name: str, url: str) -> str | None:
    values = query.get(name)
    if values is None:
        return None
    if len(values) != 1:
        raise ContractViolation(f"the authorize URL repeats {name!r}: {url}")
    return values[0]


def _no_redirect(expected: str, visit: BrowserVisit) -> ContractViolation:
    return ContractViolation(f"Cal.com did not redirect back with {expected} (is the authorize "
                             f"URL right?): {visit.callback_url or visit.page[:300]}")


def _refresh_refused(h: Harness, scopes: frozenset[str], who: str, status: str,
                     outcome: str) -> str:
    """Connect ``who`` while the client is APPROVED, move the client to ``status`` and let the
    access token expire: the next call's refresh must be refused as ``outcome`` after one token
    request. Returns the connection."""
    h.set_client_status("APPROVED")
    connection = h.connect(sorted(scopes), who=who)
    h.set_client_status(status)
    h.advance(h.fake.settings.access_token_ttl + 1)
    mark = h.mark()
    expect(h, mark, h.call(connection, endpoints.ME), outcome,
           f"a refresh while the client is {status}")
    token_request_count(h, mark, 1, "a client status error does not go away by retrying")
    return connection


@clause("AUTHZ-URL",
        "The authorize URL names Cal.com's endpoint, the client, the exact registered "
        "redirect_uri, RESOURCE_ACTION scopes, a fresh unguessable state, and no PKCE for a "
        "confidential client",
        "docs/calcom-behaviour.md#authorize-page, docs/calcom-behaviour.md#scopes, "
        "docs/calcom-behaviour.md#pkce-and-state; RFC 6749 §4.1.1, §10.10, §10.12")
def authorize_url(suite: Suite) -> None:
    @suite.given(scope_sets())
    def prop(scopes: frozenset[str]) -> None:
        with suite.scenario() as h:
            expected = urlsplit(h.env.authorize_url)
            states = []
            # The drawn scopes, then all of them: every scope must be spelt RESOURCE_ACTION.
            for asked in (scopes, frozenset(USER_SCOPES)):
                url = h.authorization_url(sorted(asked))
                parts = urlsplit(url)
                if (parts.scheme, parts.netloc, parts.path) != (
                        expected.scheme, expected.netloc, expected.path):
                    raise ContractViolation(f"the authorize URL {url} is not Cal.com's "
                                            f"authorize endpoint {h.env.authorize_url}")
                query = parse_qs(parts.query, keep_blank_values=True)
                if _one(query, "client_id", url) != h.client_id:
                    raise ContractViolation(f"client_id is missing or wrong in {url}")
                if _one(query, "redirect_uri", url) != h.redirect_uri:
                    raise ContractViolation(
                        f"redirect_uri must be exactly the registered {h.redirect_uri!r} "
                        f"(Cal.com compares strings), got {query.get('redirect_uri')}")
                raw_scope = _one(query, "scope", url) or ""
                sent = {s for s in _SCOPE_SPLIT.split(raw_scope) if s}
                if sent != set(asked) or not sent <= KNOWN_SCOPES:
                    raise ContractViolation(
                        f"asked for scopes {sorted(asked)}, the URL requests {raw_scope!r} "
                        "(Cal.com scopes are RESOURCE_ACTION, e.g. BOOKING_READ)")
                for pkce in ("code_challenge", "code_challenge_method"):
                    if pkce in query and h.env.client_secret is not None:
                        raise ContractViolation(
                            f"{pkce} sent by a confidential client: Cal.com's token endpoint "
                            "then demands a code_verifier, which it forbids next to "
                            "client_secret (docs/calcom-behaviour.md#pkce-and-state)")
                state = _one(query, "state", url)
                if not state:
                    raise ContractViolation(f"the authorize URL carries no state: {url}")
                if len(state) < MIN_STATE_LENGTH or len(set(state)) < MIN_STATE_DISTINCT:
                    raise ContractViolation(f"state {state!r} is guessable: use at least 128 "
                                            "random bits (RFC 6749 §10.10)")
                states.append(state)
            if states[0] == states[1]:
                raise ContractViolation(f"two authorizations used the same state {states[0]!r}: "
                                        "a state must be fresh for every authorization")
            mark = h.mark()
            visit = h.visit(h.authorization_url(sorted(scopes)))
            query = visit.callback_query
            if visit.callback_url is None or "code" not in query:
                raise ContractViolation("Cal.com did not accept the authorize URL: "
                                        f"{visit.callback_url or visit.page[:200]}", h.excerpt(mark))

    prop()


@clause("STATE-CSRF",
        "A callback whose state is forged, missing or already used is refused as StateMismatch "
        "without any token request",
        "docs/calcom-behaviour.md#pkce-and-state (Cal.com echoes state, never checks it); RFC 6749 §10.12")
def state_csrf(suite: Suite) -> None:
    forged_states = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                            min_size=20, max_size=48)

    @suite.given(scope_sets(), forged_states)
    def prop(scopes: frozenset[str], forged: str) -> None:
        with suite.scenario() as h:
            for variant in ("forged", "missing"):
                callback = h.authorize(sorted(scopes))
                state = parse_qs(urlsplit(callback).query).get("state", [""])[0]
                bad = with_query(callback,
                                  state=None if variant == "missing" else forged + (
                                      "x" if forged == state else ""))
                mark = h.mark()
                outcome = h.complete(bad)
                expect(h, mark, outcome, "StateMismatch",
                        f"a callback with a {variant} state")
                no_token_request(h, mark, f"the callback's state was {variant}")
            callback = h.authorize(sorted(scopes))
            mark = h.mark()
            first = h.complete(callback)
            if not first.ok:
                raise ContractViolation(f"a genuine callback failed: {first.describe()}",
                                        h.excerpt(mark))
            mark = h.mark()
            replay = h.complete(callback)
            expect(h, mark, replay, "StateMismatch",
                    "the same callback delivered twice (a state is single use)")
            no_token_request(h, mark, "the replayed callback's state was already used")

    prop()


@clause("DENIAL",
        "When the user presses Deny, complete() raises AccessDenied and sends no token request",
        "docs/calcom-behaviour.md#authorize-page (Deny redirects with error=access_denied); RFC 6749 "
        "§4.1.2.1")
def denial(suite: Suite) -> None:
    @suite.given(scope_sets(), st.sampled_from(["owner", "member"]))
    def prop(scopes: frozenset[str], who: str) -> None:
        with suite.scenario() as h:
            visit = h.visit(h.authorization_url(sorted(scopes)), who=who, consent="deny")
            if visit.callback_url is None or visit.callback_query.get("error") != ["access_denied"]:
                raise _no_redirect("access_denied", visit)
            mark = h.mark()
            outcome = h.complete(visit.callback_url)
            expect(h, mark, outcome, "AccessDenied", "the user denied access")
            no_token_request(h, mark, "the user denied access")

    prop()


@clause("SCOPE-REJECTED",
        "Scopes beyond the client's registration are refused at authorize: complete() raises "
        "InvalidScope and sends no token request",
        "docs/calcom-behaviour.md#authorize-page, docs/calcom-behaviour.md#scopes "
        "(scope_exceeds_client_registration is redirected)")
def scope_rejected(suite: Suite) -> None:
    @suite.given(st.data())
    def prop(data: st.DataObject) -> None:
        registered = data.draw(st.sets(st.sampled_from(USER_SCOPES), min_size=1,
                                       max_size=len(USER_SCOPES) - 1), label="registered")
        outside = sorted(set(USER_SCOPES) - registered)
        extra = data.draw(st.sets(st.sampled_from(outside), min_size=1), label="beyond")
        inside = data.draw(st.sets(st.sampled_from(sorted(registered))), label="within")
        with suite.scenario(client_scopes=sorted(registered)) as h:
            visit = h.visit(h.authorization_url(sorted(inside | extra)))
            if visit.callback_url is None or "error" not in visit.callback_query:
                raise _no_redirect("a scope error", visit)
            mark = h.mark()
            outcome = h.complete(visit.callback_url)
            expect(h, mark, outcome, "InvalidScope",
                    f"Cal.com refused scopes {sorted(extra)} (registered: {sorted(registered)})")
            no_token_request(h, mark, "Cal.com refused the scopes at authorize")

    prop()


@clause("PENDING-CLIENT",
        "A client back in review (PENDING) is surfaced as ClientNotApproved for other users, "
        "at the code exchange and at refresh, with one token request and no retry loop; the "
        "tokens survive for when it is approved again",
        "docs/calcom-behaviour.md#client-status (ensureClientAccessAllowed), issue #26474")
def pending_client(suite: Suite) -> None:
    @suite.given(scope_sets(required="PROFILE_READ"))
    def prop(scopes: frozenset[str]) -> None:
        with suite.scenario() as h:
            # Exchange: the member allowed access, then the client went back to review.
            callback = h.authorize(sorted(scopes), who="member")
            h.set_client_status("PENDING")
            mark = h.mark()
            outcome = h.complete(callback)
            expect(h, mark, outcome, "ClientNotApproved",
                    "the code exchange for a PENDING client")
            token_request_count(h, mark, 1, "a client status error does not go away by retrying")
            # Refresh: a working connection, then the client goes back to review.
            connection = _refresh_refused(h, scopes, "member", "PENDING", "ClientNotApproved")
            h.set_client_status("APPROVED")
            mark = h.mark()
            outcome = h.call(connection, endpoints.ME)
            if not outcome.ok:
                raise ContractViolation(
                    "once the client was approved again the connection should work (its refresh "
                    f"token was never revoked), got {outcome.describe()}", h.excerpt(mark))

    prop()


@clause("PENDING-OWNER",
        "While the client is PENDING its owner can still connect, call the API and refresh, "
        "even after other users were refused as not approved",
        "docs/calcom-behaviour.md#client-status (owner test access while pending), issue #26474")
def pending_owner(suite: Suite) -> None:
    @suite.given(scope_sets(required="PROFILE_READ"))
    def prop(scopes: frozenset[str]) -> None:
        with suite.scenario() as h:
            # Another user's code exchange is refused first: PENDING is decided per user by
            # Cal.com, so the provider must not conclude the client is unusable for everyone.
            callback = h.authorize(sorted(scopes), who="member")
            h.set_client_status("PENDING")
            mark = h.mark()
            expect(h, mark, h.complete(callback), "ClientNotApproved",
                   "the member's code exchange for a PENDING client")
            connection = h.connect(sorted(scopes), who="owner")
            for _ in range(2):
                mark = h.mark()
                outcome = h.call(connection, endpoints.ME)
                if not outcome.ok or outcome.response.status != 200:
                    raise ContractViolation(f"the owner's call on a PENDING client gave "
                                            f"{outcome.describe()}", h.excerpt(mark))
                h.advance(h.fake.settings.access_token_ttl + 1)

    prop()


@clause("REJECTED-CLIENT",
        "A REJECTED client is surfaced as ClientRejected at the code exchange and at refresh, "
        "with one token request and no retry (at authorize Cal.com shows the error on its page "
        "and never calls back)",
        "docs/calcom-behaviour.md#authorize-page, docs/calcom-behaviour.md#client-status "
        "(client_rejected, even for the owner)")
def rejected_client(suite: Suite) -> None:
    @suite.given(scope_sets(required="PROFILE_READ"), st.sampled_from(["owner", "member"]))
    def prop(scopes: frozenset[str], who: str) -> None:
        with suite.scenario(client_status="APPROVED") as h:
            callback = h.authorize(sorted(scopes), who=who)
            h.set_client_status("REJECTED")
            mark = h.mark()
            outcome = h.complete(callback)
            expect(h, mark, outcome, "ClientRejected",
                   "the code exchange for a REJECTED client")
            if len([e for e in h.since(mark) if is_exchange(e)]) != 1:
                raise ContractViolation("expected exactly one code exchange", h.excerpt(mark))
            _refresh_refused(h, scopes, who, "REJECTED", "ClientRejected")

    prop()
