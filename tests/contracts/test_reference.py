"""The reference provider passes every clause, in-process and against a live server, and its
small pure helpers do what Cal.com needs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import requests

from mock_calcom_contracts.clauses import all_clauses
from mock_calcom_contracts.errors import (
    AccessDenied,
    ClientNotApproved,
    ClientRejected,
    InsufficientScope,
    InvalidClient,
    InvalidScope,
    ReauthorizationRequired,
    UpstreamError,
)
from mock_calcom_contracts.reference import (
    DEFAULT_EXPIRES_IN,
    MAX_BACKOFF,
    HttpAnswer,
    api_response,
    api_version_for,
    authorization_code,
    backoff_seconds,
    callback_query,
    make_provider,
    token_lifetime,
    token_payload,
)
from mock_calcom_contracts.verify import Report, run

_CLAUSES = [c.id for c in all_clauses()]


@pytest.fixture(scope="module")
def in_process() -> Report:
    return run(make_provider, profile="dev")


@pytest.mark.parametrize("clause_id", _CLAUSES)
def test_the_reference_passes_the_clause_in_process(in_process: Report, clause_id: str) -> None:
    result = in_process.result(clause_id)
    assert result.status == "pass", f"{result.message}\n{result.reproducer}"


def test_the_reference_passes_every_clause_against_a_live_server() -> None:
    report = run(make_provider, profile="dev", live=True)
    failures = [f"{r.id}: {r.message}" for r in report.results if r.status != "pass"]
    assert report.ok, "\n".join(failures)
    assert len(report.results) == len(_CLAUSES)


@pytest.mark.parametrize(("path", "version"), [
    ("/v2/bookings", "2024-08-13"),
    ("/v2/bookings/abc/cancel", "2024-08-13"),
    ("/v2/event-types/12", "2024-06-14"),
    ("/v2/schedules/default", "2024-06-11"),
    ("/v2/slots", "2024-09-04"),
    ("/v2/me", None),
    ("/v2/calendars", None),
    ("/v2/bookingsx", None),
])
def test_api_version_for_names_the_version_each_controller_serves(path: str, version: str | None) -> None:
    assert api_version_for(path) == version


@pytest.mark.parametrize(("header", "expected"), [
    ("42", 42.0),
    ("0", 1.0),
    (str(1_767_603_600 + 30), 30.0),
    ("100000", MAX_BACKOFF),
    (None, 2.0),
    ("soon", 2.0),
])
def test_backoff_reads_the_reset_header_as_seconds_or_a_timestamp(header: str | None,
                                                                   expected: float) -> None:
    headers = {"X-RateLimit-Reset-Default": header} if header is not None else {}
    response = httpx.Response(429, headers=headers)
    assert backoff_seconds(response, attempt=1, now=1_767_603_600.0) == expected


def _requests_answer(status: int, body: bytes) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = body
    answer.headers["Content-Type"] = "application/json"
    return answer


@pytest.mark.parametrize("make", [
    lambda status, body: httpx.Response(status, content=body),
    _requests_answer,
], ids=["httpx", "requests"])
def test_an_api_answer_means_the_same_on_httpx_and_requests(
        make: Callable[[int, bytes], HttpAnswer]) -> None:
    scope = b'{"status":"error","error":{"code":"FORBIDDEN","message":"insufficient_scope: BOOKING_READ"}}'
    with pytest.raises(InsufficientScope, match="insufficient_scope"):
        api_response(make(403, scope))
    with pytest.raises(UpstreamError):
        api_response(make(502, b"<html>bad gateway</html>"))
    plain = api_response(make(404, b'{"status":"error","error":{"message":"not found"}}'))
    assert (plain.status, plain.json["error"]["message"]) == (404, "not found")


@pytest.mark.parametrize(("status", "body", "outcome"), [
    (400, b'{"error":"invalid_grant","error_description":"expired"}', ReauthorizationRequired),
    (401, b'{"error":"unauthorized_client","error_description":"client_rejected"}', ClientRejected),
    (401, b'{"error":"unauthorized_client","error_description":"client_not_approved"}',
     ClientNotApproved),
    (401, b'{"error":"invalid_client","error_description":"invalid_client_credentials"}',
     InvalidClient),
    (401, b'{"error":"invalid_client","error_description":"client_not_found"}', InvalidClient),
    (503, b"", UpstreamError),
    (200, b'{"token_type":"bearer"}', UpstreamError),
])
def test_a_token_answer_without_tokens_raises_the_outcome_it_means(
        status: int, body: bytes, outcome: type[Exception]) -> None:
    with pytest.raises(outcome):
        token_payload(httpx.Response(status, content=body))


@pytest.mark.parametrize(("payload", "lifetime"), [
    ({"expires_in": 3600}, 3600.0),
    ({}, DEFAULT_EXPIRES_IN),
    ({"expires_in": None}, DEFAULT_EXPIRES_IN),
    ({"expires_in": True}, DEFAULT_EXPIRES_IN),
    ({"expires_in": 0}, DEFAULT_EXPIRES_IN),
])
def test_a_missing_or_odd_expires_in_means_thirty_minutes_never_forever(
        payload: dict[str, object], lifetime: float) -> None:
    assert token_lifetime(payload) == lifetime


@pytest.mark.parametrize(("query", "outcome"), [
    ("error=access_denied", AccessDenied),
    ("error=unauthorized_client&error_description=client_rejected", ClientRejected),
    ("error=invalid_request&error_description=invalid%20scope%20X", InvalidScope),
    ("code=a&code=b", UpstreamError),
    ("", UpstreamError),
])
def test_a_callback_without_exactly_one_code_raises_the_outcome_it_means(
        query: str, outcome: type[Exception]) -> None:
    callback = callback_query(f"https://integrator.example.com/cb?state=s&{query}")
    assert callback["state"] == "s"
    with pytest.raises(outcome):
        authorization_code(callback)


def test_a_repeated_callback_parameter_counts_as_missing() -> None:
    callback = callback_query("https://integrator.example.com/cb?state=a&state=b&code=c")
    assert "state" not in callback
    assert authorization_code(callback) == "c"


def test_an_expired_code_is_code_exchange_failed_and_a_deleted_secret_invalid_client() -> None:
    """Answers a correct integration meets have outcomes of their own (not a bare error)."""
    from mock_calcom_contracts import endpoints
    from mock_calcom_contracts.harness import Suite
    from mock_calcom_contracts.profiles import profile
    from mock_calcom_contracts.reference import make_provider

    with Suite(make_provider, profile("dev")) as suite, suite.scenario() as h:
        callback = h.authorize(["PROFILE_READ"])
        h.advance(601)  # Cal.com's codes live 10 minutes (FACTS §3)
        assert h.complete(callback).kind == "CodeExchangeFailed"
        connection = h.connect(["PROFILE_READ"])
        secret_id, _ = h.fake.add_client_secret(h.client_id)
        first = next(s.id for s in h.fake.get_client(h.client_id).secrets if s.id != secret_id)
        h.fake.delete_client_secret(h.client_id, first)
        h.advance(1801)
        assert h.call(connection, endpoints.ME).kind == "InvalidClient"
