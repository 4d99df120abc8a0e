"""Body parsing as Express (body-parser, qs) and URLSearchParams do it."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom.oauth.bodies import (
    _REMEMBERED_LENGTH,
    InvalidJson,
    _decoded,
    _unquote_plus,
    form_pairs,
    parse_json_strict,
    parse_qs_extended,
    parse_url_search_params,
)


def test_qs_decodes_plus_and_percent() -> None:
    assert parse_qs_extended(b"a=b+c%2Bd&e=%E2%9C%93") == {"a": "b c+d", "e": "\u2713"}


def test_qs_turns_repeated_keys_into_arrays() -> None:
    assert parse_qs_extended(b"a=1&a=2&a=3&b=4") == {"a": ["1", "2", "3"], "b": "4"}


def test_qs_nests_bracketed_keys() -> None:
    assert parse_qs_extended(b"a[]=1&b[c]=2") == {"a": ["1"], "b": {"c": "2"}}
    assert parse_qs_extended(b"a[]=1&a[]=2") == {"a": ["1", "2"]}


def test_qs_keeps_bare_keys_and_skips_empty_ones() -> None:
    assert parse_qs_extended(b"a&=x&&b=") == {"a": "", "b": ""}


def test_qs_drops_prototype_keys() -> None:
    assert parse_qs_extended(b"__proto__=x&constructor=y&toString=z&ok=1") == {"ok": "1"}


def test_qs_reads_at_most_a_thousand_pairs() -> None:
    body = "&".join(f"k{i}=v" for i in range(1500)).encode()
    assert len(parse_qs_extended(body)) == 1000


def test_url_search_params_keeps_the_last_repeated_value() -> None:
    assert parse_url_search_params(b"a=1&a=2&b=x+y") == {"a": "2", "b": "x y"}


def test_url_search_params_reads_json_as_a_meaningless_key() -> None:
    fields = parse_url_search_params(b'{"client_id":"abc"}')
    assert "client_id" not in fields


@pytest.mark.parametrize("text", [b'{"a": 1}', b"  [1, 2]", b'\n{"a": {"b": [null]}}'])
def test_strict_json_accepts_objects_and_arrays(text: bytes) -> None:
    parse_json_strict(text)


@pytest.mark.parametrize("text", [b"1", b'"a"', b"null", b"true", b"{bad", b"[NaN]",
                                  b'{"a": Infinity}', b"\xff\xfe", b"", b"[" * 100_000])
def test_strict_json_refuses_the_rest(text: bytes) -> None:
    with pytest.raises(InvalidJson):
        parse_json_strict(text)


# -- the remembered decoding (a shortcut: it must answer as unquote_plus does) ---------------

_FORM_TEXT = st.lists(st.sampled_from([*"ab=&+%2Fc3Ddé ~\x00", "%20", "%C3%A9", "%E2%82"]),
                      max_size=30).map("".join)


@settings(max_examples=120, deadline=None)
@given(_FORM_TEXT)
def test_form_pairs_read_a_query_as_parse_qsl_does_again_and_again(text: str) -> None:
    expected = parse_qsl(text, keep_blank_values=True)
    assert form_pairs(text) == expected
    assert form_pairs(text) == expected  # the second read is answered from memory


def test_each_escaped_text_gets_its_own_decoding() -> None:
    assert [_unquote_plus(t) for t in ("a%20b", "a%21b", "a+b", "a%20b", "plain")] == [
        "a b", "a!b", "a b", "a b", "plain"]


def test_a_long_escaped_text_is_decoded_without_being_remembered() -> None:
    text = "x%20" * (_REMEMBERED_LENGTH // 4 + 1)
    before = _decoded.cache_info().currsize
    assert _unquote_plus(text) == unquote_plus(text)
    assert _decoded.cache_info().currsize == before


@settings(max_examples=60)
@given(st.lists(st.sampled_from(["%", "+", "a", "2F", "%2F", "%C3%A9", "%zz", "é", "%e", "%25",
                                 "%FF", "=", "&"]), max_size=10).map("".join))
def test_form_values_unquote_as_urllib_does_again_and_again(text: str) -> None:
    from urllib.parse import unquote_plus

    from mock_calcom.oauth.bodies import form_pairs

    expected = [(unquote_plus(k), unquote_plus(v)) for k, _, v in
                (p.partition("=") for p in text.split("&") if p)]
    assert form_pairs(text) == expected
    assert form_pairs(text) == expected  # the remembered answer is the same


# -- the one-pass form of OAuth fields (a shortcut: it must answer as the whole of qs does) --

def test_every_plain_key_is_one_qs_takes_as_it_is() -> None:
    from mock_calcom.oauth.bodies import _PROTOTYPE_KEYS, PLAIN_KEYS

    for key in PLAIN_KEYS:
        assert key
        assert key not in _PROTOTYPE_KEYS
        assert not set(key) & set("%+[]&=")


_QS_KEYS = st.sampled_from(["client_id", "code", "redirect_uri", "scope", "state", "grant_type",
                            "", "a[]", "a[b]", "__proto__", "x%5B%5D", "client%5Fid", "c+d",
                            "refresh_token", "toString", "other"])
_QS_VALUES = st.lists(st.sampled_from([*"ab+%= ~é", "%2F", "%C3%A9", "%zz", "[", "]"]),
                      max_size=6).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_QS_KEYS, st.sampled_from(["=", ""]), _QS_VALUES), max_size=6),
       st.sampled_from(["", "&", "&&"]))
def test_a_form_reads_as_the_whole_of_qs_reads_it(pairs: list[tuple[str, str, str]],
                                                 tail: str) -> None:
    from mock_calcom.oauth.bodies import _parse_qs_general

    text = "&".join(k + sep + v for k, sep, v in pairs) + tail
    assert parse_qs_extended(text.encode()) == _parse_qs_general(text)
    assert list(parse_qs_extended(text.encode())) == list(_parse_qs_general(text))  # key order


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["client_id", "code", "scope"]), _QS_VALUES),
                min_size=1, max_size=4))
def test_a_form_of_oauth_fields_reads_as_the_whole_of_qs_reads_it(
        pairs: list[tuple[str, str]]) -> None:
    from mock_calcom.oauth.bodies import _parse_qs_general

    text = "&".join(f"{k}={v}" for k, v in pairs)
    assert parse_qs_extended(text.encode()) == _parse_qs_general(text)


def test_a_form_of_more_pairs_than_qs_reads_is_cut_as_qs_cuts_it() -> None:
    from mock_calcom.oauth.bodies import _parse_qs_general

    text = "&".join(["client_id=a"] + [f"k{i}=v" for i in range(1200)])
    assert parse_qs_extended(text.encode()) == _parse_qs_general(text)
    assert len(parse_qs_extended(("client_id=a&" * 1001).encode())["client_id"]) == 1000


# -- reading the body (the one-message case must answer as the general loop) -----------------

def _messages(*messages: dict[str, object]) -> object:
    queue = list(messages)

    async def receive() -> dict[str, object]:
        return queue.pop(0)

    return receive


@pytest.mark.parametrize(("messages", "expected"), [
    ([{"type": "http.request", "body": b"abc"}], b"abc"),
    ([{"type": "http.request"}], b""),
    ([{"type": "http.request", "body": bytearray(b"ab")}], b"ab"),
    ([{"type": "http.request", "body": b"a", "more_body": True},
      {"type": "http.request", "body": b"b"}], b"ab"),
    ([{"type": "http.request", "body": b"x" * 10}], "too large"),
    ([{"type": "http.request", "body": b"x" * 6, "more_body": True},
      {"type": "http.request", "body": b"x" * 6}], "too large"),
    ([{"type": "http.disconnect"}], "disconnect"),
    ([{"type": "http.request", "body": b"a", "more_body": True}, {"type": "http.disconnect"}],
     "disconnect"),
])
async def test_a_body_is_read_whole_within_the_limit(messages: list[dict[str, object]],
                                                     expected: object) -> None:
    from starlette.requests import ClientDisconnect

    from mock_calcom.oauth.bodies import BodyTooLarge, read_body_raw

    receive = _messages(*messages)
    if expected == "too large":
        with pytest.raises(BodyTooLarge):
            await read_body_raw(None, receive, limit=8)  # type: ignore[arg-type]
    elif expected == "disconnect":
        with pytest.raises(ClientDisconnect):
            await read_body_raw(None, receive, limit=8)  # type: ignore[arg-type]
    else:
        body = await read_body_raw(None, receive, limit=8)  # type: ignore[arg-type]
        assert body == expected
        assert type(body) is bytes


@pytest.mark.parametrize("value", ["application/x-www-form-urlencoded",
                                   "Application/JSON; charset=utf-8", " text/plain ;x", "", ";"])
def test_a_media_type_is_the_lower_cased_type_before_any_parameter(value: str) -> None:
    from mock_calcom.oauth.bodies import media_type_of

    expected = value.split(";", 1)[0].strip().lower()
    assert media_type_of(value) == expected
    assert media_type_of(value) == expected  # remembered
