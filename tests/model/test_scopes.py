"""Scopes: parsing, legacy sets, known values, expansion (FACTS §5)."""

from __future__ import annotations

import pytest

from mock_calcom.model.scopes import (
    KNOWN_SCOPES,
    LEGACY_SCOPES,
    USER_SCOPES,
    is_legacy_scope_set,
    is_scope_expansion,
    parse_scope_param,
    skips_scope_check,
    unknown_scopes,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("BOOKING_READ PROFILE_READ", ["BOOKING_READ", "PROFILE_READ"]),
    ("BOOKING_READ,PROFILE_READ", ["BOOKING_READ", "PROFILE_READ"]),
    ("BOOKING_READ, PROFILE_READ", ["BOOKING_READ", "PROFILE_READ"]),
    ("  BOOKING_READ  ,,PROFILE_READ ", ["BOOKING_READ", "PROFILE_READ"]),
    # No de-duplication (FACTS §11.12): split(/[, ]+/).filter(Boolean) keeps repeats.
    ("BOOKING_READ BOOKING_READ", ["BOOKING_READ", "BOOKING_READ"]),
    ("", []),
    (None, []),
    (" , ", []),
])
def test_scope_param_splits_on_spaces_and_commas(raw: str | None, expected: list[str]) -> None:
    assert parse_scope_param(raw) == expected


def test_tabs_and_plus_signs_are_not_separators() -> None:
    # split(/[, ]+/): only commas and spaces; a tab stays inside a scope name.
    assert parse_scope_param("BOOKING_READ\tPROFILE_READ") == ["BOOKING_READ\tPROFILE_READ"]
    assert parse_scope_param("BOOKING_READ+PROFILE_READ") == ["BOOKING_READ+PROFILE_READ"]


def test_the_known_set_covers_the_enum_and_the_live_superset() -> None:
    for scope in ("READ_BOOKING", "READ_PROFILE", "EVENT_TYPE_WRITE", "APPS_READ",
                  "TEAM_MEMBERSHIP_WRITE", "ORG_MEMBERSHIP_READ", "WEBHOOK_READ", "CREDITS_WRITE",
                  "INSIGHTS_READ", "TEAM_WORKFLOW_WRITE", "ORG_ATTRIBUTES_READ"):
        assert scope in KNOWN_SCOPES
    assert set(USER_SCOPES) <= KNOWN_SCOPES
    assert len(USER_SCOPES) == 10
    assert unknown_scopes(["BOOKING_READ", "booking_read", "INSIGHTS_WRITE"]) == [
        "booking_read", "INSIGHTS_WRITE"]


@pytest.mark.parametrize(("scopes", "legacy"), [
    ([], True), (["READ_BOOKING"], True), (sorted(LEGACY_SCOPES), True),
    (["READ_BOOKING", "BOOKING_READ"], False), (["PROFILE_READ"], False),
])
def test_legacy_scope_sets(scopes: list[str], legacy: bool) -> None:
    assert is_legacy_scope_set(scopes) is legacy


@pytest.mark.parametrize(("scopes", "skips"), [
    ([], True), (["READ_BOOKING", "READ_PROFILE"], True),
    # Scopes SCOPE_TO_PERMISSION does not map do not switch the check on (FACTS §11.8).
    (["WEBHOOK_READ"], True), (["WEBHOOK_READ", "CREDITS_WRITE", "READ_PROFILE"], True),
    (["WEBHOOK_READ", "BOOKING_READ"], False), (["TEAM_PROFILE_READ"], False),
    (["ORG_MEMBERSHIP_WRITE"], False), (["READ_BOOKING", "PROFILE_READ"], False),
])
def test_a_token_skips_the_scope_check_when_none_of_its_scopes_is_mapped(
        scopes: list[str], skips: bool) -> None:
    assert skips_scope_check(scopes) is skips


@pytest.mark.parametrize(("old", "new", "expands"), [
    (["BOOKING_READ"], ["BOOKING_READ"], False),
    (["BOOKING_READ", "BOOKING_WRITE"], ["BOOKING_READ"], False),   # narrowing
    (["BOOKING_WRITE"], ["BOOKING_READ"], False),                   # WRITE covers READ here
    (["BOOKING_WRITE"], ["BOOKING_READ", "BOOKING_WRITE"], False),
    (["BOOKING_READ"], ["BOOKING_WRITE"], True),                    # READ never covers WRITE
    (["BOOKING_READ"], ["BOOKING_READ", "PROFILE_READ"], True),
    ([], ["READ_PROFILE"], True),
    (["EVENT_TYPE_WRITE"], ["BOOKING_READ"], True),
])
def test_scope_expansion(old: list[str], new: list[str], expands: bool) -> None:
    assert is_scope_expansion(old, new) is expands
