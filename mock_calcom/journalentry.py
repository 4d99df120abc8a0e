"""What a journal read returns: :class:`JournalEntry`, redacted (see :mod:`mock_calcom.journal`
for the rules), and how a recorded request becomes one.

Apart from :mod:`.journal` because recording needs none of it: the journal keeps each
request as it came and builds its entry on first read, so a fake that is never asked for
its journal never loads this module (``serve``'s start-up).
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from mock_calcom.journal import (
    MAX_TEXT,
    TOKEN_PATHS,
    BodyKind,
    QueryDict,
    _multidict,
    _parse_body,
    _Raw,
    parse_qs_pairs,
)
from mock_calcom.model.jws import b64url_decode
from mock_calcom.refusal import bearer_claims, client_in, jwt_claims, rule_of, user_of
from mock_calcom.secretvalues import SecretValues

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
_MULTIPART_FIELD = re.compile(r'(name="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n)([^\r]*)')



def marker(kind: str) -> str:
    """The text that stands in the journal where a secret of ``kind`` was."""
    return f"<redacted:{kind}>"


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


@dataclass(frozen=True)
class JournalPage:
    """One page of :meth:`Journal.query`: ``entries`` oldest first; pass ``next_after`` as
    ``after`` to read on (``None`` when nothing more matched yet)."""

    entries: list[JournalEntry]
    next_after: int | None


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
    request_headers, start = raw.unpacked()  # one unpacking for the whole entry
    for key, val in request_headers:
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
    if start is not None:
        status = start[0]
        response_headers = redact.headers(start[1])
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
        request_headers=redact.headers(request_headers),
        request_body_kind=req_kind,
        request_body=req_body,
        status=status,
        response_headers=response_headers,
        response_body_kind=resp_kind,
        response_body=resp_body,
        fault=raw.fault,
        **_who(raw, request_headers, query_raw, req_body, status, response_headers, resp_body,
               redact),
    )


def _who(raw: _Raw, request_headers: tuple[tuple[bytes, bytes], ...], query_raw: str,
         request_body: Any, status: int | None,
         response_headers: dict[str, str], response_body: Any, redact: _Redaction
         ) -> dict[str, Any]:
    """Client, user and rule of an entry, read before redaction where a token holds them
    (the bearer's claims, the access token a token response minted)."""
    claims: dict[str, Any] = {}
    client = client_in(_multidict(parse_qs_pairs(query_raw))) or client_in(request_body)
    for key, val in request_headers:
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
