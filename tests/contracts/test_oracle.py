"""The oracle: Cal.com's answers in Cal.com's check order (docs/calcom-behaviour.md)."""

from __future__ import annotations

from mock_calcom_contracts import endpoints
from mock_calcom_contracts.oracle import CalcomOracle, Connection, expected_outcome

TTL, RTTL = 1800.0, 30 * 86400.0


def _oracle(**kwargs: object) -> CalcomOracle:
    return CalcomOracle(owner="owner", registered=frozenset({"PROFILE_READ", "BOOKING_READ"}),
                        access_ttl=TTL, refresh_ttl=RTTL, **kwargs)  # type: ignore[arg-type]


def _connect(oracle: CalcomOracle, user: str = "owner", now: float = 0.0,
             scopes: frozenset[str] = frozenset({"PROFILE_READ"})) -> Connection:
    answer, conn = oracle.exchange(user, scopes, now, f"c_{user}")
    assert answer == "ok"
    assert conn is not None
    return conn


def test_authorize_checks_the_client_status_before_the_scopes() -> None:
    oracle = _oracle()
    oracle.status = "REJECTED"
    # A rejected client is shown on the page, even to its owner.
    assert oracle.authorize("owner", frozenset({"APPS_WRITE"})) == "page"
    oracle.status = "PENDING"
    assert oracle.authorize("member", frozenset({"PROFILE_READ"})) == "page"
    assert oracle.authorize("owner", frozenset({"APPS_WRITE"})) == "invalid_scope"
    assert oracle.authorize("owner", frozenset({"PROFILE_READ"})) == "code"


def test_a_refresh_rotates_and_kills_every_other_refresh_token_of_the_user() -> None:
    oracle = _oracle()
    first = _connect(oracle)
    second = _connect(oracle)
    member = _connect(oracle, "member")
    assert oracle.refresh(second, 10.0) == "ok"
    assert second.access_expires_at == 10.0 + TTL
    assert oracle.refresh(first, 20.0) == "invalid_grant"
    assert first.dead
    assert oracle.refresh(member, 30.0) == "ok"


def test_an_expired_refresh_token_is_invalid_grant_even_for_a_rejected_client() -> None:
    oracle = _oracle()
    conn = _connect(oracle)
    oracle.status = "REJECTED"
    assert oracle.refresh(conn, RTTL + 1) == "invalid_grant"


def test_a_revoked_refresh_token_of_a_rejected_client_answers_client_rejected() -> None:
    oracle = _oracle()
    conn = _connect(oracle)
    oracle.revoke("owner")
    oracle.status = "REJECTED"
    assert oracle.refresh(conn, 10.0) == "client_rejected"
    assert not conn.dead
    oracle.status = "APPROVED"
    assert oracle.refresh(conn, 10.0) == "invalid_grant"


def test_pending_blocks_everyone_but_the_owner() -> None:
    oracle = _oracle()
    owner, member = _connect(oracle), _connect(oracle, "member")
    oracle.status = "PENDING"
    assert oracle.refresh(member, 10.0) == "client_not_approved"
    assert oracle.refresh(owner, 10.0) == "ok"
    assert oracle.exchange("member", frozenset(), 10.0, "x") == ("client_not_approved", None)


def test_faults_are_one_shot_and_come_first() -> None:
    oracle = _oracle()
    conn = _connect(oracle)
    oracle.add_token_fault("dropped")
    assert oracle.refresh(conn, RTTL + 5) == "dropped"
    assert not conn.dead
    assert oracle.refresh(conn, RTTL + 5) == "invalid_grant"
    oracle.add_api_fault()
    assert oracle.api(conn, endpoints.ME, 0.0) == "server_error"
    assert oracle.api(conn, endpoints.ME, 0.0) == "ok"


def test_the_api_checks_expiry_before_scope() -> None:
    oracle = _oracle()
    conn = _connect(oracle)
    assert oracle.api(conn, endpoints.BOOKINGS, 0.0) == "insufficient_scope"
    assert oracle.api(conn, endpoints.CALENDARS, 0.0) == "insufficient_scope"
    assert oracle.api(conn, endpoints.ME, TTL - 1) == "ok"
    assert oracle.api(conn, endpoints.BOOKINGS, TTL) == "expired"


def test_answers_map_to_the_outcome_a_provider_must_report() -> None:
    assert expected_outcome("invalid_grant") == "ReauthorizationRequired"
    assert expected_outcome("dropped") == "UpstreamError"
    assert expected_outcome("client_not_approved") == "ClientNotApproved"
    assert expected_outcome("insufficient_scope") == "InsufficientScope"


def test_each_client_has_its_own_status_and_refresh_rows() -> None:
    oracle = _oracle()
    first = _connect(oracle)
    answer, second = oracle.exchange("owner", frozenset({"PROFILE_READ"}), 0.0, "c2", 1)
    assert answer == "ok"
    assert second is not None
    assert oracle.refresh(second, 10.0) == "ok"
    assert oracle.refresh(first, 10.0) == "ok", "rotation on client 1 leaves client 0's row"
    oracle.statuses[1] = "REJECTED"
    assert oracle.authorize("owner", frozenset({"PROFILE_READ"}), 1) == "page"  # shown on the page
    assert oracle.authorize("owner", frozenset({"PROFILE_READ"}), 0) == "code"


def test_an_expired_code_is_invalid_grant_before_the_client_status() -> None:
    oracle = _oracle()
    oracle.status = "REJECTED"
    assert oracle.exchange("owner", frozenset({"PROFILE_READ"}), 0.0, "c", code_expired=True) \
        == ("invalid_grant", None)


def test_a_fault_on_writes_lets_reads_pass_and_fires_on_the_next_write() -> None:
    oracle = _oracle()
    conn = _connect(oracle)
    oracle.add_api_fault("dropped", writes_only=True)
    assert oracle.api(conn, endpoints.ME, 1.0) == "ok"
    assert oracle.api(conn, endpoints.create_booking(1, "2026-01-06T10:00:00Z"), 1.0) == "dropped"
    assert oracle.api(conn, endpoints.cancel_booking("uid"), 1.0) == "ok"
    oracle.add_api_fault("rate_limited", 2)
    assert [oracle.api(conn, endpoints.ME, 2.0) for _ in range(3)] == ["rate_limited",
                                                                       "rate_limited", "ok"]


def test_a_replaced_connection_resolves_to_the_one_holding_its_id() -> None:
    oracle = _oracle()
    first = _connect(oracle)
    second = _connect(oracle)
    first.replaced_by = second
    assert first.current() is second
    assert second.current() is second
