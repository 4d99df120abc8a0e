"""One bug, one diagnosis: the root causes behind failing clauses, named with a fix.

A single integration bug usually fails many clauses: a ``scope`` field re-sent on refresh makes
Cal.com answer every refresh with 400, so every clause that needs a refresh fails, and the first
one in catalogue order often shows a symptom ("got UpstreamError") rather than the cause. So
while the clauses run, every scenario's journal is scanned for the *signatures* of common root
causes (:func:`scan`); afterwards :func:`diagnose` groups the failing clauses by the cause seen
in their scenarios and leads each group with the clause whose message names the cause most
precisely (its *home* clause). Failures no signature explains but that crashed the same way are
grouped too.

A signature is something a correct provider never does, whatever a clause provokes: an extra
field in a token request, HTTP Basic on the token endpoint, a request to an API path that does
not exist, an expired access token sent without refreshing first, a secret outside its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mock_calcom.journal import JournalEntry
from mock_calcom_contracts.clauses.hygiene import secret_problem, token_problem
from mock_calcom_contracts.endpoints import ALL as ENDPOINTS
from mock_calcom_contracts.harness import form, grant_type, is_refresh, rejected_token

#: Fields Cal.com's token endpoint accepts, per grant (its DTOs use ``forbidNonWhitelisted``).
_TOKEN_FIELDS = {
    "authorization_code": frozenset({"client_id", "client_secret", "grant_type", "code",
                                     "redirect_uri", "code_verifier"}),
    "refresh_token": frozenset({"client_id", "client_secret", "grant_type", "refresh_token"}),
}
_GRANT_NAMES = {"authorization_code": "code-exchange", "refresh_token": "refresh"}
_KNOWN_PATHS = frozenset(e.path for e in ENDPOINTS)
_VERSIONS = {e.path: e.versions for e in ENDPOINTS if e.versions is not None}


@dataclass(frozen=True, order=True)
class Cause:
    """A root cause: ``rank`` orders causes from the most specific; ``home`` names the clauses
    whose failure message names it most precisely, best first."""

    rank: int
    key: str
    summary: str
    hint: str
    home: tuple[str, ...]

    def lead_order(self, clause_id: str) -> int:
        return self.home.index(clause_id) if clause_id in self.home else len(self.home)


def _extra_field(grant: str, name: str) -> Cause:
    if name == "scope" and grant == "refresh_token":
        hint = ("do not send `scope` when refreshing (Authlib and oauthlib add it by default): a "
                "refresh keeps the granted scopes, and Cal.com rejects the field with 400")
    else:
        allowed = ", ".join(sorted(_TOKEN_FIELDS[grant]))
        hint = f"send only Cal.com's fields ({allowed}); it answers 400 to any other"
    return Cause(10, f"extra-token-field:{grant}:{name}",
                 f"extra field `{name}` in {_GRANT_NAMES[grant]} requests", hint, ("EXCHANGE-FIELDS",))


BASIC_AUTH = Cause(
    11, "basic-auth", "client credentials sent as HTTP Basic on the token endpoint",
    "put client_id and client_secret in the token request body only (Cal.com reads the body and "
    "the secret must not travel in a header; issue #24964)", ("EXCHANGE-FIELDS",))
BASE_URL = Cause(
    12, "api-base-url", "API calls go to paths that do not exist (the API base URL is joined wrongly)",
    "join the API base URL and the path so that exactly one /v2 appears, e.g. "
    "https://api.cal.com/v2/me", ("API-VERSION",))
API_VERSION = Cause(
    13, "api-version", "versioned endpoints are called without their cal-api-version",
    "send cal-api-version 2024-08-13 to /v2/bookings, 2024-06-14 to /v2/event-types, 2024-06-11 "
    "to /v2/schedules (a missing one falls back to 2024-04-15 and 404s)", ("API-VERSION",))
SECRET_ASTRAY = Cause(
    14, "secret-astray", "the client secret travels outside token request bodies",
    "send client_secret only in the body of requests to the token URL", ("HYGIENE-SECRET",))
TOKEN_ASTRAY = Cause(
    15, "token-astray", "tokens travel outside their place (a URL, another header or host)",
    "send the access token only as 'Authorization: Bearer' to API v2, the refresh token only in "
    "refresh request bodies", ("HYGIENE-TOKEN",))
NEVER_REFRESHED = Cause(
    20, "stale-token", "expired access tokens are sent and never refreshed",
    "judge expiry by env.now() (the fake's clock; time.time() does not move in a verify run): "
    "expires_at = env.now() + expires_in at the exchange, refresh once env.now() passes it",
    ("EXPIRY-REFRESH", "EXPIRY-BOOKINGS-403", "EXCHANGE-EXPIRY"))
REFRESH_AFTER_REJECTION = Cause(
    21, "refresh-after-rejection",
    "expired access tokens are sent: tokens are refreshed only after Cal.com rejects them",
    "refresh before use from the expiry computed at the exchange (env.now() + expires_in): "
    "/v2/bookings and /v2/event-types answer an expired token with 403 PermissionsGuard, not "
    "401, so waiting for a 401 is not enough", ("EXPIRY-BOOKINGS-403", "EXPIRY-REFRESH"))


_PROPERTY = re.compile(r"property (\w+) should not exist")


def scan(entries: Sequence[JournalEntry], api_host: str) -> set[Cause]:
    """The root causes whose signature appears in one scenario's ``entries``."""
    found: set[Cause] = set()
    refreshed = False
    rejected_before_refresh = False
    for entry in entries:
        if entry.is_token_request:
            grant = grant_type(entry)
            if grant in _TOKEN_FIELDS:
                for name in sorted(set(form(entry)) - _TOKEN_FIELDS[grant]):
                    found.add(_extra_field(grant, name))
            if entry.request_headers.get("authorization", "").lower().startswith("basic"):
                found.add(BASIC_AUTH)
            if is_refresh(entry):
                refreshed = True
        elif entry.request_headers.get("authorization", "").startswith("Bearer ") and entry.status == 404:
            if _misjoined(entry.path):
                found.add(BASE_URL)
            elif entry.path in _VERSIONS and entry.request_headers.get("cal-api-version") not in \
                    _VERSIONS[entry.path]:
                found.add(API_VERSION)
        if rejected_token(entry) and not refreshed:
            rejected_before_refresh = True
        if secret_problem(entry):
            found.add(SECRET_ASTRAY)
        elif token_problem(entry, api_host):
            found.add(TOKEN_ASTRAY)
    if rejected_before_refresh:
        found.add(REFRESH_AFTER_REJECTION if refreshed else NEVER_REFRESHED)
    return found


def _merged(causes: frozenset[Cause], seen_in_run: frozenset[Cause]) -> frozenset[Cause]:
    """A provider that refreshes only after a rejection shows two faces: where /v2/me's 401
    made it refresh (refresh-after-rejection) and where a 403 from /v2/bookings never did
    (stale-token). Once the run has shown the first, the second is the same bug."""
    if REFRESH_AFTER_REJECTION in seen_in_run and NEVER_REFRESHED in causes:
        return (causes - {NEVER_REFRESHED}) | {REFRESH_AFTER_REJECTION}
    return causes


def _misjoined(path: str) -> bool:
    """A path no correct joining of Cal.com's base URL and an API path gives: ``/v2/v2/me``,
    ``/me``, ``/v2//me``."""
    if path in _KNOWN_PATHS or path.startswith(("/auth/", "/api/auth/", "/_mock")):
        return False
    return path.startswith("/v2/v2/") or "//" in path or not path.startswith("/v2/")


# -- grouping ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Failure:
    """What :func:`diagnose` needs of a failing clause."""

    id: str
    message: str
    causes: frozenset[Cause]


@dataclass(frozen=True)
class Diagnosis:
    """Failing clauses that share one cause, led by the most specific of them."""

    #: ``None`` for a group of the same crash that no journal signature explains.
    cause: Cause | None
    summary: str
    hint: str
    #: The leading clause first.
    clauses: tuple[str, ...]

    @property
    def lead(self) -> str:
        return self.clauses[0]

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"summary": self.summary, "fix": self.hint,
                                   "lead": self.lead, "clauses": list(self.clauses)}
        if self.cause is not None:
            data["cause"] = self.cause.key
        return data


_CRASH = re.compile(r"got (crash \([^)]*\)|runaway[^;]*)")


def diagnose(failures: Iterable[Failure]) -> tuple[Diagnosis, ...]:
    """Group ``failures`` (in catalogue order) by root cause, most specific cause first. A
    clause joins the group of the most specific cause seen in its own scenarios; clauses that
    crashed with the same error form a group of their own. Single clauses no cause explains
    get no diagnosis."""
    pending = list(failures)
    seen_in_run = frozenset(c for f in pending for c in f.causes)
    pending = [Failure(f.id, f.message, _merged(f.causes, seen_in_run)) for f in pending]
    groups: list[Diagnosis] = []
    causes = sorted({c for f in pending for c in f.causes})
    for cause in causes:
        members = [f for f in pending if f.causes and min(f.causes) == cause]
        if not members:
            continue
        members.sort(key=lambda f: cause.lead_order(f.id))
        groups.append(Diagnosis(cause, cause.summary, cause.hint, tuple(f.id for f in members)))
        pending = [f for f in pending if f not in members]
    by_crash: dict[str, list[Failure]] = {}
    for failure in pending:
        match = _CRASH.search(failure.message)
        if match:
            by_crash.setdefault(match.group(1), []).append(failure)
    for crash, members in by_crash.items():
        if len(members) < 2:
            continue
        hint = ("a provider returns an ApiResponse or raises one of the outcomes of "
                "mock_calcom_contracts.errors; anything else is a crash" if crash.startswith("crash")
                else "bound every retry loop and every wait (see --timeout)")
        groups.append(Diagnosis(None, f"the provider keeps failing the same way: {crash}", hint,
                                tuple(f.id for f in members)))
    return tuple(groups)
