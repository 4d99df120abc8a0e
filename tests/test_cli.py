"""The ``mock-calcom`` command: ``serve``."""

from __future__ import annotations

import io
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_calcom.cli import build_parser, main, serve

_BOUND = 10.0  # seconds any wait below may take before the test gives up


def _wait_for(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + _BOUND
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _field(banner: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)", banner, re.MULTILINE)
    assert match, f"{label!r} not in banner:\n{banner}"
    return match.group(1)


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().err


def test_an_unknown_consent_mode_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--consent", "sometimes"])
    assert exit_info.value.code == 2


def test_serve_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is before


def test_serve_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_defaults_to_interactive_consent_on_a_wall_clock_and_prints_the_demo() -> None:
    args = build_parser().parse_args(["serve", "--port", "0", "--demo"])
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=serve, args=(args, out), kwargs={"stop": stop})
    runner.start()
    try:
        _wait_for(lambda: "Press Ctrl+C" in out.getvalue(), "the banner")
        banner = out.getvalue()
        url = re.search(r"a fake Cal\.com at (\S+)", banner)
        assert url
        base = url.group(1)
        assert _field(banner, "token URL") == f"{base}/v2/auth/oauth2/token"
        assert _field(banner, "authorize URL") == f"{base}/auth/oauth2/authorize"
        assert _field(banner, "API base URL") == f"{base}/v2"
        assert httpx.get(f"{base}/_mock/consent").json()["mode"] == "interactive"
        assert httpx.get(f"{base}/_mock/clock").json()["frozen"] is False
        # Served, the fake limits unauthenticated requests per IP as Cal.com does (§11.11).
        assert httpx.get(f"{base}/_mock/settings").json()["rate_limit_unauthenticated"] is True
        token = httpx.post(f"{base}/v2/auth/oauth2/token", data={})
        assert token.headers["X-RateLimit-Limit-Default"] == "120"
        client_id = _field(banner, "client_id")
        client = httpx.get(f"{base}/_mock/clients/{client_id}").json()
        assert client["redirect_uris"] == ["http://localhost:3000/callback", f"{base}/_mock/callback"]
        assert client["secrets"][0]["hint"] == _field(banner, "client_secret")[-4:]
        page = httpx.get(_field(banner, "try it"))
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
    finally:
        stop.set()
        runner.join(_BOUND)
    assert not runner.is_alive()
    assert out.getvalue().rstrip().endswith("mock-calcom: stopped")


def test_serve_can_leave_unauthenticated_requests_unlimited() -> None:
    args = build_parser().parse_args(["serve", "--port", "0",
                                      "--set", "rate_limit_unauthenticated=false"])
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=serve, args=(args, out), kwargs={"stop": stop})
    runner.start()
    try:
        _wait_for(lambda: "Press Ctrl+C" in out.getvalue(), "the banner")
        url = re.search(r"a fake Cal\.com at (\S+)", out.getvalue())
        assert url
        settings = httpx.get(f"{url.group(1)}/_mock/settings").json()
        assert settings["rate_limit_unauthenticated"] is False
        token = httpx.post(f"{url.group(1)}/v2/auth/oauth2/token", data={})
        assert "X-RateLimit-Limit-Default" not in token.headers
    finally:
        stop.set()
        runner.join(_BOUND)
    assert not runner.is_alive()


def test_the_same_seed_prints_the_same_credentials() -> None:
    banners = []
    for _ in range(2):
        args = build_parser().parse_args(["serve", "--port", "0", "--demo", "--seed", "7"])
        out, stop = io.StringIO(), threading.Event()
        stop.set()  # print the banner, then stop at once
        serve(args, out, stop=stop)
        banners.append(out.getvalue())
    assert _field(banners[0], "client_id") == _field(banners[1], "client_id")
    assert _field(banners[0], "client_secret") == _field(banners[1], "client_secret")
    assert _field(banners[0], "seed") == "7"


def test_the_installed_command_serves_a_complete_oauth_dance() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_calcom", "serve", "--port", "0", "--demo", "--consent", "approve"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # A reader thread, so every wait below is bounded whatever the pipe's buffering does.
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process, lines), daemon=True)
    reader.start()
    try:
        seen: list[str] = []
        deadline = time.monotonic() + _BOUND
        while not seen or "Press Ctrl+C" not in seen[-1]:
            try:
                seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.001)))
            except queue.Empty:
                pytest.fail("no banner within the bound: " + "".join(seen))
        banner = "".join(seen)
        client_id, secret = _field(banner, "client_id"), _field(banner, "client_secret")
        start = _field(banner, "try it")
        redirect = httpx.get(start)
        assert redirect.status_code in (302, 303)
        location = redirect.headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        callback = location.split("?")[0]
        token = httpx.post(_field(banner, "token URL"), data={
            "client_id": client_id, "client_secret": secret, "grant_type": "authorization_code",
            "code": code, "redirect_uri": callback})
        assert token.status_code == 200, token.text
        assert token.json()["token_type"] == "bearer"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=_BOUND)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        reader.join(_BOUND)
    assert process.returncode == 0
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert "mock-calcom: stopped" in "".join(rest)


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
