"""``pytest --calcom-provider``: the suites as one pytest test per clause."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_one_test_per_clause_selectable_by_keyword(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--calcom-provider", "mock_calcom_contracts.reference:make_provider", "-k", "DENIAL or ROTATION",
        "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*calcom-contracts::DENIAL PASSED*"])


def test_a_failing_clause_shows_its_rule_and_reproducer(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--calcom-provider", "tests.contracts.providers:no_state_check",
        "--calcom-clause", "STATE-CSRF", "--calcom-clause", "DENIAL", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*STATE-CSRF (fail)*", "*StateMismatch*", "*journal:*"])


def test_a_clause_that_does_not_concern_the_provider_is_skipped(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--calcom-provider", "tests.contracts.providers:confidential_only",
        "--calcom-clause", "PUBLIC-CLIENT", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*not applicable*supports_public_clients*"])


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_an_unknown_clause_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--calcom-provider", "mock_calcom_contracts.reference:make_provider", "--calcom-clause", "NOPE")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
