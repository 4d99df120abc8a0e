"""Redirect URLs as ``new URL(uri)`` + ``searchParams.set`` build them."""

from __future__ import annotations

from mock_calcom.oauth.urls import build_redirect_url


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
