"""The consent page, ``/auth/oauth2/authorize`` on app.cal.com.

GET validates the request for the signed-in user (``OAuthService.validate_authorize``) and,
by ``fake.model.consent.mode``, redirects back at once (approve, deny) or shows the page.
Trusted clients skip consent (FACTS §1.1), whatever the mode. The page POSTs the decision
back here; the POST trusts none of its hidden fields and validates everything again, so the
browser is never sent to a redirect URI the client has not registered.

Errors Cal.com shows on the page (unknown client, not approved, rejected, redirect_uri
mismatch, scope required: ``NON_REDIRECTABLE_REASONS``, oauth2-error.service.ts @742882da) are
rendered here with their 4xx status; the others go back to the client as
``?error=<code>&error_description=<sentence>&state=<state>``. PKCE parameters are checked only
when the user allows (FACTS §11.6): a public client without a challenge sees the consent page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from mock_calcom.asgi import fake_of
from mock_calcom.errors import OAuthError
from mock_calcom.journal import append_response
from mock_calcom.model.consent import ConsentMode
from mock_calcom.model.oauth import AuthorizeRequest, ValidAuthorization
from mock_calcom.model.users import User
from mock_calcom.oauth.bodies import BodyTooLarge, form_pairs, parse_url_search_params, read_body
from mock_calcom.oauth.scope_text import describe_scope
from mock_calcom.oauth.urls import LOCATION_SAFE, code_location, redirect_location

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom

AUTHORIZE_PATH = "/auth/oauth2/authorize"

#: The request parameters the page carries from GET to POST (``response_type``, ``register``
#: and ``onboardingEmbed`` are accepted and ignored: no code reads them, FACTS §1.1).
_CARRIED = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")

if TYPE_CHECKING:
    import jinja2


@functools.cache
def _templates() -> jinja2.Environment:
    """The page templates, loaded on the first page render: ``serve`` starts without Jinja2."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("mock_calcom.oauth", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

_NO_USER_HINT = (
    "Create a user first: POST /_mock/users with {\"username\": \"alice\"}, or "
    "fake.create_user(\"alice\") from Python. The first user is signed in by default."
)


@dataclass(frozen=True)
class _Option:
    id: int
    label: str


async def authorize_page(scope: Scope) -> Response:
    return _authorize_answer(scope)


class AuthorizePage:
    """``ScopeEndpoint(authorize_page)``: the page's GET as a plain ASGI app. Its usual
    answer, a :class:`Redirect`, is sent as the two messages ``Response.__call__`` sends for
    an HTTP scope (a Route matches no other), without the handler's and the response's
    coroutines in between."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _authorize_answer(scope)
        if type(response) is not Redirect or not append_response(send, response):
            await response(scope, receive, send)


def _authorize_answer(scope: Scope) -> Response:
    fake: MockCalcom = scope["app"].fake  # fake_in, in this frame
    authorize = authorize_query(scope["query_string"])
    model = fake.model
    lock = model.lock
    # ``with model.lock``, written out (as the token endpoint): a ``with`` binds the lock's
    # __enter__ and __exit__ as new method objects.
    lock.acquire()
    try:
        user = model.signed_in_user()
        if user is None:
            return _no_user_page()
        try:
            valid = model.oauth.validate_authorize(authorize, user.id)
        except OAuthError as exc:
            return _error_response(exc, authorize, status_code=302)
        mode = model.consent.mode
        if valid.client.is_trusted or mode is ConsentMode.APPROVE:
            return _approve(fake, valid, user.id, status_code=302)
        if mode is ConsentMode.DENY:
            return _deny(valid, status_code=302)
        return _consent_page(valid, model.users.all(), user.id,
                             _first_values(scope["query_string"]))
    finally:
        lock.release()


async def authorize_decision(request: Request) -> Response:
    """The page's Allow / Deny. Answers 303 so the browser follows with a GET."""
    fake = fake_of(request)
    try:
        form = parse_url_search_params(await read_body(request))
    except BodyTooLarge:
        return too_large_page()
    decision = form.get("decision")
    if decision not in ("allow", "deny"):
        return _page("Invalid request", "decision must be allow or deny.", status_code=400)
    authorize = _authorize_request(form)
    with fake.model.lock:
        user = _chosen_user(fake, form.get("user_id"))
        if user is None:
            if not fake.model.users.all():
                return _no_user_page()
            return _page("Invalid request", "The chosen account does not exist.",
                         status_code=400)
        try:
            valid = fake.model.oauth.validate_authorize(authorize, user.id)
        except OAuthError as exc:
            return _error_response(exc, authorize, status_code=303)
        if decision == "deny":
            return _deny(valid, status_code=303)
        return _approve(fake, valid, user.id, status_code=303)


def _approve(fake: MockCalcom, valid: ValidAuthorization, user_id: int, *,
             status_code: int) -> Response:
    """Allow, pressed or automatic: PKCE is checked only now (FACTS §11.6)."""
    try:
        code = fake.model.oauth.approve(valid, user_id)
    except OAuthError as exc:
        return _redirect(valid.redirect_uri, [
            ("error", exc.error), ("error_description", exc.message), ("state", valid.state),
        ], status_code)
    return Redirect.to_location(code_location(valid.redirect_uri, code, valid.state), status_code)


def _deny(valid: ValidAuthorization, *, status_code: int) -> Response:
    # The "go back" button: error only, no description (FACTS §1.1).
    return _redirect(valid.redirect_uri, [("error", "access_denied"), ("state", valid.state)],
                     status_code)


def _error_response(exc: OAuthError, authorize: AuthorizeRequest, *, status_code: int) -> Response:
    if not exc.redirectable or authorize.redirect_uri is None:
        return _page("Authorization failed", exc.message, code=exc.description,
                     status_code=exc.status_code)
    # Redirectable errors come only after the redirect_uri matched a registered one.
    return _redirect(authorize.redirect_uri, [
        ("error", exc.error), ("error_description", exc.message), ("state", authorize.state),
    ], status_code)


def _redirect(base: str, params: list[tuple[str, str | None]], status_code: int) -> Response:
    return Redirect.to_location(redirect_location(base, params), status_code)


class Redirect(RedirectResponse):
    """Starlette's :class:`RedirectResponse` (the same headers in the same order: an empty
    body's length, then the quoted ``location``), without Response's generic header building
    and a ``MutableHeaders`` per answer."""

    def __init__(self, url: str, status_code: int) -> None:
        self._set(quote(url, safe=LOCATION_SAFE), status_code)

    @classmethod
    def to_location(cls, location: str, status_code: int) -> Redirect:
        """The redirect for an already quoted ``location`` (:func:`redirect_location`)."""
        response = cls.__new__(cls)
        # _set, in this frame.
        response.status_code = status_code
        response.background = None
        response.body = b""
        response.raw_headers = [(b"content-length", b"0"),
                                (b"location", location.encode("latin-1"))]
        return response

    def _set(self, location: str, status_code: int) -> None:
        self.status_code = status_code
        self.background = None
        self.body = b""
        self.raw_headers = [(b"content-length", b"0"), (b"location", location.encode("latin-1"))]


def _consent_page(valid: ValidAuthorization, users: list[User], selected: int,
                  params: dict[str, str]) -> Response:
    logo = valid.client.logo
    origin = urlsplit(valid.redirect_uri)
    owner = next((u for u in users if u.id == valid.client.owner_user_id), None)
    html = _templates().get_template("authorize.html").render(
        # Not Cal.com's page, a warning it lacks: a PENDING client only works for its owner
        # (ensureClientAccessAllowed), so anyone else's Allow would be refused.
        client_status=valid.client.status.value,
        owner_label=f"{owner.name or owner.username} ({owner.email})" if owner else None,
        rejection_reason=valid.client.rejection_reason,
        client_name=valid.client.name,
        # Only web images: a stored logo is the client's text, not ours to run.
        logo=logo if logo and logo.lower().startswith(("https://", "http://")) else None,
        action=AUTHORIZE_PATH,
        users=[_Option(u.id, f"{u.name or u.username} ({u.email})"
                       + (" - owner" if u.id == valid.client.owner_user_id else ""))
               for u in users],
        selected_user_id=selected,
        scopes=[{"name": s, "text": describe_scope(s)} for s in valid.scopes],
        hidden=[(name, params[name]) for name in _CARRIED if name in params],
        redirect_origin=f"{origin.scheme}://{origin.netloc}",
    )
    return HTMLResponse(html)


def too_large_page() -> Response:
    """The consent form's answer to a body over the limit (also given by the app's edge)."""
    return _page("Request too large", "The form is larger than this server accepts.",
                 status_code=413)


def _no_user_page() -> Response:
    # Cal.com would send the browser to /auth/login; the fake has no login, only users.
    return _page("Nobody is signed in", "This mock Cal.com has no user to act for.",
                 hint=_NO_USER_HINT, status_code=401)


def _page(title: str, message: str, *, status_code: int, code: str | None = None,
          hint: str | None = None) -> Response:
    html = _templates().get_template("error.html").render(
        title=title, message=message, code=code, hint=hint)
    return HTMLResponse(html, status_code=status_code)


def _chosen_user(fake: MockCalcom, raw_id: str | None) -> User | None:
    if raw_id is None or raw_id == "":
        return fake.model.signed_in_user()
    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return fake.model.users.get(int(raw_id))


def _authorize_request(params: dict[str, str]) -> AuthorizeRequest:
    return AuthorizeRequest(
        client_id=params.get("client_id"),
        redirect_uri=params.get("redirect_uri"),
        scope=params.get("scope"),
        state=params.get("state"),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
    )


def authorize_query(query_string: bytes) -> AuthorizeRequest:
    """``_authorize_request(_first_values(query_string))``: a pure function of the text, and
    a client sends the same query at every authorize, so it is parsed once (the request is
    frozen, so the one remembered is never changed). Long queries are parsed every time,
    keeping the remembered ones small."""
    if len(query_string) > _REMEMBERED_QUERY:
        return _authorize_request(_first_values(query_string))
    return _parsed_query(query_string)


#: Query strings up to this length have their parse remembered.
_REMEMBERED_QUERY = 2048


@functools.lru_cache(maxsize=256)
def _parsed_query(query_string: bytes) -> AuthorizeRequest:
    return _authorize_request(_first_values(query_string))


def _first_values(query_string: bytes) -> dict[str, str]:
    """``URLSearchParams.get``: the first of repeated parameters (decoded as Starlette's
    ``request.query_params`` decodes, without building its multidict on the hot path)."""
    first: dict[str, str] = {}
    for key, value in form_pairs(query_string.decode("latin-1")):
        first.setdefault(key, value)
    return first
