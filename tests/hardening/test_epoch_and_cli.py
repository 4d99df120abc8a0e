"""Issue 9, items 5 and 6: a reset (or a restart) starts a new signing epoch; argument errors
are one line with exit status 2; a request in flight at shutdown gets a clean 503."""

from __future__ import annotations

import socket
import time

import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.cli import main
from mock_calcom.server import LiveServer


def _token(fake: MockCalcom) -> str:
    demo = fake.seed_demo()
    with fake.client() as http:
        location = http.get(fake.authorize_url(demo.client.client_id, demo.redirect_uri,
                                               demo.scopes, state="s")).headers["location"]
        code = location.split("code=")[1].split("&")[0]
        response = http.post("/v2/auth/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": demo.client.client_id,
            "client_secret": demo.client.client_secret, "code": code,
            "redirect_uri": demo.redirect_uri})
    token: str = response.json()["access_token"]
    return token


def test_a_token_minted_before_reset_is_refused_after_it() -> None:
    with MockCalcom(Settings(seed=9)) as fake:
        token = _token(fake)
        with fake.client() as http:
            assert http.get("/v2/me", headers={"authorization": f"Bearer {token}"}).status_code == 200
            fake.reset()
            fake.seed_demo()  # the same user id exists again
            response = http.get("/v2/me", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_a_restarted_server_refuses_the_tokens_of_its_previous_run() -> None:
    first, second = MockCalcom(Settings(seed=9)), MockCalcom(Settings(seed=9))
    first.model.salt_signing_key(b"run-1")
    second.model.salt_signing_key(b"run-2")
    token = _token(first)
    second.seed_demo()
    with second.client() as http:
        assert http.get("/v2/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_same_seed_fakes_without_a_salt_still_mint_the_same_tokens() -> None:
    assert _token(MockCalcom(Settings(seed=4))) == _token(MockCalcom(Settings(seed=4)))


@pytest.mark.parametrize("argv", [["serve", "--port", "70000"], ["serve", "--port", "http"],
                                  ["serve", "--consent", "sometimes"]])
def test_argument_errors_are_one_line_and_exit_2(argv: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_client_that_sends_nothing_is_disconnected(monkeypatch: pytest.MonkeyPatch) -> None:
    import mock_calcom.server as server_module

    monkeypatch.setattr(server_module, "REQUEST_READ_TIMEOUT", 0.3)
    with LiveServer(MockCalcom()) as server, socket.create_connection(
            ("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /v2/me HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 4

