"""Redirect URLs as ``new URL(uri)`` + ``searchParams.set`` build them."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import RedirectResponse

from mock_calcom.oauth.authorize import Redirect
from mock_calcom.oauth.urls import (
    LOCATION_SAFE,
    _serialize,
    _set,
    build_redirect_url,
    code_location,
    redirect_location,
)


def test_parameters_are_appended_in_order() -> None:
    assert build_redirect_url("https://a.example/cb", [("code", "xyz"), ("state", "s")]) == (
        "https://a.example/cb?code=xyz&state=s")


def test_undefined_values_are_skipped() -> None:
    assert build_redirect_url("https://a.example/cb", [("code", "x"), ("state", None)]) == (
        "https://a.example/cb?code=x")


def test_existing_parameters_are_kept_and_same_names_replaced() -> None:
    url = build_redirect_url("https://a.example/cb?x=1&code=old&y=2&code=older", [("code", "new")])
    assert url == "https://a.example/cb?x=1&code=new&y=2"


def test_values_are_form_encoded_like_urlsearchparams() -> None:
    url = build_redirect_url("https://a.example/cb", [("state", "a b&c=d/~*é")])
    assert url == "https://a.example/cb?state=a+b%26c%3Dd%2F%7E*%C3%A9"


def test_the_existing_query_is_reserialized() -> None:
    url = build_redirect_url("https://a.example/cb?q=a%20b", [("code", "c")])
    assert url == "https://a.example/cb?q=a+b&code=c"


def test_a_bare_origin_gets_a_slash_path() -> None:
    assert build_redirect_url("https://a.example", [("code", "c")]) == "https://a.example/?code=c"


def test_ports_and_loopback_hosts_survive() -> None:
    assert build_redirect_url("http://[::1]:8080/cb", [("code", "c")]) == "http://[::1]:8080/cb?code=c"


def test_a_redirect_uri_parsed_once_serves_each_redirect_on_its_own() -> None:
    base = "https://app.example/cb?keep=1&code=old"
    first = build_redirect_url(base, [("code", "A"), ("state", "s1")])
    second = build_redirect_url(base, [("error", "access_denied")])
    assert first == "https://app.example/cb?keep=1&code=A&state=s1"
    assert second == "https://app.example/cb?keep=1&code=old&error=access_denied"
    assert build_redirect_url(base, []) == "https://app.example/cb?keep=1&code=old"


# -- the shortcuts: one parse per redirect URI, the location quoted in parts -----------------

def _reference_url(base: str, params: list[tuple[str, str | None]]) -> str:
    """The redirect URL computed in one go, as the module did before it kept parses."""
    parts = urlsplit(base)
    path = parts.path or ("/" if parts.scheme.lower() in ("http", "https") else "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    for key, value in params:
        if value is not None:
            query = _set(query, key, value)
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, _serialize(query), parts.fragment))


_PIECE = st.sampled_from(["", "a", "b c", "é", "%20", "+", "~*", "&", "=", "/x", "#", "?", "[::1]",
                          "code", "state"])
_BASES = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}{host}{path}{query}{fragment}",
    st.sampled_from(["https://", "http://", "myapp:", "com.example.app:/", "HTTPS://", ""]),
    st.sampled_from(["a.example", "localhost:3000", "[::1]:8080", "", "user@host"]),
    st.lists(_PIECE, max_size=3).map(lambda p: "/" + "/".join(p) if p else ""),
    st.lists(st.tuples(_PIECE, _PIECE), max_size=3).map(
        lambda q: "?" + "&".join(f"{k}={v}" for k, v in q) if q else ""),
    st.sampled_from(["", "#frag", "#a b", "#é"]),
)
_PARAMS = st.lists(st.tuples(st.sampled_from(["code", "state", "error", "a b", "x"]),
                             st.one_of(st.none(), _PIECE)), max_size=4)


@settings(max_examples=150, deadline=None)
@given(_BASES, _PARAMS)
def test_a_redirect_url_from_a_kept_parse_equals_one_computed_whole(
        base: str, params: list[tuple[str, str | None]]) -> None:
    assert build_redirect_url(base, params) == _reference_url(base, params)
    assert build_redirect_url(base, params) == _reference_url(base, params)  # parse kept


@settings(max_examples=150, deadline=None)
@given(_BASES, _PARAMS)
def test_a_location_quoted_in_parts_equals_the_whole_url_quoted(
        base: str, params: list[tuple[str, str | None]]) -> None:
    whole = quote(build_redirect_url(base, params), safe=LOCATION_SAFE)
    assert redirect_location(base, params) == whole
    slow = RedirectResponse(build_redirect_url(base, params), status_code=302)
    fast = Redirect.to_location(redirect_location(base, params), 302)
    assert (fast.status_code, fast.raw_headers, fast.body) == (302, slow.raw_headers, slow.body)


def test_a_location_keeps_the_redirect_uris_own_quoting_and_fragment() -> None:
    location = redirect_location("https://a.example/c b?x=é#frag ment", [("code", "c d")])
    assert location == "https://a.example/c%20b?x=%C3%A9&code=c+d#frag%20ment"


_CODES = st.one_of(_PIECE, st.text(alphabet="ABCxyz019-_", min_size=1, max_size=43))
_STATES = st.one_of(st.none(), _PIECE, st.text(max_size=8),
                    st.text(alphabet="ab", min_size=510, max_size=515))


@settings(max_examples=200, deadline=None)
@given(_BASES, _CODES, _STATES, _CODES)
def test_a_code_location_from_kept_parts_equals_the_general_location(
        base: str, code: str, state: str | None, other_code: str) -> None:
    for each in (code, other_code, code):  # the second and third reuse the kept parts
        params: list[tuple[str, str | None]] = [("code", each), ("state", state)]
        assert code_location(base, each, state) == redirect_location(base, params)


def test_a_code_location_follows_the_state_and_the_redirect_uri() -> None:
    assert code_location("https://a.example/cb?state=x&code=o", "C", "s 1") == (
        "https://a.example/cb?state=s+1&code=C")
    assert code_location("https://a.example/cb?state=x&code=o", "C", "s2") == (
        "https://a.example/cb?state=s2&code=C")
    assert code_location("https://b.example/cb#f", "C", "s2") == "https://b.example/cb?code=C&state=s2#f"
    assert code_location("https://b.example/cb#f", "C", None) == "https://b.example/cb?code=C#f"
