"""Clauses of credential hygiene, judged from the journal's redaction markers.

The journal replaces every secret with ``<redacted:kind>`` where it was found, so *where* a
marker sits is the evidence: a ``<redacted:access_token>`` in a query string is a token in a
URL, a ``<redacted:client_secret>`` in a header is Basic auth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from hypothesis import strategies as st

from mock_calcom.journal import JournalEntry
from mock_calcom_contracts import endpoints
from mock_calcom_contracts.clauses import clause
from mock_calcom_contracts.errors import ContractViolation
from mock_calcom_contracts.harness import ACCESS_TTL, Harness, Suite, is_api
from mock_calcom_contracts.strategies import scope_sets

_MARKER = re.compile(r"<redacted:(\w+)>")


def _request_markers(entry: JournalEntry) -> Iterator[tuple[str, str]]:
    """``(where, kind)`` for every secret the *request* carried (answers are Cal.com's)."""
    for where, value in (("path", entry.path), ("query", entry.query),
                         ("body", entry.request_body)):
        if value:
            for kind in _MARKER.findall(json.dumps(value)):
                yield where, kind
    for name, value in entry.request_headers.items():
        for kind in _MARKER.findall(value):
            yield f"header {name}", kind


def _flow(h: Harness, scopes: frozenset[str], calls: list[endpoints.Endpoint]) -> None:
    """Connect, call, let the token expire, call again (refresh), and call out of scope."""
    connection = h.connect(sorted(scopes))
    for endpoint in calls:
        h.call(connection, endpoint)
    h.advance(ACCESS_TTL + 1)
    for endpoint in calls:
        h.call(connection, endpoint)
    h.call(connection, endpoints.CALENDARS)


def _flows(suite: Suite) -> st.SearchStrategy[tuple[frozenset[str], list[endpoints.Endpoint]]]:
    return scope_sets(required="PROFILE_READ").flatmap(
        lambda scopes: st.tuples(st.just(scopes), st.lists(
            st.sampled_from([e for e in endpoints.SCOPED if endpoints.allowed(e, scopes)]),
            min_size=1, max_size=3)))


def _violation(h: Harness, entry: JournalEntry, message: str) -> ContractViolation:
    return ContractViolation(message, h.excerpt(entries=[entry]))


def secret_problem(entry: JournalEntry) -> str | None:
    """Why ``entry`` breaks HYGIENE-SECRET, or ``None``."""
    for where, kind in _request_markers(entry):
        if kind == "client_secret" and not (entry.is_token_request and where == "body"):
            return (f"the client_secret was sent in the {where} of {entry.method} {entry.path}; "
                    "it belongs only in the body of token requests")
    return None


def token_problem(entry: JournalEntry, api_host: str) -> str | None:
    """Why ``entry`` breaks HYGIENE-TOKEN, or ``None``. ``api_host`` is API v2's host[:port]."""
    for where, kind in _request_markers(entry):
        if kind == "access_token":
            if where != "header authorization":
                return (f"an access token was sent in the {where} of {entry.method} {entry.path}; "
                        "send it only as 'Authorization: Bearer'")
            if not entry.request_headers["authorization"].startswith("Bearer "):
                return "an access token was sent with a scheme other than Bearer"
            if not is_api(entry) or entry.host != api_host:
                return (f"an access token was sent to {entry.host}{entry.path}; send it only to "
                        f"API v2 at {api_host}")
        elif kind == "refresh_token" and not (entry.is_token_request and where == "body"):
            return (f"a refresh token was sent in the {where} of {entry.method} {entry.path}; it "
                    "belongs only in the body of refresh requests")
    return None


def api_host_of(h: Harness) -> str:
    """API v2's ``host[:port]``, as the journal records it."""
    return urlsplit(h.env.api_base_url).netloc


@clause("HYGIENE-SECRET",
        "The client_secret is only ever sent in the body of token-endpoint requests",
        "FACTS §1.2 (secret in the body only); RFC 6749 §2.3.1, §10.1")
def hygiene_secret(suite: Suite) -> None:
    @suite.given(_flows(suite))
    def prop(flow: tuple[frozenset[str], list[endpoints.Endpoint]]) -> None:
        with suite.scenario() as h:
            _flow(h, *flow)
            for entry in h.since():
                problem = secret_problem(entry)
                if problem:
                    raise _violation(h, entry, problem)

    prop()


@clause("HYGIENE-TOKEN",
        "Access tokens travel only in the Authorization header and only to API v2; refresh "
        "tokens only in token-request bodies; never in a URL",
        "FACTS §7.1 (Authorization: Bearer); RFC 6750 §2.1, §5.3 (no tokens in URLs)")
def hygiene_token(suite: Suite) -> None:
    @suite.given(_flows(suite))
    def prop(flow: tuple[frozenset[str], list[endpoints.Endpoint]]) -> None:
        with suite.scenario() as h:
            _flow(h, *flow)
            api_host = api_host_of(h)
            for entry in h.since():
                problem = token_problem(entry, api_host)
                if problem:
                    raise _violation(h, entry, problem)

    prop()
