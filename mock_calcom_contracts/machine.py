"""The stateful suite: random programs of connects, calls, bursts, clock jumps, client status
changes, revocations and faults, every step judged against the oracle and the journal.

Each step is judged in three ways:

1. **Cal.com's answers**: every token and API request of the step is replayed, in arrival
   order, against :class:`~mock_calcom_contracts.oracle.CalcomOracle`; the fake's real answer must be the
   one the model predicts for a provider holding the right tokens. A refresh refused as
   revoked where the current refresh token would pass means the provider sent a stale one.
2. **The provider's choices**: no refresh while the token has more than
   :data:`~mock_calcom_contracts.harness.EARLY_REFRESH_WINDOW` seconds left, no refresh after a
   successful one in the same step (single flight), never an expired token to the API, the
   journal's hygiene rules on every request.
3. **The outcome**: what the provider returned or raised must be what Cal.com's last answer
   means (:func:`~mock_calcom_contracts.oracle.expected_outcome`).

A violation names the clause whose rule it breaks (``[ROTATION] ...``), so a shrunk program
reads as a reproducer for that clause.
"""

from __future__ import annotations

import itertools
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mock_calcom.journal import JournalEntry
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses.hygiene import api_host_of, secret_problem, token_problem
from mock_calcom_contracts.endpoints import Endpoint
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import (
    EARLY_REFRESH_WINDOW,
    Harness,
    Outcome,
    Suite,
    error_message,
    is_api,
    is_exchange,
    is_refresh,
    rejected_token,
)
from mock_calcom_contracts.oracle import CalcomOracle, Connection, expected_outcome

USERS = ("owner", "member")
#: The client leaves one user scope unregistered, so asking for it is an InvalidScope.
UNREGISTERED = "APPS_WRITE"
REGISTERED = tuple(s for s in USER_SCOPES if s != UNREGISTERED)
#: Real seconds a burst's refresh is held back, so racing threads overlap.
BURST_LATENCY = 0.05

#: The clause whose rule an unexpected outcome breaks, by the outcome that was due.
_CLAUSE_OF_OUTCOME = {
    "ReauthorizationRequired": "REFRESH-INVALID-GRANT",
    "UpstreamError": "REFRESH-5XX",
    "ClientRejected": "REJECTED-CLIENT",
    "ClientNotApproved": "PENDING-CLIENT",
    "InsufficientScope": "INSUFFICIENT-SCOPE",
    "InvalidScope": "SCOPE-REJECTED",
    "ok": "STATEFUL",
}
#: The clause whose rule forgetting a connection after this refresh failure breaks.
_CLAUSE_OF_FAILURE = {
    "server_error": "REFRESH-5XX",
    "dropped": "REFRESH-5XX",
    "client_rejected": "REJECTED-CLIENT",
    "client_not_approved": "PENDING-CLIENT",
}
_ENDPOINT_OF = {(e.method, e.path): e for e in endpoints.ALL}

#: Scopes a user grants: within the registration, or now and then one beyond it.
_granted = st.frozensets(st.sampled_from(REGISTERED), min_size=1)
_requested = st.one_of(_granted, _granted, _granted, _granted.map(lambda s: s | {UNREGISTERED}))
#: Changes of the world, APPROVED weighted up so that clients spend time usable.
_CHANGES = ("status:APPROVED", "status:APPROVED", "status:PENDING", "status:REJECTED",
            "revoke:owner", "revoke:member", "token:server_error", "token:dropped",
            "api:server_error")
_waits = st.one_of(
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=1500, max_value=2000),
    st.integers(min_value=1800, max_value=3600),
    st.integers(min_value=3600, max_value=3 * 86_400),
    st.integers(min_value=29 * 86_400, max_value=40 * 86_400),
)


def token_answer(entry: JournalEntry) -> str:
    """Cal.com's answer to a token request, as an oracle answer kind."""
    if entry.status is None:
        return "dropped"
    if entry.status >= 500:
        return "server_error"
    if entry.status == 200:
        return "ok"
    body = entry.response_body if isinstance(entry.response_body, dict) else {}
    error, reason = body.get("error"), body.get("error_description")
    if error == "unauthorized_client" and reason in ("client_rejected", "client_not_approved"):
        return str(reason)
    return str(error) if isinstance(error, str) else f"http_{entry.status}"


def api_answer(entry: JournalEntry) -> str:
    """Cal.com's answer to an API request, as an oracle answer kind."""
    if entry.status is None:
        return "dropped"
    if entry.status >= 500:
        return "server_error"
    if rejected_token(entry):
        return "expired"
    if entry.status == 403 and error_message(entry).startswith("insufficient_scope"):
        return "insufficient_scope"
    if entry.status in (200, 201):
        return "ok"
    return f"http_{entry.status}"


class CalcomMachine(RuleBasedStateMachine):
    """One program against one fresh scenario; :func:`machine_for` binds it to a suite."""

    suite: ClassVar[Suite]

    connections = Bundle("connections")

    def __init__(self) -> None:
        super().__init__()
        self._scenario: AbstractContextManager[Harness] = self.suite.scenario(
            client_scopes=REGISTERED)
        self.h = self._scenario.__enter__()
        settings = self.h.fake.settings
        self.oracle = CalcomOracle(owner="owner", registered=frozenset(REGISTERED),
                                   access_ttl=settings.access_token_ttl,
                                   refresh_ttl=settings.refresh_token_ttl)
        self._ids: dict[str, str] = {}
        self._handles = itertools.count(1)
        self._api_host = api_host_of(self.h)

    def teardown(self) -> None:
        self._scenario.__exit__(None, None, None)

    # -- rules: the user -------------------------------------------------------------------

    @initialize(target=connections, scopes=_granted)
    def first_connection(self, scopes: frozenset[str]) -> Any:
        return self.connect("owner", scopes)

    @rule(target=connections, who=st.sampled_from(USERS), scopes=_requested)
    def connect(self, who: str, scopes: frozenset[str]) -> Any:
        mark = self.h.mark()
        answer = self.oracle.authorize(who, scopes)
        visit = self.h.visit(self.h.authorization_url(sorted(scopes)), who=who)
        if answer == "page":
            if visit.callback_url is not None:
                self._disagree(f"authorize redirected ({visit.callback_url}) where Cal.com shows "
                               "the error on its page", mark)
            return multiple()
        if visit.callback_url is None:
            self._fail("AUTHZ-URL", f"Cal.com showed a page for the provider's authorize URL "
                       f"where a redirect ({answer}) was due: {visit.page[:200]}", mark)
            return multiple()
        return self._complete(who, scopes, answer, visit.callback_url, mark)

    @rule(target=connections, who=st.sampled_from(USERS), scopes=_requested,
          status=st.sampled_from(["REJECTED", "PENDING"]))
    def consent_then_review(self, who: str, scopes: frozenset[str], status: str) -> Any:
        """The user consents, then a reviewer moves the client before the code is exchanged:
        the exchange meets the new status (at authorize a REJECTED client is only a page)."""
        if self.oracle.authorize(who, scopes) != "code":
            return multiple()
        mark = self.h.mark()
        visit = self.h.visit(self.h.authorization_url(sorted(scopes)), who=who)
        if visit.callback_url is None:
            self._fail("AUTHZ-URL", "Cal.com showed a page for the provider's authorize URL "
                       f"where a redirect (code) was due: {visit.page[:200]}", mark)
            return multiple()
        self.h.set_client_status(status)
        self.oracle.status = status
        return self._complete(who, scopes, "code", visit.callback_url, mark)

    def _complete(self, who: str, scopes: frozenset[str], answer: str, callback_url: str,
                  mark: int) -> Any:
        outcome = self.h.complete(callback_url)
        self._check_hygiene(mark)
        sent = [e for e in self.h.since(mark) if e.is_token_request]
        if answer != "code":
            if sent:
                self._fail("SCOPE-REJECTED" if answer == "invalid_scope" else "REJECTED-CLIENT",
                           f"Cal.com refused at authorize ({answer}), yet the provider sent a "
                           "token request", mark)
            self._expect(expected_outcome(answer), outcome, f"connect after {answer}", mark)
            return multiple()
        if len(sent) != 1 or not is_exchange(sent[0]):
            self._fail("EXCHANGE-FIELDS", f"complete() sent {len(sent)} token requests; one code "
                       "exchange is expected", mark)
        entry = sent[0]
        handle = f"conn{next(self._handles)}_{who}"
        predicted, conn = self.oracle.exchange(who, scopes, entry.time, handle)
        self._agree(predicted, token_answer(entry), "code exchange", mark)
        self._expect(expected_outcome(predicted), outcome, "connect", mark)
        if conn is None:
            return multiple()
        self._ids[handle] = str(outcome.value)
        return conn

    @rule(conn=connections, endpoint=st.sampled_from(endpoints.ALL))
    def call(self, conn: Connection, endpoint: Endpoint) -> None:
        mark = self.h.mark()
        outcome = self.h.call(self._ids[conn.handle], endpoint)
        answers = self._replay(conn, mark)
        self._expect(self._due(conn, answers, mark), outcome, str(endpoint), mark)

    @precondition(lambda self: not self.oracle.token_faults and not self.oracle.api_faults)
    @rule(conn=connections, calls=st.lists(st.sampled_from(endpoints.ALL), min_size=2, max_size=5))
    def burst(self, conn: Connection, calls: list[Endpoint]) -> None:
        latency = None
        if self.h.now() >= conn.access_expires_at - EARLY_REFRESH_WINDOW:
            latency = self.h.token_fault(latency=BURST_LATENCY, times=1)
        mark = self.h.mark()
        outcomes = self.h.burst(self._ids[conn.handle], calls)
        if latency is not None:
            self.h.remove_fault(latency)
        answers = self._replay(conn, mark, burst=True)
        allowed = {expected_outcome(a) for a, entry in answers
                   if not (is_refresh(entry) and a == "ok")}
        if conn.dead:
            allowed.add("ReauthorizationRequired")
        for endpoint, outcome in zip(calls, outcomes, strict=True):
            if outcome.kind not in allowed:
                if outcome.kind == "ReauthorizationRequired":
                    clause = "CONCURRENT-REFRESH"
                elif outcome.kind == "runaway" and len(allowed) == 1:
                    clause = _CLAUSE_OF_OUTCOME.get(next(iter(allowed)), "STATEFUL")
                else:
                    clause = "STATEFUL"
                self._fail(clause,
                           f"in a burst of {len(calls)} calls, {endpoint} gave {outcome.describe()}; "
                           f"Cal.com's answers allowed only {sorted(allowed)}", mark)
            if outcome.ok and (not hasattr(outcome.value, "status") or outcome.response.status != 200):
                self._fail("STATEFUL", f"{endpoint} gave {outcome.describe()}", mark)

    # -- rules: the world ------------------------------------------------------------------

    @rule(seconds=_waits)
    def advance(self, seconds: int) -> None:
        self.h.advance(seconds)

    @rule(change=st.sampled_from(_CHANGES))
    def disturb(self, change: str) -> None:
        """One change of the world: client status, a revocation, or a one-shot fault (one
        rule for all of them, so that the provider's own steps are drawn as often)."""
        kind, _, arg = change.partition(":")
        if kind == "status":
            self.h.set_client_status(arg)
            self.oracle.status = arg
        elif kind == "revoke":
            self.h.revoke_refresh_tokens(arg)
            self.oracle.revoke(arg)
        elif kind == "token" and not self.oracle.token_faults:
            if arg == "dropped":
                self.h.token_fault(drop="before", times=1)
            else:
                self.h.token_fault(status=503, times=1, body={
                    "error": "server_error", "error_description": "An unexpected error occurred"})
            self.oracle.add_token_fault(arg)
        elif kind == "api" and not self.oracle.api_faults:
            self.h.api_fault(status=500, times=1, body={
                "status": "error", "timestamp": "", "path": "",
                "error": {"code": "InternalServerErrorException",
                          "message": "Internal server error", "details": {}}})
            self.oracle.add_api_fault()

    # -- judging -----------------------------------------------------------------------------

    def _replay(self, conn: Connection, mark: int, *, burst: bool = False
                ) -> list[tuple[str, JournalEntry]]:
        """Replay the step's requests against the oracle; check the provider's choices."""
        self._check_hygiene(mark)
        answers: list[tuple[str, JournalEntry]] = []
        refreshed_ok = False
        refreshes = [e for e in self.h.since(mark) if is_refresh(e)]
        if burst and len(refreshes) > 1 and any(token_answer(e) == "ok" for e in refreshes):
            # Judged before the replay: racing refreshes reach Cal.com in any order.
            self._fail("CONCURRENT-REFRESH", f"{len(refreshes)} refresh requests in one burst of "
                       "concurrent calls; one refresh must serve them all", mark)
        for entry in self.h.since(mark):
            if is_exchange(entry):
                self._fail("STATEFUL", "a code exchange during an API call", mark)
            elif entry.is_token_request:
                actual = token_answer(entry)
                if refreshed_ok:
                    self._fail("CONCURRENT-REFRESH" if burst else "ROTATION",
                               "a second refresh after a successful one"
                               + (" in one burst of concurrent calls" if burst else
                                  " within one call"), mark)
                left = conn.access_expires_at - entry.time
                if left > EARLY_REFRESH_WINDOW and not conn.dead:
                    self._fail("EXCHANGE-EXPIRY", f"refreshed a token with {left:.0f} s left "
                               f"(refresh when less than {EARLY_REFRESH_WINDOW:.0f} s are left)",
                               mark)
                predicted = self.oracle.refresh(conn, entry.time)
                conn.last_failure = None if predicted == "ok" else predicted
                if predicted == "ok" and actual == "invalid_grant":
                    self._fail("ROTATION", "Cal.com refused the refresh token although the "
                               "connection's latest one was valid: the provider sent a stale "
                               "(rotated) refresh token", mark)
                self._agree(predicted, actual, "refresh", mark)
                refreshed_ok = refreshed_ok or actual == "ok"
                answers.append((predicted, entry))
            elif is_api(entry):
                endpoint = _ENDPOINT_OF.get((entry.method, entry.path))
                if endpoint is None:
                    self._fail("STATEFUL", f"called {entry.method} {entry.path}, which it was "
                               "not asked to call", mark)
                assert endpoint is not None
                version = entry.request_headers.get("cal-api-version")
                if endpoint.versions is not None and version not in endpoint.versions:
                    self._fail("API-VERSION", f"{endpoint} sent with cal-api-version {version!r}",
                               mark)
                actual = api_answer(entry)
                if actual == "expired":
                    self._fail("EXPIRY-BOOKINGS-403", "the API was sent an expired or unknown "
                               "access token: refresh before use", mark)
                predicted = self.oracle.api(conn, endpoint, entry.time)
                self._agree(predicted, actual, str(endpoint), mark)
                answers.append((predicted, entry))
        return answers

    def _due(self, conn: Connection, answers: list[tuple[str, JournalEntry]], mark: int) -> str:
        """The outcome one call must report, from Cal.com's last answer."""
        if not answers:
            if conn.dead:
                return "ReauthorizationRequired"
            clause = _CLAUSE_OF_FAILURE.get(conn.last_failure or "", "STATEFUL")
            self._fail(clause, "the call sent no request to Cal.com, although the connection is "
                       f"alive (its last refresh failure was {conn.last_failure}, which is not "
                       "final: the old tokens must be kept)", mark)
        last, entry = answers[-1]
        if is_refresh(entry) and last == "ok":
            self._fail("STATEFUL", "refreshed, then never called the API", mark)
        return expected_outcome(last)

    def _check_hygiene(self, mark: int) -> None:
        for entry in self.h.since(mark):
            problem = secret_problem(entry)
            if problem:
                self._fail("HYGIENE-SECRET", problem, mark)
            problem = token_problem(entry, self._api_host)
            if problem:
                self._fail("HYGIENE-TOKEN", problem, mark)

    def _expect(self, kind: str, outcome: Outcome, what: str, mark: int) -> None:
        if outcome.kind != kind:
            clause = _CLAUSE_OF_OUTCOME.get(kind, "STATEFUL")
            self._fail(clause, f"{what}: Cal.com's answers call for {kind}, the provider gave "
                       f"{outcome.describe()}", mark)
        if kind == "ok" and hasattr(outcome.value, "status") and outcome.response.status != 200:
            self._fail("STATEFUL", f"{what}: expected 200, got {outcome.describe()}", mark)

    def _agree(self, predicted: str, actual: str, what: str, mark: int) -> None:
        if predicted != actual:
            self._fail("STATEFUL", f"{what}: Cal.com answered {actual} where the model of Cal.com "
                       f"expects {predicted} for a provider holding the right tokens", mark)

    def _disagree(self, message: str, mark: int) -> None:
        self._fail("STATEFUL", message, mark)

    def _fail(self, clause: str, message: str, mark: int) -> None:
        raise ContractViolation(f"[{clause}] {message}", self.h.excerpt(mark))


def machine_for(suite: Suite) -> type[CalcomMachine]:
    """A machine class bound to ``suite`` (hypothesis builds one instance per program)."""
    return type("CalcomMachine", (CalcomMachine,), {"suite": suite})


def run_machine(suite: Suite) -> None:
    run_state_machine_as_test(machine_for(suite), settings=suite.profile.settings(machine=True))
