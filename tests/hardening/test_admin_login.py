"""Issue 9, item 1, for a browser: with an admin token the pages open through a one-time
login link that sets an HttpOnly, SameSite=Strict session cookie; the cross-site rules stay."""

from __future__ import annotations

import contextlib
import io
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.cli import build_parser, serve
from mock_calcom.control.login import COOKIE_NAME, MAX_TICKETS, AdminSessions
from mock_calcom.control.security import ADMIN_TOKEN_HEADER
from mock_calcom.server import LiveServer

TOKEN = "s3cret-admin-token-0123456789"
HTML = {"accept": "text/html"}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[MockCalcom, LiveServer]]:
    fake = MockCalcom()
    with LiveServer(fake, admin_token=TOKEN) as live:
        yield fake, live


@pytest.fixture
def fake(server: tuple[MockCalcom, LiveServer]) -> MockCalcom:
    server[0].reset()
    return server[0]


@pytest.fixture
def live(server: tuple[MockCalcom, LiveServer]) -> LiveServer:
    return server[1]


def _link(fake: MockCalcom, live: LiveServer) -> str:
    assert fake.control_security is not None
    assert fake.control_security.sessions is not None
    return fake.control_security.sessions.login_url(live.url)


def _browser(live: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=10)


@contextlib.contextmanager
def _logged_in(fake: MockCalcom, live: LiveServer) -> Iterator[httpx.Client]:
    with _browser(live) as browser:
        assert browser.get(_link(fake, live)).status_code == 303
        yield browser


def test_a_login_link_sets_a_strict_httponly_session_cookie_and_opens_the_pages(
        fake: MockCalcom, live: LiveServer) -> None:
    with _browser(live) as browser:
        assert browser.get("/_mock/journal/view", headers=HTML).status_code == 401
        answer = browser.get(_link(fake, live))
        assert answer.status_code == 303
        assert answer.headers["location"] == "/_mock/"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=")
        assert {"httponly", "samesite=strict", "path=/_mock"} <= {
            part.strip().lower() for part in cookie.split(";")}
        assert TOKEN not in cookie  # a session id, not the token
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["referrer-policy"] == "no-referrer"
        page = browser.get("/_mock/journal/view", headers=HTML)
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert browser.get("/_mock/", headers=HTML).status_code == 200


def test_a_login_link_works_once(fake: MockCalcom, live: LiveServer) -> None:
    link = _link(fake, live)
    with _browser(live) as first, _browser(live) as second:
        assert first.get(link).status_code == 303
        again = second.get(link)
        assert again.status_code == 401
        assert "set-cookie" not in again.headers
        assert second.get("/_mock/journal/view", headers=HTML).status_code == 401


def test_an_unknown_ticket_or_cookie_opens_nothing(live: LiveServer) -> None:
    with _browser(live) as browser:
        assert browser.get("/_mock/login?ticket=guess").status_code == 401
        browser.cookies.set(COOKIE_NAME, "forged-session-value")
        assert browser.get("/_mock/journal/view", headers=HTML).status_code == 401


def test_the_token_is_not_accepted_in_a_url(live: LiveServer) -> None:
    with _browser(live) as browser:
        for name in ("token", "admin_token", "ticket"):
            assert browser.get(f"/_mock/journal/view?{name}={TOKEN}",
                               headers=HTML).status_code in (400, 401)
        assert browser.get(f"/_mock/login?ticket={TOKEN}").status_code == 401


def test_a_session_writes_only_with_the_fakes_own_origin(fake: MockCalcom,
                                                         live: LiveServer) -> None:
    with _logged_in(fake, live) as browser:
        # No Origin: not a request of the fake's own page (browsers send one on every write).
        assert browser.post("/_mock/users", json={"username": "a"}).status_code == 401
        foreign = browser.post("/_mock/users", json={"username": "b"},
                               headers={"origin": "http://evil.example"})
        assert foreign.status_code == 403
        # Same site, other port (the integration under test): still another origin.
        other_port = browser.post("/_mock/users", json={"username": "c"},
                                  headers={"origin": "http://127.0.0.1:3000"})
        assert other_port.status_code == 403
        assert fake.users() == []
        own = browser.post("/_mock/users", json={"username": "d"}, headers={"origin": live.url})
        assert own.status_code == 201
        # The JSON-only rule still holds for a session (a form post needs no preflight).
        form = browser.post("/_mock/users", content='{"username": "e"}',
                            headers={"origin": live.url, "content-type": "text/plain"})
        assert form.status_code == 415
    assert [u.username for u in fake.users()] == ["d"]


def test_a_new_login_link_needs_the_admin_token(fake: MockCalcom, live: LiveServer) -> None:
    with _browser(live) as http:
        assert http.post("/_mock/login-links", headers=JSON).status_code == 401
        made = http.post("/_mock/login-links", headers={**JSON, ADMIN_TOKEN_HEADER: TOKEN})
        assert made.status_code == 201
        url = made.json()["url"]
        assert url.startswith(f"{live.url}/_mock/login?ticket=")
    with _browser(live) as browser:
        assert browser.get(url).status_code == 303
        assert browser.get("/_mock/journal/view", headers=HTML).status_code == 200


def test_without_an_admin_token_there_is_nothing_to_log_into() -> None:
    with MockCalcom() as fake, LiveServer(fake, secure_control=True) as live, \
            _browser(live) as browser:
        assert browser.get("/_mock/login?ticket=x").status_code == 404
        assert browser.post("/_mock/login-links", headers=JSON).status_code == 404
        assert browser.get("/_mock/journal/view", headers=HTML).status_code == 200


def test_tickets_and_sessions_are_bounded() -> None:
    sessions = AdminSessions()
    tickets = [sessions.issue_ticket() for _ in range(MAX_TICKETS + 1)]
    assert sessions.redeem(tickets[0]) is None  # the oldest was forgotten
    session = sessions.redeem(tickets[-1])
    assert session is not None
    assert sessions.valid(session)
    assert not sessions.valid(session + "x")


def test_serve_with_an_admin_token_prints_a_one_time_browser_login() -> None:
    args = build_parser().parse_args(["serve", "--port", "0", "--admin-token", TOKEN])
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=serve, args=(args, out), kwargs={"stop": stop})
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while "Press Ctrl+C" not in out.getvalue():
            assert time.monotonic() < deadline, out.getvalue()
            time.sleep(0.02)
        found = re.search(r"browser login  (\S+)", out.getvalue())
        assert found, out.getvalue()
        with httpx.Client(timeout=10) as browser:
            assert browser.get(found.group(1)).status_code == 303
            base = found.group(1).split("/_mock/")[0]
            assert browser.get(f"{base}/_mock/journal/view", headers=HTML).status_code == 200
    finally:
        stop.set()
        runner.join(20)
    plain = build_parser().parse_args(["serve", "--port", "0"])
    quiet, done = io.StringIO(), threading.Event()
    done.set()
    serve(plain, quiet, stop=done)
    assert "browser login" not in quiet.getvalue()
