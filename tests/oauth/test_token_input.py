"""The G2 input pipe as a pure function (token.input.pipe.ts @d61c5fdf)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_calcom.errors import OAuthError
from mock_calcom.oauth.token_input import (
    _SCHEMAS,
    ExchangeInput,
    RefreshInput,
    _class_validator_errors,
    format_errors,
    js_key_order,
    parse_token_input,
)

CONFIDENTIAL_EXCHANGE = {"client_id": "c", "grant_type": "authorization_code", "code": "k",
                         "redirect_uri": "https://x.example/cb", "client_secret": "s"}
PUBLIC_EXCHANGE = {"client_id": "c", "grant_type": "authorization_code", "code": "k",
                   "redirect_uri": "https://x.example/cb", "code_verifier": "v"}
CONFIDENTIAL_REFRESH = {"client_id": "c", "grant_type": "refresh_token", "refresh_token": "r",
                        "client_secret": "s"}
PUBLIC_REFRESH = {"client_id": "c", "grant_type": "refresh_token", "refresh_token": "r"}


def description_of(body: Any) -> str:
    with pytest.raises(OAuthError) as caught:
        parse_token_input(body)
    assert caught.value.status_code == 400
    assert caught.value.error == "invalid_request"
    return caught.value.description


def test_the_four_schemas_parse_into_typed_requests() -> None:
    uri = "https://x.example/cb"
    assert parse_token_input(CONFIDENTIAL_EXCHANGE) == ExchangeInput("c", "k", uri, "s", None)
    assert parse_token_input(PUBLIC_EXCHANGE) == ExchangeInput("c", "k", uri, None, "v")
    assert parse_token_input(CONFIDENTIAL_REFRESH) == RefreshInput("c", "r", "s")
    assert parse_token_input(PUBLIC_REFRESH) == RefreshInput("c", "r", None)


@pytest.mark.parametrize("body", [None, False, 0, 0.0, ""])
def test_a_falsy_body_is_required(body: Any) -> None:
    assert description_of(body) == "Body is required"


@pytest.mark.parametrize("body", [True, 1, "text", 3.5])
def test_a_scalar_body_should_be_an_object(body: Any) -> None:
    assert description_of(body) == "Body should be an object"


@pytest.mark.parametrize("body", [{}, [], [CONFIDENTIAL_EXCHANGE], {"client_id": ""},
                                  {"client_id": 7}, {"client_id": ["c"]}, {"client_id": None}])
def test_client_id_is_required_as_a_non_empty_string(body: Any) -> None:
    assert description_of(body) == "client_id is required"


@pytest.mark.parametrize("grant_type", [None, "implicit", "client_credentials", "REFRESH_TOKEN",
                                        ["refresh_token"]])
def test_grant_type_must_be_one_of_two(grant_type: Any) -> None:
    body: dict[str, Any] = {"client_id": "c"}
    if grant_type is not None:
        body["grant_type"] = grant_type
    assert description_of(body) == "grant_type must be 'authorization_code' or 'refresh_token'"


def test_client_id_is_checked_before_grant_type() -> None:
    assert description_of({"grant_type": "implicit"}) == "client_id is required"


def test_the_key_client_secret_selects_the_confidential_schema_even_when_null() -> None:
    body = dict(PUBLIC_EXCHANGE, client_secret=None)
    assert description_of(body) == (
        "code_verifier property is wrong,property code_verifier should not exist , "
        "client_secret property is wrong,client_secret must be a string ")


def test_without_client_secret_the_public_exchange_wants_a_verifier() -> None:
    body = {k: v for k, v in CONFIDENTIAL_EXCHANGE.items() if k != "client_secret"}
    assert description_of(body) == "code_verifier property is wrong,code_verifier must be a string "


def test_missing_properties_are_reported_in_declaration_order() -> None:
    body = {"client_secret": "s", "client_id": "c", "grant_type": "authorization_code"}
    assert description_of(body) == (
        "code property is wrong,code must be a string , "
        "redirect_uri property is wrong,redirect_uri must be a string ")


def test_extra_properties_come_first_in_key_order() -> None:
    body = dict(CONFIDENTIAL_REFRESH, state="x", scope="y", code="z")
    assert description_of(body) == (
        "state property is wrong,property state should not exist , "
        "scope property is wrong,property scope should not exist , "
        "code property is wrong,property code should not exist ")


def test_integer_like_keys_come_first_as_in_javascript() -> None:
    body = dict(PUBLIC_REFRESH, zeta="1")
    body["10"] = "x"
    body["2"] = "y"
    assert description_of(body) == (
        "2 property is wrong,property 2 should not exist , "
        "10 property is wrong,property 10 should not exist , "
        "zeta property is wrong,property zeta should not exist ")


@pytest.mark.parametrize("value", [1, None, True, ["k"], {"k": "v"}])
def test_every_field_must_be_a_string(value: Any) -> None:
    body = dict(CONFIDENTIAL_EXCHANGE, code=value)
    assert description_of(body) == "code property is wrong,code must be a string "


def test_empty_strings_pass_the_pipe() -> None:
    body = dict(CONFIDENTIAL_EXCHANGE, code="", redirect_uri="", client_secret="")
    assert parse_token_input(body) == ExchangeInput("c", "", "", "", None)


def test_format_errors_keeps_the_trailing_space_and_joins_constraints() -> None:
    assert format_errors([("a", ["x", "y"]), ("b", ["z"])]) == (
        "a property is wrong,x, y , b property is wrong,z ")


def test_js_key_order() -> None:
    keys = {"b": 1, "4294967295": 1, "01": 1, "3": 1, "a": 1, "0": 1}
    assert js_key_order(keys) == ["0", "3", "b", "4294967295", "01", "a"]


# -- the well-formed fast path agrees with the full class-validator run -------------------------

_VALUES = st.one_of(st.text(max_size=3), st.none(), st.integers(0, 2),
                    st.lists(st.text(max_size=2), max_size=2))
_KEYS = st.sampled_from(["client_id", "grant_type", "code", "redirect_uri", "client_secret",
                         "code_verifier", "refresh_token", "scope", "0", "1"])


@settings(max_examples=150, deadline=None)
@given(base=st.sampled_from([CONFIDENTIAL_EXCHANGE, PUBLIC_EXCHANGE, CONFIDENTIAL_REFRESH, PUBLIC_REFRESH]),
       changes=st.dictionaries(_KEYS, _VALUES, max_size=3), dropped=st.sets(_KEYS, max_size=2))
def test_the_pipe_answers_exactly_what_class_validator_reports(
        base: dict[str, Any], changes: dict[str, Any], dropped: set[str]) -> None:
    body = {k: v for k, v in {**base, **changes}.items() if k not in dropped}
    body.setdefault("client_id", "c")
    if not isinstance(body["client_id"], str) or not body["client_id"]:
        body["client_id"] = "c"
    if body.get("grant_type") not in ("authorization_code", "refresh_token"):
        body["grant_type"] = base["grant_type"]
    declared = _SCHEMAS[(body["grant_type"], "client_secret" in body)]
    expected = _class_validator_errors(body, declared)
    if expected:
        assert description_of(body) == format_errors(expected)
    else:
        parsed = parse_token_input(body)
        assert parsed.client_id == body["client_id"]


# -- the pipe's quick acceptance of a well-formed body (a shortcut: same answers) -------------

def _pipe_as_written(body: Any) -> object:
    """The pipe as it read before the quick acceptance: every check in order, the request
    well formed when no class-validator error is found."""
    from mock_calcom.oauth.token_input import _js_falsy

    def refused(description: str) -> str:
        return f"invalid_request: {description}"

    if _js_falsy(body):
        return refused("Body is required")
    if not isinstance(body, dict | list):
        return refused("Body should be an object")
    fields: dict[str, Any] = body if isinstance(body, dict) else {}
    client_id = fields.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        return refused("client_id is required")
    grant_type = fields.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        return refused("grant_type must be 'authorization_code' or 'refresh_token'")
    declared = _SCHEMAS[(grant_type, "client_secret" in fields)]
    errors = _class_validator_errors(fields, declared)
    if errors:
        return refused(format_errors(errors))
    if grant_type == "authorization_code":
        return ExchangeInput(client_id, fields["code"], fields["redirect_uri"],
                             fields.get("client_secret"), fields.get("code_verifier"))
    return RefreshInput(client_id, fields["refresh_token"], fields.get("client_secret"))


_FIELD = st.sampled_from(["client_id", "grant_type", "code", "redirect_uri", "client_secret",
                          "code_verifier", "refresh_token", "scope", "0"])
_VALUE = st.one_of(st.sampled_from(["authorization_code", "refresh_token", "x", ""]),
                   st.lists(st.just("x"), max_size=1), st.integers(0, 1), st.none())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dictionaries(_FIELD, _VALUE, max_size=7),
                 st.sampled_from([None, "", 0, False, [], ["a"], "text", 1, True])))
def test_a_body_gets_the_answer_it_got_before_the_quick_acceptance(body: Any) -> None:
    try:
        got: object = parse_token_input(body)
    except OAuthError as exc:
        got = f"{exc.error}: {exc.description}"
    assert got == _pipe_as_written(body)


@st.composite
def _near_well_formed(draw: st.DrawFn) -> dict[str, Any]:
    """A body of one schema's fields, the right grant type, perhaps one value of another
    type, one field missing or one too many."""
    (grant_type, _), declared = draw(st.sampled_from(sorted(_SCHEMAS.items())))
    body: dict[str, Any] = {p: draw(st.sampled_from(["x", "https://a.example/cb"])) for p in declared}
    body["grant_type"] = grant_type
    change = draw(st.sampled_from(["none", "retype", "drop", "add"]))
    if change == "retype":
        body[draw(st.sampled_from(declared))] = draw(st.sampled_from([["x"], 1, None, {"a": "b"}]))
    elif change == "drop":
        del body[draw(st.sampled_from(declared))]
    elif change == "add":
        body[draw(_FIELD)] = "extra"
    return body


@settings(max_examples=150, deadline=None)
@given(_near_well_formed())
@example(dict(PUBLIC_REFRESH, client_id=""))
@example(dict(CONFIDENTIAL_EXCHANGE, grant_type="refresh_token"))
def test_a_nearly_well_formed_body_gets_the_answer_it_got_before(body: dict[str, Any]) -> None:
    try:
        got: object = parse_token_input(body)
    except OAuthError as exc:
        got = f"{exc.error}: {exc.description}"
    assert got == _pipe_as_written(body)
