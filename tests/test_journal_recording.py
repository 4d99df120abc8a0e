"""Recording a journal entry (``Journal._add``, one frame on every request) keeps what the
general recording kept before it was folded into one frame: every field, the entry's cost
and the journal's bounds. The reference below is that code, as it was written."""

from __future__ import annotations

import enum
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import Message

from mock_calcom.journal import _ENTRY_OVERHEAD, MAX_STORED_BODY, Journal, _Raw, mark_fault

# -- the reference: the recording as it was -------------------------------------------------


def _reference_from_messages(response: list[Message] | None) -> tuple[Any, bytes, int]:
    if not response:
        return None, b"", 0
    start = response[0]
    if len(response) == 2:
        body = response[1].get("body", b"")
        return ((int(start["status"]), tuple(start.get("headers", ()))), body[:MAX_STORED_BODY],
                len(body))
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


def _reference_cost(path: str, query: bytes, headers: Any, body: bytes, start: Any,
                    response_body: bytes) -> int:
    header_bytes = sum(map(len, itertools.chain.from_iterable(headers)))
    if start is not None:
        header_bytes += sum(map(len, itertools.chain.from_iterable(start[1])))
    return _ENTRY_OVERHEAD + len(path) + len(query) + header_bytes + len(body) + len(response_body)


def _reference_entry(ident: int, started: float, scope: dict[str, Any], request_body: bytes,
                     response: list[Message] | None) -> tuple[Any, ...]:
    """Every field ``record_answer`` put in the entry, and its cost."""
    fault = scope["state"].get("mock_calcom.fault_id")
    start, response_body, response_size = _reference_from_messages(response)
    fields = (ident, started, scope["method"], scope.get("scheme", "http"), scope["path"],
              scope.get("query_string", b""), tuple(scope.get("headers", ())),
              request_body[:MAX_STORED_BODY], len(request_body), start, response_body,
              response_size, fault if isinstance(fault, str) else None)
    return (*fields, _reference_cost(fields[4], fields[5], fields[6], fields[7], start,
                                     response_body))


def _fields(raw: _Raw) -> tuple[Any, ...]:
    return (raw.id, raw.time, raw.method, raw.scheme, raw.path, raw.query, raw.headers,
            raw.body, raw.body_size, raw.start, raw.response_body, raw.response_size,
            raw.fault, raw.cost())


# -- generated requests and answers ------------------------------------------------------------

class _Status(enum.IntEnum):
    OK = 200
    TEAPOT = 418


_names = st.sampled_from([b"host", b"authorization", b"content-type", b"x-a", b""])
_headers = st.lists(st.tuples(_names, st.binary(max_size=40)), max_size=6)
_sizes = st.sampled_from([0, 1, 5, MAX_STORED_BODY - 1, MAX_STORED_BODY, MAX_STORED_BODY + 1,
                          MAX_STORED_BODY + 7])
_bodies = _sizes.flatmap(lambda n: st.just(bytes(range(256)) * (n // 256) + b"z" * (n % 256)))
_body_messages = st.lists(
    st.builds(lambda body, more, keep: ({"type": "http.response.body", "body": body,
                                         "more_body": more} if keep
                                        else {"type": "http.response.body"}),
              _bodies, st.booleans(), st.booleans()), max_size=3)
_starts = st.builds(
    lambda status, headers, has_headers: (
        {"type": "http.response.start", "status": status, "headers": headers} if has_headers
        else {"type": "http.response.start", "status": status}),
    st.sampled_from([200, 404, _Status.OK, _Status.TEAPOT]), _headers, st.booleans())
_responses: st.SearchStrategy[list[dict[str, Any]] | None] = (
    st.none() | st.builds(lambda start, bodies: [start, *bodies], _starts, _body_messages)
    | st.just([]))


@st.composite
def _scopes(draw: st.DrawFn) -> dict[str, Any]:
    scope: dict[str, Any] = {"type": "http", "method": draw(st.sampled_from(["GET", "POST"])),
                             "path": draw(st.sampled_from(["/", "/v2/me", "/v2/bookings/é"])),
                             "state": {}}
    if draw(st.booleans()):
        scope["scheme"] = draw(st.sampled_from(["http", "https"]))
    if draw(st.booleans()):
        scope["query_string"] = draw(st.binary(max_size=20))
    if draw(st.booleans()):
        scope["headers"] = draw(_headers)
    fault = draw(st.sampled_from([None, "drop", 7]))
    if fault is not None:
        scope["state"]["mock_calcom.fault_id"] = fault
    if draw(st.booleans()):
        mark_fault(scope, "latency")
    return scope


@settings(max_examples=150, deadline=None)
@given(scope=_scopes(), body=_bodies, response=_responses)
def test_a_recorded_entry_holds_what_the_general_recording_held(
        scope: dict[str, Any], body: bytes, response: list[Message] | None) -> None:
    journal = Journal(clock=lambda: 5.0, limit=lambda: 10)
    ident, started = journal.begin()
    journal.add(ident, started, scope, body, response)
    (raw,) = journal._snapshot()
    assert _fields(raw) == _reference_entry(ident, started, scope, body, response)
    assert raw.start is None or type(raw.start[0]) is int  # int(), as before: not an IntEnum
    assert journal.size_bytes == raw.cost()
    # The general constructor computes the same cost from the same fields.
    assert _Raw(*_fields(raw)[:13]).cost() == raw.cost()


@settings(max_examples=40, deadline=None)
@given(requests=st.lists(st.tuples(_scopes(), _bodies, _responses), min_size=1, max_size=12),
       limit=st.integers(1, 6), budget=st.integers(0, 3 * MAX_STORED_BODY))
def test_the_journals_bounds_drop_what_they_dropped_before(
        requests: list[tuple[dict[str, Any], bytes, Any]], limit: int, budget: int) -> None:
    journal = Journal(clock=lambda: 5.0, limit=lambda: limit, budget=lambda: budget)
    kept: list[tuple[Any, ...]] = []
    held = dropped = 0
    for scope, body, response in requests:
        ident, started = journal.begin()
        journal.add(ident, started, scope, body, response)
        # The reference: append, then drop the oldest while over either bound.
        entry = _reference_entry(ident, started, scope, body, response)
        kept.append(entry)
        held += entry[-1]
        while kept and (len(kept) > limit or held > budget):
            held -= kept.pop(0)[-1]
            dropped += 1
    assert [_fields(raw) for raw in journal._snapshot()] == kept
    assert (journal.size_bytes, journal.dropped) == (held, dropped)


def test_a_fakes_journal_keeps_to_the_bounds_its_settings_give_at_each_request() -> None:
    """The fake hands its journal both bounds in one call (``bounds``): the entry limit and
    the byte budget, each read when a request is recorded."""
    from mock_calcom import MockCalcom, Settings

    fake = MockCalcom(Settings(seed=1))
    http = fake.client()
    fake.update_settings(journal_limit=3)
    for _ in range(5):
        http.get("/v2/me")
    assert (len(fake.journal), fake.journal.dropped) == (3, 2)
    fake.update_settings(journal_limit=1000, journal_max_bytes=1024 * 1024)
    for _ in range(80):  # each entry costs over 16 KiB: about 60 fit
        http.post("/v2/me", content=b"x" * 20_000, headers={"content-type": "text/plain"})
    assert fake.journal.size_bytes <= 1024 * 1024
    assert 3 < len(fake.journal) < 80
    assert fake.journal.dropped == 2 + 83 - len(fake.journal)


# -- what an entry keeps alive ------------------------------------------------------------------

def _recorded(headers: list[tuple[bytes, Any]], answer_headers: list[tuple[bytes, Any]]
              ) -> _Raw:
    journal = Journal(clock=lambda: 5.0, limit=lambda: 10)
    ident, started = journal.begin()
    scope = {"type": "http", "method": "POST", "path": "/p", "headers": headers, "state": {}}
    journal.add(ident, started, scope, b"in", [
        {"type": "http.response.start", "status": 200, "headers": answer_headers},
        {"type": "http.response.body", "body": b"out"}])
    (raw,) = journal._snapshot()
    return raw


def test_an_entry_keeps_none_of_the_header_objects_of_its_request_or_answer() -> None:
    """The journal holds thousands of entries for a whole ring; a header pair it held would
    stay alive that long (the reason headers are kept as one ``bytes``)."""
    headers = [(b"host", b"h"), (b"authorization", b"Bearer abc")]
    answer_headers = [(b"content-type", b"application/json"), (b"x-request-id", b"r-1")]
    raw = _recorded(headers, answer_headers)
    held = {id(item) for item in raw}
    given = [headers, answer_headers, *headers, *answer_headers,
             *(part for pair in headers + answer_headers for part in pair)]
    assert not [obj for obj in given if id(obj) in held]
    assert [item for item in raw if isinstance(item, (tuple, list))] == []
    assert raw.headers == tuple(headers)
    assert raw.start == (200, tuple(answer_headers))
    assert raw.header(b"authorization") == "Bearer abc"


class _Named(str):
    """Not a header value ASGI allows, and nothing ``marshal`` can store (it takes exact
    ``str``, and ``bytes`` or any buffer, which it keeps as ``bytes``)."""


def test_headers_marshal_cannot_store_are_kept_as_they_were_given() -> None:
    value = _Named("odd")
    raw: Any = _recorded([(b"x-odd", value)], [(b"x-odd", value)])
    assert raw.headers == ((b"x-odd", value),)
    assert raw.headers[0][1] is value
    assert raw.start == (200, ((b"x-odd", value),))


def test_the_garbage_collector_leaves_recorded_entries_alone() -> None:
    """A full journal is thousands of entries: plain tuples of plain values, which the
    collector stops tracking after it first looks at them, are not walked again by every
    full collection."""
    import gc

    journal = Journal(clock=lambda: 5.0, limit=lambda: 10)
    for _ in range(3):
        ident, started = journal.begin()
        journal.add(ident, started, {"type": "http", "method": "GET", "path": "/p",
                                     "headers": [(b"host", b"h")], "state": {}}, b"", [
            {"type": "http.response.start", "status": 200, "headers": [(b"x", b"y")]},
            {"type": "http.response.body", "body": b"out"}])
    gc.collect()
    assert [gc.is_tracked(entry) for entry in journal._entries] == [False, False, False]
    # Read, built and cached, still left alone, and read the same again.
    first = journal.entries()
    gc.collect()
    assert not any(gc.is_tracked(entry) for entry in journal._entries)
    assert journal.entries() == first
    assert [a is b for a, b in zip(journal.entries(), first, strict=True)] == [True, True, True]


def test_an_entry_built_for_a_reader_is_forgotten_when_the_journal_drops_it() -> None:
    journal = Journal(clock=lambda: 5.0, limit=lambda: 3)

    def record() -> None:
        ident, started = journal.begin()
        journal.add(ident, started, {"type": "http", "method": "GET", "path": "/p",
                                     "state": {}}, b"", None)

    for _ in range(3):
        record()
    assert len(journal.entries()) == 3
    for _ in range(5):
        record()  # no reader in between: dropping must forget the built ones itself
    assert set(journal._built) <= {entry[0] for entry in journal._entries}
    assert [entry.id for entry in journal.entries()] == [6, 7, 8]


def test_a_reader_forgets_what_it_built_for_an_entry_dropped_meanwhile() -> None:
    """The race the eviction cannot see: a reader builds an entry just as it is dropped."""
    journal = Journal(clock=lambda: 5.0, limit=lambda: 3)
    ident, started = journal.begin()
    journal.add(ident, started, {"type": "http", "method": "GET", "path": "/p", "state": {}},
                b"", None)
    (entry,) = journal.entries()
    journal._built[999] = entry  # built for an entry that is no longer in the ring
    assert [e.id for e in journal.entries()] == [ident]
    assert set(journal._built) == {ident}


def _count_wraps(monkeypatch: Any) -> list[int]:
    """The ids of the entries a query wraps (reads by name) from now on."""
    import mock_calcom.journal as journal_module

    wrapped: list[int] = []
    as_raw = journal_module._as_raw

    def counting(entry: tuple[Any, ...]) -> _Raw:
        wrapped.append(entry[0])
        return as_raw(entry)

    monkeypatch.setattr(journal_module, "_as_raw", counting)
    return wrapped


def test_a_query_reads_only_the_entries_it_looks_at(monkeypatch: Any) -> None:
    """A full journal is thousands of entries: asking for the newest one must not wrap them
    all (a journal of 10 000 once took 6 ms for ``last()``, against 0.1 ms)."""

    journal = Journal(clock=lambda: 5.0, limit=lambda: 1000)
    for _ in range(1000):
        ident, started = journal.begin()
        journal.add(ident, started, {"type": "http", "method": "GET", "path": "/p",
                                     "state": {}}, b"", None)
    wrapped = _count_wraps(monkeypatch)
    last = journal.last()
    assert last is not None
    assert last.id == 1000
    assert wrapped == [1000]
    wrapped.clear()
    assert [e.id for e in journal.entries(limit=3)] == [998, 999, 1000]
    assert [e.id for e in journal.query(after=997).entries] == [998, 999, 1000]
    assert sorted(wrapped) == [998, 998, 999, 999, 1000, 1000]


def test_building_an_entry_unpacks_its_headers_once(monkeypatch: Any) -> None:
    """Reading a full journal builds thousands of entries: the stored headers are unpacked
    once for each, not once for every field that reads them."""
    import mock_calcom.journal as journal_module

    journal = Journal(clock=lambda: 5.0, limit=lambda: 10)
    ident, started = journal.begin()
    journal.add(ident, started, {"type": "http", "method": "POST", "path": "/p", "state": {},
                                 "headers": [(b"host", b"h"), (b"authorization", b"Bearer x"),
                                             (b"content-type", b"application/json")]},
                b'{"a": 1}', [{"type": "http.response.start", "status": 200,
                               "headers": [(b"content-type", b"application/json")]},
                              {"type": "http.response.body", "body": b'{"b": 2}'}])
    unpacked: list[object] = []
    unpack = journal_module._unpack_headers

    def counting(packed: Any) -> tuple[Any, Any]:
        unpacked.append(packed)
        return unpack(packed)

    monkeypatch.setattr(journal_module, "_unpack_headers", counting)
    (entry,) = journal.entries()
    assert len(unpacked) == 1
    assert (entry.host, entry.status, entry.response_headers["content-type"]) == (
        "h", 200, "application/json")
    assert entry.request_headers["content-type"] == "application/json"


def test_token_requests_read_only_the_token_requests(monkeypatch: Any) -> None:

    journal = Journal(clock=lambda: 5.0, limit=lambda: 1000)
    for path in ["/v2/me"] * 50 + ["/v2/auth/oauth2/token"] + ["/v2/me"] * 50:
        ident, started = journal.begin()
        journal.add(ident, started, {"type": "http", "method": "POST", "path": path,
                                     "state": {}}, b"", None)
    wrapped = _count_wraps(monkeypatch)
    assert [e.path for e in journal.token_requests()] == ["/v2/auth/oauth2/token"]
    assert wrapped == [51]
