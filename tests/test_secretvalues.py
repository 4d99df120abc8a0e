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
