"""The control plane for a browser: server-rendered pages (Jinja2, autoescaped, no JavaScript
framework, nothing loaded from the internet).

* ``GET /_mock/`` with ``Accept: text/html``: what the fake holds, links to everything;
* ``GET /_mock/journal/view``: the journal, newest first, filtered and paged;
* ``GET /_mock/callback``: the callback debugger (the code or error Cal.com sent back, and an
  exchange of the code, ``POST /_mock/callback/exchange``, showing the token's claims and
  expiry on the fake clock).

A page picks a tenant with ``?tenant=NAME`` (a browser cannot add ``X-Mock-Tenant`` to a
link); its write actions are small same-origin ``fetch`` calls with a JSON body, the only
kind of write the control plane accepts. Jinja2 is imported on the first page, not at start.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from mock_calcom.asgi import fake_of
from mock_calcom.control.parsing import check_keys, json_object, opt_str, req_str
from mock_calcom.control.views import iso_timestamp
from mock_calcom.refusal import jwt_claims

#: Where the debugger's exchange goes (in-process; ``transports.API_URL``, not imported so
#: that serving a page does not load httpx).
API_URL = "https://api.cal.com"

if TYPE_CHECKING:
    import jinja2

    from mock_calcom.fake import MockCalcom
    from mock_calcom.journal import JournalEntry

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

#: What an error sent back to the callback means, in words (FACTS §1.1, oauth2-error codes).
_EXPLAIN = {
    "access_denied": "The user pressed Deny on the consent page.",
    "client_rejected": "The client is REJECTED: Cal.com refuses every authorization for it.",
    "client_not_approved": "The client is PENDING review: only its owner may authorize it.",
    "invalid_scope": "The scope asked for is not one the client registered.",
}


@functools.cache
def _templates() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("mock_calcom.control", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def wants_html(request: Request) -> bool:
    """Whether the client asked for HTML before JSON (a browser's navigation does)."""
    accept = request.headers.get("accept", "")
    html = accept.find("text/html")
    if html < 0:
        return False
    json_at = accept.find("application/json")
    return json_at < 0 or html < json_at


def _page_fake(request: Request) -> tuple[MockCalcom, str | None]:
    """The fake a page shows: the request's, or the tenant ``?tenant=`` names."""
    fake = fake_of(request)
    name = request.query_params.get("tenant")
    if not name:
        return fake, None
    return (fake.parent or fake).tenant(name), name


def _render(template: str, tenant: str | None, status_code: int = 200, **context: Any) -> Response:
    def link(path: str, **params: str) -> str:
        query = {**({"tenant": tenant} if tenant else {}), **{k: v for k, v in params.items() if v}}
        return f"{path}?{urlencode(query)}" if query else path

    html = _templates().get_template(template).render(tenant=tenant, link=link, **context)
    # The pages run only their own inline script; nothing from elsewhere, no framing.
    return HTMLResponse(html, status_code=status_code, headers={
        "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                   "style-src 'unsafe-inline'; connect-src 'self'; "
                                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


# -- the index -------------------------------------------------------------------------------

def index_page(request: Request) -> Response:
    fake, tenant = _page_fake(request)
    with fake.model.lock:
        users = {u.id: u for u in fake.model.users.all()}
        clients = [{
            "name": c.name, "client_id": c.client_id, "status": c.status.value,
            "type": c.client_type.value, "redirect_uris": list(c.redirect_uris),
            "owner": (users[c.owner_user_id].username
                      if c.owner_user_id in users else c.owner_user_id),
        } for c in fake.model.clients.all()]
        now = fake.model.clock.now()
        frozen = fake.model.clock.frozen
        mode = fake.model.consent.mode.value
    return _render("index.html", tenant, users=list(users.values()), clients=clients,
                   now_iso=iso_timestamp(now), frozen=frozen, consent_mode=mode)


# -- the journal viewer ----------------------------------------------------------------------

def _row(entry: JournalEntry) -> dict[str, Any]:
    detail = {
        "query": entry.query, "request_headers": entry.request_headers,
        "request_body": entry.request_body, "response_headers": entry.response_headers,
        "response_body": entry.response_body,
    }
    return {
        "id": entry.id, "time_iso": iso_timestamp(entry.time), "method": entry.method,
        "target": entry.path + (f"?{entry.query_string}" if entry.query_string else ""),
        "host": entry.host, "status": entry.status,
        "status_class": str(entry.status)[0] if entry.status is not None else "none",
        "client": entry.client_id, "user": entry.user_id, "rule": entry.rule,
        "fault": entry.fault, "detail": json.dumps(detail, indent=2, default=str),
    }


def journal_page(request: Request) -> Response:
    fake, tenant = _page_fake(request)
    params = request.query_params
    filters = {key: params.get(key, "").strip() for key in ("client", "user", "status", "path", "rule")}
    error = None
    try:
        size = int(params.get("size", PAGE_SIZE))
        before = int(params["before"]) if params.get("before") else None
    except ValueError:
        size, before, error = PAGE_SIZE, None, "size and before must be whole numbers"
    size = max(1, min(size, MAX_PAGE_SIZE))
    user: int | None = None
    if filters["user"]:
        if filters["user"].isdigit() and len(filters["user"]) < 19:
            user = int(filters["user"])
        else:
            error = "user must be a user id"
    # The journal filters what it can before building entries (journal.Journal.entries);
    # the rule is known only once an entry is built.
    entries = fake.journal.entries(path=filters["path"] or None, client=filters["client"] or None,
                                   user=user, status=filters["status"] or None) if not error else []
    matched = [e for e in reversed(entries)
               if not filters["rule"] or filters["rule"].lower() in (e.rule or "").lower()]
    page = [e for e in matched if before is None or e.id < before][:size]
    kept = {k: v for k, v in filters.items() if v}
    if size != PAGE_SIZE:
        kept["size"] = str(size)
    older = None
    if page and page[-1].id > matched[-1].id:
        older = _link("/_mock/journal/view", tenant, {**kept, "before": str(page[-1].id)})
    newer = _link("/_mock/journal/view", tenant, kept) if before is not None else None
    return _render("journal.html", tenant, entries=[_row(e) for e in page], filters=filters,
                   total=len(fake.journal), dropped=fake.journal.dropped, error=error,
                   matched=len(matched), shown=len(page), older=older, newer=newer)


def _link(path: str, tenant: str | None, params: Mapping[str, str]) -> str:
    # A mapping, not keyword arguments: the filters include one named "path".
    query = {**({"tenant": tenant} if tenant else {}), **params}
    return f"{path}?{urlencode(query)}" if query else path


# -- the callback debugger -------------------------------------------------------------------

def callback_page(request: Request) -> Response:
    """Where a redirect URI on the fake itself lands (``serve``'s demo client has one)."""
    fake, tenant = _page_fake(request)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "tenant"]
    first = dict(reversed(params))
    code, error = first.get("code"), first.get("error")
    description = first.get("error_description")
    callback_url = str(request.url.replace(query=""))
    with fake.model.lock:
        now = fake.model.clock.now()
        found = fake.model.codes.peek(code) if code else None
        clients = [{"client_id": c.client_id, "name": c.name,
                    "known": c.client_id in fake._known_secrets} for c in fake.model.clients.all()]
        by_uri = [c.client_id for c in fake.model.clients.all() if callback_url in c.redirect_uris]
        code_ttl = fake.model.settings.code_ttl
    selected = found.client_id if found else (by_uri[0] if by_uri else None)
    code_info = None
    if found is not None:
        code_info = {"client_id": found.client_id, "user_id": found.user_id,
                     "scopes": " ".join(found.scopes) or "(none)",
                     "expires_iso": iso_timestamp(found.expires_at),
                     "expires_in": int(found.expires_at - now)}
    explanation = _EXPLAIN.get(description or "") or _EXPLAIN.get(error or "")
    return _render("callback.html", tenant, params=params, code=code, error=error,
                   error_description=description, explanation=explanation,
                   callback_url=callback_url, clients=clients, selected_client=selected,
                   code_info=code_info, code_ttl=code_ttl)


def _expiry(claims: dict[str, Any], now: float) -> dict[str, Any] | None:
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return None
    return {"exp": exp, "iso": iso_timestamp(exp), "in_seconds": round(exp - now),
            "expired": exp <= now}


async def exchange(request: Request) -> Response:
    """``POST /_mock/callback/exchange`` ``{code, client_id, redirect_uri, client_secret?,
    code_verifier?}``: the code exchanged at the fake's own token endpoint (journaled like
    any exchange), the answer with the tokens' claims and expiry on the fake clock. Without
    ``client_secret`` the secret the fake was given for the client (config file, demo) is used."""
    fake = fake_of(request)
    data = await json_object(request)
    check_keys(data, ("code", "client_id", "redirect_uri", "client_secret", "code_verifier"),
               required=("code", "client_id", "redirect_uri"))
    form = {"grant_type": "authorization_code", "code": req_str(data, "code"),
            "client_id": req_str(data, "client_id"), "redirect_uri": req_str(data, "redirect_uri")}
    secret = opt_str(data, "client_secret") or fake.known_secret(form["client_id"])
    verifier = opt_str(data, "code_verifier")
    if secret:
        form["client_secret"] = secret
    if verifier:
        form["code_verifier"] = verifier
    import httpx  # only here: serve's start-up does not need it

    # In-process, to the production host (the journal shows it as api.cal.com).
    async with httpx.AsyncClient(transport=fake.async_transport(), base_url=API_URL) as http:
        answer = await http.post("/v2/auth/oauth2/token", data=form)
    try:
        body: Any = answer.json()
    except ValueError:
        body = answer.text
    now = fake.now()
    result: dict[str, Any] = {"status": answer.status_code, "response": body, "now": now,
                              "now_iso": iso_timestamp(now)}
    if answer.status_code == 200 and isinstance(body, dict):
        claims = {kind: jwt_claims(body[kind]) for kind in ("access_token", "refresh_token")
                  if isinstance(body.get(kind), str)}
        result["claims"] = claims
        result["expiry"] = {kind: _expiry(c, now) for kind, c in claims.items()}
        access = result["expiry"].get("access_token")
        result["summary"] = (
            f"Exchanged. Access token for user {claims.get('access_token', {}).get('userId')} "
            f"expires {access['iso']} (in {access['in_seconds']} s of fake time)." if access
            else "Exchanged.")
    elif isinstance(body, dict):
        result["summary"] = (f"Refused ({answer.status_code}): {body.get('error')}"
                             f" {body.get('error_description') or ''}".rstrip())
    return JSONResponse(result, headers={"Cache-Control": "no-store"})
