"""The IDENTITY clause: every call acts as the user who authorized its connection."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.clauses._checks import expect_ok
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import ACCESS_TTL, Harness, Outcome, Suite, is_api

#: Who connects through which client: the owner and the member, each through two clients.
CONNECTS = (("owner", 0), ("member", 0), ("owner", 1), ("member", 1))
SCOPES = ("PROFILE_READ", "SCHEDULE_READ")
#: Endpoints whose answer names the user the call acted as, and where.
WHO_READS = (endpoints.ME, endpoints.DEFAULT_SCHEDULE)


def acting_user(endpoint: endpoints.Endpoint, body: Any) -> int | None:
    """The user id an answer of ``endpoint`` was given for (``/v2/me``: ``data.id``; the
    default schedule: ``data.ownerId``), or ``None`` if the body does not say."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return None
    value = data.get("id" if endpoint == endpoints.ME else "ownerId")
    return value if isinstance(value, int) else None


def check_acted_as(h: Harness, mark: int, outcome: Outcome, endpoint: endpoints.Endpoint,
                   user_id: int, what: str) -> None:
    """The call reached Cal.com as ``user_id`` (the journal) and the provider returned that
    answer (not another user's)."""
    for entry in h.since(mark):
        if is_api(entry) and entry.path == endpoint.path and entry.status == 200:
            seen = acting_user(endpoint, entry.response_body)
            if seen != user_id:
                raise ContractViolation(
                    f"{what}: Cal.com answered {endpoint} for user {seen}, not for user "
                    f"{user_id} who authorized this connection (the provider sent another "
                    "connection's access token)", h.excerpt(mark))
    returned = acting_user(endpoint, outcome.response.json)
    if returned != user_id:
        raise ContractViolation(
            f"{what}: the provider returned an answer for user {returned}, not for user "
            f"{user_id} who authorized this connection", h.excerpt(mark))


@clause("IDENTITY",
        "Every call acts as the Cal.com user who authorized its connection: with several users "
        "connected through several clients, interleaved and across refreshes, /v2/me and the "
        "journal show that user and no other",
        "docs/calcom-behaviour.md#api-v2-authentication (the token's userId becomes the acting "
        "user), docs/calcom-behaviour.md#refresh-rotation (tokens and rotation are per user and "
        "client); RFC 6749 §1.5, §10.4")
def identity(suite: Suite) -> None:
    steps = st.lists(st.tuples(st.integers(min_value=0, max_value=len(CONNECTS) - 1),
                               st.sampled_from(WHO_READS),
                               st.sampled_from([0, 0, 0, ACCESS_TTL + 1])),
                     min_size=4, max_size=10)

    @suite.given(st.permutations(CONNECTS), steps)
    def prop(order: list[tuple[str, int]], plan: list[tuple[int, endpoints.Endpoint, int]]) -> None:
        with suite.scenario() as h:
            clients = [h, h.sibling()]
            connections = [clients[client].connect(list(SCOPES), who=who)
                           for who, client in order]

            def step(number: int, index: int, endpoint: endpoints.Endpoint) -> None:
                who, client = order[index]
                what = (f"call {number}, {endpoint} on the connection {who} made through "
                        f"client {client + 1}")
                mark = h.mark()
                outcome = clients[client].call(connections[index], endpoint)
                expect_ok(h, mark, outcome, what)
                check_acted_as(h, mark, outcome, endpoint, h.user_id(who), what)

            # Every connection refreshes once in the order they were made, then once in the
            # reverse order (each refresh must use that connection's own refresh token), then
            # a random interleaving with and without expiry.
            indexes = list(range(len(order)))
            number = 0
            for round_order in (indexes, indexes[::-1]):
                h.advance(ACCESS_TTL + 1)
                for index in round_order:
                    number += 1
                    step(number, index, endpoints.ME)
            for index, endpoint, wait in plan:
                h.advance(wait)
                number += 1
                step(number, index, endpoint)

    prop()
