"""The examples in ``examples/`` pass every clause, and a broken provider written outside the
repository, behind an adapter, is caught by ``mock-calcom verify`` with a reproducer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from examples import async_provider, authlib_provider, requests_provider
from mock_calcom_contracts.provider import ProviderEnvironment
from mock_calcom_contracts.verify import Report, run


def _failures(report: Report) -> str:
    return "\n".join(f"{r.id} [{r.status}]: {r.message}\n{r.reproducer}"
                     for r in report.results if r.status != "pass")


def test_the_authlib_example_passes_every_clause_in_process() -> None:
    report = run(authlib_provider.make_provider, profile="dev")
    assert report.ok, _failures(report)


def test_the_async_example_passes_every_clause_in_process() -> None:
    report = run(async_provider.make_provider, profile="dev")
    assert report.ok, _failures(report)
    assert report.result("STATEFUL").status == "pass"


def test_the_requests_example_passes_every_clause_against_the_live_server() -> None:
    report = run(requests_provider.make_provider, profile="dev", live=True)
    assert report.ok, _failures(report)


def _env(url: str, transport: object = None) -> ProviderEnvironment:
    return ProviderEnvironment(
        client_id="id", client_secret="secret", redirect_uri="https://app.example/cb",
        authorize_url=f"{url}/auth/oauth2/authorize", token_url=f"{url}/v2/auth/oauth2/token",
        api_base_url=url, now=lambda: 0.0, sleep=lambda _: None,
        transport=transport)  # type: ignore[arg-type]


def test_the_requests_example_refuses_an_in_process_transport_with_a_hint() -> None:
    with pytest.raises(RuntimeError, match="--live"):
        requests_provider.make_provider(_env("https://api.cal.com", transport=object()))


@pytest.mark.parametrize(("url", "allowed"), [("http://127.0.0.1:8765", "1"),
                                              ("https://api.cal.com", None)])
def test_the_requests_example_allows_plain_http_only_on_loopback(
        url: str, allowed: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    requests_provider.make_provider(_env(url))
    assert os.environ.get("OAUTHLIB_INSECURE_TRANSPORT") == allowed


#: An integrator's provider, in its own style, that refreshes without a lock: concurrent calls
#: on an expired token race Cal.com's rotating refresh token.
_OUTSIDE_PROVIDER = '''
    import secrets
    from urllib.parse import parse_qsl, urlencode, urlparse

    import httpx

    from mock_calcom_contracts import errors
    from mock_calcom_contracts.provider import ApiResponse

    VERSIONS = {"bookings": "2024-08-13", "event-types": "2024-06-14", "schedules": "2024-06-11"}


    class Racy:
        def __init__(self, env):
            self.env = env
            self.http = httpx.Client(transport=env.transport)
            self.states = set()
            self.tokens = {}

        def authorization_url(self, scopes):
            state = secrets.token_urlsafe(24)
            self.states.add(state)
            return self.env.authorize_url + "?" + urlencode({
                "client_id": self.env.client_id, "redirect_uri": self.env.redirect_uri,
                "scope": " ".join(scopes), "state": state})

        def complete(self, callback_url):
            params = dict(parse_qsl(urlparse(callback_url).query))
            if params.get("state") not in self.states:
                raise errors.StateMismatch("unknown state")
            self.states.discard(params["state"])
            if params.get("error") == "access_denied":
                raise errors.AccessDenied("denied")
            connection = secrets.token_hex(8)
            self.tokens[connection] = self.token({"grant_type": "authorization_code",
                                                  "code": params["code"],
                                                  "redirect_uri": self.env.redirect_uri})
            return connection

        def token(self, fields):
            body = {"client_id": self.env.client_id, "client_secret": self.env.client_secret,
                    **fields}
            data = self.http.post(self.env.token_url, data=body).json()
            if "access_token" not in data:
                raise errors.ReauthorizationRequired(str(data))
            return {**data, "expires_at": self.env.now() + data.get("expires_in", 1800)}

        def request(self, connection, method, path, params=None, json=None):
            tokens = self.tokens[connection]
            if self.env.now() >= tokens["expires_at"] - 60:
                tokens.update(self.token({"grant_type": "refresh_token",
                                          "refresh_token": tokens["refresh_token"]}))
            headers = {"Authorization": "Bearer " + tokens["access_token"]}
            version = VERSIONS.get(path.split("/")[1])
            if version:
                headers["cal-api-version"] = version
            r = self.http.request(method, self.env.api_base_url + path, params=params,
                                  json=json, headers=headers)
            return ApiResponse(r.status_code, dict(r.headers), r.json())


    def make_provider(env):
        return Racy(env)
'''


def test_a_broken_provider_written_outside_the_repo_is_caught_with_a_reproducer(
        tmp_path: Path) -> None:
    package = tmp_path / "outsideco"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "adapter.py").write_text(textwrap.dedent(_OUTSIDE_PROVIDER))
    cli = Path(sys.executable).with_name("mock-calcom")
    result = subprocess.run(
        [str(cli), "verify", "--provider", "outsideco.adapter:make_provider",
         "--clause", "EXCHANGE-FIELDS", "--clause", "CONCURRENT-REFRESH"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path)})
    out = result.stdout
    assert result.returncode == 1, result.stdout + result.stderr
    assert out.splitlines()[1].split() == ["CLAUSE", "RESULT", "RULE"], out
    assert any(line.split()[:2] == ["EXCHANGE-FIELDS", "pass"] for line in out.splitlines()), out
    assert any(line.split()[:2] == ["CONCURRENT-REFRESH", "FAIL"] for line in out.splitlines()), out
    reproducer = out.split("--- CONCURRENT-REFRESH", 1)[1]
    assert "Failing test case" in reproducer
    assert "journal:" in reproducer
    assert "grant_type=refresh_token" in reproducer
    assert "FAILED: 1 passed, 1 failed" in out
