"""The pytest plugin, exercised the way users meet it: in a pytest run of its own."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(source)
    # Hypothesis's plugin is not under test and costs a second per run in its summary hook.
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                              "--strict-markers", *args)


def test_the_calcom_fixture_is_a_fresh_fake_per_test_frozen_and_approving(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        def test_first(calcom):
            calcom.create_user("alice")
            assert len(calcom.users()) == 1

        def test_second(calcom):
            assert calcom.users() == []
            assert calcom.model.clock.frozen
            assert calcom.consent.mode.value == "approve"
            before = calcom.now()
            calcom.advance(30)
            assert calcom.now() == before + 30
    """)
    result.assert_outcomes(passed=2)


def test_the_calcom_fixture_completes_an_in_process_dance(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        from urllib.parse import parse_qs, urlsplit

        def test_dance(calcom):
            calcom.create_user("alice")
            app = calcom.create_client("App", ["https://a.example/cb"], ["PROFILE_READ"])
            with calcom.client() as http:
                redirect = http.get(calcom.authorize_url(app.client_id, "https://a.example/cb",
                                                         ["PROFILE_READ"]))
                code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
                token = http.post("/v2/auth/oauth2/token", data={
                    "client_id": app.client_id, "client_secret": app.client_secret,
                    "grant_type": "authorization_code", "code": code,
                    "redirect_uri": "https://a.example/cb"})
            assert token.status_code == 200
            assert [e.path for e in calcom.journal.token_requests()] == ["/v2/auth/oauth2/token"]
    """)
    result.assert_outcomes(passed=1)


def test_the_marker_configures_the_fake_nearest_mark_winning(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        import pytest
        from mock_calcom import Settings

        pytestmark = pytest.mark.calcom(seed=7, access_token_ttl=60, consent="deny")

        def test_module_level(calcom):
            assert (calcom.settings.seed, calcom.settings.access_token_ttl) == (7, 60)
            assert calcom.consent.mode.value == "deny"

        @pytest.mark.calcom(access_token_ttl=90, consent="interactive")
        def test_nearest_wins_key_by_key(calcom):
            assert (calcom.settings.seed, calcom.settings.access_token_ttl) == (7, 90)
            assert calcom.consent.mode.value == "interactive"

        @pytest.mark.calcom({"legacy_endpoints": False}, clock_start=1_800_000_000.0, demo=True)
        def test_settings_dict_clock_and_demo(calcom):
            assert calcom.settings.legacy_endpoints is False
            assert calcom.now() == 1_800_000_000.0
            assert [u.username for u in calcom.users()] == ["demo"]
            assert len(calcom.clients()) == 1

        @pytest.mark.calcom(settings=Settings(code_ttl=30))
        def test_a_settings_object(calcom):
            assert calcom.settings.code_ttl == 30
    """)
    result.assert_outcomes(passed=4)


def test_an_unknown_setting_in_the_marker_is_an_error_not_ignored(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        import pytest

        @pytest.mark.calcom(warp_speed=9)
        def test_configured(calcom):
            pass
    """)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown setting 'warp_speed'*"])


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.calcom(*"])


def test_calcom_server_serves_the_same_fake_on_a_loopback_port(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        import requests

        def test_server(calcom, calcom_server):
            assert calcom_server.fake is calcom
            assert calcom_server.url.startswith("http://127.0.0.1:")
            created = requests.post(calcom_server.url + "/_mock/users", json={"username": "bob"},
                                    timeout=5)
            assert created.status_code == 201
            assert [u.username for u in calcom.users()] == ["bob"]
    """)
    result.assert_outcomes(passed=1)


def test_calcom_respx_routes_production_hosts_and_refuses_the_rest(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        import httpx
        import pytest

        def test_routed(calcom_respx):
            response = httpx.get("https://api.cal.com/v2/auth/oauth2/clients/nope")
            assert response.status_code == 401  # the lookup needs authentication
            assert calcom_respx.journal.last().host == "api.cal.com"
            with pytest.raises(Exception, match="not mocked"):
                httpx.get("https://example.com/")
    """)
    result.assert_outcomes(passed=1)


def test_async_tests_can_use_the_in_process_async_client(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
        import pytest

        @pytest.mark.asyncio
        async def test_async(calcom):
            async with calcom.async_client() as http:
                response = await http.get("/v2/auth/oauth2/clients/nope")
            assert response.status_code == 401  # the lookup needs authentication
    """)
    result.assert_outcomes(passed=1)
