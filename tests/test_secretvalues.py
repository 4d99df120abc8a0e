"""The registry of secret values: bounded, newest kept, one kind per value."""

from __future__ import annotations

from mock_calcom.secretvalues import SecretValues

A, B, C = "a" * 20, "b" * 20, "c" * 20


def test_values_are_kept_newest_first_up_to_the_limit() -> None:
    known = SecretValues(limit=2)
    known.add_many([(A, "code"), (B, "code"), (C, "code")])
    assert (known.kind_of(A), known.kind_of(B), known.kind_of(C)) == (None, "code", "code")


def test_short_long_and_non_text_values_are_not_remembered() -> None:
    known = SecretValues()
    known.add_many([("short", "code"), ("x" * 5000, "code"), (None, "code"), (12345678901234567, "code")])
    assert len(known) == 0


def test_a_value_presented_again_as_the_same_kind_keeps_its_place() -> None:
    known = SecretValues(limit=2)
    known.add(A, "client_secret")
    known.add(B, "code")
    known.add(A, "client_secret")  # no move: A is still the oldest
    known.add(C, "code")
    assert known.kind_of(A) is None
    assert known.kind_of(B) == known.kind_of(C) == "code"


def test_a_value_presented_as_another_kind_takes_that_kind_and_is_newest() -> None:
    known = SecretValues(limit=2)
    known.add(A, "code")
    known.add(B, "code")
    known.add(A, "refresh_token")
    known.add(C, "code")
    assert known.kind_of(A) == "refresh_token"
    assert known.kind_of(B) is None


def test_replace_marks_every_remembered_value_in_text() -> None:
    known = SecretValues()
    known.add_many([(A, "code"), (B, "client_secret")])
    assert known.replace(f"x {A}. y={B}", lambda kind: f"<{kind}>") == "x <code>. y=<client_secret>"


# -- queued additions (a shortcut: every read sees what adding at once left) -----------------

import threading  # noqa: E402
from collections import OrderedDict  # noqa: E402
from typing import Any  # noqa: E402

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


class AddedAtOnce:
    """The registry as written before the queue: each batch added under the lock at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def add_many(self, items: Any) -> None:
        values = self._values
        kept = []
        for value, kind in items:
            if (isinstance(value, str) and 16 <= len(value) <= 4096
                    and values.get(value) != kind):
                kept.append((value, kind))
        if not kept:
            return
        with self._lock:
            for value, kind in kept:
                values[value] = kind
                values.move_to_end(value)
            while len(values) > self.limit:
                values.popitem(last=False)

    def kind_of(self, value: str) -> str | None:
        return self._values.get(value)


class _Text(str):
    """A str subclass: remembered like any str."""


_VALUE = st.sampled_from(["v" * 16 + str(i) for i in range(6)]
                         + ["short", "x" * 5000, None, "", _Text("t" * 20), "y" * 4096, "z" * 4097])
_KIND = st.sampled_from(["code", "client_secret", "refresh_token"])
_OPERATION = st.one_of(
    st.tuples(st.just("add_many"), st.lists(st.tuples(_VALUE, _KIND), max_size=4)),
    st.tuples(st.just("limit"), st.sampled_from([1, 2, 3, 5, 8, 1000])),
    st.tuples(st.just("kind_of"), _VALUE.filter(lambda v: v is not None)),
    st.tuples(st.just("len"), st.none()),
    st.tuples(st.just("replace"), _VALUE.filter(lambda v: v is not None)),
)


_V0, _V1 = "v" * 16 + "0", "v" * 16 + "1"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([1, 2, 3, 5, 8, 1000]), st.lists(_OPERATION, max_size=40))
@example(1000, [("add_many", [(_V0, "code")]), ("len", None), ("add_many", [(_V0, "refresh_token")]),
                ("add_many", [(_V1, "code")]), ("add_many", [(_V0, "code")])])
def test_every_read_sees_what_adding_each_batch_at_once_left(
        limit: int, operations: list[tuple[str, Any]]) -> None:
    queued, at_once = SecretValues(limit=limit), AddedAtOnce(limit)
    for name, argument in operations:
        if name == "add_many":
            queued.add_many(argument)
            at_once.add_many(argument)
        elif name == "limit":
            queued.limit = at_once.limit = argument
        elif name == "kind_of":
            assert queued.kind_of(argument) == at_once.kind_of(argument)
        elif name == "len":
            assert (len(queued), bool(queued)) == (len(at_once._values), bool(at_once._values))
        else:
            expected = (f"<{at_once.kind_of(argument)}>" if at_once.kind_of(argument)
                        and len(argument) >= 16 else argument)
            assert queued.replace(argument, lambda kind: f"<{kind}>") == expected
    assert len(queued) == len(at_once._values)
    assert list(queued._values.items()) == list(at_once._values.items())  # order: who goes next


def test_a_long_run_of_additions_is_settled_without_a_read() -> None:
    from mock_calcom.secretvalues import _PENDING_BATCHES

    known = SecretValues()
    for number in range(3 * _PENDING_BATCHES):
        known.add_many([(f"{number:020d}", "code")])
    assert len(known._pending) < _PENDING_BATCHES
    assert len(known) == 3 * _PENDING_BATCHES


def test_token_requests_are_settled_in_one_go(monkeypatch: Any) -> None:
    """The usual traffic (a client's secret again and again, new tokens and codes, an
    absent verifier) takes the all-at-once path, not one batch at a time."""
    known = SecretValues()
    one_by_one: list[Any] = []
    monkeypatch.setattr(known, "_add_batch", one_by_one.append)
    secret = "s" * 64
    for number in range(100):
        known.add_many(((secret, "client_secret"), (f"{number:043d}", "refresh_token")))
        known.add_many(((None, "code_verifier"), (f"c{number:053d}", "code"),
                        (secret, "client_secret")))
    assert len(known) == 201
    assert one_by_one == []
    assert list(known._values)[:2] == [secret, f"{0:043d}"]
