"""The core control plane: users, clients, consent, clock, journal, settings, reset, demo.

Each handler reads and checks its whole input first, then makes one call to the Python API
of :class:`~mock_calcom.fake.MockCalcom` (which takes the model lock), so a refused request
changes nothing. Errors are :class:`~mock_calcom.errors.ControlError` s, rendered by the app as
``{"error": "..."}`` (400 for bad input, 404 for an unknown id).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_calcom.asgi import fake_of
from mock_calcom.control.inputs import (
    CLOCK_ADVANCE,
    CONSENT,
    CREATE_CLIENT,
    CREATE_USER,
    JOURNAL_QUERY,
    UPDATE_CLIENT,
)
from mock_calcom.control.parsing import (
    check_keys,
    check_query,
    json_object,
)
from mock_calcom.control.views import (
    client_json,
    clock_json,
    consent_json,
    settings_json,
    user_json,
)
from mock_calcom.tenancy import MAX_TENANTS

# -- users ---------------------------------------------------------------------------------

async def create_user(request: Request) -> Response:
    data = CREATE_USER.check(await json_object(request))
    user = fake_of(request).create_user(data["username"], data["email"], name=data["name"],
                                        time_zone=data["time_zone"] or "Europe/London")
    return JSONResponse(user_json(user), status_code=201)


async def list_users(request: Request) -> Response:
    check_query(request, ())
    return JSONResponse({"users": [user_json(u) for u in fake_of(request).users()]})


async def get_user(request: Request) -> Response:
    user = fake_of(request).get_user(request.path_params["user_id"])
    return JSONResponse(user_json(user))


# -- clients -------------------------------------------------------------------------------

async def create_client(request: Request) -> Response:
    data = CREATE_CLIENT.check(await json_object(request))
    registered = fake_of(request).create_client(
        data["name"], data["redirect_uris"], data["scopes"], status=data["status"] or "APPROVED",
        client_type=data["client_type"] or "CONFIDENTIAL", owner_user_id=data["owner_user_id"],
        is_trusted=bool(data["is_trusted"]), logo=data["logo"])
    body = client_json(registered.client)
    body["client_secret"] = registered.client_secret
    return JSONResponse(body, status_code=201)


async def list_clients(request: Request) -> Response:
    check_query(request, ())
    return JSONResponse({"clients": [client_json(c) for c in fake_of(request).clients()]})


async def get_client(request: Request) -> Response:
    return JSONResponse(client_json(fake_of(request).get_client(request.path_params["client_id"])))


async def update_client(request: Request) -> Response:
    changes: dict[str, Any] = UPDATE_CLIENT.check(await json_object(request))
    as_owner = bool(changes.pop("as_owner"))
    client = fake_of(request).update_client(
        request.path_params["client_id"], as_owner=as_owner,
        **{k: v for k, v in changes.items() if v is not None})
    return JSONResponse(client_json(client))


async def add_client_secret(request: Request) -> Response:
    check_keys(await json_object(request, allow_empty=True), ())
    client_id = request.path_params["client_id"]
    secret_id, plain = fake_of(request).add_client_secret(client_id)
    return JSONResponse({"id": secret_id, "client_id": client_id, "client_secret": plain},
                        status_code=201)


async def delete_client_secret(request: Request) -> Response:
    fake_of(request).delete_client_secret(request.path_params["client_id"],
                                        request.path_params["secret_id"])
    return Response(status_code=204)


# -- consent, clock ------------------------------------------------------------------------

async def get_consent(request: Request) -> Response:
    return JSONResponse(consent_json(fake_of(request).consent))


async def put_consent(request: Request) -> Response:
    data = CONSENT.check(await json_object(request))
    return JSONResponse(consent_json(fake_of(request).set_consent(data["mode"], data["user_id"])))


async def get_clock(request: Request) -> Response:
    return JSONResponse(clock_json(fake_of(request).model.clock))


async def advance_clock(request: Request) -> Response:
    seconds = CLOCK_ADVANCE.check(await json_object(request))["seconds"]
    fake = fake_of(request)
    fake.advance(seconds)
    return JSONResponse(clock_json(fake.model.clock))


# -- journal, settings, reset, demo --------------------------------------------------------

async def get_journal(request: Request) -> Response:
    params = JOURNAL_QUERY.check_query(request.query_params.multi_items())
    journal = fake_of(request).journal
    filters = {key: params[key] for key in ("path", "host", "method", "status", "client", "user")}
    next_after: int | None = None
    if params["after"] is not None:
        limit = params["limit"] if params["limit"] is not None else 100
        page = journal.query(after=params["after"], limit=limit, **filters)
        entries, next_after = page.entries, page.next_after
    else:
        entries = journal.entries(limit=params["limit"], **filters)
    return JSONResponse({"entries": [e.to_dict() for e in entries], "count": len(entries),
                         "dropped": journal.dropped, "next_after": next_after})


async def clear_journal(request: Request) -> Response:
    fake_of(request).journal.clear()
    return Response(status_code=204)


async def get_settings(request: Request) -> Response:
    return JSONResponse(settings_json(fake_of(request).settings))


async def patch_settings(request: Request) -> Response:
    data = await json_object(request)
    return JSONResponse(settings_json(fake_of(request).update_settings(**data)))


async def reset(request: Request) -> Response:
    check_keys(await json_object(request, allow_empty=True), ())
    fake_of(request).reset()
    return JSONResponse({"reset": True})


async def seed_demo(request: Request) -> Response:
    check_keys(await json_object(request, allow_empty=True), ())
    demo = fake_of(request).seed_demo()
    client = client_json(demo.client.client)
    client["client_secret"] = demo.client.client_secret
    return JSONResponse({"user": user_json(demo.user), "client": client,
                         "redirect_uri": demo.redirect_uri, "scopes": list(demo.scopes)},
                        status_code=201)


# -- tenants -------------------------------------------------------------------------------

async def list_tenants(request: Request) -> Response:
    """Tenants of the server (``X-Mock-Tenant``); asked of a tenant, lists the server's."""
    fake = fake_of(request)
    root = fake.parent or fake
    return JSONResponse({"tenants": root.tenants(), "max": MAX_TENANTS})


async def drop_tenant(request: Request) -> Response:
    fake = fake_of(request)
    (fake.parent or fake).drop_tenant(request.path_params["name"])
    return Response(status_code=204)
