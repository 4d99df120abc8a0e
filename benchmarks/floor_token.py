"""A reference for ``make bench``: a plain refresh-token endpoint on bare Starlette.

Not a target and not the fake: a yardstick for the live token-endpoint ratios. A refresh
must at least read the form, check the client's secret, verify the presented HS256 token,
revoke its row, and sign a new access and refresh token. This endpoint does only that,
written plainly with the standard library (``hmac``, ``base64``, ``json``, ``secrets``; no
caching) on the same uvicorn stack as the bare side: no journal, no body limits, no error
order, no envelope, no request id, no redaction, no tenant, no clock, no fault hooks. Where
the fake's refresh costs about what this one does, its extra behaviour is paid for by its
shortcuts elsewhere.

    python benchmarks/floor_token.py PORT CREDS_FILE TOKENS
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
import time
from typing import Any
from urllib.parse import parse_qsl

_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
#: A user's scopes as the fake grants them (the same token sizes).
_SCOPES = ["APPS_READ", "APPS_WRITE", "BOOKING_READ", "BOOKING_WRITE", "EVENT_TYPE_READ",
           "EVENT_TYPE_WRITE", "PROFILE_READ", "PROFILE_WRITE", "SCHEDULE_READ", "SCHEDULE_WRITE"]


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class FloorIssuer:
    """Refresh rows by secret; tokens signed and checked with one HMAC key."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.client_id = secrets.token_hex(32)
        self.client_secret = secrets.token_hex(32)
        self.rows: dict[str, tuple[int, int]] = {}

    def sign(self, payload: dict[str, Any]) -> str:
        signing_input = _HEADER + b"." + _b64(json.dumps(payload, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self.key, signing_input, hashlib.sha256).digest())
        return (signing_input + b"." + signature).decode()

    def verify(self, token: str) -> dict[str, Any] | None:
        parts = token.encode().split(b".")
        if len(parts) != 3:
            return None
        expected = _b64(hmac.new(self.key, parts[0] + b"." + parts[1], hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
        return payload

    def mint(self, user_id: int) -> tuple[str, str]:
        now = int(time.time())
        secret = secrets.token_urlsafe(32)
        common = {"userId": user_id, "teamId": None, "scope": _SCOPES, "clientId": self.client_id,
                  "iat": now}
        access = self.sign({**common, "token_type": "Access Token", "exp": now + 1800})
        refresh = self.sign({**common, "token_type": "Refresh Token", "exp": now + 86_400,
                             "secret": secret})
        self.rows[secret] = (user_id, now + 86_400)
        return access, refresh

    def refresh(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != self.client_id or not hmac.compare_digest(
                form.get("client_secret", "").encode(), self.client_secret.encode()):
            return 401, {"error": "invalid_client"}
        claims = self.verify(form.get("refresh_token", ""))
        if claims is None or claims.get("token_type") != "Refresh Token":
            return 400, {"error": "invalid_grant"}
        row = self.rows.pop(claims.get("secret", ""), None)
        if row is None or row[1] < time.time():
            return 400, {"error": "invalid_grant"}
        access, refresh = self.mint(row[0])
        return 200, {"access_token": access, "token_type": "bearer", "refresh_token": refresh,
                     "expires_in": 1800}


def app_for(issuer: FloorIssuer) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        status, body = issuer.refresh(form)
        return Response(json.dumps(body, separators=(",", ":")), status, media_type="application/json",
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def ok(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(routes=[Route("/v2/auth/oauth2/token", token, methods=["POST"]), Route("/", ok)])


def main(argv: list[str]) -> None:
    import uvicorn

    from mock_calcom.server import fastest_http, fastest_loop

    port, creds_file, count = int(argv[0]), argv[1], int(argv[2])
    issuer = FloorIssuer()
    tokens = [issuer.mint(user)[1] for user in range(count)]
    partial = creds_file + ".partial"
    with open(partial, "w") as out:
        json.dump({"client_id": issuer.client_id, "client_secret": issuer.client_secret,
                   "refresh_tokens": tokens}, out)
    os.replace(partial, creds_file)
    uvicorn.run(app_for(issuer), host="127.0.0.1", port=port, loop=fastest_loop(), http=fastest_http(),
                ws="none", lifespan="off", access_log=False, log_level=logging.WARNING)


if __name__ == "__main__":
    main(sys.argv[1:])
