"""Control routes for faults, rate limits and token revocation/expiry (``/_mock/...``).

Thin: each parses JSON, calls the Python API of :class:`~mock_calcom.fake.MockCalcom` (one
implementation for both surfaces) and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from mock_calcom.asgi import fake_of
from mock_calcom.control.inputs import EXPIRE_TOKEN, RATE_LIMIT, REVOKE_TOKENS
from mock_calcom.control.parsing import json_object
from mock_calcom.errors import InvalidControlInput, UnknownObjectError
from mock_calcom.model.ratelimit import RateLimitRule, default_rule, token_tracker


async def _json_object(request: Request) -> dict[str, Any]:
    return await json_object(request, allow_empty=True)


# -- faults --------------------------------------------------------------------------------

async def create_fault(request: Request) -> JSONResponse:
    from mock_calcom.faults import spec_from_json  # what a fault is: loaded with the first one

    spec = spec_from_json(await _json_object(request))
    fake = fake_of(request)
    return JSONResponse(fake.model.faults.add(spec).to_json(), status_code=201)


async def list_faults(request: Request) -> JSONResponse:
    return JSONResponse({"faults": [f.to_json() for f in fake_of(request).faults]})


async def get_fault(request: Request) -> JSONResponse:
    fault = fake_of(request).model.faults.get(request.path_params["fault_id"])
    return JSONResponse(fault.to_json())


async def delete_fault(request: Request) -> JSONResponse:
    fault = fake_of(request).remove_fault(request.path_params["fault_id"])
    return JSONResponse(fault.to_json())


async def clear_faults(request: Request) -> JSONResponse:
    return JSONResponse({"removed": fake_of(request).clear_faults()})


# -- rate limits ---------------------------------------------------------------------------

def _rule_json(tracker: str, rule: RateLimitRule) -> dict[str, Any]:
    return {"tracker": tracker, "limit": rule.limit, "window": rule.ttl, "block": rule.block}


async def list_rate_limits(request: Request) -> JSONResponse:
    fake = fake_of(request)
    settings = fake.settings
    defaults = {kind: _rule_json(kind, default_rule(kind, settings))
                for kind in ("access_token", "api_key", "oauth_client", "ip")}
    overrides = [_rule_json(tracker, rule)
                 for tracker, rule in fake.model.ratelimits.overrides().items()]
    return JSONResponse({"enabled": settings.rate_limit_enabled,
                         "unauthenticated": settings.rate_limit_unauthenticated,
                         "defaults": defaults, "overrides": overrides})


async def set_rate_limit(request: Request) -> JSONResponse:
    data = RATE_LIMIT.check(await _json_object(request))
    token = data["token"]
    rule = fake_of(request).set_rate_limit(token, data["limit"], window=data["window"],
                                           block=data["block"])
    return JSONResponse(_rule_json(token_tracker(token).key, rule))


async def clear_rate_limit(request: Request) -> JSONResponse:
    tracker = request.path_params["tracker"]
    rule = fake_of(request).model.ratelimits.remove_override(tracker)
    if rule is None:
        raise UnknownObjectError(f"no rate limit set for tracker {tracker!r}")
    return JSONResponse(_rule_json(tracker, rule))


async def reset_rate_limits(request: Request) -> JSONResponse:
    fake_of(request).reset_rate_limits()
    return JSONResponse({"reset": True})


# -- tokens --------------------------------------------------------------------------------

async def revoke_tokens(request: Request) -> JSONResponse:
    data = REVOKE_TOKENS.check(await _json_object(request))
    client_id, user_id, team_id = data["client_id"], data["user_id"], data["team_id"]
    if (user_id is None) == (team_id is None):
        raise InvalidControlInput("give exactly one of user_id and team_id")
    revoked = fake_of(request).revoke_refresh_tokens(client_id, user_id, team_id=team_id)
    return JSONResponse({"revoked": revoked})


async def expire_token(request: Request) -> JSONResponse:
    fake_of(request).expire_token(EXPIRE_TOKEN.check(await _json_object(request))["token"])
    return JSONResponse({"expired": True})


routes: list[BaseRoute] = [
    Route("/_mock/faults", create_fault, methods=["POST"]),
    Route("/_mock/faults", list_faults, methods=["GET"]),
    Route("/_mock/faults", clear_faults, methods=["DELETE"]),
    Route("/_mock/faults/{fault_id}", get_fault, methods=["GET"]),
    Route("/_mock/faults/{fault_id}", delete_fault, methods=["DELETE"]),
    Route("/_mock/rate-limits", list_rate_limits, methods=["GET"]),
    Route("/_mock/rate-limits", set_rate_limit, methods=["POST"]),
    Route("/_mock/rate-limits/reset", reset_rate_limits, methods=["POST"]),
    Route("/_mock/rate-limits/{tracker}", clear_rate_limit, methods=["DELETE"]),
    Route("/_mock/tokens/revoke", revoke_tokens, methods=["POST"]),
    Route("/_mock/tokens/expire", expire_token, methods=["POST"]),
]
