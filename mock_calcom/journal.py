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

Recording is cheap (references only); parsing and redaction run once per entry, on first read
(:mod:`mock_calcom.journalentry`, imported then: :class:`JournalEntry`, :class:`JournalPage`
and :func:`marker` are still importable from here).

The control plane (``/_mock/*``) is not journaled: it is the test talking to the fake, not
the integration talking to Cal.com (and journaling ``GET /_mock/journal`` would nest the
journal in itself).
"""

from __future__ import annotations

import binascii
import collections
import itertools
import json
import marshal
import operator
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom.asgi import buffer_body, declares_body
from mock_calcom.bodylimit import json_too_deep
from mock_calcom.errors import ConnectionDropped
from mock_calcom.model.jws import b64url_decode
from mock_calcom.secretvalues import SecretValues

if TYPE_CHECKING:
    from mock_calcom.journalentry import JournalEntry as JournalEntry
    from mock_calcom.journalentry import JournalPage as JournalPage
    from mock_calcom.journalentry import marker as marker

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

#: Client lookup ``GET /v2/auth/oauth2/clients/{id}``: the client a request speaks for.
_CLIENT_PATH = re.compile(r"/v2/auth/oauth2/clients/([^/]+)")
#: A urlencoded form has no raw whitespace (spaces are "+"), which tells it from prose.
_FORM_LIKE = re.compile(r"[\w.%+\-\[\]]+=[^&\s]*(?:&[\w.%+\-\[\]]+=[^&\s]*)*")


def mark_fault(scope: Scope, fault: str) -> None:
    """Label the request in ``scope`` with the fault that shaped its answer; the journal
    entry's ``fault`` field shows it. Call from any middleware or handler
    (``mark_fault(request.scope, "drop")``)."""
    scope.setdefault("state", {})[_FAULT_KEY] = fault


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


#: Bytes of each body (request and response) the journal keeps; the rest is cut, with a
#: marker saying how much there was.
MAX_STORED_BODY = 16 * 1024
#: What one entry costs besides its bodies and headers (the objects themselves).
_ENTRY_OVERHEAD = 512


_get = operator.itemgetter


def _pack_headers(headers: Any, answer_headers: Any) -> Any:
    """Both header lists as one ``bytes`` (marshal's; a buffer that is not ``bytes`` comes
    back as ``bytes``), or the pair itself when something in them is not marshallable.

    Why: the journal keeps thousands of entries, each freed a whole ring later. Kept as
    tuples, every request's header pairs (a tuple and two ``bytes`` each) stayed alive for
    that long, so the small-object memory the server reused for its next request was, every
    time, memory last touched a whole ring ago. Under load that was most of what a full
    journal costs: 4 to 6 % of a live refresh's CPU (docs/performance.md, round 7). With
    one ``bytes`` per entry, a request's own pairs are freed while still in the cache."""
    pair = (headers, answer_headers)
    try:
        # Format 2: no table of shared objects (format 3 on keeps one, built per call), half
        # the time for a request's headers, and the same values back.
        return marshal.dumps(pair, 2)
    except ValueError:
        return pair


def _unpack_headers(packed: Any) -> tuple[Any, Any]:
    # Safe to load: only _pack_headers, in this process, made these bytes.
    pair: tuple[Any, Any] = marshal.loads(packed) if type(packed) is bytes else packed  # noqa: S302
    return pair


class _Raw(tuple):  # type: ignore[type-arg]
    """A request as recorded on the hot path: references and bodies cut to
    :data:`MAX_STORED_BODY`, no parsing. It becomes a redacted :class:`JournalEntry` the
    first time someone reads it.

    The journal keeps each entry as a plain tuple of these items, built in C
    (:meth:`Journal.add`; ``_Raw(...)`` computes the same fields in Python), and reads it
    through this class's getters (:func:`_as_raw`). Only plain tuples of plain values are
    ever left alone by the garbage collector, and the journal holds thousands of entries
    that every collection would otherwise walk. The headers and the answer's start are
    unpacked from one ``bytes`` (:func:`_pack_headers`) when read. The last item is its
    :meth:`cost`, computed once as it is recorded."""

    __slots__ = ()

    def __new__(cls, id: int, time: float, method: str, scheme: str, path: str, query: bytes,
                headers: tuple[tuple[bytes, bytes], ...], body: bytes, body_size: int,
                start: tuple[int, tuple[tuple[bytes, bytes], ...]] | None,
                response_body: bytes, response_size: int, fault: str | None) -> _Raw:
        header_bytes = _header_bytes(headers)
        if start is not None:
            header_bytes += _header_bytes(start[1])
        cost = (_ENTRY_OVERHEAD + len(path) + len(query) + header_bytes + len(body)
                + len(response_body))
        return tuple.__new__(cls, (id, time, method, scheme, path, query,
                                   _pack_headers(headers, start[1] if start else ()), body,
                                   body_size, start[0] if start else None, response_body,
                                   response_size, fault, cost))

    if TYPE_CHECKING:
        id: int
        time: float
        method: str
        scheme: str
        path: str
        query: bytes
        #: Tuples, not lists: a tuple of bytes pairs is left alone by the garbage
        #: collector, and the journal keeps thousands of entries that every full collection
        #: would walk.
        headers: tuple[tuple[bytes, bytes], ...]
        body: bytes
        body_size: int
        #: ``(status, headers)`` of the answer, ``None`` if none was sent.
        start: tuple[int, tuple[tuple[bytes, bytes], ...]] | None
        response_body: bytes
        response_size: int
        fault: str | None
    else:
        id = property(_get(0))
        time = property(_get(1))
        method = property(_get(2))
        scheme = property(_get(3))
        path = property(_get(4))
        query = property(_get(5))

        @property
        def headers(self) -> tuple[tuple[bytes, bytes], ...]:
            return self.unpacked()[0]

        body = property(_get(7))
        body_size = property(_get(8))

        @property
        def start(self) -> tuple[int, tuple[tuple[bytes, bytes], ...]] | None:
            return self.unpacked()[1]

        response_body = property(_get(10))
        response_size = property(_get(11))
        fault = property(_get(12))

    def unpacked(self) -> tuple[tuple[tuple[bytes, bytes], ...],
                                tuple[int, tuple[tuple[bytes, bytes], ...]] | None]:
        """:attr:`headers` and :attr:`start` from one unpacking of the stored ``bytes``: a
        reader that needs both (building an entry) asks once."""
        request, answer = _unpack_headers(self[6])
        status = self[9]
        return tuple(request), (None if status is None else (status, tuple(answer)))

    def cost(self) -> int:
        """Bytes this entry holds (bounded: bodies are cut, headers bounded by the server)."""
        cost: int = self[13]
        return cost

    @property
    def status(self) -> int | None:
        status: int | None = self[9]
        return status

    def header(self, name: bytes) -> str | None:
        # The unpacked list as it is (no tuple of it, nor of the answer's headers): queries
        # ask this of every entry they filter by host, client or user.
        request: list[tuple[bytes, bytes]] = _unpack_headers(self[6])[0]
        for key, value in request:
            if key == name:
                return value.decode("latin-1")
        return None


def _as_raw(entry: tuple[Any, ...]) -> _Raw:
    """A recorded entry (a plain tuple) as a :class:`_Raw`, to read it by name. Queries
    wrap only the entries they look at: a full journal is thousands."""
    return tuple.__new__(_Raw, entry)


def _header_bytes(headers: tuple[tuple[bytes, bytes], ...]) -> int:
    """The bytes of every name and value (a plain loop: ``sum(map(len, chain(...)))`` costs
    twice as much for the handful of pairs a request has)."""
    total = 0
    for name, value in headers:
        total += len(name) + len(value)
    return total


def _from_messages(response: list[Message] | None) -> tuple[
        tuple[int, tuple[tuple[bytes, bytes], ...]] | None, bytes, int]:
    """The answer's status and headers, and its body cut to the budget."""
    if not response:
        return None, b"", 0
    start = response[0]
    kept: list[bytes] = []
    size = 0
    room = MAX_STORED_BODY
    for message in response[1:]:
        chunk = message.get("body", b"")
        size += len(chunk)
        if room > 0:
            kept.append(chunk[:room])
            room -= min(room, len(chunk))
    return (int(start["status"]), tuple(start.get("headers", ()))), b"".join(kept), size


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
        bounds: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        """``bounds``, if given, answers ``(limit(), budget())`` in one call (read at every
        recording)."""
        #: When a request is recorded as started (the fake's clock).
        self.clock = clock
        self._limit = limit
        self._budget = budget
        self._bounds = bounds if bounds is not None else lambda: (limit(), budget())
        self._secret_hashes = secret_hashes
        self._known = known_secrets
        self._lock = threading.Lock()
        #: Plain tuples, read as :class:`_Raw` (its docstring says why).
        self._entries: collections.deque[tuple[Any, ...]] = collections.deque()
        #: Entries built (redacted) once read, by id: an entry never changes.
        self._built: dict[int, JournalEntry] = {}
        self._bytes = 0
        #: The next entry id (1, 2, ...): a bound ``__next__``, so the edge draws one without
        #: a frame of ours.
        self.next_id: Callable[[], int] = itertools.count(1).__next__
        self._dropped = 0

    # -- queries ---------------------------------------------------------------------------

    def _recorded(self) -> list[tuple[Any, ...]]:
        """The entries as recorded, in id order (references only)."""
        with self._lock:
            return list(self._entries)

    def _snapshot(self) -> list[_Raw]:
        return list(map(_as_raw, self._recorded()))

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
        for entry in self._recorded():
            if after is not None and entry[0] <= after:  # its id
                continue
            raw = _as_raw(entry)
            if matches(raw):
                if len(picked) >= limit:
                    more = True
                    break
                picked.append(raw)
        entries = self._materialise(picked)
        from mock_calcom.journalentry import JournalPage

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
        for entry in reversed(self._recorded()):  # newest first, so a limit stops early
            if after is not None and entry[0] <= after:  # its id
                break
            raw = _as_raw(entry)
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
        # Picked by method and path (items 2 and 4) before anything is wrapped: a full
        # journal is thousands of entries, few of them token requests.
        return self._materialise([_as_raw(entry) for entry in self._recorded()
                                  if entry[2] == "POST" and entry[4] in TOKEN_PATHS])

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
            self._built.clear()
            self._bytes = 0
            self._dropped = 0

    def redact_text(self, text: str) -> str:
        """Free text with every recognisable secret replaced by its marker."""
        from mock_calcom.journalentry import _Redaction

        return _Redaction(self._secret_hashes, self._known).text(text)

    # -- recording (the middleware) ----------------------------------------------------------

    def begin(self) -> tuple[int, float]:
        """An entry's id and start time, taken when its request arrives."""
        return self.next_id(), self.clock()

    def add(self, ident: int, started: float, scope: Scope, request_body: bytes,
             response: list[Message] | None) -> None:
        """Record one request (``ident`` and ``started`` from :meth:`begin`) with the
        messages of its answer (``None``: no answer was sent), in one frame: the common
        answer (a start and one body) is taken apart here, any other by
        :func:`_from_messages`; the entry's cost is summed as its parts are taken."""
        headers = scope.get("headers", ())
        size = 0
        for name, value in headers:
            size += len(name) + len(value)
        status: int | None
        if response is not None and len(response) == 2:
            first, last = response
            answer_headers = first.get("headers", ())
            for name, value in answer_headers:
                size += len(name) + len(value)
            status = first["status"]
            if type(status) is not int:
                status = int(status)
            answer: bytes = last.get("body", b"")
            answer_size = len(answer)
            if answer_size > MAX_STORED_BODY:
                answer = answer[:MAX_STORED_BODY]
        else:
            start, answer, answer_size = _from_messages(response)
            if start is None:
                status, answer_headers = None, ()
            else:
                status, answer_headers = start
                size += _header_bytes(answer_headers)
        body_size = len(request_body)
        body = request_body[:MAX_STORED_BODY] if body_size > MAX_STORED_BODY else request_body
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        fault = scope["state"].get(_FAULT_KEY)
        cost = _ENTRY_OVERHEAD + len(path) + len(query) + size + len(body) + len(answer)
        raw = (ident, started, scope["method"], scope.get("scheme", "http"), path, query,
               _pack_headers(headers, answer_headers), body, body_size, status, answer,
               answer_size, fault if isinstance(fault, str) else None, cost)
        limit, budget = self._bounds()
        lock = self._lock
        lock.acquire()  # ``with``, written out: half the instructions (see oauth.token)
        try:
            entries = self._entries
            entries.append(raw)
            self._bytes += cost
            while entries and (len(entries) > limit or self._bytes > budget):
                gone = entries.popleft()
                self._bytes -= gone[13]
                self._dropped += 1
                if self._built:  # empty unless someone read the journal
                    self._built.pop(gone[0], None)
        finally:
            lock.release()

    # -- redaction (on read) -----------------------------------------------------------------

    def _materialise(self, raws: list[_Raw]) -> list[JournalEntry]:
        from mock_calcom.journalentry import _build, _Redaction

        hashes: list[frozenset[str]] = []

        def secret_hashes() -> frozenset[str]:
            # One look at the model per read, however many entries need it.
            if not hashes:
                hashes.append(self._secret_hashes())
            return hashes[0]

        cache = self._built
        out = []
        for raw in raws:
            built = cache.get(raw.id)
            if built is None:
                built = cache[raw.id] = _build(raw, _Redaction(secret_hashes, self._known))
            out.append(built)
        with self._lock:
            # An entry dropped while it was being built is no longer there to pop. (Other
            # readers write to the cache without the lock: its keys are copied at once.)
            if len(cache) > len(self._entries):
                live = {entry[0] for entry in self._entries}
                for ident in [ident for ident in list(cache) if ident not in live]:
                    cache.pop(ident, None)
        return out


def parse_qs_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def record_answer(journal: Journal, ident: int, started: float, scope: Scope, request_body: bytes,
                  response: list[Message] | None) -> None:
    """Record one request (``ident`` and ``started`` from ``journal.begin()``) with the
    messages of its answer (``None``: no answer was sent)."""
    journal.add(ident, started, scope, request_body, response)


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
        await app(scope, held.receive, held.sent)
    except ConnectionDropped:
        held.record(None)
        raise
    except BaseException as exc:
        await held.fail(exc, error_page, send)
        raise
    await held.release(send)


class Captured(list[Message]):
    """An answer's messages as the app sends them: the list is itself the ``send``."""

    __slots__ = ()

    async def __call__(self, message: Message) -> None:
        self.append(message)


def append_answer(send: Send, start: Message, answer: Message) -> bool:
    """An answer's two messages appended to ``send`` when it is the edge's :class:`Captured`
    (what awaiting it does, without a coroutine per message); ``False`` for any other
    ``send``, which the caller then awaits as usual."""
    if type(send) is Captured:
        send.extend((start, answer))
        return True
    return False


def append_response(send: Send, response: Response) -> bool:
    """:func:`append_answer` for a whole, in-memory ``response`` (its ``body`` set, no
    background task): the two messages ``Response.__call__`` sends for an HTTP scope.
    ``False`` for any other ``send``, which the caller then answers with ``await
    response(scope, receive, send)``: the same messages."""
    return response.background is None and append_answer(
        send, {"type": "http.response.start", "status": response.status_code,
               "headers": response.raw_headers},
        {"type": "http.response.body", "body": response.body})


class HeldAnswer:
    """One request's answer held back by the journal: messages are captured while the app
    runs (``sent`` is the app's ``send``), then recorded, then sent (:func:`journaled`; the
    fake's edge takes the same steps in its own frame, and this object only after an
    error)."""

    __slots__ = ("body", "ident", "journal", "receive", "scope", "sent", "started")

    def __init__(self, journal: Journal, ident: int, started: float, scope: Scope,
                 receive: Receive, body: bytes, sent: Captured) -> None:
        self.journal = journal
        self.ident = ident
        self.started = started
        self.scope = scope
        self.receive = receive
        self.body = body
        self.sent = sent

    @classmethod
    async def begin(cls, journal: Journal, scope: Scope, receive: Receive,
                    body: bytes | None) -> HeldAnswer:
        ident, started = journal.begin()
        if body is None:
            # Read up front, so the body is journaled even if no handler reads it (a GET has
            # none to read: awaiting the client for it would only slow every such request
            # down).
            body, receive = await buffer_body(receive) if declares_body(scope) else (b"", receive)
        scope.setdefault("state", {})
        return cls(journal, ident, started, scope, receive, body, Captured())

    def record(self, response: list[Message] | None) -> None:
        self.journal.add(self.ident, self.started, self.scope, self.body, response)

    async def fail(self, exc: BaseException,
                   error_page: Callable[[Scope, Exception], Awaitable[Response]] | None,
                   send: Send) -> None:
        """After an error: the error page if nothing was sent yet, then record and send what
        there is (the caller raises the error on)."""
        sent = self.sent
        if error_page is not None and isinstance(exc, Exception):
            page = await error_page(self.scope, exc)
            if not sent:
                await page(self.scope, self.receive, sent)
        complete = bool(sent) and sent[0]["type"] == "http.response.start"
        self.record(sent if complete else None)
        for message in sent:
            await send(message)

    async def release(self, send: Send) -> None:
        self.record(self.sent)
        for message in self.sent:
            await send(message)


def __getattr__(name: str) -> Any:
    """What a read returns lives in :mod:`mock_calcom.journalentry` (loaded on first read)."""
    if name in ("JournalEntry", "JournalPage", "marker"):
        from mock_calcom import journalentry

        return getattr(journalentry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
