"""The harness: fresh scenarios on one fake, the simulated browser, the guards, the journal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_calcom_contracts import endpoints
from mock_calcom_contracts.harness import (
    CALL_SLEEP_BUDGET,
    REDIRECT_URI,
    Suite,
    is_api,
    is_exchange,
    is_refresh,
    rejected_token,
)
from mock_calcom_contracts.profiles import profile
from mock_calcom_contracts.reference import make_provider


@pytest.fixture
def suite() -> Iterator[Suite]:
    with Suite(make_provider, profile("dev")) as s:
        yield s


def test_each_scenario_starts_from_a_fresh_cal_com_with_the_given_settings(suite: Suite) -> None:
    with suite.scenario(settings={"access_token_ttl": 60}, client_status="PENDING") as h:
        h.connect(["PROFILE_READ"])
        assert h.fake.settings.access_token_ttl == 60
        assert h.fake.get_client(h.client_id).status == "PENDING"
        first_entries = len(h.since())
    with suite.scenario() as h:
        assert first_entries > 0
        assert h.since() == []
        assert h.fake.settings.access_token_ttl == 1800
        assert [u.username for u in h.fake.users()] == ["owner", "member"]
        assert h.env.redirect_uri == REDIRECT_URI
        assert h.env.transport is not None


def test_the_browser_brings_back_a_code_an_error_or_a_page(suite: Suite) -> None:
    with suite.scenario() as h:
        url = h.authorization_url(["PROFILE_READ"])
        assert "code" in h.visit(url).callback_query
        assert h.visit(url, consent="deny").callback_query["error"] == ["access_denied"]
        h.set_client_status("PENDING")
        page = h.visit(url, who="member")
        assert page.callback_url is None
        assert page.status >= 400
        assert "code" in h.visit(url, who="owner").callback_query


def test_env_sleep_moves_the_fake_clock_and_is_recorded(suite: Suite) -> None:
    with suite.scenario() as h:
        before = h.now()
        h.env.sleep(42.5)
        assert h.now() == before + 42.5
        assert h.slept == [42.5]
        with pytest.raises(ValueError, match="non-negative"):
            h.env.sleep(-1)


def test_a_provider_call_that_sleeps_without_end_is_stopped(suite: Suite) -> None:
    with suite.scenario() as h:
        def sleepy() -> None:
            for _ in range(CALL_SLEEP_BUDGET + 5):
                h.env.sleep(1)

        outcome = h._guarded(sleepy)
        assert outcome.kind == "runaway"
        assert "unbounded backoff" in outcome.describe()


def test_provider_errors_become_outcomes(suite: Suite) -> None:
    with suite.scenario() as h:
        connection = h.connect(["PROFILE_READ"])
        assert h.call(connection, endpoints.ME).describe() == "a response with status 200"
        assert h.call(connection, endpoints.BOOKINGS).kind == "InsufficientScope"
        assert h.call("no-such-connection", endpoints.ME).kind == "ReauthorizationRequired"
        missing: dict[str, str] = {}
        assert h._guarded(lambda: missing["key"]).kind == "crash"


def test_a_burst_releases_every_call_and_reports_each_outcome(suite: Suite) -> None:
    with suite.scenario() as h:
        connection = h.connect(["PROFILE_READ"])
        outcomes = h.burst(connection, [endpoints.ME, endpoints.CALENDARS, endpoints.ME])
        assert [o.kind for o in outcomes] == ["ok", "InsufficientScope", "ok"]


def test_journal_readers_tell_exchanges_refreshes_api_calls_and_dead_tokens(suite: Suite) -> None:
    with suite.scenario() as h:
        connection = h.connect(["BOOKING_READ", "PROFILE_READ"])
        h.advance(1801)
        h.call(connection, endpoints.BOOKINGS)
        kinds = [(is_exchange(e), is_refresh(e), is_api(e)) for e in h.since()
                 if e.is_token_request or is_api(e)]
        assert kinds == [(True, False, False), (False, True, False), (False, False, True)]
        mark = h.mark()
        h.fake.expire_token(_bearer_of_last_refresh(h))
        h.call(connection, endpoints.BOOKINGS)
        h.call(connection, endpoints.ME)
        rejected = [e.path for e in h.since(mark) if rejected_token(e)]
        assert rejected == ["/v2/bookings", "/v2/me"]
        assert "PermissionsGuard" in h.excerpt(mark)


def _bearer_of_last_refresh(h: object) -> str:
    """The access token the provider holds (read from its state: the journal redacts it)."""
    provider = h.provider  # type: ignore[attr-defined]
    (connection,) = provider._connections.values()
    token: str = connection.access_token
    return token


def test_a_provider_call_that_never_returns_is_abandoned(suite: Suite,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import mock_calcom_contracts.harness

    monkeypatch.setattr(mock_calcom_contracts.harness, "CALL_TIMEOUT", 0.2)
    never = threading.Event()
    with suite.scenario() as h:
        outcome = h._guarded(lambda: never.wait(5))
        assert outcome.kind == "runaway"
        assert "deadlock" in outcome.describe()
    never.set()


def test_the_api_base_url_is_cal_coms_v2_base_in_process_and_live() -> None:
    """One meaning everywhere: the provider's env, ``CalcomUrls.api_base_url`` (the ``serve``
    banner and ``calcom_server.urls``) and Cal.com's docs all say ``.../v2``."""
    from mock_calcom.transports import CalcomUrls

    with Suite(make_provider, profile("dev")) as in_process, in_process.scenario() as h:
        assert h.env.api_base_url == "https://api.cal.com/v2"
        assert h.env.api_base_url == CalcomUrls.production().api_base_url
    with Suite(make_provider, profile("dev"), live=True) as live, live.scenario() as h:
        assert live._server is not None
        assert h.env.api_base_url == live._server.urls.api_base_url
        assert h.env.api_base_url.endswith("/v2")
        connection = h.connect(["PROFILE_READ"])
        assert h.call(connection, endpoints.ME).describe() == "a response with status 200"


def test_the_provider_is_asked_for_paths_relative_to_the_api_base_url(suite: Suite) -> None:
    seen: list[str] = []
    with suite.scenario() as h:
        connection = h.connect(["PROFILE_READ"])
        original = h.provider.request

        def spy(connection: str, method: str, path: str, *args: object) -> object:
            seen.append(path)
            return original(connection, method, path, *args)  # type: ignore[arg-type]

        h.provider.request = spy  # type: ignore[method-assign,assignment]
        h.call(connection, endpoints.ME)
        assert seen == ["/me"]
        assert [e.path for e in h.since() if is_api(e)] == ["/v2/me"]


def test_a_provider_sleeping_without_end_on_its_own_thread_is_stopped(suite: Suite) -> None:
    """A wait made on a thread the provider started (no call context) still counts, even when
    that thread swallows the Runaway raised in it."""
    import contextlib
    import threading

    with suite.scenario() as h:
        def sleepy_in_a_thread() -> None:
            def loop() -> None:
                for _ in range(CALL_SLEEP_BUDGET * 4):
                    # What a careless pool does: swallow everything.
                    with contextlib.suppress(BaseException):
                        h.env.sleep(1)

            worker = threading.Thread(target=loop)
            worker.start()
            worker.join()

        outcome = h._guarded(sleepy_in_a_thread)
        assert outcome.kind == "runaway"
        assert "unbounded backoff" in outcome.describe()
        # The next call starts with a clean budget.
        assert h._guarded(lambda: h.env.sleep(1)).kind == "ok"


def test_an_async_provider_is_awaited_in_process_and_its_burst_interleaves(suite: Suite) -> None:
    import asyncio

    from examples.async_provider import make_provider as make_async

    async_suite = Suite(make_async, profile("dev"))
    with async_suite, async_suite.scenario() as h:
        assert h.env.async_transport is not None
        connection = h.connect(["PROFILE_READ"])
        h.advance(1801)
        outcomes = h.burst(connection, [endpoints.ME] * 4)
        assert [o.describe() for o in outcomes] == ["a response with status 200"] * 4
        assert sum(1 for e in h.since() if is_refresh(e)) == 1

        async def forever() -> None:
            while True:
                h.env.sleep(1)
                await asyncio.sleep(0)

        assert h._guarded(forever).kind == "runaway"


def test_an_outcome_subclass_counts_as_its_outcome() -> None:
    from mock_calcom_contracts import errors

    class CalcomDown(errors.UpstreamError):
        pass

    assert errors.error_kind(CalcomDown("x")) == "UpstreamError"
    assert errors.error_kind(errors.InvalidClient("x")) == "InvalidClient"
    assert errors.error_kind(errors.CodeExchangeFailed("x")) == "CodeExchangeFailed"
    assert errors.error_kind(errors.ProviderError("x")) == "crash"
    assert errors.error_kind(errors.AuthorizationError("x")) == "crash"
