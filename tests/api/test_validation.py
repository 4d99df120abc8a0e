"""The ValidationPipe stand-in: whitelist stripping, every failed constraint reported, nested
errors as children, and JavaScript's number conversions."""

from __future__ import annotations

import math

import pytest

from mock_calcom.api.validation import (
    IS_BOOLEAN,
    IS_INT,
    IS_STRING,
    VALIDATION_MESSAGE,
    Prop,
    Schema,
    js_number,
    js_parse_int,
    max_value,
    min_value,
    numeric_id,
    parse_int_when_truthy,
    query_dict,
)
from mock_calcom.errors import BadRequestError

PERSON = Schema((
    Prop("name", (IS_STRING,)),
    Prop("age", (IS_INT, min_value(0), max_value(150)), optional=True),
    Prop("pet", (), optional=True, nested=Schema((Prop("kind", (IS_STRING,)),))),
    Prop("friends", (), optional=True, each=True, nested=Schema((Prop("name", (IS_STRING,)),))),
    Prop("bio", (IS_STRING,), optional=True, nullable=True),
    Prop("admin", (IS_BOOLEAN,), optional=True),
))


def _errors(raw: object) -> list[dict[str, object]]:
    with pytest.raises(BadRequestError) as caught:
        PERSON.validate(raw)
    assert caught.value.message == VALIDATION_MESSAGE
    details = caught.value.details
    assert isinstance(details, dict)
    errors: list[dict[str, object]] = details["errors"]
    return errors


def test_unknown_properties_are_stripped_not_rejected() -> None:
    assert PERSON.validate({"name": "Ann", "evil": True}) == {"name": "Ann"}


def test_every_failing_constraint_of_a_property_is_reported() -> None:
    [error] = _errors({"name": "Ann", "age": "old", "junk": 1})
    assert error == {"target": {"name": "Ann", "age": "old"}, "value": "old", "property": "age",
                     "children": [], "constraints": {
                         "isInt": "age must be an integer number", "min": "age must not be less than 0",
                         "max": "age must not be greater than 150"}}


def test_a_missing_required_property_has_no_value_key() -> None:
    [error] = _errors({})
    assert "value" not in error
    assert error["constraints"] == {"isString": "name must be a string"}


def test_null_skips_optional_rules_and_is_kept_only_where_nullable() -> None:
    assert PERSON.validate({"name": "A", "bio": None, "admin": None}) == {"name": "A", "bio": None}


def test_nested_errors_are_children_of_their_property() -> None:
    errors = _errors({"name": "A", "pet": {"kind": 3}, "friends": [{"name": "B"}, {}]})
    pet, friends = errors
    assert pet["property"] == "pet"
    assert "constraints" not in pet
    assert pet["children"] == [{"target": {"kind": 3}, "value": 3, "property": "kind", "children": [],
                                "constraints": {"isString": "kind must be a string"}}]
    assert friends["children"][0]["property"] == "1"  # type: ignore[index]


def test_a_nested_property_that_is_not_an_object_fails_nested_validation() -> None:
    [error] = _errors({"name": "A", "pet": "cat"})
    assert error["constraints"] == {"nestedValidation": "nested property pet must be either object or array"}


def test_a_body_that_is_not_an_object_is_an_unknown_value() -> None:
    [error] = _errors([1, 2])
    assert error["constraints"] == {"unknownValue": "an unknown value was passed to the validate function"}


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("12abc", 12), ("  -3", -3), ("0x1f", 31), ("2.9", 2), ("1e3", 1)])
def test_js_parse_int_reads_the_leading_integer(text: str, expected: int) -> None:
    assert js_parse_int(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "-", "  "])
def test_js_parse_int_of_no_digits_is_nan(text: str) -> None:
    assert math.isnan(js_parse_int(text))


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("", 0), (" 7 ", 7), ("1.5", 1.5)])
def test_js_number_converts_the_whole_string(text: str, expected: float) -> None:
    assert js_number(text) == expected


def test_js_number_of_garbage_is_nan() -> None:
    assert math.isnan(js_number("12abc"))


def test_value_and_parse_int_leaves_an_empty_string_alone() -> None:
    assert parse_int_when_truthy("") == ""
    assert parse_int_when_truthy("0") == 0


def test_a_repeated_query_key_becomes_an_array() -> None:
    assert query_dict([("a", "1"), ("b", "2"), ("a", "3")]) == {"a": ["1", "3"], "b": "2"}


def test_a_path_id_must_be_a_numeric_string() -> None:
    assert numeric_id("42") == 42
    with pytest.raises(BadRequestError) as caught:
        numeric_id("4x")
    assert caught.value.message == "Validation failed (numeric string is expected)"
