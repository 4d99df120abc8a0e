"""The reference provider passes every clause, in-process and against a live server, and its
small pure helpers do what Cal.com needs."""

from __future__ import annotations

import httpx
import pytest

from contracts.clauses import all_clauses
from contracts.reference import MAX_BACKOFF, ReferenceProvider, api_version_for, make_provider
from contracts.verify import Report, run

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


class _Env:
    """Only what ``_backoff`` reads."""

    def __init__(self, now: float) -> None:
        self.now = lambda: now


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
    provider = ReferenceProvider.__new__(ReferenceProvider)
    provider._env = _Env(1_767_603_600.0)  # type: ignore[assignment]
    headers = {"X-RateLimit-Reset-Default": header} if header is not None else {}
    response = httpx.Response(429, headers=headers)
    assert provider._backoff(response, attempt=1) == expected
