"""The request journal: every request the fake answered, with every secret replaced by a marker.

A contract suite reads the journal to judge an integration's hygiene ("the client_secret only
ever goes to the token endpoint", "no access token in a query string"), so redaction keeps the
*kind* of each secret where it was found: ``<redacted:access_token>`` in a query string is
still a visible mistake, while the token itself is gone. Secrets are recognised

* by field name (``client_secret``, ``code``, ``code_verifier``, ``refresh_token``,
  ``access_token``, ...) in query strings, form and JSON bodies, in both directions;
* by value anywhere (paths, headers, any body, any field): a JWT is classified by its
  unverified ``token_type`` claim ("Access Token"/"Refresh Token"), a 64-hex string whose
  sha256 matches a client secret of the fake (live, or issued and since deleted) is a
  ``client_secret``;
* in the ``Authorization`` header, keeping the scheme: ``Bearer <redacted:access_token>``.

Recording is cheap (references only); parsing and redaction run once per entry, on first read.

The control plane (``/_mock/*``) is not journaled: it is the test talking to the fake, not
the integration talking to Cal.com (and journaling ``GET /_mock/journal`` would nest the
journal in itself).
"""

from __future__ import annotations

import binascii
import collections
import functools
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.asgi import buffer_body, declares_body
from mock_calcom.bodylimit import json_too_deep
from mock_calcom.errors import ConnectionDropped
from mock_calcom.model.jws import b64url_decode
from mock_calcom.refusal import bearer_claims, client_in, jwt_claims, rule_of, user_of
from mock_calcom.secretvalues import SecretValues

BodyKind = Literal["none", "json", "form", "multipart", "text", "binary"]
QueryDict = dict[str, str | list[str]]

#: Where the token endpoints live (G2, and the G1 web endpoints; FACTS §0).
TOKEN_PATHS = frozenset({
    "/v2/auth/oauth2/token", "/api/auth/oauth/token", "/api/auth/oauth/refreshToken",
})
AUTHORIZE_PATH = "/auth/oauth2/authorize"
CONTROL_PREFIX = "/_mock"
#: Bodies longer than this are cut (the consent page, big API lists): the journal is bounded
#: in entries, this bounds each entry.
MAX_TEXT = 64 * 1024
#: Where :func:`mark_fault` notes the fault that fired (``scope["state"]``).
_FAULT_KEY = "mock_calcom.fault_id"

#: Field names that hold a secret wherever they appear, and the kind their marker names.
#: camelCase spellings are those of Cal.com's older API shapes (FACTS §1.2).
_SECRET_FIELDS: dict[str, str] = {
    "client_secret": "client_secret",
    "clientSecret": "client_secret",
    "code": "code",
    "code_verifier": "code_verifier",
    "codeVerifier": "code_verifier",
    "refresh_token": "refresh_token",
    "refreshToken": "refresh_token",
    "access_token": "access_token",
    "accessToken": "access_token",
    "apiKey": "api_key",
    "api_key": "api_key",
    "password": "password",
}
#: In response bodies ``code`` is the v2 error envelope's exception name, never a secret
#: (the fake hands out authorization codes only in the redirect's Location header).
_RESPONSE_SECRET_FIELDS = {k: v for k, v in _SECRET_FIELDS.items() if k != "code"}
#: Headers whose whole value is a secret (Platform's client secret header, FACTS §7.4).
_SECRET_HEADERS = {"x-cal-secret-key": "platform_secret"}
#: Headers that carry URLs whose query may hold a code or token (the authorize redirect).
_URL_HEADERS = frozenset({"location", "referer", "content-location"})
_JWT_KINDS = {"Access Token": "access_token", "Refresh Token": "refresh_token"}

_HEX64 = re.compile(r"[0-9a-f]{64}")
_API_KEY = re.compile(r"cal_(?:live_|test_)?[0-9a-f]{16,}")
#: Anything in free text that may be a secret: a JWT, a 64-hex string, a Cal.com API key.
_TOKENISH = re.compile(
    r"eyJ[\w-]*\.[\w-]+\.[\w-]*"
    r"|(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])"
    r"|cal_(?:live_|test_)?[0-9a-f]{16,}"
)
_MARKER = re.compile(r"<redacted:(\w+)>")
#: Client lookup ``GET /v2/auth/oauth2/clients/{id}``: the client a request speaks for.
_CLIENT_PATH = re.compile(r"/v2/auth/oauth2/clients/([^/]+)")
#: A urlencoded form has no raw whitespace (spaces are "+"), which tells it from prose.
_FORM_LIKE = re.compile(r"[\w.%+\-\[\]]+=[^&\s]*(?:&[\w.%+\-\[\]]+=[^&\s]*)*")
_MULTIPART_FIELD = re.compile(r'(name="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n)([^\r]*)')


def marker(kind: str) -> str:
    """The text that stands in the journal where a secret of ``kind`` was."""
    return f"<redacted:{kind}>"


def mark_fault(scope: Scope, fault: str) -> None:
    """Label the request in ``scope`` with the fault that shaped its answer; the journal
    entry's ``fault`` field shows it. Call from any middleware or handler
    (``mark_fault(request.scope, "drop")``)."""
    scope.setdefault("state", {})[_FAULT_KEY] = fault


@functools.lru_cache(maxsize=4096)
def _jwt_kind(token: str) -> str | None:
    """Classify a JWT by its payload, unverified: the journal must recognise tokens of any
    fake (and expired ones), so the signature does not matter here."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(b64url_decode(parts[1], padded=True))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict):
        return None
    return _JWT_KINDS.get(payload.get("token_type"), "jwt")  # type: ignore[arg-type]


class _Redaction:
    """One entry's redaction; fetches the live secret hashes at most once, and only if some
    value could be a client secret."""

    def __init__(self, secret_hashes: Callable[[], frozenset[str]],
                 known: SecretValues | None = None) -> None:
        self._provider = secret_hashes
        self._hashes: frozenset[str] | None = None
        self._known = known

    def _is_live_secret(self, value: str) -> bool:
        if self._hashes is None:
            self._hashes = self._provider()
        return hashlib.sha256(value.encode()).hexdigest() in self._hashes

    def classify(self, value: str) -> str | None:
        """The kind of secret ``value`` is by itself, or ``None``."""
        if self._known is not None:
            known = self._known.kind_of(value)
            if known is not None:
                return known
        if value.startswith("eyJ"):
            return _jwt_kind(value)
        if len(value) == 64 and _HEX64.fullmatch(value):
            return "client_secret" if self._is_live_secret(value) else None
        if value.startswith("cal_") and _API_KEY.fullmatch(value):
            return "api_key"
        return None

    def text(self, value: str) -> str:
        """Free text with every recognisable secret inside it replaced: values the fake
        issued or received, JWTs, client secrets, API keys."""
        if self._known:
            value = self._known.replace(value, marker)
        if "eyJ" not in value and "cal_" not in value and len(value) < 64:
            return value

        def _sub(match: re.Match[str]) -> str:
            kind = self.classify(match.group(0))
            return marker(kind) if kind else match.group(0)

        return _TOKENISH.sub(_sub, value)

    def value(self, value: Any, field_kind: str | None, fields: Mapping[str, str]) -> Any:
        """A JSON/form value; ``field_kind`` is set when its field name marks it secret."""
        if isinstance(value, str):
            kind = self.classify(value)
            if kind is not None:
                return marker(kind)
            return marker(field_kind) if field_kind else self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, fields.get(k) if isinstance(k, str) else None, fields)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, field_kind, fields) for v in value]
        if field_kind is not None and value is not None:
            return marker(field_kind)
        return value

    def query_string(self, raw: str, fields: Mapping[str, str]) -> str:
        """A raw query with secret parameters replaced and everything else byte for byte."""
        if not raw:
            return raw
        out = []
        for part in raw.split("&"):
            name, eq, val = part.partition("=")
            kind = fields.get(unquote_plus(name)) if eq else None
            plain = unquote_plus(val)
            found = self.classify(plain) if eq else None
            if found is not None:
                out.append(f"{name}={marker(found)}")
            elif kind is not None:
                out.append(f"{name}={marker(kind)}")
            else:
                out.append(self.text(part))
        return "&".join(out)

    def url(self, value: str) -> str:
        base, q, rest = value.partition("?")
        if not q:
            return self.text(value)
        query, h, fragment = rest.partition("#")
        return self.text(base) + "?" + self.query_string(query, _SECRET_FIELDS) + h + self.text(fragment)

    def authorization(self, value: str) -> str:
        scheme, _, credentials = value.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials:
            return marker("authorization")
        if scheme.lower() == "basic":
            try:
                _, _, password = _decode_basic(credentials).partition(":")
            except ValueError:
                password = ""
            kind = "client_secret" if password and self._is_live_secret(password) else "credentials"
            return f"{scheme} {marker(kind)}"
        kind = self.classify(credentials) or ("token" if scheme.lower() == "bearer" else "credentials")
        return f"{scheme} {marker(kind)}"

    def headers(self, raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, val in raw:
            name = key.decode("latin-1").lower()
            text = val.decode("latin-1")
            if name in ("authorization", "proxy-authorization"):
                text = self.authorization(text)
            elif name in _SECRET_HEADERS:
                text = marker(_SECRET_HEADERS[name])
            elif name in _URL_HEADERS:
                text = self.url(text)
            else:
                text = self.text(text)
            out[name] = f"{out[name]}, {text}" if name in out else text
        return out

    def body(self, raw: bytes, content_type: str, fields: Mapping[str, str]) -> tuple[BodyKind, Any]:
        kind, parsed = _parse_body(raw, content_type)
        if kind in ("json", "form"):
            return kind, self.value(parsed, None, fields)
        if kind == "multipart":
            return kind, self._multipart(parsed, fields)
        if kind == "text":
            return kind, self.text(parsed)
        return kind, parsed

    def _multipart(self, text: str, fields: Mapping[str, str]) -> str:
        def _sub(match: re.Match[str]) -> str:
            kind = self.classify(match.group(3)) or fields.get(match.group(2))
            return match.group(1) + (marker(kind) if kind else self.text(match.group(3)))

        return _MULTIPART_FIELD.sub(_sub, text)


def _decode_basic(data: str) -> str:
    """Decode HTTP Basic credentials (standard base64; url-safe tolerated)."""
    try:
        return b64url_decode(data.replace("+", "-").replace("/", "_"), padded=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not base64") from exc


def _multidict(pairs: list[tuple[str, str]]) -> QueryDict:
    out: QueryDict = {}
    for key, val in pairs:
        if key not in out:
            out[key] = val
        else:
            held = out[key]
            out[key] = [*held, val] if isinstance(held, list) else [held, val]
    return out


def _parse_body(raw: bytes, content_type: str) -> tuple[BodyKind, Any]:
    """What a body holds. Content types are hints, not trusted: Cal.com's G1 endpoints parse
    any body as a form (FACTS §1.3), and a JSON body sent as text/plain still carries fields
    that must be redacted."""
    if not raw:
        return "none", None
    ctype = content_type.partition(";")[0].strip().lower()
    try:
        text = raw[:MAX_TEXT].decode("utf-8")
    except UnicodeDecodeError:
        return "binary", f"<{len(raw)} bytes>"
    if ctype.startswith("multipart/"):
        return "multipart", text
    stripped = text.lstrip()
    if ctype == "application/json" or ctype.endswith("+json") or stripped[:1] in ("{", "["):
        parsed = _safe_json(raw)
        if parsed is not _UNPARSED:
            return "json", parsed
    if ctype == "application/x-www-form-urlencoded" or _FORM_LIKE.fullmatch(text):
        return "form", _multidict(parse_qsl(text, keep_blank_values=True))
    return "text", text


_UNPARSED = object()
#: Deepest JSON the journal parses (deeper bodies are kept as text): Python's parser recurses.
_MAX_DEPTH = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _keep_constant(name: str) -> str:
    # NaN/Infinity are no JSON: kept as their text, so the entry stays serialisable.
    return name


def _clean(value: Any) -> Any:
    """A parsed JSON value with lone surrogates (which no UTF-8 encoder can write) replaced by
    U+FFFD; iterative over a depth-bounded value."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _safe_json(raw: bytes) -> Any:
    if json_too_deep(raw, _MAX_DEPTH):
        return _UNPARSED
    try:
        return _clean(json.loads(raw, parse_constant=_keep_constant))
    except (ValueError, RecursionError):
        return _UNPARSED


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One request and its answer, as the fake saw them, secrets redacted."""

    id: int
    #: The fake's clock when the request arrived (POSIX seconds).
    time: float
    method: str
    scheme: str
    #: The Host header as sent (``api.cal.com``, ``127.0.0.1:8765``).
    host: str
    path: str
    query_string: str
    query: QueryDict
    request_headers: dict[str, str]
    request_body_kind: BodyKind
    #: A JSON value or form fields (``dict``), text, or ``None`` for no body.
    request_body: Any
    #: ``None`` when no response was sent (the connection was dropped).
    status: int | None
    response_headers: dict[str, str]
    response_body_kind: BodyKind
    response_body: Any
    #: The fault that shaped this answer (``None`` for a normal answer).
    fault: str | None
    #: The OAuth client the request was for (its ``client_id`` parameter or the bearer's
    #: claim), the user it acted as (the bearer's, or the minted token's), and the Cal.com
    #: rule that refused it (``None`` for a success); see :mod:`mock_calcom.refusal`.
    client_id: str | None = None
    user_id: int | None = None
    rule: str | None = None

    @property
    def hostname(self) -> str:
        """The host without its port."""
        host = self.host
        if host.startswith("["):
            return host[: host.find("]") + 1]
        return host.rpartition(":")[0] if host.count(":") == 1 else host

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}" + (
            f"?{self.query_string}" if self.query_string else "")

    @property
    def is_token_request(self) -> bool:
        return self.method == "POST" and self.path in TOKEN_PATHS

    def markers(self) -> dict[str, list[str]]:
        """Every redaction marker in this entry, by where it was: ``path``, ``query``,
        ``request_headers``, ``request_body``, ``response_headers``, ``response_body``.
        ``{"query": ["access_token"]}`` is an access token sent in a query string."""
        found: dict[str, list[str]] = {}
        for where, value in (
            ("path", self.path), ("query", self.query), ("request_headers", self.request_headers),
            ("request_body", self.request_body), ("response_headers", self.response_headers),
            ("response_body", self.response_body),
        ):
            kinds = _MARKER.findall(json.dumps(value)) if value else []
            if kinds:
                found[where] = kinds
        return found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Bytes of each body (request and response) the journal keeps; the rest is cut, with a
#: marker saying how much there was.
MAX_STORED_BODY = 16 * 1024
#: What one entry costs besides its bodies and headers (the objects themselves).
_ENTRY_OVERHEAD = 512


@dataclass(slots=True)
class _Raw:
    """A request as recorded on the hot path: references and bodies cut to
    :data:`MAX_STORED_BODY`, no parsing. It becomes a redacted :class:`JournalEntry` the
    first time someone reads it."""

    id: int
    time: float
    method: str
    scheme: str
    path: str
    query: bytes
    #: Tuples, not lists: a tuple of bytes pairs is left alone by the garbage collector, and
    #: the journal keeps thousands of entries that every full collection would walk.
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    body_size: int
    #: ``(status, headers)`` of the answer, ``None`` if none was sent.
    start: tuple[int, tuple[tuple[bytes, bytes], ...]] | None
    response_body: bytes
    response_size: int
    fault: str | None
    built: JournalEntry | None = None
    #: :meth:`cost`, once computed (the entry never changes).
    _cost: int = -1

    def cost(self) -> int:
        """Bytes this entry holds (bounded: bodies are cut, headers bounded by the server)."""
        if self._cost < 0:
            headers = sum(map(len, itertools.chain.from_iterable(self.headers)))
            if self.start is not None:
                headers += sum(map(len, itertools.chain.from_iterable(self.start[1])))
            self._cost = (_ENTRY_OVERHEAD + len(self.path) + len(self.query) + headers
                          + len(self.body) + len(self.response_body))
        return self._cost

    @property
    def status(self) -> int | None:
        return self.start[0] if self.start is not None else None

    def header(self, name: bytes) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("latin-1")
        return None


def _pairs(headers: Iterable[tuple[bytes, bytes]]) -> tuple[tuple[bytes, bytes], ...]:
    """ASGI headers as a tuple: a list would keep every stored entry on the garbage
    collector's books (a tuple of bytes pairs is untracked after its first collection)."""
    return tuple(headers)


def _cut(body: bytes) -> bytes:
    return body[:MAX_STORED_BODY]


def _from_messages(response: list[Message] | None) -> tuple[
        tuple[int, tuple[tuple[bytes, bytes], ...]] | None, bytes, int]:
    """The answer's status and headers, and its body cut to the budget."""
    if not response:
        return None, b"", 0
    start = response[0]
    if len(response) == 2:  # the common answer: a start and one body
        body = response[1].get("body", b"")
        return ((int(start["status"]), _pairs(start.get("headers", ()))), body[:MAX_STORED_BODY],
                len(body))
    kept: list[bytes] = []
    size = room = 0
    room = MAX_STORED_BODY
    for message in response[1:]:
        chunk = message.get("body", b"")
        size += len(chunk)
        if room > 0:
            kept.append(chunk[:room])
            room -= min(room, len(chunk))
    return (int(start["status"]), _pairs(start.get("headers", ()))), b"".join(kept), size


@dataclass(frozen=True)
class JournalPage:
    """One page of :meth:`Journal.query`: ``entries`` oldest first; pass ``next_after`` as
    ``after`` to read on (``None`` when nothing more matched yet)."""

    entries: list[JournalEntry]
    next_after: int | None


def _status_matches(status: int | None, wanted: int | str) -> bool:
    if status is None:
        return wanted in ("none", "dropped")
    if isinstance(wanted, int):
        return status == wanted
    text = str(wanted).lower()
    if len(text) == 3 and text.endswith("xx") and text[0].isdigit():
        return status // 100 == int(text[0])
    return text.isdigit() and status == int(text)


def _claims(raw: _Raw) -> dict[str, Any]:
    """The bearer JWT's payload, unverified (the journal shows requests as sent)."""
    authorization = raw.header(b"authorization") or ""
    token = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 8192:
        return {}
    try:
        payload = json.loads(b64url_decode(parts[1], padded=True))
    except (ValueError, binascii.Error, RecursionError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _client_of(raw: _Raw) -> str | None:
    claimed = _claims(raw).get("clientId")
    if isinstance(claimed, str):
        return claimed
    for key, value in parse_qsl(raw.query.decode("latin-1")):
        if key == "client_id":
            return value
    header = raw.header(b"x-cal-client-id")
    if header:
        return header
    in_path = _CLIENT_PATH.match(raw.path)
    if in_path:
        return in_path.group(1)
    if raw.body and raw.method in ("POST", "PUT", "PATCH"):
        kind, parsed = _parse_body(raw.body, raw.header(b"content-type") or "")
        if kind in ("json", "form") and isinstance(parsed, dict):
            found = parsed.get("client_id", parsed.get("clientId"))
            return found if isinstance(found, str) else None
    return None


def _user_of(raw: _Raw) -> int | None:
    user = _claims(raw).get("userId")
    return user if isinstance(user, int) and not isinstance(user, bool) else None


class Journal:
    """The bounded, thread-safe log of one fake's requests.

    Entries are kept in arrival order; the oldest are dropped beyond ``limit()`` entries
    (``Settings.journal_limit``) or ``budget()`` bytes (``Settings.journal_max_bytes``; each
    body is cut to :data:`MAX_STORED_BODY`, so an entry's cost is bounded). Recording only
    copies references; parsing and redaction happen once per entry, when it is first read,
    and reads filter before they build, so a query never materialises the whole ring.
    ``secret_hashes`` gives the sha256 of every client secret to recognise: it must include
    secrets deleted since (the fake passes every secret it ever issued).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        limit: Callable[[], int],
        secret_hashes: Callable[[], frozenset[str]] = frozenset,
        budget: Callable[[], int] = lambda: 32 * 1024 * 1024,
        known_secrets: SecretValues | None = None,
    ) -> None:
        self._clock = clock
        self._limit = limit
        self._budget = budget
        self._secret_hashes = secret_hashes
        self._known = known_secrets
        self._lock = threading.Lock()
        self._entries: collections.deque[_Raw] = collections.deque()
        self._bytes = 0
        self._ids = itertools.count(1)
        self._dropped = 0

    # -- queries ---------------------------------------------------------------------------

    def _snapshot(self) -> list[_Raw]:
        with self._lock:
            return list(self._entries)  # references only, in id order

    @staticmethod
    def _matcher(*, host: str | None = None, path: str | None = None,
                 method: str | None = None, status: int | str | None = None,
                 client: str | None = None, user: int | None = None,
                 ) -> Callable[[_Raw], bool]:
        wanted_method = method.upper() if method is not None else None

        def matches(raw: _Raw) -> bool:
            if path is not None and not raw.path.startswith(path):
                return False
            if wanted_method is not None and raw.method != wanted_method:
                return False
            if status is not None and not _status_matches(raw.status, status):
                return False
            if host is not None:
                sent = raw.header(b"host") or ""
                bare = sent[: sent.find("]") + 1] if sent.startswith("[") else (
                    sent.rpartition(":")[0] if sent.count(":") == 1 else sent)
                if host not in (sent, bare):
                    return False
            if client is not None and _client_of(raw) != client:
                return False
            return user is None or _user_of(raw) == user

        return matches

    def query(
        self,
        *,
        after: int | None = None,
        limit: int = 100,
        status: int | str | None = None,
        path: str | None = None,
        client: str | None = None,
        user: int | None = None,
        method: str | None = None,
        host: str | None = None,
    ) -> JournalPage:
        """Entries oldest first, after the entry id ``after`` (a cursor), at most ``limit``.

        Filters: ``status`` (``404``, ``"4xx"``, ``"none"`` for dropped connections),
        ``path`` (prefix), ``client`` (the OAuth client id: bearer claim, ``client_id`` in
        the query or body, ``x-cal-client-id``), ``user`` (the bearer's user id), ``method``,
        ``host`` (with or without port). Only matching entries are built and redacted."""
        matches = self._matcher(host=host, path=path, method=method, status=status,
                                client=client, user=user)
        picked: list[_Raw] = []
        more = False
        for raw in self._snapshot():
            if after is not None and raw.id <= after:
                continue
            if matches(raw):
                if len(picked) >= limit:
                    more = True
                    break
                picked.append(raw)
        entries = self._materialise(picked)
        return JournalPage(entries, entries[-1].id if entries and more else None)

    def entries(
        self,
        *,
        host: str | None = None,
        path: str | None = None,
        method: str | None = None,
        limit: int | None = None,
        after: int | None = None,
        status: int | str | None = None,
        client: str | None = None,
        user: int | None = None,
    ) -> list[JournalEntry]:
        """Entries in arrival order. ``host`` matches with or without port, ``path`` is a
        prefix, ``method`` is case-insensitive; ``limit`` keeps the newest matches; ``after``
        keeps entries whose id is greater (what happened since a given entry); ``status``,
        ``client`` and ``user`` as in :meth:`query`."""
        if limit is not None and limit <= 0:
            return []
        matches = self._matcher(host=host, path=path, method=method, status=status,
                                client=client, user=user)
        picked: list[_Raw] = []
        for raw in reversed(self._snapshot()):  # newest first, so a limit stops early
            if after is not None and raw.id <= after:
                break
            if matches(raw):
                picked.append(raw)
                if limit is not None and len(picked) >= limit:
                    break
        picked.reverse()
        return self._materialise(picked)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def last(self, **filters: Any) -> JournalEntry | None:
        found = self.entries(limit=1, **filters)
        return found[-1] if found else None

    def token_requests(self) -> list[JournalEntry]:
        """Requests to a token endpoint (G2 ``/v2/auth/oauth2/token`` or the G1 web ones)."""
        return self._materialise([r for r in self._snapshot()
                                  if r.method == "POST" and r.path in TOKEN_PATHS])

    def authorize_requests(self) -> list[JournalEntry]:
        return self.entries(path=AUTHORIZE_PATH)

    def api_requests(self) -> list[JournalEntry]:
        """API v2 resource requests (everything under ``/v2/`` but the OAuth endpoints)."""
        return [e for e in self.entries(path="/v2/") if not e.path.startswith("/v2/auth/")]

    @property
    def dropped(self) -> int:
        """How many entries fell off the end since the last :meth:`clear`."""
        return self._dropped

    @property
    def size_bytes(self) -> int:
        """What the kept entries cost (bounded by ``Settings.journal_max_bytes``)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._dropped = 0

    def redact_text(self, text: str) -> str:
        """Free text with every recognisable secret replaced by its marker."""
        return _Redaction(self._secret_hashes, self._known).text(text)

    # -- recording (the middleware) ----------------------------------------------------------

    def _begin(self) -> tuple[int, float]:
        return next(self._ids), self._clock()

    def _record(self, raw: _Raw) -> None:
        limit, budget = self._limit(), self._budget()
        cost = raw.cost()
        with self._lock:
            self._entries.append(raw)
            self._bytes += cost
            while self._entries and (len(self._entries) > limit or self._bytes > budget):
                oldest = self._entries.popleft()
                self._bytes -= oldest.cost()
                self._dropped += 1

    # -- redaction (on read) -----------------------------------------------------------------

    def _materialise(self, raws: list[_Raw]) -> list[JournalEntry]:
        hashes: list[frozenset[str]] = []

        def secret_hashes() -> frozenset[str]:
            # One look at the model per read, however many entries need it.
            if not hashes:
                hashes.append(self._secret_hashes())
            return hashes[0]

        out = []
        for raw in raws:
            if raw.built is None:
                raw.built = _build(raw, _Redaction(secret_hashes, self._known))
            out.append(raw.built)
        return out


def _with_marker(kind: BodyKind, body: Any, kept: int, size: int) -> tuple[BodyKind, Any]:
    """A cut body says so: its text ends with ``<truncated: kept K of N bytes>``."""
    if size <= kept:
        return kind, body
    note = f"<truncated: kept {kept} of {size} bytes>"
    if isinstance(body, str):
        return kind, body + note
    return "text", note


def _build(raw: _Raw, redact: _Redaction) -> JournalEntry:
    """The redacted entry of ``raw``; never raises (an unreadable part is shown as such)."""
    try:
        return _build_entry(raw, redact)
    except Exception as exc:  # a journal read must never fail on what was stored
        return JournalEntry(
            id=raw.id, time=raw.time, method=raw.method, scheme=raw.scheme, host="",
            path=redact.text(raw.path), query_string="", query={}, request_headers={},
            request_body_kind="text", request_body=f"<unreadable entry: {type(exc).__name__}>",
            status=raw.status, response_headers={}, response_body_kind="none",
            response_body=None, fault=raw.fault)


def _build_entry(raw: _Raw, redact: _Redaction) -> JournalEntry:
    request_ctype = host = ""
    for key, val in raw.headers:
        if key == b"host":
            host = val.decode("latin-1")
        elif key == b"content-type":
            request_ctype = val.decode("latin-1")
    query_raw = raw.query.decode("latin-1")
    req_kind, req_body = redact.body(raw.body, request_ctype, _SECRET_FIELDS)
    req_kind, req_body = _with_marker(req_kind, req_body, len(raw.body), raw.body_size)
    status: int | None = None
    response_headers: dict[str, str] = {}
    resp_kind: BodyKind = "none"
    resp_body: Any = None
    if raw.start is not None:
        status = raw.start[0]
        response_headers = redact.headers(raw.start[1])
        resp_kind, resp_body = redact.body(raw.response_body,
                                           response_headers.get("content-type", ""),
                                           _RESPONSE_SECRET_FIELDS)
        resp_kind, resp_body = _with_marker(resp_kind, resp_body, len(raw.response_body),
                                            raw.response_size)
    return JournalEntry(
        id=raw.id,
        time=raw.time,
        method=raw.method,
        scheme=raw.scheme,
        host=redact.text(host),
        path=redact.text(raw.path),
        query_string=redact.query_string(query_raw, _SECRET_FIELDS),
        query=redact.value(_multidict(parse_qsl(query_raw, keep_blank_values=True)), None,
                           _SECRET_FIELDS),
        request_headers=redact.headers(raw.headers),
        request_body_kind=req_kind,
        request_body=req_body,
        status=status,
        response_headers=response_headers,
        response_body_kind=resp_kind,
        response_body=resp_body,
        fault=raw.fault,
        **_who(raw, query_raw, req_body, status, response_headers, resp_body, redact),
    )


def _who(raw: _Raw, query_raw: str, request_body: Any, status: int | None,
         response_headers: dict[str, str], response_body: Any, redact: _Redaction
         ) -> dict[str, Any]:
    """Client, user and rule of an entry, read before redaction where a token holds them
    (the bearer's claims, the access token a token response minted)."""
    claims: dict[str, Any] = {}
    client = client_in(_multidict(parse_qs_pairs(query_raw))) or client_in(request_body)
    for key, val in raw.headers:
        if key == b"authorization":
            claims = bearer_claims(val.decode("latin-1"))
        elif key == b"x-cal-client-id" and client is None:
            client = val.decode("latin-1")
    if not claims and status == 200:
        body = raw.response_body
        if b'"access_token"' in body[:MAX_TEXT]:
            try:
                minted = json.loads(body)
            except ValueError:
                minted = None
            if isinstance(minted, dict) and isinstance(minted.get("access_token"), str):
                claims = jwt_claims(minted["access_token"])
    claimed = claims.get("clientId")
    client = client or (claimed if isinstance(claimed, str) else None)
    rule = rule_of(status, response_headers.get("location"), response_body)
    return {"client_id": redact.text(client) if client else None, "user_id": user_of(claims),
            "rule": redact.text(rule) if rule else None}


def parse_qs_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def record_answer(journal: Journal, ident: int, started: float, scope: Scope, request_body: bytes,
                  response: list[Message] | None) -> None:
    """Record one request (``ident`` and ``started`` from ``journal._begin()``) with the
    messages of its answer (``None``: no answer was sent)."""
    fault = scope["state"].get(_FAULT_KEY)
    start, response_body, response_size = _from_messages(response)
    journal._record(_Raw(
        ident, started, scope["method"], scope.get("scheme", "http"), scope["path"],
        scope.get("query_string", b""), _pairs(scope.get("headers", ())), _cut(request_body),
        len(request_body), start, response_body, response_size,
        fault if isinstance(fault, str) else None))


class JournalMiddleware:
    """Pure ASGI: records each request in the journal, outside every other layer of the app.

    The response is held until the app returns, then recorded, then sent: so a test that got
    its response always finds the entry, and an app that raises :class:`ConnectionDropped`
    (even after Starlette's error layer answered 500) leaves nothing sent, which lets the
    transports and the live server hang up cleanly.
    """

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        await journaled(self.journal, self.app, scope, receive, send)


async def journaled(journal: Journal, app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                    body: bytes | None = None, *,
                    error_page: Callable[[Scope, Exception], Awaitable[Response]] | None = None,
                    ) -> None:
    """Run ``app`` for one HTTP request and record it in ``journal`` (what
    :class:`JournalMiddleware` does; the fake's app calls it from its one edge layer).
    ``body``: the request body when the caller has already read it all (``receive`` then
    replays it). ``error_page``: the answer to an unexpected error when nothing was sent yet
    (Starlette's ServerErrorMiddleware, just inside the journal); the error goes on."""
    held = await HeldAnswer.begin(journal, scope, receive, body)
    try:
        await app(scope, held.receive, held.capture)
    except ConnectionDropped:
        held.record(None)
        raise
    except BaseException as exc:
        await held.fail(exc, error_page, send)
        raise
    await held.release(send)


class HeldAnswer:
    """One request's answer held back by the journal: messages are captured while the app
    runs, then recorded, then sent (:func:`journaled`; the fake's edge uses the same steps in
    its own frame)."""

    __slots__ = ("body", "ident", "journal", "receive", "scope", "sent", "started")

    def __init__(self, journal: Journal, scope: Scope, receive: Receive, body: bytes) -> None:
        self.journal = journal
        self.ident, self.started = journal._begin()
        self.scope = scope
        self.receive = receive
        self.body = body
        self.sent: list[Message] = []

    @classmethod
    async def begin(cls, journal: Journal, scope: Scope, receive: Receive,
                    body: bytes | None) -> HeldAnswer:
        if body is None:
            # Read up front, so the body is journaled even if no handler reads it (a GET has
            # none to read: awaiting the client for it would only slow every such request
            # down).
            body, receive = await buffer_body(receive) if declares_body(scope) else (b"", receive)
        scope.setdefault("state", {})
        return cls(journal, scope, receive, body)

    async def capture(self, message: Message) -> None:
        self.sent.append(message)

    def record(self, response: list[Message] | None) -> None:
        record_answer(self.journal, self.ident, self.started, self.scope, self.body, response)

    async def fail(self, exc: BaseException,
                   error_page: Callable[[Scope, Exception], Awaitable[Response]] | None,
                   send: Send) -> None:
        """After an error: the error page if nothing was sent yet, then record and send what
        there is (the caller raises the error on)."""
        sent = self.sent
        if error_page is not None and isinstance(exc, Exception):
            page = await error_page(self.scope, exc)
            if not sent:
                await page(self.scope, self.receive, self.capture)
        complete = bool(sent) and sent[0]["type"] == "http.response.start"
        self.record(sent if complete else None)
        for message in sent:
            await send(message)

    async def release(self, send: Send) -> None:
        self.record(self.sent)
        for message in self.sent:
            await send(message)
