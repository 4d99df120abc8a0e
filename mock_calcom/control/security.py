"""Who may use the control plane (``/_mock``) of a fake served on a socket.

A developer's ``mock-calcom serve`` listens on loopback, and any web page the developer opens
can send requests there. Without these checks a cross-site ``text/plain`` form POST (no CORS
preflight) could reset the fake, register clients or plant a fault that serves the attacker's
HTML from the fake's own origin, and a DNS-rebinding page (a foreign ``Host``) could read
everything. :class:`ControlGuard` refuses, on every ``/_mock`` request:

* a request with a body, or any method but GET/HEAD, whose ``Content-Type`` is not
  ``application/json`` (browsers cannot send that cross-site without a preflight, which
  the fake never answers with CORS headers);
* an ``Origin`` header that is not the fake's own origin (``null`` included);
* a ``Host`` that is not the address the server is bound to (DNS rebinding);
* when an admin token is configured (mandatory for a non-loopback bind), a request without
  ``X-Mock-Admin-Token: <token>`` (compared in constant time), unless it carries the session
  cookie of a one-time login link (:mod:`mock_calcom.control.login`: a plain browser's way
  to the pages), and, for a write, an ``Origin`` that is the fake's own.

In-process fakes have no socket to attack: the guard is off until a server turns it on
(:meth:`ControlSecurity.for_server`). The ``/_mock/callback`` landing page is a GET that only
echoes its own query to the browser that was redirected there, so it needs no token; nor
does ``/_mock/login``, which only redeems a one-time ticket.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_calcom.control.login import LOGIN_PATH, AdminSessions, session_of

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

CONTROL_PREFIX = "/_mock"
ADMIN_TOKEN_HEADER = "x-mock-admin-token"
#: The environment variable ``mock-calcom serve`` reads the admin token from.
ADMIN_TOKEN_ENV = "MOCK_CALCOM_ADMIN_TOKEN"
#: GET pages a browser reaches by redirect (no header can be added there).
_TOKENLESS_PAGES = frozenset({"/_mock/callback", LOGIN_PATH})
_SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class ControlSecurity:
    """The control plane's rules for one served fake.

    ``hosts``: the ``Host`` values accepted (``host:port``); empty accepts any (a server
    bound to every interface, where the admin token is the protection). ``admin_token``:
    required on every ``/_mock`` call when set; ``sessions``: the browser sessions that
    stand for it (one-time login links), present whenever a token is."""

    hosts: frozenset[str]
    admin_token: str | None = None
    sessions: AdminSessions | None = None

    @classmethod
    def for_server(cls, host: str, port: int, admin_token: str | None = None) -> ControlSecurity:
        address = ipaddress.ip_address(host.strip("[]"))
        sessions = AdminSessions() if admin_token is not None else None
        if address.is_unspecified:
            return cls(frozenset(), admin_token, sessions)
        names = {f"[{address}]" if address.version == 6 else str(address)}
        if address.is_loopback:
            names.add("localhost")  # what a browser on this machine also calls the socket
        return cls(frozenset(f"{name}:{port}" for name in names), admin_token, sessions)

    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, reason)`` if the request must be refused, else ``None``."""
        path: str = scope["path"]
        method: str = scope["method"]
        headers: dict[bytes, bytes] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key, value)
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if self.hosts and host not in self.hosts:
            return 403, "the Host header is not this server's address (DNS rebinding is refused)"
        origin = headers.get(b"origin")
        if origin is not None:
            # Same origin: the page was served by this fake under the Host it asked for.
            own = self.origins() if self.hosts else frozenset({f"http://{host}"})
            if origin.decode("latin-1").lower() not in own:
                return 403, "cross-origin requests to the control plane are refused"
        if self.admin_token is not None and not (
                method in _SAFE_METHODS and path in _TOKENLESS_PAGES):
            given = headers.get(ADMIN_TOKEN_HEADER.encode("ascii"), b"")
            if (not hmac.compare_digest(given, self.admin_token.encode("utf-8"))
                    and not self._session_allows(headers, method, origin is not None)):
                return 401, (f"the control plane needs the admin token in {ADMIN_TOKEN_HEADER} "
                             "(a browser: open the login link mock-calcom serve printed)")
        has_body = any(k == b"transfer-encoding" or (k == b"content-length" and v.strip() != b"0")
                       for k, v in scope["headers"])
        if method not in _SAFE_METHODS or has_body:
            ctype = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if ctype != b"application/json":
                return 415, ("the control plane takes only Content-Type: application/json "
                             "(send it even with an empty body)")
        return None

    def _session_allows(self, headers: dict[bytes, bytes], method: str, has_origin: bool) -> bool:
        """A login session's cookie stands for the token on reads, and on writes that carry
        an Origin (already checked to be this fake's own): a browser sends one on every
        same-origin write, so a request without it did not come from the fake's own page."""
        session = session_of(headers.get(b"cookie", b""))
        if session is None or self.sessions is None or not self.sessions.valid(session):
            return False
        return method in _SAFE_METHODS or has_origin


class ControlGuard:
    """Pure ASGI: applies the fake's :class:`ControlSecurity` (if any) to ``/_mock``."""

    def __init__(self, app: ASGIApp, fake: MockCalcom) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A tenant (X-Mock-Tenant) is served by its own app: it obeys its root's rules.
        root = self.fake
        while getattr(root, "parent", None) is not None:
            root = root.parent  # type: ignore[assignment]
        security = root.control_security
        if (security is not None and scope["type"] == "http"
                and scope["path"].startswith(CONTROL_PREFIX)):
            refused = security.refusal(scope)
            if refused is not None:
                status, reason = refused
                await JSONResponse({"error": reason}, status_code=status,
                                   headers={"connection": "close"})(scope, receive, send)
                return
        await self.app(scope, receive, send)
