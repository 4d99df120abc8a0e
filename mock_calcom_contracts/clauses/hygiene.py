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
        "docs/calcom-behaviour.md#token-endpoint (secret in the body only); RFC 6749 §2.3.1, §10.1")
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
        "docs/calcom-behaviour.md#api-v2-authentication (Authorization: Bearer); RFC 6750 §2.1, §5.3 (no "
        "tokens in URLs)")
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


# -- SECRET-BY-VALUE -------------------------------------------------------------------------

#: Where each kind of secret may travel in a request, as ``(what request, where in it)``;
#: anywhere else (any other header, the query, the path, another body field, another host)
#: is a leak. The journal marks a secret wherever it recognises its *value* (JWTs by their
#: claims, client secrets by hash, Platform's ``x-cal-secret-key``), not only by field name.
_ALLOWED_PLACES: dict[str, tuple[str, str]] = {
    "client_secret": ("token", "body client_secret"),
    "code": ("token", "body code"),
    "code_verifier": ("token", "body code_verifier"),
    "refresh_token": ("token", "body refresh_token"),
    "access_token": ("api", "header authorization"),
}


def _placed_markers(entry: JournalEntry) -> Iterator[tuple[str, str]]:
    """``(where, kind)`` for every secret marker in the request, ``where`` naming the header,
    the body field (``body client_secret``, ``body nested.field``), ``query`` or ``path``."""
    for kind in _MARKER.findall(entry.path):
        yield "path", kind
    for kind in _MARKER.findall(entry.query_string or ""):
        yield "query", kind
    yield from _body_markers(entry.request_body, "body")
    for name, value in entry.request_headers.items():
        for kind in _MARKER.findall(value):
            yield f"header {name}", kind


def _body_markers(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _body_markers(item, f"{where} {key}" if where == "body" else f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _body_markers(item, where)
    elif isinstance(value, str):
        for kind in _MARKER.findall(value):
            yield where, kind


def _raw_places(entry: JournalEntry) -> Iterator[tuple[str, str]]:
    """``(where, text)`` of everything a request carried, as the journal stores it."""
    yield "host", entry.host
    yield "path", entry.path
    yield "query", entry.query_string or ""
    for name, value in entry.request_headers.items():
        yield f"header {name}", value
    if entry.request_body not in (None, "", {}):
        yield "body", json.dumps(entry.request_body) if not isinstance(entry.request_body, str) \
            else entry.request_body


def secret_value_problem(h: Harness, entry: JournalEntry) -> str | None:
    """Why ``entry`` breaks SECRET-BY-VALUE, or ``None``."""
    request = (f"{entry.method} {entry.host}{entry.path}")
    token_host = urlsplit(h.env.token_url).netloc
    token_path = urlsplit(h.env.token_url).path
    for where, kind in _placed_markers(entry):
        allowed = _ALLOWED_PLACES.get(kind)
        if allowed is not None:
            target, place = allowed
            if target == "token":
                fits = entry.host == token_host and entry.path == token_path and where == place
            else:
                fits = (is_api(entry) and entry.host == api_host_of(h) and where == place
                        and entry.request_headers.get("authorization", "").startswith("Bearer "))
            if fits:
                continue
        where_ok = (f"; it belongs only in the {allowed[1]} of "
                    + ("token-endpoint requests" if allowed[0] == "token" else
                       "API v2 requests ('Bearer')")) if allowed else ""
        return f"the {kind} value was sent in the {where} of {request}{where_ok}"
    secrets = [("client_secret", h.client_secret)] + [("code", code) for code in h.codes]
    for where, text in _raw_places(entry):
        for kind, value in secrets:
            if value and value in text:
                return (f"the {kind} value was sent in the {where} of {request}, where the "
                        "journal could not even tell it was a secret")
    return None


@clause("SECRET-BY-VALUE",
        "The client secret, access and refresh tokens, codes and code verifiers travel only "
        "where Cal.com reads them (token-request body fields; 'Authorization: Bearer' to API "
        "v2): never in any other header (Platform's x-cal-secret-key included), query, path or "
        "body field, on any host",
        "docs/calcom-behaviour.md#token-endpoint (token request fields), "
        "docs/calcom-behaviour.md#api-v2-authentication (Bearer; x-cal-secret-key is Platform "
        "credentials, not OAuth); RFC 6749 §2.3.1, §10.3; RFC 6750 §5.3")
def secret_by_value(suite: Suite) -> None:
    @suite.given(_flows(suite))
    def prop(flow: tuple[frozenset[str], list[endpoints.Endpoint]]) -> None:
        with suite.scenario() as h:
            _flow(h, *flow)
            h.connect(sorted(flow[0]), who="member")
            for entry in h.since():
                problem = secret_value_problem(h, entry)
                if problem:
                    raise _violation(h, entry, problem)

    prop()
