"""Opening the control plane's pages from a plain browser when an admin token is required.

A browser cannot add ``X-Mock-Admin-Token`` to a link, so with ``serve --admin-token`` the
viewer and the callback debugger's exchange were out of reach. The answer here:

* ``serve`` prints a **one-time login URL** (``/_mock/login?ticket=...``) in its banner, and
  ``POST /_mock/login-links`` (with the admin token) mints another;
* opening it redeems the ticket (once: a copy of the URL in history or a log is worthless)
  and sets a session cookie ``HttpOnly; SameSite=Strict; Path=/_mock``, then redirects to
  ``/_mock/``;
* the cookie stands for the admin token on GET and HEAD, and on a write only together with an
  ``Origin`` header naming the fake's own origin (browsers send one on every same-origin
  write; a cross-site page cannot forge it, and the JSON-only rule still forces a preflight
  the fake never grants).

The token is never put in a URL (history, logs and ``Referer`` would keep it), and the cookie
holds a random session id, not the token. Tickets and sessions are random bytes from
:mod:`secrets` rather than the fake's seeded randomness: they guard the server, and a seed
anyone can read from the banner must not predict them. Both are kept as sha256 digests, so a
lookup's timing says nothing about a stored value, and both are bounded in number.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from mock_calcom.asgi import fake_of
from mock_calcom.control.parsing import check_keys, check_query, json_object

LOGIN_PATH = "/_mock/login"
COOKIE_NAME = "mock_calcom_admin"
#: Login links not yet used (the oldest is forgotten beyond it).
MAX_TICKETS = 16
#: Browser sessions kept (the oldest is logged out beyond it).
MAX_SESSIONS = 64


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class AdminSessions:
    """One-time login tickets and the browser sessions they opened (thread-safe, bounded)."""

    def __init__(self) -> None:
        self._tickets: OrderedDict[str, None] = OrderedDict()
        self._sessions: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keep(store: OrderedDict[str, None], key: str, limit: int) -> None:
        store[key] = None
        while len(store) > limit:
            store.popitem(last=False)

    def issue_ticket(self) -> str:
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._keep(self._tickets, _digest(ticket), MAX_TICKETS)
        return ticket

    def redeem(self, ticket: str) -> str | None:
        """A new session id for a valid ticket (which is used up), else ``None``."""
        with self._lock:
            if self._tickets.pop(_digest(ticket), False) is False:
                return None
            session = secrets.token_urlsafe(32)
            self._keep(self._sessions, _digest(session), MAX_SESSIONS)
            return session

    def valid(self, session: str) -> bool:
        with self._lock:
            return _digest(session) in self._sessions

    def login_url(self, base_url: str) -> str:
        return f"{base_url}{LOGIN_PATH}?ticket={self.issue_ticket()}"


def session_of(cookie_header: bytes) -> str | None:
    """The session cookie's value in a ``Cookie`` header, if there is one."""
    for part in cookie_header.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE_NAME and value:
            return value
    return None


def _sessions(request: Request) -> AdminSessions | None:
    fake = fake_of(request)
    while fake.parent is not None:
        fake = fake.parent
    security = fake.control_security
    return security.sessions if security is not None else None


_NO_LOGIN = ("no admin token is configured: the control plane's pages need no login")
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def login(request: Request) -> Response:
    """``GET /_mock/login?ticket=...``: redeem a one-time ticket for a session cookie."""
    check_query(request, ("ticket",))
    sessions = _sessions(request)
    if sessions is None:
        return JSONResponse({"error": _NO_LOGIN}, status_code=404, headers=_HEADERS)
    session = sessions.redeem(request.query_params.get("ticket", ""))
    if session is None:
        return JSONResponse(
            {"error": "this login link is unknown or was used already; mock-calcom serve "
                      "prints one at start, POST /_mock/login-links with the admin token "
                      "makes another"}, status_code=401, headers=_HEADERS)
    response = RedirectResponse("/_mock/", status_code=303, headers=_HEADERS)
    response.set_cookie(COOKIE_NAME, session, path="/_mock", httponly=True, samesite="strict")
    return response


async def new_login_link(request: Request) -> Response:
    """``POST /_mock/login-links`` ``{}``: another one-time login URL (the guard has already
    checked the admin token or session)."""
    check_keys(await json_object(request, allow_empty=True), ())
    sessions = _sessions(request)
    if sessions is None:
        return JSONResponse({"error": _NO_LOGIN}, status_code=404)
    base = f"{request.url.scheme}://{request.url.netloc}"
    return JSONResponse({"url": sessions.login_url(base)}, status_code=201,
                        headers={"Cache-Control": "no-store"})
