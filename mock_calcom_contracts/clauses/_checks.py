"""Small judgements the clauses share; each raises ContractViolation with the journal."""

from __future__ import annotations

from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import Harness, Outcome, is_refresh, rejected_token


def expect(h: Harness, mark: int, outcome: Outcome, kind: str, what: str) -> None:
    """``outcome`` must be of ``kind`` (``"ok"`` or an outcome name)."""
    if outcome.kind != kind:
        raise ContractViolation(f"{what}: expected {kind}, got {outcome.describe()}",
                                h.excerpt(mark))


def expect_ok(h: Harness, mark: int, outcome: Outcome, what: str, status: int = 200) -> None:
    if not outcome.ok or outcome.response.status != status:
        raise ContractViolation(f"{what}: expected a response with status {status}, "
                                f"got {outcome.describe()}",
                                h.excerpt(mark))


def token_requests(h: Harness, mark: int) -> int:
    return sum(1 for e in h.since(mark) if e.is_token_request)


def refreshes(h: Harness, mark: int) -> int:
    return sum(1 for e in h.since(mark) if is_refresh(e))


def no_token_request(h: Harness, mark: int, why: str) -> None:
    count = token_requests(h, mark)
    if count:
        raise ContractViolation(f"{why}, yet the provider sent {count} token request(s)",
                                h.excerpt(mark))


def token_request_count(h: Harness, mark: int, expected: int, why: str) -> None:
    count = token_requests(h, mark)
    if count != expected:
        raise ContractViolation(f"expected exactly {expected} token request(s), the provider sent "
                                f"{count} ({why})", h.excerpt(mark))


def no_rejected_token(h: Harness, mark: int, why: str) -> None:
    """The API never saw an expired or unknown access token after ``mark``."""
    seen = [e for e in h.since(mark) if rejected_token(e)]
    if seen:
        raise ContractViolation(f"the API was sent an expired access token ({why}): refresh "
                                "before use, from the expiry computed at the exchange",
                                h.excerpt(mark))
