"""The stateful suite: random programs of connects (by two users through two clients, now and
then too slowly for the code), reads, booking writes, bursts, clock jumps, client status
changes, revocations and faults (5xx, lost answers, 429s with their reset, on reads, writes and
the token endpoint), every step judged against the oracle and the journal. Quirks meet: a 429
whose wait outlasts the access token on an endpoint that answers an expired token with 403, a
refresh failing while the client is PENDING for one user, a write whose answer is lost.

Each step is judged in three ways:

1. **Cal.com's answers**: every token and API request of the step is replayed, in arrival
   order, against :class:`~mock_calcom_contracts.oracle.CalcomOracle`; the fake's real answer must be the
   one the model predicts for a provider holding the right tokens. A refresh refused as
   revoked where the current refresh token would pass means the provider sent a stale one.
2. **The provider's choices**: no refresh while the token has more than
   :data:`~mock_calcom_contracts.harness.EARLY_REFRESH_WINDOW` seconds left, no refresh after a
   successful one in the same step (single flight), never an expired token to the API, the
   reset of a 429 waited for, a write that failed or lost its answer never sent again, every
   answer given for the connection's own user, the journal's hygiene rules on every request.
3. **The outcome**: what the provider returned or raised must be what Cal.com's last answer
   means (:func:`~mock_calcom_contracts.oracle.expected_outcome`).

A violation names the clause whose rule it breaks (``[ROTATION] ...``), so a shrunk program
reads as a reproducer for that clause.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
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
from mock_calcom_contracts.clauses.hygiene import (
    api_host_of,
    secret_problem,
    secret_value_problem,
    token_problem,
)
from mock_calcom_contracts.clauses.identity import WHO_READS, acting_user
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
from mock_calcom_contracts.oracle import (
    CalcomOracle,
    Connection,
    exchange_outcomes,
    expected_outcome,
)

USERS = ("owner", "member")
#: The client leaves one user scope unregistered, so asking for it is an InvalidScope.
UNREGISTERED = "APPS_WRITE"
REGISTERED = tuple(s for s in USER_SCOPES if s != UNREGISTERED)
#: Real seconds a burst's refresh is held back, so racing threads overlap.
BURST_LATENCY = 0.05
#: The scenario's client, and a second one that owner and member may also connect through.
CLIENTS = (0, 1)
#: Seconds past a code's 10-minute life (docs/calcom-behaviour.md#tokens-and-lifetimes) for
#: a user who takes too long.
SLOW_CALLBACK = 601
_RESET_HEADER = "x-ratelimit-reset-default"
_THROTTLED = "CustomThrottlerGuard - Too many requests. Please try again later."
_SERVER_ERROR = {"status": "error", "timestamp": "", "path": "",
                 "error": {"code": "InternalServerErrorException",
                           "message": "Internal server error", "details": {}}}

#: The clause whose rule an unexpected outcome breaks, by the outcome that was due.
_CLAUSE_OF_OUTCOME = {
    "ReauthorizationRequired": "REFRESH-INVALID-GRANT",
    "UpstreamError": "REFRESH-5XX",
    "ClientRejected": "REJECTED-CLIENT",
    "ClientNotApproved": "PENDING-CLIENT",
    "InsufficientScope": "INSUFFICIENT-SCOPE",
    "InvalidScope": "SCOPE-REJECTED",
    "RateLimited": "RATE-LIMIT",
    "ok": "STATEFUL",
}
#: The clause whose rule forgetting a connection after this refresh failure breaks.
_CLAUSE_OF_FAILURE = {
    "server_error": "REFRESH-5XX",
    "dropped": "REFRESH-5XX",
    "client_rejected": "REJECTED-CLIENT",
    "client_not_approved": "PENDING-CLIENT",
}

#: Scopes a user grants: within the registration, or now and then one beyond it.
_granted = st.frozensets(st.sampled_from(REGISTERED), min_size=1)
_requested = st.one_of(_granted, _granted, _granted, _granted.map(lambda s: s | {UNREGISTERED}))
#: Changes of the world, APPROVED weighted up so that clients spend time usable.
_CHANGES = ("status:APPROVED", "status:APPROVED", "status:PENDING", "status:REJECTED",
            "revoke:owner", "revoke:member", "token:server_error", "token:dropped",
            "api:server_error", "api:dropped", "api:rate_limited", "api:rate_limited",
            "write:server_error", "write:dropped")
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
    if entry.status == 429:
        return "rate_limited"
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
        self.clients = [self.h, self.h.sibling(scopes=REGISTERED)]
        settings = self.h.fake.settings
        self.oracle = CalcomOracle(owner="owner", registered=frozenset(REGISTERED),
                                   access_ttl=settings.access_token_ttl,
                                   refresh_ttl=settings.refresh_token_ttl)
        self._ids: dict[str, str] = {}
        #: The provider's connection ids, and the connection each names now (both designs of
        #: provider.py: a new id per authorization, or one id per account that is replaced).
        self._by_id: dict[str, Connection] = {}
        self._handles = itertools.count(1)
        self._api_host = api_host_of(self.h)
        #: Bookings that are live (neither cancelled nor rescheduled away), by uid.
        self._live: list[str] = []

    def teardown(self) -> None:
        self._scenario.__exit__(None, None, None)

    # -- rules: the user -------------------------------------------------------------------

    @initialize(target=connections, scopes=_granted)
    def first_connection(self, scopes: frozenset[str]) -> Any:
        return self.connect("owner", scopes, 0, False, None)

    @rule(target=connections, who=st.sampled_from(USERS), scopes=_requested,
          client=st.sampled_from((0, 0, 1)), slow=st.sampled_from((False,) * 7 + (True,)),
          review=st.sampled_from((None,) * 4 + ("REJECTED", "PENDING")))
    def connect(self, who: str, scopes: frozenset[str], client: int, slow: bool,
                review: str | None) -> Any:
        """``review``: a reviewer moves the client between the user's consent and the code
        exchange (at authorize a REJECTED client is only a page, so the exchange is where a
        provider meets ``client_rejected`` first)."""
        h = self.clients[client]
        mark = self.h.mark()
        answer = self.oracle.authorize(who, scopes, client)
        visit = h.visit(h.authorization_url(sorted(scopes)), who=who)
        if answer == "page":
            if visit.callback_url is not None:
                self._disagree(f"authorize redirected ({visit.callback_url}) where Cal.com shows "
                               "the error on its page", mark)
            return multiple()
        if visit.callback_url is None:
            self._fail("AUTHZ-URL", f"Cal.com showed a page for the provider's authorize URL "
                       f"where a redirect ({answer}) was due: {visit.page[:200]}", mark)
            return multiple()
        if slow and answer == "code":
            # The user took too long: the code is dead (10 minutes,
            # docs/calcom-behaviour.md#tokens-and-lifetimes).
            self.h.advance(SLOW_CALLBACK)
        if review is not None and answer == "code":
            h.set_client_status(review)
            self.oracle.statuses[client] = review
        outcome = h.complete(visit.callback_url)
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
        handle = f"conn{next(self._handles)}_{who}_client{client + 1}"
        predicted, conn = self.oracle.exchange(who, scopes, entry.time, handle, client,
                                               code_expired=slow)
        self._agree(predicted, token_answer(entry), "code exchange", mark)
        allowed = exchange_outcomes(predicted)
        if outcome.kind not in allowed:
            self._expect(sorted(allowed)[0], outcome, "connect" + (
                " with a code older than 10 minutes" if slow else ""), mark)
        if conn is None:
            return multiple()
        connection_id = f"{client}:{outcome.value}"
        earlier = self._by_id.get(connection_id)
        if earlier is not None:
            if earlier.user != who:
                self._fail("IDENTITY", f"complete() for {who} returned the connection id "
                           f"{connection_id!r} it had returned for {earlier.user}", mark)
            # One connection per account: the id now holds the new grant.
            earlier.replaced_by = conn
        self._by_id[connection_id] = conn
        self._ids[handle] = connection_id
        return conn

    def _connection_id(self, conn: Connection) -> str:
        return self._ids[conn.handle].split(":", 1)[1]

    @rule(conn=connections, endpoint=st.sampled_from(endpoints.ALL))
    def call(self, conn: Connection, endpoint: Endpoint) -> None:
        conn = conn.current()
        mark = self.h.mark()
        outcome = self.clients[conn.client].call(self._connection_id(conn), endpoint)
        answers = self._replay(conn, mark, [endpoint])
        self._expect(self._due(conn, answers, mark), outcome, str(endpoint), mark)

    @rule(conn=connections, action=st.sampled_from(("create", "create", "reschedule", "cancel")),
          pick=st.integers(min_value=0, max_value=1_000))
    def book(self, conn: Connection, action: str, pick: int) -> None:
        """A booking write (on the owner's event type; the writes are open to any token,
        docs/calcom-behaviour.md#scope-enforcement-on-api-v2) with Cal.com's status: 201, 201, 200."""
        conn = conn.current()
        if action != "create" and not self._live:
            action = "create"
        uid = self._live[pick % len(self._live)] if self._live else ""
        if action == "cancel":
            endpoint = endpoints.cancel_booking(uid)
        else:
            event_type, slots = self.h.bookable()
            start = slots[pick % len(slots)]
            endpoint = (endpoints.create_booking(event_type, start) if action == "create"
                        else endpoints.reschedule_booking(uid, start))
        mark = self.h.mark()
        outcome = self.clients[conn.client].call(self._connection_id(conn), endpoint)
        answers = self._replay(conn, mark, [endpoint])
        self._expect(self._due(conn, answers, mark), outcome, str(endpoint), mark,
                     success=endpoint.success)
        if uid in self._live and action != "create":
            self._live.remove(uid)
        for entry in self.h.since(mark):
            body = entry.response_body if entry.status in (200, 201) else None
            data = body.get("data") if isinstance(body, dict) else None
            if is_api(entry) and isinstance(data, dict) and data.get("status") == "accepted":
                self._live.append(str(data.get("uid")))

    @precondition(lambda self: not self.oracle.token_faults and not self.oracle.api_faults)
    @rule(conn=connections, calls=st.lists(st.sampled_from(endpoints.ALL), min_size=2, max_size=5))
    def burst(self, conn: Connection, calls: list[Endpoint]) -> None:
        conn = conn.current()
        latency = None
        if self.h.now() >= conn.access_expires_at - EARLY_REFRESH_WINDOW:
            latency = self.h.token_fault(latency=BURST_LATENCY, times=1)
        mark = self.h.mark()
        outcomes = self.clients[conn.client].burst(self._connection_id(conn), calls)
        if latency is not None:
            self.h.remove_fault(latency)
        answers = self._replay(conn, mark, calls, burst=True)
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

    @rule(change=st.sampled_from(_CHANGES), client=st.sampled_from((0, 0, 1)),
          reset=st.integers(min_value=1, max_value=60), times=st.sampled_from((1, 1, 2)))
    def disturb(self, change: str, client: int, reset: int, times: int) -> None:
        """One change of the world: a client's status, a revocation, or a one-shot fault (one
        rule for all of them, so that the provider's own steps are drawn as often)."""
        kind, _, arg = change.partition(":")
        if kind == "status":
            self.clients[client].set_client_status(arg)
            self.oracle.statuses[client] = arg
        elif kind == "revoke":
            self.clients[client].revoke_refresh_tokens(arg)
            self.oracle.revoke(arg, client)
        elif kind == "token" and not self.oracle.token_faults:
            if arg == "dropped":
                self.h.token_fault(drop="before", times=1)
            else:
                self.h.token_fault(status=503, times=1, body={
                    "error": "server_error", "error_description": "An unexpected error occurred"})
            self.oracle.add_token_fault(arg)
        elif kind in ("api", "write") and not self.oracle.api_faults:
            # "write": the same faults aimed at the booking writes only (POSTs).
            method = "POST" if kind == "write" else None
            if arg == "rate_limited":
                # Cal.com's throttler (docs/calcom-behaviour.md#rate-limiting): waited out,
                # it lets the call through.
                self.h.api_fault(method=method, status=429, times=times, body={
                    "status": "error", "timestamp": "", "path": "",
                    "error": {"code": "ThrottlerException", "message": _THROTTLED,
                              "details": {"message": _THROTTLED, "error": "Too Many Requests",
                                          "statusCode": 429}}},
                    headers={"X-RateLimit-Limit-Default": "500",
                             "X-RateLimit-Remaining-Default": "0",
                             "X-RateLimit-Reset-Default": str(reset)})
                self.oracle.add_api_fault("rate_limited", times, writes_only=kind == "write")
            elif arg == "dropped":
                # The work is done, the answer lost: a write must not be sent again.
                self.h.api_fault(method=method, drop="after", times=1)
                self.oracle.add_api_fault("dropped", writes_only=kind == "write")
            else:
                self.h.api_fault(method=method, status=500, times=1, body=_SERVER_ERROR)
                self.oracle.add_api_fault("server_error", writes_only=kind == "write")

    # -- judging -----------------------------------------------------------------------------

    def _replay(self, conn: Connection, mark: int, asked: Sequence[Endpoint], *,
                burst: bool = False) -> list[tuple[str, JournalEntry]]:
        """Replay the step's requests against the oracle; check the provider's choices."""
        self._check_hygiene(mark)
        answers: list[tuple[str, JournalEntry]] = []
        asked_for = {(e.method, e.path): e for e in asked}
        #: Writes whose answer failed or was lost: sending them again is a WRITES failure.
        unsure: set[tuple[str, str]] = set()
        throttled: JournalEntry | None = None
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
                key = (entry.method, entry.path)
                endpoint = asked_for.get(key)
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
                if key in unsure:
                    self._fail("WRITES", f"{endpoint} was sent again after an attempt whose "
                               "answer failed or never came: Cal.com may have done it already",
                               mark)
                if throttled is not None:
                    self._waited_for_reset(throttled, entry, mark)
                    throttled = None
                predicted = self.oracle.api(conn, endpoint, entry.time)
                self._agree(predicted, actual, str(endpoint), mark)
                if endpoint.is_write and actual in ("server_error", "dropped"):
                    unsure.add(key)
                if actual == "rate_limited":
                    throttled = entry
                if actual == "ok" and endpoint in WHO_READS:
                    seen = acting_user(endpoint, entry.response_body)
                    if seen != self.h.user_id(conn.user):
                        self._fail("IDENTITY", f"{endpoint} on {conn.user}'s connection was "
                                   f"answered for user {seen}: the provider sent another "
                                   "connection's access token", mark)
                answers.append((predicted, entry))
        return answers

    def _waited_for_reset(self, throttled: JournalEntry, after: JournalEntry, mark: int) -> None:
        try:
            reset = float(throttled.response_headers.get(_RESET_HEADER, "0"))
        except ValueError:
            reset = 0.0
        waited = after.time - throttled.time
        if waited + 1e-6 < reset:
            self._fail("RATE-LIMIT", f"retried {waited:.0f} s after a 429 whose "
                       f"X-RateLimit-Reset-Default said {reset:.0f} s", mark)

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
            for client in self.clients:
                problem = secret_value_problem(client, entry)
                if problem:
                    self._fail("SECRET-BY-VALUE", problem, mark)
            problem = token_problem(entry, self._api_host)
            if problem:
                self._fail("HYGIENE-TOKEN", problem, mark)

    def _expect(self, kind: str, outcome: Outcome, what: str, mark: int,
                success: int = 200) -> None:
        if outcome.kind != kind:
            clause = _CLAUSE_OF_OUTCOME.get(kind, "STATEFUL")
            if kind == "ok" and success != 200:
                clause = "WRITES"
            self._fail(clause, f"{what}: Cal.com's answers call for {kind}, the provider gave "
                       f"{outcome.describe()}", mark)
        if kind == "ok" and hasattr(outcome.value, "status") and outcome.response.status != success:
            self._fail("WRITES" if success != 200 else "STATEFUL",
                       f"{what}: expected {success}, got {outcome.describe()}", mark)

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
